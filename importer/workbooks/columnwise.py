"""The annotated sheet's ordinary rows, written column by column.

Each cell of a row gets the style its column, the row's status and the cell's own mark (an
error, a warning, a changed value: ``DataColumn.notes``) give it, so a cell's XML depends only on
its column, its value, the row's status and its mark. Each column's cells are therefore turned
into XML once per distinct value (a dict per column, status, mark and typing), and each row is
then one ``str.format`` of a template that holds every column's reference. Only rows whose tool
values do not fill the layout, or with a mark on a column that holds no data (``slow`` rows),
are written by the row-by-row path of ``annotated`` (``slow_row``), which stays the definition
of what each cell holds: tests/test_workbooks_streaming.py compares the two cell by cell.

One difference in the XML, none in the content: an empty cell without a style, which the
row-by-row path leaves out, is written as an empty ``<c r="J5"/>`` here (every row has every
column of the layout), so one template serves every ordinary row.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import eq
from typing import Callable, Iterator, Sequence

from importer.model import Frame, Row
from importer.workbooks.fastsheet import cell_xml, style_attr, text_body
from importer.workbooks.xmltext import LETTERS

CHUNK = 4000  # rows formatted together (bounds the memory of one chunk's fragments)
CACHE_LIMIT = 200_000  # fragments kept per column before its cache starts over


def fragment(value: object, style: int) -> str:
    """The XML of one cell after ``<c r="A1``: the same bytes as fastsheet.cell_xml writes."""
    if value.__class__ is str and value:  # text, the usual case, as cell_xml writes it
        return f"{style_attr(style) if style else ''}{text_body(value)}"
    xml = cell_xml("", value, style)
    return xml[6:] if xml else '"/>'


