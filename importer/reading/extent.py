"""A sheet's real extent, found before the fast reader (calamine) builds its dense grid.

calamine allocates every cell of the box from A1 to the farthest value: one value typed at
XFD200000 below a two-row table asks for 3.3 billion cells (an abort), one at Z1048576 for 27
million (1.2 GB). So the sheet's XML (xlsx, ods) or records (xls) are scanned first, cheaply, for
the rows holding values and the last value of each; `check_extent` then lets the grid be built
only when its box is small, or filled densely enough that its memory is that of the data. A value
far from the table is refused naming its address ("delete it"), never read or dropped silently.

    extent = xlsx_extent(sheet_xml)
    check_extent(extent, path, sheet, limits)    # raises errors.UnusableFile
    ods_extents(zip_file), xls_extents(data)  # every sheet, before calamine opens the file
"""
from __future__ import annotations

import io
import re
import zipfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from importer.errors import UnusableFile
from importer.model import column_letter as column_letters
from importer.reading.limits import SETTING, ReadLimits
from importer.reading.scan import column_index

SMALL_GRID = 2_000_000  # cells: a box this small is read whatever its density (~80 MB at most)
DENSITY = 8  # a larger box must hold at least one value per DENSITY cells
ROW_GAP, COL_GAP = 1_000, 100  # empty rows / columns that separate a stray value from the table
SHOWN = 3  # stray addresses named in the message


@dataclass
class Extent:
    """Rows that hold values (1-based) with the width up to each row's last value (columns),
    and the number of values."""

    rows: array = field(default_factory=lambda: array("q"))
    widths: array = field(default_factory=lambda: array("q"))
    values: int = 0

    def add(self, row: int, width: int, values: int) -> None:
        self.rows.append(row)
        self.widths.append(width)
        self.values += values

    @property
    def box(self) -> int:
        """Cells from A1 to the last row and the widest row."""
        return (max(self.rows) * max(self.widths)) if self.rows else 0


def check_extent(extent: Extent, path: Path, sheet: str, limits: ReadLimits) -> None:
    box = extent.box
    if fits(box, extent.values, limits):
        return
    strays, table = _strays(extent)
    where = f"sheet {sheet!r} of {path.name}"
    if strays:
        shown = ", ".join(f"{column_letters(w - 1)}{r}" for r, w in strays[:SHOWN])
        more = f" and {len(strays) - SHOWN:,} more" if len(strays) > SHOWN else ""
        one = len(strays) == 1
        raise UnusableFile(
            f"{'A value' if one else 'Values'} at {shown}{more} in {where} {'is' if one else 'are'}"
            f" far from the table (A1:{column_letters(table[1] - 1)}{table[0]}); delete "
            f"{'it' if one else 'them'} and save the file again.")
    if box > limits.max_cells:
        raise UnusableFile(f"The table in {where} spans {box:,} cells, more than the "
                           f"{limits.max_cells:,} that {limits.max_sheet_mb:,} MB allow; split "
                           f"it, or raise {SETTING}.")
    raise UnusableFile(f"The values in {where} are spread over {box:,} cells with only "
                       f"{extent.values:,} filled; delete the values far from the table, or copy "
                       "the table alone to a new sheet.")


def _strays(extent: Extent) -> tuple[list[tuple[int, int]], tuple[int, int]]:
    """(row, width) of the rows whose last value lies outside the table, and the table's
    (last row, width). The table runs from the first row until a gap of more than ROW_GAP empty
    rows (or more rows than it has so far), and is as wide as its rows until a jump of more than
    COL_GAP columns."""
    order = sorted(range(len(extent.rows)), key=extent.rows.__getitem__)
    rows = [(extent.rows[i], extent.widths[i]) for i in order]
    last = rows[0][0]
    core = 0
    for k, (r, _w) in enumerate(rows):
        if r - last > max(ROW_GAP, k):
            break
        last, core = r, k + 1
    widths = sorted({w for _r, w in rows[:core]})
    width = widths[0]
    for w in widths[1:]:
        if w - width > max(COL_GAP, width):
            break
        width = w
    strays = [(r, w) for r, w in rows[core:]] + [(r, w) for r, w in rows[:core] if w > width]
    strays.sort()
    return strays, (last, width)


# --- xlsx ------------------------------------------------------------------------------------
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(/?)>")
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)[\s>]")
_PREFIXED = re.compile(rb"<\w+:c[\s>]")
_LETTER = re.compile(rb' r="([A-Z])[0-9]')


