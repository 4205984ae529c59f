"""Finding the sheet, the header row, the entity and each column's field.

A header names a field by its name, a saved name or a built-in alias (reading/fieldnames.py). A column
that names no field is not sent and is listed once (a file-level warning), unless its header is a
typo of a field or --strict-columns is given. Every other problem here concerns the whole file, so
each raises errors.UnusableFile with one sentence that names the file, the cells and what to do.
"""
from __future__ import annotations

import difflib
from itertools import islice
from pathlib import Path

from importer.entities import ENTITIES, Entity, normalize_name
from importer.errors import NoRecordHeader, UnusableFile
from importer.model import (ACTION_COLUMN, RETURNED_PREFIX, TOOL_COLUMNS, Column, Issue, Severity,
                            column_letter)
from importer.reading.fieldnames import Match, Names, check_maps, header_key
from importer.reading.options import ReadOptions
from importer.reading.values import display

HEADER_SEARCH_ROWS = 30
LISTED_COLUMNS = 10  # columns named in the "Not sent: ..." note; the rest are counted
HEADER_CODES = {"columns-not-sent": "Columns that are no field of the record type are not sent "
                                    "(listed once per file; warning)."}
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


def find_header(rows: list[list], path: Path, sheet: str, entity: Entity | None,
                options: ReadOptions | None = None) -> int:
    """0-based index of the first row whose cells are field names (title rows may come first):
    two cells naming a field (by name, saved name or alias), or a single cell holding a field's
    own name."""
    every = _names(entity, options or ReadOptions())
    seen_text = False
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        texts = [t for t in (display(v).strip() for v in row) if t]
        seen_text = seen_text or bool(texts)
        matches = [[n.match(t) for n in every] for t in texts]
        hits = sum(1 for m in matches if any(x.fields for x in m))
        exact = sum(1 for m in matches if any(x.fields and x.by != "alias" for x in m))
        if hits >= 2 or (exact == 1 and len(texts) == 1):
            return i
    if not seen_text and not any(any(display(v).strip() for v in r) for r in rows):
        raise NoRecordHeader(f"Sheet {sheet!r} of {path.name} is empty; fill in the data under a "
                           f"header row of field names ({TEMPLATE_HINT}).")
    example = ", ".join((entity or next(iter(ENTITIES.values()))).key[:2])
    raise NoRecordHeader(f"No header row found in the first {HEADER_SEARCH_ROWS} rows of sheet "
                       f"{sheet!r} of {path.name}; the header must name the API fields (such as "
                       f"{example}): {TEMPLATE_HINT}.")


def _names(entity: Entity | None, options: ReadOptions) -> list[Names]:
    return [Names(e, options) for e in ([entity] if entity else ENTITIES.values())]


def match_columns(header: list, columns: list[list], path: Path, sheet: str,
                  entity: Entity | None, options: ReadOptions | None = None, header_row: int = 1
                  ) -> tuple[Entity, list[Column], list[Issue]]:
    """The header cells -> (entity, columns, file-level issues). Tool columns and columns that
    are no field are kept with field None (the latter listed as not sent); ACTION is marked.
    ``columns`` are the sheet's cells by column (from its first row): the data is below
    ``header_row``."""
    options = options or ReadOptions()
    where = f"sheet {sheet!r} of {path.name}"
    texts = [display(v).strip() for v in header]
    _refuse_data_without_header(texts, columns, header_row, where)
    named = [(i, t) for i, t in enumerate(texts) if t]
    candidates = [(i, t) for i, t in named
                  if not _is_tool(t) and normalize_name(t) != _ACTION]
    if entity is None:
        entity = detect_entity({e: [n.match(t).field for _, t in candidates]
                                for e, n in ((e, Names(e, options)) for e in ENTITIES.values())},
                               path, where)
    check_maps(entity, options)
    names = Names(entity, options)
    matched = {i: names.match(t) for i, t in candidates}
    cells = {i: f"{column_letter(i)}{header_row}" for i, _ in named}
    _refuse_ambiguous(candidates, matched, cells, entity, where)
    unknown = [(i, t) for i, t in candidates if not matched[i].fields]
    _refuse_unknown(entity, unknown, candidates, names, options, where)
    _refuse_duplicates([(i, t, matched[i].field) for i, t in candidates if matched[i].field],
                       cells, where)
    fields = [m.field for m in matched.values() if m.field]
    missing = [f for f in entity.required_create if f not in fields]
    if missing:
        raise UnusableFile(f"{where[0].upper()}{where[1:]} has no {_join(missing)} column"
                           f"{'s' if len(missing) > 1 else ''}, which {entity.label} needs; add "
                           f"{'them' if len(missing) > 1 else 'it'} to the header row.")
    columns = [Column(i, column_letter(i), text, matched[i].field if i in matched else None,
                      is_action=normalize_name(text) == _ACTION) for i, text in named]
    return entity, columns, _not_sent(entity, unknown, options, sheet)


