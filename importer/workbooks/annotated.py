"""The annotated data sheet shared by the validation and results workbooks.

The data keep the input's layout: the same sheet name, the title rows above, the header on the same
row and every column at the same letter, so each address equals the one in the person's file. The
tool's columns are appended on the right, then (optionally) a visibly separate block of the fields
the ERP returned. Error cells are red and warning cells amber, each with a comment carrying the
message(s); a whole row may be coloured by its status.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Callable, Iterator, Sequence

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importer.entities import normalize_name
from importer.model import (
    RETURNED_PREFIX,
    TOOL_COLUMNS,
    Column,
    Frame,
    FrameRows,
    Issue,
    Row,
    Severity,
    Table,
)
from importer.workbooks import columnwise, dress, styles as st
from importer.workbooks.fastsheet import CellSpec, FastWorkbook, StreamedSheet, row_xml
from importer.workbooks.sidesheet import add_outcome_sheet, outcomes_fit
from importer.workbooks.typed import DATE_FORMAT, FORMATS, TypedCache, kinds_of

TEXT = "@"
SAMPLE_ROWS = 300  # rows looked at to size the columns
WIDE = {"MESSAGE": 60, "ISSUES": 80, "REASON": 60}
COLUMNWISE = True  # ordinary rows written by columnwise; False: every row by _stream (the test's
# reference: both must give the same cells)


@dataclass
class Painted:
    """What the tool adds to one row: its status key (row and status-cell colour) and values."""

    status: str | None
    appended: Sequence[object]
    block: Sequence[object] = ()


@dataclass
class Layout:
    table: Table
    appended: Sequence[str]  # headers of the tool's columns
    block: Sequence[str] = ()  # headers of the returned-fields block
    row_colours: dict[str, str | None] = field(default_factory=dict)  # status -> whole-row colour
    status_colours: dict[str, str | None] = field(default_factory=dict)  # status -> status cell
    header_notes: dict[str, str] = field(default_factory=dict)  # tool header -> its comment

    @cached_property
    def data_columns(self) -> list[Column]:
        """The input's columns minus the columns an earlier run of this tool appended."""
        return [c for c in self.table.columns if not is_tool_header(c.header)]

    @cached_property
    def first_appended(self) -> int:
        return max((c.index for c in self.data_columns), default=-1) + 1

    @cached_property
    def first_block(self) -> int:
        return self.first_appended + len(self.appended)

    @cached_property
    def last_column(self) -> int:
        return self.first_block + len(self.block) - 1


def is_tool_header(header: str) -> bool:
    name = normalize_name(header or "")
    return name in TOOL_COLUMNS or name.startswith(normalize_name(RETURNED_PREFIX))


def cell_notes(issues: Sequence[Issue]) -> dict[tuple[int, int], tuple[Severity, str]]:
    """(Excel row, 0-based column) -> (worst severity, the messages) for issues that name a cell."""
    found: dict[tuple[int, int], list[Issue]] = {}
    columns: dict[str, int] = {}  # letter -> 0-based index, computed once per letter
    for issue in issues:
        if issue.row is not None and issue.column:
            col = columns.get(issue.column)
            if col is None:
                col = columns[issue.column] = column_index_from_string(issue.column) - 1
            key = (issue.row, col)
            group = found.get(key)
            if group is None:
                found[key] = [issue]
            else:
                group.append(issue)
    return {
        key: (group[0].severity, group[0].message) if len(group) == 1 else (
            Severity.ERROR if any(i.severity is Severity.ERROR for i in group) else
            Severity.WARNING, "\n".join(dict.fromkeys(i.message for i in group)))
        for key, group in found.items()
    }


def comment_list(notes: dict[tuple[int, int], tuple[Severity, str]]) -> list[tuple[int, int, str]]:
    return [(row, col, notes[row, col][1]) for row, col in sorted(notes)]


