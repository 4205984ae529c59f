"""Reading: a spreadsheet file -> model.Table of API strings, each with its source address.

    table = read_table(path, entity=None, sheet=None, options=ReadOptions())

Formats: .xlsx .xlsm .xls .ods (calamine, plus an XML scan for error values and formulas without
a stored result) and .csv (UTF-8 with or without BOM, UTF-16, Windows-1252; delimiter , ; or tab).
File-level problems raise errors.UnusableFile; cell-level problems become Table.issues.

Numbers and dates written as text are read in the file's own convention (decimal comma or point,
day- or month-first slash dates), decided from the values that prove it or set by the options:
see reading/locale.py. What the person sees is what is sent: numbers as Excel's General format shows them, '000000'
formatted numbers with their zeros (xlsx), percent-formatted cells of percent fields as 5 not
0.05, a value merged over several rows on each of them, dates as YYYY-MM-DD.
"""
from __future__ import annotations

import gc
import logging
from contextlib import contextmanager
from operator import is_
from pathlib import Path
from typing import Callable

from importer.entities import Entity, get_entity
from importer.errors import NoDataRows, NoRecordHeader, UnusableFile
from importer.model import Action, Column, Frame, Issue, Severity, Table
from importer.reading.cells import ConvertedColumn, convert_column
from importer.reading.encoding import CODES as ENCODING_CODES
from importer.reading.fidelity import CODES as FIDELITY_CODES, Target
from importer.reading.header import HEADER_CODES, find_header, match_columns, sheet_picker
from importer.reading.limits import ReadLimits
from importer.reading.localize import LOCALE_CODES, apply_conventions
from importer.reading.options import ReadOptions
from importer.reading.sources import load_grid
from importer.reading.values import display
from importer.reading.valuemaps import CODES as VALUE_MAP_CODES, apply_value_maps

__all__ = ["read_table", "ReadLimits", "READING_CODES", "ReadOptions", "gc_paused", "long_running"]

log = logging.getLogger(__name__)

READING_CODES = {
    "excel-error": "The cell shows an Excel error value (#N/A, #DIV/0!, #REF!, ...).",
    "formula-without-value": "A formula cell has no stored result (file never opened and saved).",
    "invalid-action": "The ACTION cell is not CREATE, UPDATE, UPSERT or SKIP.",
    "whitespace-trimmed": "Spaces around a value were removed (warning).",
    "time-ignored": "A date cell or text had a time of day, which is dropped (warning).",
    "hidden-row": "The row is hidden in the spreadsheet but is read like any other (warning).",
    "hidden-column": "The column is hidden in the spreadsheet but is read (warning).",
    **FIDELITY_CODES,
    **ENCODING_CODES,
    **LOCALE_CODES,
    **HEADER_CODES,
    **VALUE_MAP_CODES,
}


def read_table(path: str | Path, entity: Entity | str | None = None, sheet: str | None = None,
               day_first: bool = False,
               on_progress: Callable[[str], None] | None = None,
               limits: ReadLimits | None = None,
               options: ReadOptions | None = None) -> Table:
    """Read one sheet of a spreadsheet file into a Table (see the module docstring); ``limits``
    bound what the file may declare (reading/limits.py); ``options`` say how text numbers,
    dates and headers are read (reading/options.py). ``day_first`` is
    ``options.date_order = DAY_FIRST`` (kept for library callers)."""
    options = (options or ReadOptions()).with_day_first(day_first)
    path = Path(path)
    if isinstance(entity, str):
        try:
            entity = get_entity(entity)
        except KeyError as exc:
            raise UnusableFile(str(exc.args[0])) from None
    with gc_paused():
        table = _read(path, entity, sheet, options, on_progress, limits)
    log.info("read %d rows of %s from %s", table.row_count, table.entity.name, path)
    return table


_FREEZE = [True]  # a command's process; the page's serve says otherwise (long_running)


def long_running() -> None:
    """For a process that lives on (the page): what gc_paused built is not frozen, so that
    objects dropped later in cycles (a request's, a job's) are still collected."""
    _FREEZE[0] = False