def xlsx_box_bound(xml: bytes) -> tuple[int, int] | None:
    """(cells, values): an upper bound of the box a worksheet part spans, and about how many
    values it holds, in two passes at C speed for the usual sheet: no address with more row
    digits, or larger first two digits, than the last row's, and none beyond the widest column
    of the first 64 KB and of the last row. When the pass finds one: columns up to Z, and None
    (only `xlsx_extent` can tell) for a larger row or a column beyond Z. Rows and cells without
    an address are placed one after the other, so they are as many as the file's bytes show."""
    if _PREFIXED.search(xml[:65536]):
        return None
    tag = xml.rfind(b"<row")
    last = _ROW_NUMBER.search(xml, tag, xml.find(b">", tag) + 1) if tag >= 0 else None
    if last is None:
        return None
    number = last.group(1).lstrip(b"0") or b"0"
    digits = len(number)
    widest = max(_LETTER.findall(xml, 0, 65536) + _LETTER.findall(xml, tag), default=b"A")[0]
    larger_row = b"[A-Z]?(?:[0-9]{%d}%s)" % (digits + 1, b"".join(
        b"|" + lead for lead in _larger_leads(number)))
    beyond = [b"[A-Z]{2}", larger_row] + ([b"[%c-Z][0-9]" % (widest + 1)] if widest < 90 else [])
    width = widest - ord("A") + 1
    if re.search(rb' r="(?:%s)' % b"|".join(beyond), xml):  # rare: look again, one by one
        if re.search(rb' r="(?:[A-Z]{2}|%s)' % larger_row, xml):
            return None
        width = 26
    rows = (int(number[:2]) + 1) * 10 ** max(digits - 2, 0)
    cells = rows * width
    return cells, (_value_count(xml) if cells > SMALL_GRID else 0)


def _larger_leads(number: bytes) -> list[bytes]:
    """Patterns of the row numbers with as many digits as ``number`` and larger first two
    (first one for a one-digit number), each up to the closing quote."""
    digits, first = len(number), int(number[:1])
    if digits == 1:
        return [b'[%d-9]"' % (first + 1)] if first < 9 else []
    second, rest = int(number[1:2]), b"[0-9]{%d}\"" % (digits - 2)
    leads = [b"%d[%d-9]" % (first, second + 1)] if second < 9 else []
    leads += [b"[%d-9][0-9]" % (first + 1)] if first < 9 else []
    return [lead + rest for lead in leads]


def fits(cells: int, values: int, limits: ReadLimits) -> bool:
    """Whether a grid of ``cells`` holding ``values`` may be built."""
    return cells <= SMALL_GRID or (cells <= DENSITY * values and cells <= limits.max_cells)


def xlsx_extent(xml: bytes) -> Extent:
    """The extent of a worksheet part: one step per row for the usual file (the row's last cell
    holds a value), one per cell otherwise."""
    if _PREFIXED.search(xml[:65536]):
        return _xlsx_extent_by_cell(xml)
    extent = Extent()
    row, previous = 0, None
    for m in _ROW.finditer(xml):
        if previous is not None:
            row = _xlsx_row(extent, xml, previous, m.start(), row)
        previous = m
    if previous is not None:
        _xlsx_row(extent, xml, previous, len(xml), row)
    if _inconsistent(xml, extent):
        return _xlsx_extent_by_cell(xml)
    extent.values = min(extent.values, _value_count(xml))
    return extent


def _xlsx_row(extent: Extent, xml: bytes, m: re.Match, b: int, row: int) -> int:
    """Add the row starting with tag ``m`` and ending before ``b``; returns its number."""
    number = _ROW_NUMBER.search(m.group(1))
    row = int(number.group(1)) if number else row + 1
    if m.group(1).endswith(b"/"):
        return row
    a = m.end()
    cell = max(xml.rfind(b"<c ", a, b), xml.rfind(b"<c>", a, b))
    if cell < 0:
        return row
    tag_end = xml.find(b">", cell, b)
    if tag_end < 0 or xml[tag_end - 1:tag_end] == b"/" or not _VALUE.search(xml, tag_end, b):
        _add_cells(extent, xml, a, b, row)  # a formatted empty cell last: look at each
        return row
    ref = _CELL_REF.search(xml, cell, tag_end + 1)
    if ref:
        r, width = int(ref.group(2)), column_index(ref.group(1)) + 1
    else:
        r, width = row, xml.count(b"<c ", a, cell + 1) + xml.count(b"<c>", a, cell + 1)
    extent.add(max(r, row), width, width)
    return row


def _add_cells(extent: Extent, xml: bytes, a: int, b: int, row: int) -> None:
    width = values = 0
    col = -1
    for cell in _CELL.finditer(xml, a, b):
        ref = _CELL_REF.search(cell.group(0))
        col = column_index(ref.group(1)) if ref else col + 1
        if cell.group(2) or not _VALUE.search(xml, cell.end(), _next_cell_end(xml, cell.end(), b)):
            continue
        if ref:
            row = max(row, int(ref.group(2)))
        width, values = max(width, col + 1), values + 1
    if values:
        extent.add(row, width, values)


_CELL_END = re.compile(rb"</(?:\w+:)?c>")