def issue_text(issues: Sequence[Issue]) -> str:
    """Row issues for a single cell: '[C5] message' each, in the order found."""
    return " ".join(f"[{_where(i)}] {i.message}" if i.row else i.message
                    for i in dict.fromkeys(issues))


def _where(issue: Issue) -> str:
    return f"{issue.column}{issue.row}" if issue.column else f"row {issue.row}"


KINDS = ("data", "error", "warning", "changed", "status", "tool", "number", "block",
         "block-first")


class Mark(str, Enum):
    """A cell marked for a reason other than an issue: its value changes the last known one."""

    CHANGED = "changed"


def with_changed(notes: dict, changed: dict[tuple[int, int], str] | None, limit: int) -> dict:
    """Add changed cells' notes (Excel row, 0-based column) -> text; an issue keeps its colour
    and the old value goes first in its comment."""
    for key, text in (changed or {}).items():
        if key[1] >= limit:
            continue
        notes[key] = (notes[key][0], f"{text}\n{notes[key][1]}") if key in notes else (
            Mark.CHANGED, text)
    return notes
TYPED_KINDS = ("data", "warning", "block", "block-first")  # cells that may be numbers or dates


class _Styles:
    """Style ids for the streamed rows, made once per combination."""

    def __init__(self, fw: FastWorkbook, layout: Layout, formats: Sequence[str] = ()) -> None:
        self.fw, self.layout = fw, layout
        self._cache: dict[tuple, int] = {}

        statuses = {None, *layout.row_colours, *layout.status_colours}
        for status in statuses:  # all registered before the workbook's styles are written
            for kind in KINDS:
                self._cache[(kind, status)] = self._make(kind, status)
            for kind in TYPED_KINDS:
                for fmt in formats:
                    self._cache[(kind, status, fmt)] = self._make(kind, status, fmt)
        self.header = _header_styles(fw)

    def get(self, kind: str, status: str | None) -> int:
        return self._cache[(kind, status)]

    def typed(self, kind: str, status: str | None, fmt: str) -> int | None:
        """The style of a number or date cell of ``kind`` ('data' or a block kind); None for a
        format not registered (the cell then stays text)."""
        return self._cache.get((kind, status, fmt))

    def _make(self, kind: str, status: str | None, fmt: str | None = None) -> int:
        row_colour = self.layout.row_colours.get(status) if status else None
        if kind == "error":
            return self.fw.style(fill=st.fill(st.STRONG_RED), number_format=TEXT,
                                 font=st.ERROR_FONT)
        if kind == "warning":
            return self.fw.style(fill=st.fill(st.AMBER), number_format=fmt or TEXT)
        if kind == "changed":
            return self.fw.style(fill=st.fill(st.CHANGED), number_format=TEXT)
        if kind == "status":
            colour = self.layout.status_colours.get(status) or row_colour
            return self.fw.style(fill=st.fill(colour), font=st.BOLD)
        if kind == "number":
            return self.fw.style(fill=st.fill(row_colour) if row_colour else None,
                                 alignment=st.CENTER)
        border = st.THICK_LEFT if kind == "block-first" else None
        number_format = fmt or (TEXT if kind == "data" else None)
        if not (row_colour or border or number_format):
            return 0
        return self.fw.style(fill=st.fill(row_colour) if row_colour else None, border=border,
                             number_format=number_format)