def _is_tool(text: str) -> bool:
    return normalize_name(text) in _TOOL or text.upper().startswith(RETURNED_PREFIX)


def _refuse_data_without_header(texts: list[str], columns: list[list], header_row: int,
                                where: str) -> None:
    for i, column in enumerate(columns):
        if i < len(texts) and texts[i]:
            continue
        if any(display(v).strip() for v in islice(column, header_row, None)):
            raise UnusableFile(f"Column {column_letter(i)} of {where} has values but no header; "
                               f"write the field name in its header cell or delete the column.")


def detect_entity(named: dict[Entity, list[str | None]], path: Path, where: str) -> Entity:
    """The entity whose fields the header names (``named``: per entity, the field each candidate
    header names, None for none); ambiguous or none asks for --entity."""
    scored = []
    for e, found in named.items():
        fields = [f for f in found if f]
        hits = len(fields)
        has_required = all(r in fields for r in e.required_create)
        scored.append(((hits == len(found) and has_required, hits == len(found), has_required,
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


def _refuse_ambiguous(candidates: list[tuple[int, str]], matched: dict[int, Match],
                      cells: dict[int, str], entity: Entity, where: str) -> None:
    for i, text in candidates:
        if len(matched[i].fields) > 1:
            raise UnusableFile(
                f"The header {cells[i]} {text!r} of {where} could be "
                f"{_join(list(matched[i].fields), 'or')}; rename it to the field it holds, or "
                f"say which with --map \"{text}=FIELD\" (or under [columns.{entity.name}] in "
                f"importer.toml).")


def _refuse_unknown(entity: Entity, unknown: list[tuple[int, str]],
                    candidates: list[tuple[int, str]], names: Names, options: ReadOptions,
                    where: str) -> None:
    """Columns that are no field: refused when --strict-columns is given or when a header is a
    typo of a field (a price column silently left out would drop the price)."""
    if not unknown:
        return
    other = next((e for e in ENTITIES.values() if e is not entity and all(
        Names(e, options).match(t).field for _, t in candidates)), None)
    if other is not None and len(unknown) > 1:
        raise UnusableFile(f"The columns of {where} are {other.label} fields, not {entity.label} "
                           f"fields; use --entity {other.name}.")
    if options.strict_columns:
        refused = [(i, t, closest_field(entity, normalize_name(t))) for i, t in unknown]
    else:
        refused = [(i, t, near) for i, t in unknown if (near := names.close_to(t))]
    if not refused:
        return
    parts = [f"{column_letter(i)} {t!r} (closest field: {near})" for i, t, near in refused[:5]]
    more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
    plural = len(refused) > 1
    raise UnusableFile(f"Column{'s' if plural else ''} {_join(parts)}{more} of {where} "
                       f"{'are not' if plural else 'is not a'} {entity.label} field"
                       f"{'s' if plural else ''}; rename {'them' if plural else 'it'} to the "
                       f"field name or delete {'them' if plural else 'it'}.")


def _refuse_duplicates(found: list[tuple[int, str, str]], cells: dict[int, str],
                       where: str) -> None:
    seen: dict[str, tuple[int, str]] = {}
    for i, text, field in found:
        if field in seen:
            j, first = seen[field]
            raise UnusableFile(f"Columns {column_letter(j)} and {column_letter(i)} of {where} "
                               f"are both {field}; delete one of them (header cells {cells[j]} "
                               f"{first!r} and {cells[i]} {text!r}).")
        seen[field] = (i, text)


def _not_sent(entity: Entity, unknown: list[tuple[int, str]], options: ReadOptions,
              sheet: str) -> list[Issue]:
    """One file-level warning listing the columns that are no field (unless ignored)."""
    ignored = {header_key(h) for h in options.ignore}
    listed = [f"{column_letter(i)} {t}" for i, t in unknown if header_key(t) not in ignored]
    if not listed:
        return []
    shown = ", ".join(listed[:LISTED_COLUMNS]) + (
        f" and {len(listed) - LISTED_COLUMNS} more" if len(listed) > LISTED_COLUMNS else "")
    return [Issue("columns-not-sent", f"Not sent: {shown} (no {entity.label} "
                  f"field{'s' if len(listed) > 1 else ''}; kept as written in the results "
                  f"workbook). List them under [columns] ignore in importer.toml to stop this "
                  f"note, or give --strict-columns to refuse such files.", Severity.WARNING,
                  sheet)]


def _join(items: list[str], word: str = "and") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]
