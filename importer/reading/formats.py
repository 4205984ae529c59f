"""Which number format code each cell of a sheet has, for .xlsx/.xlsm (styles.xml and the cells'
s="" attributes) and .xls (xlrd's XF records); hidden columns of both. The .ods side is
reading/odsstyles.py. Only cells whose format can change what a value looks like are listed
(General and the text format '@' are left out).

The result is {column index: {excel row: format code}}, for reading/cells.py to render each cell
through reading/display.py; a .xlsx column's is a `RowCodes` (two arrays: a million styled cells
as a dict are 70 MB).
"""
from __future__ import annotations

import re
import zipfile
from array import array
from collections.abc import Mapping
from typing import Iterator
from xml.etree import ElementTree

from importer.reading.numfmt import BUILTIN_FORMATS

CellFormats = dict[int, dict[int, str]]

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_PLAIN = ("general", "@", "")
_PLAIN_ORDER = re.compile(rb'<c r="([A-Z]+)(\d+)" s="(\d+)"')


class RowCodes(Mapping):
    """excel row -> format code of one column's styled cells, in the sheet's order, as two
    arrays (each cell is listed once in a sheet)."""

    __slots__ = ("rows", "codes", "_index")

    def __init__(self) -> None:
        self.rows = array("q")
        self.codes: list[str] = []
        self._index: dict[int, int] | None = None

    def add(self, row: int, code: str) -> None:
        self.rows.append(row)
        self.codes.append(code)
        self._index = None

    def __getitem__(self, row: int) -> str:
        if self._index is None:
            self._index = {r: k for k, r in enumerate(self.rows)}
        return self.codes[self._index[row]]

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[int]:
        return iter(self.rows)

    def items(self):
        return zip(self.rows, self.codes)

    def values(self):
        return self.codes


def visible_change(code: str | None) -> bool:
    """A format that can make a cell show something else than its General text."""
    return code is not None and code.strip().lower() not in _PLAIN


def xlsx_styles(zf: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index (the s="" of a cell) -> its number format code, for styles that matter."""
    try:
        xml = zf.read("xl/styles.xml")
    except KeyError:
        return {}
    root = ElementTree.fromstring(xml)
    codes = {str(k): v for k, v in BUILTIN_FORMATS.items()}
    for nf in root.iter(f"{_NS_MAIN}numFmt"):
        codes[nf.get("numFmtId", "")] = nf.get("formatCode", "")
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    styles = {}
    for i, xf in enumerate(xfs if xfs is not None else []):
        code = codes.get(xf.get("numFmtId", "0"))
        if visible_change(code):
            styles[i] = code
    return styles


def xlsx_cell_formats(xml: bytes, styles: dict[int, str]) -> CellFormats:
    """The formatted cells of one worksheet's XML."""
    out: CellFormats = {}
    if not styles:
        return out
    by_id = {str(i).encode(): code for i, code in styles.items()}
    found = _PLAIN_ORDER.search(xml) is not None  # <c r="C2" s="1": Excel, LibreOffice, openpyxl
    if found:  # one C-level pass for the cells whose style matters, a step per such cell
        styled = re.compile(rb'<c r="([A-Z]+)(\d+)" s="(' + b"|".join(sorted(by_id)) + rb')"')
        by_letters: dict[bytes, tuple] = {}
        for m in styled.finditer(xml):  # not findall: a million cells' tuples at once
            letters, row, style = m.groups()
            cells = by_letters.get(letters)
            if cells is None:
                codes = out.setdefault(_column(letters), RowCodes())
                cells = by_letters[letters] = (codes.rows.append, codes.codes.append)
            cells[0](int(row))
            cells[1](by_id[style])
    if found or b' s="' not in xml:
        return out
    ids = b"|".join(sorted(by_id))
    pattern = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bs="(' + ids + rb')"[^>]*>')
    for m in pattern.finditer(xml):  # other attribute orders, namespace prefixes
        ref = _REF.search(m.group(0))
        if ref:
            col = _column(ref.group(1))
            out.setdefault(col, {})[int(ref.group(2))] = by_id[m.group(1)]
    return out


def xlsx_hidden_columns(xml: bytes) -> set[int]:
    """0-based indexes of the columns a <col hidden="1"> hides."""
    hidden: set[int] = set()
    head = xml[:xml.find(b"<sheetData")] if b"<sheetData" in xml else b""
    for m in re.finditer(rb"<(?:\w+:)?col\s[^>]*>", head):
        tag = m.group(0)
        if not re.search(rb'\shidden="(?:1|true)"', tag):
            continue
        lo, hi = re.search(rb'\bmin="(\d+)"', tag), re.search(rb'\bmax="(\d+)"', tag)
        if lo and hi:
            hidden.update(range(int(lo.group(1)) - 1, min(int(hi.group(1)), 16384)))
    return hidden


def xls_formats(book, sh) -> tuple[CellFormats, set[int], set[int]]:
    """(cell formats, hidden rows as Excel numbers, hidden column indexes) of an xlrd sheet
    opened with formatting_info=True."""
    by_xf = {}
    for i, xf in enumerate(book.xf_list):
        fmt = book.format_map.get(xf.format_key)
        code = fmt.format_str if fmt is not None else BUILTIN_FORMATS.get(xf.format_key)
        if visible_change(code):
            by_xf[i] = code
    out: CellFormats = {}
    if by_xf:
        for row in range(sh.nrows):
            for col in range(sh.row_len(row)):
                code = by_xf.get(sh.cell_xf_index(row, col))
                if code is not None:
                    out.setdefault(col, {})[row + 1] = code
    rows = {r + 1 for r, info in sh.rowinfo_map.items() if info.hidden}
    cols = {c for c, info in sh.colinfo_map.items() if info.hidden}
    return out, rows, cols


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1