def add_annotated_sheet(fw: FastWorkbook, title: str, layout: Layout,
                        paint: Callable[[int], Painted], issues: Sequence[Issue],
                        changed: dict[tuple[int, int], str] | None = None) -> Worksheet:
    """Add the data sheet to the workbook; rows are streamed when the workbook is saved.
    ``paint``: an Excel row's paint. ``changed``: (Excel row, 0-based column) -> comment of the
    cells whose value changes."""
    if not outcomes_fit(layout.first_appended, len(layout.appended) + len(layout.block)):
        return _with_outcome_sheet(fw, title, layout, paint, issues, changed)
    table = layout.table
    ws = fw.add_sheet(title)
    notes = {k: v for k, v in cell_notes(issues).items() if k[1] < layout.first_appended}
    notes = with_changed(notes, changed, layout.first_appended)
    frame = table.frame.ascending()
    positions = sorted(((i, c.index) for i, c in enumerate(table.columns)
                        if not is_tool_header(c.header)), key=lambda p: p[1])
    typer = _Typer(layout, positions)
    styles = _Styles(fw, layout, typer.formats_needed(frame))
    _dress(fw, ws, layout, frame, paint)
    dress.freeze(ws, table, layout.data_columns)
    dress.collapse(ws, dress.empty_columns(table, layout.data_columns, frame,
                                           {col for _, col in notes}))
    fw.stream(StreamedSheet(ws, lambda: _stream(layout, FrameRows(frame), paint, notes, styles,
                                                 positions, typer),
                            max_col=max(layout.last_column, 0), last_row=_last_row(table, frame),
                            notes=comment_list(notes) + _header_notes(layout),
                            xml=(lambda: _stream_xml(layout, frame, paint, notes, styles,
                                                     positions, typer)) if COLUMNWISE else None))
    return ws


def _with_outcome_sheet(fw: FastWorkbook, title: str, layout: Layout,
                        paint: Callable[[int], Painted], issues: Sequence[Issue],
                        changed: dict[tuple[int, int], str] | None = None) -> Worksheet:
    """The data sheet without the tool's columns, which go to a sheet of their own."""
    narrow = Layout(layout.table, (), (), layout.row_colours, layout.status_colours)
    ws = add_annotated_sheet(fw, title, narrow, lambda row: Painted(paint(row).status, ()),
                             issues, changed)
    add_outcome_sheet(fw, ws.title, [*layout.appended, *layout.block],
                      layout.table.frame.ascending().excel_rows, paint,
                      layout.status_colours)
    return ws


def _last_row(table: Table, frame: Frame) -> int:
    return max(table.header_row, frame.excel_rows[-1] if len(frame) else 0)


def _dress(fw: FastWorkbook, ws: Worksheet, layout: Layout, frame: Frame, paint) -> None:
    """Filter, print setup and widths (sized from the header and the first rows)."""
    table = layout.table
    sample = [(row, paint(row.excel_row)) for row in FrameRows(frame)[:SAMPLE_ROWS]]
    headers = _headers(layout)
    for col, header in headers.items():
        texts = [header] + [str(v) for v in _sample_values(layout, col, sample) if v is not None]
        width = WIDE.get(header) or st.width_for(texts, maximum=40)
        ws.column_dimensions[get_column_letter(col + 1)].width = width
    st.print_wide(ws, table.header_row)
    ws.auto_filter.ref = (f"A{table.header_row}:"
                          f"{get_column_letter(layout.last_column + 1)}{_last_row(table, frame)}")


def _headers(layout: Layout) -> dict[int, str]:
    out = {c.index: c.header for c in layout.data_columns}
    out.update({layout.first_appended + i: h for i, h in enumerate(layout.appended)})
    out.update({layout.first_block + i: h for i, h in enumerate(layout.block)})
    return out


def _sample_values(layout: Layout, col: int, sample) -> list[object]:
    if col >= layout.first_block:
        return [p.block[col - layout.first_block] for _, p in sample]
    if col >= layout.first_appended:
        return [p.appended[col - layout.first_appended] for _, p in sample]
    position = next(i for i, c in enumerate(layout.table.columns) if c.index == col)
    return [r.cells[position] if position < len(r.cells) else "" for r, _ in sample]


