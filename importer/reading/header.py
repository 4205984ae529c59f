"""Finding the sheet, the header row, the entity and each column's field.

Every problem here concerns the whole file, so each raises errors.UnusableFile with one sentence
that names the file, the column and what to do.
"""
from __future__ import annotations

import difflib
from pathlib import Path

from importer.entities import ENTITIES, Entity, normalize_name
from importer.errors import NoRecordHeader, UnusableFile
from importer.model import ACTION_COLUMN, RETURNED_PREFIX, TOOL_COLUMNS, Column, column_letter
from importer.reading.values import display

HEADER_SEARCH_ROWS = 30
_TOOL = {normalize_name(c) for c in TOOL_COLUMNS}
_ACTION = normalize_name(ACTION_COLUMN)
TEMPLATE_HINT = "start from a template (importer template ENTITY)"


def sheet_picker(path: Path, wanted: str | None, entity: Entity | None):
    """--sheet, else the sheet named after the entity (any entity when not given), else the
    first visible worksheet."""

    def pick(names: list[str], visible: list[str]) -> str:
        if wanted is not None:
            found = [n for n in names if n == wanted] or [
                n for n in names if normalize_name(n) == normalize_name(wanted)]
            if not found:
                listing = ", ".join(repr(n) for n in names)
                raise UnusableFile(f"File {path.name} has no sheet {wanted!r}; its sheets are "
                                   f"{listing}: choose one with --sheet.")
            return found[0]
        entities = [entity] if entity else list(ENTITIES.values())
        wanted_names = {normalize_name(x) for e in entities for x in (e.name, e.label)}
        named = [n for n in visible if normalize_name(n) in wanted_names]
        return (named or visible)[0]

    return pick


def find_header(rows: list[list], path: Path, sheet: str, entity: Entity | None) -> int:
    """0-based index of the first row whose cells are field names (title rows may come first)."""
    known = _known_fields(entity)
    seen_text = False
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [normalize_name(t) for t in (display(v) for v in row) if t.strip()]
        seen_text = seen_text or bool(names)
        hits = sum(1 for n in names if n in known)
        if hits >= 2 or (hits == 1 and len(names) == 1):
            return i
    if not seen_text and not any(any(display(v).strip() for v in r) for r in rows):
        raise NoRecordHeader(f"Sheet {sheet!r} of {path.name} is empty; fill in the data under a "
                           f"header row of field names ({TEMPLATE_HINT}).")
    example = ", ".join((entity or next(iter(ENTITIES.values()))).key[:2])
    raise NoRecordHeader(f"No header row found in the first {HEADER_SEARCH_ROWS} rows of sheet "
                       f"{sheet!r} of {path.name}; the header must name the API fields (such as "
                       f"{example}): {TEMPLATE_HINT}.")


def _known_fields(entity: Entity | None) -> set[str]:
    entities = [entity] if entity else list(ENTITIES.values())
    return {name for e in entities for name in e.field_names}


def match_columns(header: list, data: list[list], path: Path, sheet: str,
                  entity: Entity | None) -> tuple[Entity, list[Column]]:
    """The header cells -> (entity, columns); tool columns kept with field None, ACTION marked."""
    where = f"sheet {sheet!r} of {path.name}"
    texts = [display(v).strip() for v in header]
    _refuse_data_without_header(texts, data, where)
    named = [(i, t) for i, t in enumerate(texts) if t]
    candidates = [(i, t, normalize_name(t)) for i, t in named if not _is_tool(t)]
    fields = [n for _, _, n in candidates if n != _ACTION]
    if entity is None:
        entity = detect_entity(fields, path, where)
    _refuse_unknown(entity, candidates, path, where)
    _refuse_duplicates(candidates, where)
    missing = [f for f in entity.required_create if f not in fields]
    if missing:
        raise UnusableFile(f"{where[0].upper()}{where[1:]} has no {_join(missing)} column"
                           f"{'s' if len(missing) > 1 else ''}, which {entity.label} needs; add "
                           f"{'them' if len(missing) > 1 else 'it'} to the header row.")
    columns = []
    for i, text in named:
        norm = normalize_name(text)
        field = None if _is_tool(text) or norm == _ACTION else norm
        columns.append(Column(i, column_letter(i), text, field, is_action=norm == _ACTION))
    return entity, columns


def _is_tool(text: str) -> bool:
    return normalize_name(text) in _TOOL or text.upper().startswith(RETURNED_PREFIX)


def _refuse_data_without_header(texts: list[str], data: list[list], where: str) -> None:
    width = max((len(r) for r in data), default=0)
    for i in range(width):
        if i < len(texts) and texts[i]:
            continue
        row = next((n for n, r in enumerate(data) if i < len(r) and display(r[i]).strip()), None)
        if row is not None:
            raise UnusableFile(f"Column {column_letter(i)} of {where} has values but no header; "
                               f"write the field name in its header cell or delete the column.")


def detect_entity(fields: list[str], path: Path, where: str) -> Entity:
    """The entity whose fields the header names; ambiguous or none asks for --entity."""
    scored = []
    for e in ENTITIES.values():
        hits = sum(1 for f in fields if e.has_field(f))
        has_required = all(r in fields for r in e.required_create)
        scored.append(((hits == len(fields) and has_required, hits == len(fields), has_required,
                        hits), e))
    scored.sort(key=lambda s: s[0], reverse=True)
    best = scored[0]
    if best[0][3] == 0:
        raise NoRecordHeader(f"The header of {where} names no field of any known record type; "
                           f"{TEMPLATE_HINT}.")
    ties = [e.name for score, e in scored if score == best[0]]
    if len(ties) > 1:
        raise UnusableFile(f"The columns of {where} fit more than one record type "
                           f"({' or '.join(ties)}); say which with --entity.")
    return best[1]


def closest_field(entity: Entity, name: str) -> str:
    return max(entity.field_names,
               key=lambda f: difflib.SequenceMatcher(None, name, f).ratio())


def _refuse_unknown(entity: Entity, candidates: list[tuple[int, str, str]], path: Path,
                    where: str) -> None:
    unknown = [(i, t, n) for i, t, n in candidates if n != _ACTION and not entity.has_field(n)]
    if not unknown:
        return
    fields = [n for _, _, n in candidates if n != _ACTION]
    other = next((e for e in ENTITIES.values() if e is not entity
                  and all(e.has_field(f) for f in fields)), None)
    if other is not None and len(unknown) > 1:
        raise UnusableFile(f"The columns of {where} are {other.label} fields, not {entity.label} "
                           f"fields; use --entity {other.name}.")
    parts = [f"{column_letter(i)} {t!r} (closest field: {closest_field(entity, n)})"
             for i, t, n in unknown[:5]]
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    plural = len(unknown) > 1
    raise UnusableFile(f"Column{'s' if plural else ''} {_join(parts)}{more} of {where} "
                       f"{'are not' if plural else 'is not a'} {entity.label} field"
                       f"{'s' if plural else ''}; rename {'them' if plural else 'it'} to the "
                       f"field name or delete {'them' if plural else 'it'}.")


def _refuse_duplicates(candidates: list[tuple[int, str, str]], where: str) -> None:
    seen: dict[str, int] = {}
    for i, _text, norm in candidates:
        if norm in seen:
            raise UnusableFile(f"Columns {column_letter(seen[norm])} and {column_letter(i)} of "
                               f"{where} are both {norm}; delete one of them.")
        seen[norm] = i


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