@contextmanager
def gc_paused():
    """No cyclic garbage collection while building 100,000s of rows: none of them form cycles,
    and the collector's repeated passes over them cost a third of the reading time. In a
    command, what was built is then frozen (gc.freeze: left out of later collections, still freed
    by reference counting): otherwise the first collection after reading walks every cell of the
    table, and each later full one again (0.6 s for 200,000 rows, during the checks and the
    workbooks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _FREEZE[0]:
            gc.freeze()
        if was_enabled:
            gc.enable()


def _read(path: Path, entity: Entity | None, sheet: str | None, options: ReadOptions,
          on_progress: Callable[[str], None] | None, limits: ReadLimits | None) -> Table:
    grid = load_grid(path, sheet_picker(path, sheet, entity), limits, columns=True)
    if on_progress:
        on_progress(f"read sheet {grid.sheet!r} of {path.name}")
    rows = grid.rows  # the first rows; every cell is in grid.columns
    height = len(grid.columns[0]) if grid.columns else 0
    try:
        h = find_header(rows, path, grid.sheet, entity, options)
    except NoRecordHeader:
        if len(rows) == height:
            raise
        # the same first rows, so no header either: looked at again with every row, to say
        # whether the sheet is empty
        h = find_header(grid.all_rows(), path, grid.sheet, entity, options)
    _fill_merged(grid.columns, grid.merged, h)
    entity, columns, file_issues = match_columns(rows[h], grid.columns, path, grid.sheet, entity,
                                                 options, h + 1)
    first_row = h + 2  # Excel row of the first data row
    title_rows = [_trim([display(v) for v in r]) for r in rows[:h]]
    raws = [grid.columns[c.index][h + 1:] if c.index < len(grid.columns)
            else [""] * (height - h - 1) for c in columns]
    grid.columns = None  # memory: the columns read hold every value now
    converted = [_convert(raw, c, entity, first_row, grid) for raw, c in zip(raws, columns)]
    file_issues += apply_conventions(entity, columns, raws, converted, options.conventions,
                                     first_row, grid.sheet, f"sheet {grid.sheet!r} of {path.name}")
    del raws
    apply_value_maps(entity, columns, converted, options, first_row, grid.sheet)
    frame, issues = _assemble(columns, converted, first_row, grid.sheet)
    del converted
    if not len(frame):
        raise NoDataRows(f"Sheet {grid.sheet!r} of {path.name} has a header but no data rows; "
                           "fill in at least one row under the header.")
    issues.extend(_hidden_row_issues(grid, frame))
    issues.extend(_hidden_column_issues(grid, columns, h + 1, frame))
    issues.extend(file_issues)
    issues.sort(key=lambda i: (i.row or 0, len(i.column or ""), i.column or ""))
    return Table(path=path, sha256=grid.sha256, file_format=grid.file_format, sheet=grid.sheet,
                 entity=entity, header_row=h + 1, columns=columns, frame=frame,
                 title_rows=title_rows, issues=issues)


def _fill_merged(columns: list[list], merged: list, header: int) -> None:
    """A merged block below the header shows its value on every row it covers (a part number
    merged over its quantity breaks): each covered cell gets it."""
    height = len(columns[0]) if columns else 0
    for (top, left), (bottom, right) in merged:
        if top <= header or top >= height:
            continue
        value = columns[left][top] if left < len(columns) else ""
        stop = min(bottom, height - 1) + 1
        for c in range(left, min(right, len(columns) - 1) + 1):
            columns[c][top:stop] = [value] * (stop - top)


def _convert(raw: tuple, column: Column, entity: Entity, first_row: int, grid) -> ConvertedColumn:
    return convert_column(raw, column, _target(entity, column.field), first_row, grid.sheet,
                          grid.marks, grid.interned)


def _target(entity: Entity, name: str | None) -> Target:
    """The field a column feeds; keys and quantities are strict (they select the record)."""
    if not name:
        return Target(None, None)
    f = entity.field(name)
    strict = name in entity.key or f.quantity_break or name.endswith("_QTY")
    return Target(name, f.kind, strict)


def _assemble(columns: list[Column], converted: list[ConvertedColumn], first_row: int,
              sheet: str) -> tuple[Frame, list[Issue]]:
    """The columns as the table's frame; rows with nothing to send (and no error) are left
    out."""
    data: dict[str, list[str]] = {}
    for k, c in enumerate(columns):
        if c.field:
            api = converted[k].api
            if not isinstance(api, list):
                api = list(api)
            if all(map(is_, api, converted[k].shown)):  # each value sent as shown: one list
                api = converted[k].shown
            if c.field in data:  # the same field twice: a later column's value wins
                api = [b or a for a, b in zip(data[c.field], api)]
            data[c.field] = api
    issues = [x for c in converted for x in c.issues]
    height = len(converted[0].shown) if converted else 0
    numbers = list(range(first_row, first_row + height))
    empty = [not any(t) for t in zip(*data.values())] if data else [True] * height
    if any(empty):
        errored = {x.row for x in issues if x.severity is Severity.ERROR}
        keep = [k for k, (n, e) in enumerate(zip(numbers, empty)) if not e or n in errored]
    else:
        keep = None
    shown = [c.shown if isinstance(c.shown, list) else list(c.shown) for c in converted]
    frame = Frame(numbers, shown, data)
    action_col = next((k for k, c in enumerate(columns) if c.is_action), None)
    if action_col is not None:
        texts = converted[action_col].api
        frame.actions = [_action(t, columns[action_col], n, sheet, issues) if t else None
                         for n, t in zip(numbers, texts)]
    if keep is not None:
        frame = frame.take(keep)
        kept = set(frame.excel_rows)
        issues = [x for x in issues if x.row in kept]
    return frame, issues


def _action(text: str, column: Column, excel_row: int, sheet: str,
            issues: list[Issue]) -> Action | None:
    if not text:
        return None
    try:
        return Action(text.upper())
    except ValueError:
        choices = ", ".join(a.value for a in Action)
        issues.append(Issue("invalid-action", f"ACTION {text!r} is not one of {choices}; correct "
                            "it or leave the cell empty.", Severity.ERROR, sheet, excel_row,
                            column.letter, None, text))
        return None


def _hidden_row_issues(grid, frame: Frame) -> list[Issue]:
    if not grid.marks.hidden_rows:
        return []
    return [Issue("hidden-row", "This row is hidden in the spreadsheet; it is read and sent like "
                  "any other row.", Severity.WARNING, grid.sheet, n)
            for n in frame.excel_rows if n in grid.marks.hidden_rows]


def _hidden_column_issues(grid, columns: list[Column], header_row: int,
                          frame: Frame) -> list[Issue]:
    """A hidden column that holds a value is warned about; an empty one (the tool's own
    workbooks collapse the columns no row uses) sends nothing."""
    used = {k for k, c in enumerate(columns) if c.index in grid.marks.hidden_cols
            and k < len(frame.shown) and any(str(v).strip() for v in frame.shown[k])}
    return [Issue("hidden-column", f"Column {c.letter} ({c.header}) is hidden in the spreadsheet; "
                  "its values are read and sent like any other column.", Severity.WARNING,
                  grid.sheet, header_row, c.letter, c.field, c.header)
            for k, c in enumerate(columns) if k in used and (c.field or c.is_action)]


def _trim(cells: list[str]) -> list[str]:
    while cells and not cells[-1].strip():
        cells.pop()
    return cells