def _stream(layout: Layout, rows: Sequence[Row], paint, notes, styles: _Styles, positions,
            typer: "_Typer") -> Iterator[tuple[int, list[CellSpec]]]:
    table = layout.table
    for number, title_row in enumerate(table.title_rows, start=1):
        if number < table.header_row:
            yield number, [(i, v, 0) for i, v in enumerate(title_row) if v]
    yield table.header_row, _header_cells(layout, styles)
    outside = _outside(notes, positions)
    noted_rows = {r for r, _ in notes}
    for row in rows:
        painted = paint(row.excel_row)
        cells = _row_cells(layout, row, painted, positions, notes, noted_rows, outside, styles)
        yield row.excel_row, (typer.apply(row, cells, styles, painted.status) if typer.active
                              else cells)


def _stream_xml(layout: Layout, frame: Frame, paint, notes, styles: _Styles, positions,
                typer: "_Typer") -> Iterator[str]:
    """The same rows as _stream as XML: the title and header rows and every row with a noted
    cell where no data column is by _stream's own code, the other rows column by column
    (workbooks.columnwise), their marked cells included."""
    table = layout.table
    head = [(n, [(i, v, 0) for i, v in enumerate(r) if v])
            for n, r in enumerate(table.title_rows, start=1) if n < table.header_row]
    head.append((table.header_row, _header_cells(layout, styles)))
    yield "".join(row_xml(n, cells) for n, cells in head)
    outside = _outside(notes, positions)
    noted_rows = {r for r, _ in notes}
    marks: dict[int, dict[int, str]] = {}
    for (row, col), (mark, _text) in notes.items():
        marks.setdefault(col, {})[row] = mark.value

    def slow_row(row: Row, painted: Painted) -> str:
        cells = _row_cells(layout, row, painted, positions, notes, noted_rows, outside, styles)
        return row_xml(row.excel_row, typer.apply(row, cells, styles, painted.status)
                       if typer.active else cells)

    yield from columnwise.rows_xml(frame, paint,
                                   columnwise.data_columns(positions, styles, typer, marks),
                                   columnwise.tool_columns(layout, styles, typer), set(outside),
                                   slow_row)


def _header_notes(layout: Layout) -> list[tuple[int, int, str]]:
    """Comments on the tool's own headers, explaining what they hold."""
    headers = _headers(layout)
    return [(layout.table.header_row, col, layout.header_notes[h]) for col, h in headers.items()
            if col >= layout.first_appended and h in layout.header_notes]


def _header_styles(fw: FastWorkbook) -> tuple[int, int, int, int]:
    return (fw.style(font=st.WHITE_BOLD, fill=st.fill(st.HEADER)),
            fw.style(font=st.WHITE_BOLD, fill=st.fill(st.TOOL_HEADER)),
            fw.style(font=st.WHITE_BOLD, fill=st.fill(st.ERP_HEADER)),
            fw.style(font=st.WHITE_BOLD, fill=st.fill(st.ERP_HEADER), border=st.THICK_LEFT))


def _header_cells(layout: Layout, styles: _Styles) -> list[CellSpec]:
    data, tool, erp, erp_first = styles.header
    cells = [(c.index, c.header, data) for c in layout.data_columns]
    cells += [(layout.first_appended + i, h, tool) for i, h in enumerate(layout.appended)]
    cells += [(layout.first_block + i, h, erp_first if i == 0 else erp)
              for i, h in enumerate(layout.block)]
    return cells


def _row_cells(layout: Layout, row: Row, painted: Painted, positions, notes, noted_rows,
               outside, styles: _Styles) -> list[CellSpec]:
    status = painted.status
    plain = styles.get("data", status)
    cells: list[CellSpec] = []
    cells_in = row.cells
    width = len(cells_in)
    if row.excel_row in noted_rows:
        for position, col in positions:
            value = cells_in[position] if position < width else ""
            note = notes.get((row.excel_row, col))
            cells.append((col, value, styles.get(note[0].value, status) if note else plain))
    else:
        cells = [(col, cells_in[position] if position < width else "", plain)
                 for position, col in positions]
    start = layout.first_appended
    tool, number = styles.get("tool", status), styles.get("number", status)
    for i, value in enumerate(painted.appended):
        style = styles.get("status", status) if i == 0 else (
            number if isinstance(value, int) else tool)
        cells.append((start + i, value, style))
    if painted.block:
        start, rest = layout.first_block, styles.get("block", status)
        cells.append((start, painted.block[0], styles.get("block-first", status)))
        cells += [(start + i, v, rest) for i, v in enumerate(painted.block[1:], start=1)]
    extra = [(c, "", styles.get(notes[(row.excel_row, c)][0].value, status))
             for c in outside.get(row.excel_row, ())]
    return sorted(cells + extra, key=lambda spec: spec[0]) if extra else cells