class _Fragments(dict):
    """value -> fragment, made on first use."""

    def __init__(self, make: Callable[[object], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key):
        made = self[key] = self.make(key)
        return made


@dataclass
class DataColumn:
    """An input column: ``position`` in Row.cells; ``name``/``kind`` when it may be typed."""

    position: int
    col: int
    plain: Callable[[str | None], int]  # status -> style of its ordinary cells
    typed: Callable[[str | None, str], int | None] | None = None  # (status, format) -> style
    name: str | None = None
    kind: object = None
    typer: object = None  # workbooks.typed.TypedCache
    notes: dict[int, str] | None = None  # Excel row -> the mark of its cell ('error', ...)
    style: Callable[[str, str | None], int] | None = None  # (mark or 'data', status) -> style
    typed_as: Callable[[str, str | None, str], int | None] | None = None  # (base, status, fmt)


@dataclass
class ToolColumn:
    """A column the tool appends: ``source`` 'appended' or 'block', ``index`` in that tuple."""

    source: str
    index: int
    col: int
    style: Callable[[str | None, object], int]  # (status, value) -> style
    typed: Callable[[str | None, str], int | None] | None = None
    kind: object = None
    typer: object = None


def data_columns(positions, styles, typer,
                 notes: dict[int, dict[int, str]] | None = None) -> list[DataColumn]:
    """The input's columns (``positions``: (index in Row.cells, column)), with annotated's
    style ids and typer; ``notes``: column -> {Excel row: mark} of its marked cells."""
    kinds = {n: (name, kind) for n, _col, name, kind in typer.data}
    notes = notes or {}
    out = []
    for n, (position, col) in enumerate(positions):
        name, kind = kinds.get(n, (None, None))
        out.append(DataColumn(
            position, col, plain=lambda status: styles.get("data", status),
            typed=lambda status, fmt: styles.typed("data", status, fmt), name=name, kind=kind,
            typer=typer.cache, notes=notes.get(col), style=styles.get, typed_as=styles.typed))
    return out


def tool_columns(layout, styles, typer) -> list[ToolColumn]:
    """The tool's columns and the returned block of an annotated Layout."""
    def appended_style(i: int):
        if i == 0:
            return lambda status, value: styles.get("status", status)
        return lambda status, value: styles.get("number" if isinstance(value, int) else "tool",
                                                status)

    out = [ToolColumn("appended", i, layout.first_appended + i, appended_style(i))
           for i in range(len(layout.appended))]
    kinds = {col: kind for _n, col, kind in typer.block}
    for i in range(len(layout.block)):
        col = layout.first_block + i
        base = "block-first" if i == 0 else "block"
        out.append(ToolColumn(
            "block", i, col, lambda status, value, base=base: styles.get(base, status),
            typed=lambda status, fmt, base=base: styles.typed(base, status, fmt),
            kind=kinds.get(col), typer=typer.cache))
    return out


@dataclass
class _Blank:
    """Stands in for a row's paint whose tool values do not fill the layout (written slowly)."""

    status: str | None
    appended: tuple
    block: tuple


def rows_xml(frame: Frame, paint, data: list[DataColumn], tools: list[ToolColumn],
             noted: set[int], slow_row: Callable[[Row, object], str]) -> Iterator[str]:
    """The XML of the frame's rows (ascending), a chunk of rows per string; ``paint``: an Excel
    row's paint. ``noted``: the Excel rows that ``slow_row(row, painted)`` writes (a mark where
    no data column is)."""
    appended = sum(1 for c in tools if c.source == "appended")
    block = len(tools) - appended
    columns = sorted([(c.col, c) for c in data] + [(c.col, c) for c in tools],
                     key=lambda p: p[0])
    template = '<row r="{0}">' + "".join(
        f'<c r="{LETTERS[col]}{{0}}{{{k}}}' for k, (col, _) in enumerate(columns, start=1)
    ) + "</row>"
    fmt = template.format
    makers = [_column_maker(c) for _, c in columns]
    width = max((c.position + 1 for c in data), default=0)
    shared = {name: k for name, values in frame.data.items()
              for k, shown in enumerate(frame.shown) if values is shown}
    for start in range(0, len(frame), CHUNK):
        stop = start + CHUNK
        numbers = frame.excel_rows[start:stop]
        painted = list(map(paint, numbers))
        statuses = [p.status for p in painted]
        odd = [i for i, p in enumerate(painted)
               if len(p.appended) != appended or len(p.block) != block]
        usable = painted
        if odd:
            usable = list(painted)
            for i in odd:
                usable[i] = _Blank(statuses[i], ("",) * appended, ("",) * block)
        columns = [s[start:stop] for s in frame.shown]
        if len(columns) < width:
            columns += [[""] * len(numbers)] * (width - len(columns))
        # a field whose every value is sent as shown: the same slice (makers test ``is``)
        fields = {name: columns[shared[name]] if name in shared else values[start:stop]
                  for name, values in frame.data.items()}
        frags = [make(numbers, usable, statuses, columns, fields) for make in makers]
        out = list(map(fmt, map(str, numbers), *frags))
        slow = set(odd)
        if noted:
            slow.update(i for i, n in enumerate(numbers) if n in noted)
        for i in slow:
            out[i] = slow_row(frame.row(start + i), painted[i])
        yield "".join(out)


def _column_maker(column: DataColumn | ToolColumn):
    if isinstance(column, DataColumn):
        return _data_maker(column)
    return _tool_maker(column)


def _data_maker(column: DataColumn):
    """Fragments keyed by value, (value, typed) or, when the row's status changes the style,
    (status, value[, typed]); in a chunk with marked cells (status, mark, value, typed): every
    lookup is a C-level map over the column."""
    def make_marked(status, mark, text, eligible):
        """The slow path's rule (annotated._row_cells, _Typer.apply): a marked cell takes its
        mark's style; a plain or warning cell showing the value sent may be typed."""
        plain = column.style("data", status)
        style = plain if mark is None else column.style(mark, status)
        if eligible and text and (style == plain or style == column.style("warning", status)):
            typed = column.typer.get(text, column.kind)
            if typed:
                base = "data" if style == plain else "warning"
                return fragment(typed[0], column.typed_as(base, status, typed[1]))
        return fragment(text, style)

    def make_key(key):
        if isinstance(key, tuple) and len(key) == 4:
            return make_marked(*key)
        if not isinstance(key, tuple):
            key = (uniform_status[0], key, False)
        elif len(key) == 2:
            key = (uniform_status[0], *key) if isinstance(key[1], bool) else (*key, False)
        status, text, eligible = key
        if eligible and text:
            typed = column.typer.get(text, column.kind)
            if typed:
                return fragment(typed[0], column.typed(status, typed[1]))
        return fragment(text, column.plain(status))

    cache = _Fragments(make_key)
    sent_as_shown = _Fragments(lambda text: make_key((text, True)))  # text -> typed fragment
    uniform_status: list = [None]
    position, name, typed = column.position, column.name, column.kind is not None
    notes = column.notes

    def make(numbers: list[int], painted, statuses, columns, fields) -> list[str]:
        if len(cache) > CACHE_LIMIT or len(sent_as_shown) > CACHE_LIMIT:
            cache.clear()
            sent_as_shown.clear()
        values = columns[position]
        sent = fields.get(name) or repeat("")  # the value sent of each row ('' none)
        if notes:
            marks = list(map(notes.get, numbers))
            if any(marks):
                eligible = map(eq, sent, values) if typed else repeat(False)
                return list(map(cache.__getitem__, zip(statuses, marks, values, eligible)))
        distinct = set(statuses)
        uniform = len({column.plain(s) for s in distinct}) == 1
        if uniform and uniform_status[0] not in distinct:
            uniform_status[0] = next(iter(distinct))
            cache.clear()  # keys without a status stand for this one
            sent_as_shown.clear()
        if typed and uniform and sent is values:  # every cell sent as shown: may be typed
            return list(map(sent_as_shown.__getitem__, values))
        if typed:
            eligible = list(map(eq, sent, values))
            keys = zip(values, eligible) if uniform else zip(statuses, values, eligible)
        else:
            keys = values if uniform else zip(statuses, values)
        return list(map(cache.__getitem__, keys))

    return make


def _tool_maker(column: ToolColumn):
    def make_key(key):
        status, _cls, value = key
        if column.kind is not None and value:
            typed = column.typer.get(str(value), column.kind)
            if typed:
                typed_style = column.typed(status, typed[1])
                if typed_style is not None:
                    return fragment(typed[0], typed_style)
        return fragment(value, column.style(status, value))

    cache = _Fragments(make_key)
    index, appended = column.index, column.source == "appended"

    def make(numbers: list[int], painted, statuses, columns, fields) -> list[str]:
        if len(cache) > CACHE_LIMIT:
            cache.clear()
        values = [p.appended[index] for p in painted] if appended else \
            [p.block[index] for p in painted]
        # keyed by class too: 1, 1.0 and True are equal as dict keys but not as cells
        return list(map(cache.__getitem__, zip(statuses, map(type, values), values)))

    return make


RAW = object()  # Grid.xml: a column given as its fragments


def number_fragments(values: Sequence[object], style: int) -> list[str]:
    """``fragment(v, style)`` of each value, whole numbers (a row number) without a lookup."""
    attr = fragment(0, style)[:-len("><v>0</v></c>")]
    return [f'{attr}><v>{v}</v></c>' if v.__class__ is int else fragment(v, style)
            for v in values]


class Grid:
    """Rows of ``width`` columns (0 .. width-1) given column by column, each cell a value and a
    style id: each row one template, each column's cells XML once per (style, class, value).
    The same cells fastsheet.row_xml writes, an empty unstyled cell written as ``<c r="J5"/>``."""

    def __init__(self, width: int) -> None:
        self.fmt = ('<row r="{0}">' + "".join(
            f'<c r="{LETTERS[col]}{{0}}{{{col + 1}}}' for col in range(width)) + "</row>").format
        self.caches = [_Fragments(lambda key: fragment(key[2], key[0])) for _ in range(width)]

    def xml(self, numbers: Sequence[int], columns: Sequence[tuple[Sequence, object]]) -> str:
        """``columns``: per column (its values, one style id for all or a style per value), or
        (its cells' fragments, RAW) for a column whose every value differs (made by the caller
        as ``fragment`` would, nothing cached)."""
        frags = []
        for cache, (values, style) in zip(self.caches, columns):
            if style is RAW:
                frags.append(values)
                continue
            if len(cache) > CACHE_LIMIT:
                cache.clear()
            styles = repeat(style) if isinstance(style, int) else style
            frags.append(list(map(cache.__getitem__, zip(styles, map(type, values), values))))
        return "".join(map(self.fmt, map(str, numbers), *frags))