def _next_cell_end(xml: bytes, start: int, stop: int) -> int:
    end = _CELL_END.search(xml, start, stop)
    return stop if end is None else end.start()


def _xlsx_extent_by_cell(xml: bytes) -> Extent:
    """Every cell looked at (files with prefixed tags, or whose cell addresses go beyond their
    rows'): per row, its widest value."""
    extent = Extent()
    by_row: dict[int, list[int]] = {}
    row = col = 0
    for m in re.finditer(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>", xml):
        if m.group(1) == b"row":
            number = _ROW_NUMBER.search(m.group(2))
            row, col = (int(number.group(1)) if number else row + 1), -1
            continue
        ref = _CELL_REF.search(m.group(0))
        r, c = (int(ref.group(2)), column_index(ref.group(1))) if ref else (row, col + 1)
        col = c
        if not m.group(3) and _VALUE.search(xml, m.end(), _next_cell_end(xml, m.end(), len(xml))):
            entry = by_row.setdefault(r, [0, 0])
            entry[0], entry[1] = max(entry[0], c + 1), entry[1] + 1
    for r, (width, values) in by_row.items():
        extent.add(r, width, values)
    return extent


def _inconsistent(xml: bytes, extent: Extent) -> bool:
    """Whether some cell address has more row digits or column letters than the extent found
    (cells out of order within rows): then every cell is looked at."""
    if not extent.rows:
        return _CELL_REF.search(xml) is not None and _VALUE.search(xml) is not None
    digits = len(str(max(extent.rows)))
    letters = len(column_letters(max(extent.widths) - 1))
    return re.search(rb'\sr="(?:[A-Z]{%d,}[0-9]|[A-Z]{1,3}[0-9]{%d,}")' % (letters + 1, digits + 1),
                     xml) is not None


def _value_count(xml: bytes) -> int:
    if not _PREFIXED.search(xml[:65536]):
        return xml.count(b"</c>")  # a cell with a value, inline text or formula closes so
    return (xml.count(b"<v>") + xml.count(b"<v ") + xml.count(b"<is>")
            + (xml.count(b":v>") + xml.count(b":is>")) // 2)


# --- ods -------------------------------------------------------------------------------------
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


def ods_extents(zf: zipfile.ZipFile) -> dict[str, Extent]:
    """The extent of every table of content.xml, streamed (repeated rows and cells counted as
    what they stand for, empty ones skipped). All tables, because calamine reads them all when
    it opens the file."""
    extents: dict[str, Extent] = {}
    extent, row, stack = None, 0, []
    with zf.open("content.xml") as stream:
        for event, node in ElementTree.iterparse(stream, events=("start", "end")):
            if event == "start":
                stack.append(node)
                if node.tag == f"{_TABLE}table":
                    name = node.get(f"{_TABLE}name") or f"Sheet{len(extents) + 1}"
                    extent, row = extents.setdefault(name, Extent()), 0
                continue
            stack.pop()
            if node.tag == f"{_TABLE}table-row":
                repeat = _repeat(node, "rows")
                if extent is not None:
                    _ods_row(extent, node, row + 1, repeat)
                row += repeat
            elif node.tag == f"{_TABLE}table":
                extent = None
            elif node.tag not in (f"{_OFFICE}body", f"{_OFFICE}spreadsheet"):
                continue
            node.clear()
            if stack and len(stack[-1]) and stack[-1][-1] is node:
                del stack[-1][-1]
    return extents


def _repeat(node, what: str) -> int:
    try:
        return max(1, int(node.get(f"{_TABLE}number-{what}-repeated", "1")))
    except ValueError:
        return 1


def _ods_row(extent: Extent, node, row: int, repeat: int) -> None:
    col = width = values = 0
    for cell in node:
        if cell.tag not in _CELLS:
            continue
        n = _repeat(cell, "columns")
        if cell.get(f"{_OFFICE}value-type") is not None or len(cell):
            width, values = col + n, values + n
        col += n
    if values:
        extent.add(row, width, values * repeat)
        if repeat > 1:
            extent.add(row + repeat - 1, width, 0)


# --- xls -------------------------------------------------------------------------------------
def xls_extents(data: bytes) -> dict[str, Extent]:
    """The extent of every sheet of a .xls workbook (xlrd, rows kept ragged: no padding). All
    sheets, because calamine builds every sheet's grid when it opens the file."""
    import xlrd

    extents: dict[str, Extent] = {}
    book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True,
                              logfile=io.StringIO())
    try:
        for index, name in enumerate(book.sheet_names()):
            sh = book.sheet_by_index(index)
            extent = extents[name] = Extent()
            for r in range(sh.nrows):
                types = bytes(sh.row_types(r)).rstrip(b"\x00\x06")  # XL_CELL_EMPTY, _BLANK
                if types:
                    extent.add(r + 1, len(types), len(types) - types.count(0) - types.count(6))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return extents