def _outside(notes, positions) -> dict[int, list[int]]:
    """Rows with issues at a column that holds no data (e.g. a blank header): still marked."""
    known = {col for _, col in positions}
    out: dict[int, list[int]] = {}
    for row, col in notes:
        if col not in known:
            out.setdefault(row, []).append(col)
    return out


class _Typer:
    """Turns the number and date cells of a streamed row into typed cells (workbooks.typed):
    an input cell when it shows exactly the value sent, a returned value always."""

    def __init__(self, layout: Layout, positions: list[tuple[int, int]]) -> None:
        table = layout.table
        self.cache = TypedCache()
        fields = [table.columns[i].field for i, _ in positions]
        # (index in the row's cells when nothing is out of place, column, field, kind)
        self.data = [(n, col, name, kind) for n, ((_, col), name, kind)
                     in enumerate(zip(positions, fields, kinds_of(table.entity, fields))) if kind]
        block = [h[len(RETURNED_PREFIX):] for h in layout.block]
        start = len(positions) + len(layout.appended)
        self.block = [(start + i, layout.first_block + i, kind)
                      for i, kind in enumerate(kinds_of(table.entity, block)) if kind]
        self.first_block = layout.first_block
        self.active = bool(self.data or self.block)

    def formats_needed(self, frame: Frame) -> set[str]:
        """The number formats the data's distinct values need, plus whole numbers and dates
        for the returned block (a returned value needing another format stays text)."""
        distinct: dict[str, set[str]] = {}
        for _, _, name, _ in self.data:  # column by column: a set of each field's values, in C
            seen = distinct[name] = set(frame.data.get(name, ()))
            seen.discard("")
        kinds = {name: kind for _, _, name, kind in self.data}
        found = {typed[1] for name, seen in distinct.items() for v in seen
                 if (typed := self.cache.get(v, kinds[name]))}
        return found | ({FORMATS[0], DATE_FORMAT} if self.block else set())

    def apply(self, row: Row, cells: list[CellSpec], styles: _Styles,
              status: str | None) -> list[CellSpec]:
        """Runs for every row: the common case (each cell at its usual index) is inlined."""
        plain, warned = styles.get("data", status), styles.get("warning", status)
        values, get, width, by_col = row.values, self.cache.get, len(cells), None
        for n, col, name, kind in self.data:
            if n >= width or cells[n][0] != col:
                by_col = by_col or {spec[0]: i for i, spec in enumerate(cells)}
                n = by_col.get(col)
                if n is None:
                    continue
            _, text, style = cells[n]
            if text and (style == plain or style == warned) and values.get(name) == text:
                found = get(text, kind)
                if found:
                    base = "data" if style == plain else "warning"
                    cells[n] = (col, found[0], styles.typed(base, status, found[1]))
        for n, col, kind in self.block:
            if n >= width or cells[n][0] != col:
                by_col = by_col or {spec[0]: i for i, spec in enumerate(cells)}
                n = by_col.get(col)
                if n is None:
                    continue
            if cells[n][1]:
                found = get(str(cells[n][1]), kind)
                if found:
                    base = "block-first" if col == self.first_block else "block"
                    style = styles.typed(base, status, found[1])
                    if style is not None:
                        cells[n] = (col, found[0], style)
        return cells
