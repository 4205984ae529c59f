"""Value maps: a value a file writes that means another (``Euro`` for ``EUR``, ``417`` for the
part ``000417``) is read as the value meant, with a warning at every cell it changes, so the
admin sees each substitution ("Euro read as EUR: saved mapping, ...").

The maps come in ReadOptions.values: saved ones from ``[values.<record type>.<FIELD>]`` of
importer.toml (importer.settings.values), and fixes the admin accepted for one server and data
source (importer.runs.valuefixes adds those for the target of a run). A map of ``*`` applies to
every record type with the field. A cell with an error is left alone. The written text matches
exactly, else ignoring case (``EURO`` too).
"""
from __future__ import annotations

from importer.entities import Entity
from importer.model import Column, Issue, Severity
from importer.reading.options import ANY_ENTITY, ReadOptions

CODES = {"value-mapped": "A value was read as another by a value map or an accepted fix "
                         "(warning, at each cell)."}


def maps_for(entity: Entity, options: ReadOptions) -> dict[str, dict[str, tuple[str, str]]]:
    """field -> {written: (meant, why)} for this record type (its own maps over '*')."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for name in (ANY_ENTITY, entity.name):
        for field_name, pairs in options.values.get(name, {}).items():
            if entity.has_field(field_name):
                out.setdefault(field_name, {}).update(pairs)
    return out


def apply_value_maps(entity: Entity, columns: list[Column], converted: list, options: ReadOptions,
                     first_row: int, sheet: str) -> None:
    """Rewrite the API strings the maps name, in place, each with a warning at its cell
    (appended to the column's issues). ``converted[k]`` belongs to ``columns[k]``."""
    maps = maps_for(entity, options)
    if not maps:
        return
    for column, col in zip(columns, converted):
        pairs = maps.get(column.field or "")
        if not pairs:
            continue
        folded = {k.casefold(): v for k, v in pairs.items()}
        spoiled = {i.row for i in col.issues if i.severity is Severity.ERROR}
        for i, text in enumerate(col.api):
            if not text:
                continue
            found = pairs.get(text) or folded.get(text.casefold())
            row = first_row + i
            if found is None or found[0] == text or row in spoiled:
                continue
            meant, why = found
            col.api[i] = meant
            col.issues.append(Issue("value-mapped", f"{text} read as {meant}: {why}.",
                                    Severity.WARNING, sheet, row, column.letter, column.field,
                                    text))
