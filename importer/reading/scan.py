"""What the fast workbook reader (calamine) does not tell: error values, formulas that were never
calculated, hidden rows and columns, each cell's number format, merged .ods cells. Found by
scanning the sheet's XML (xlsx/xlsm, ods) or with xlrd (xls).

Each scanner returns ``Marks``: {(excel_row, column_index): (code, shown)} plus the hidden rows
and columns, {column: {excel row: format code}} (reading/formats.py, reading/odsstyles.py), the
program that saved the file (reading/program.py) and the stored number of each date-formatted
cell that holds a negative one (calamine hands those over as a time of day, -0.25 as 18:00).
The scans look for rare byte patterns first, so a plain sheet costs one pass over its XML.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable
from xml.etree import ElementTree

from importer.reading.formats import (CellFormats, xls_formats, xlsx_cell_formats,
                                      xlsx_hidden_columns, xlsx_styles)
from importer.reading.numfmt import parse
from importer.reading.odsstyles import ods_cell_style_codes
from importer.reading.program import ods_program, xls_program, xlsx_program

EXCEL_ERROR = "excel-error"
FORMULA_WITHOUT_VALUE = "formula-without-value"
ERROR_VALUES = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REF = re.compile(rb"([A-Z]+)(\d+)")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_HIDDEN = b'hidden="'
_HIDDEN_VALUES = (b"1", b"true")


@dataclass
class Marks:
    cells: dict[tuple[int, int], tuple[str, str]] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)  # 0-based column indexes
    formats: CellFormats = field(default_factory=dict)  # {column: {excel row: format code}}
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # ods
    program: str | None = None  # reading/program.py: EXCEL, LIBREOFFICE or None
    serials: dict[tuple[int, int], float] = field(default_factory=dict)  # negative dates


def column_index(letters: bytes | str) -> int:
    """'A' -> 0, 'AB' -> 27."""
    if isinstance(letters, bytes):
        letters = letters.decode()
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


# --- xlsx / xlsm ------------------------------------------------------------------------------
def xlsx_sheet_path(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding the named worksheet."""
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for node in book.iter(f"{_NS_MAIN}sheet"):
        if node.get("name") == sheet:
            target = targets.get(node.get(f"{_NS_REL}id"), "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
    return None


def scan_xlsx(zf: zipfile.ZipFile, sheet: str,
              sheet_xml: Callable[[str], bytes | None] | None = None) -> Marks:
    """The marks of one sheet; ``sheet_xml`` gives its XML when the caller has it unzipped."""
    marks = Marks()
    if sheet_xml is not None:
        xml = sheet_xml(sheet)
    else:
        path = xlsx_sheet_path(zf, sheet)
        xml = zf.read(path) if path is not None and path in zf.namelist() else None
    if xml is None:
        return marks
    for start in _find_cell_starts(xml, (b't="e"',)):
        cell = _cell_at(xml, start)
        if cell:
            ref, _attrs, body = cell
            shown = _VALUE.search(body)
            marks.cells[ref] = (EXCEL_ERROR, shown.group(1).decode() if shown else "#VALUE!")
    prefixed = re.search(rb"<\w+:c[\s>]", xml[:65536]) is not None
    for start in _find_cell_starts(xml, (b"<f", b":f>", b":f ") if prefixed else (b"<f",)):
        cell = _cell_at(xml, start)
        if cell and cell[0] not in marks.cells and _formula_without_value(cell[1], cell[2]):
            marks.cells[cell[0]] = (FORMULA_WITHOUT_VALUE, "")
    marks.hidden_rows = _hidden_rows(xml)
    marks.hidden_cols = xlsx_hidden_columns(xml)
    styles = xlsx_styles(zf)
    marks.formats = xlsx_cell_formats(xml, styles)
    marks.program = xlsx_program(zf)
    if b">-" in xml:
        marks.serials = _negative_dates(xml, styles, prefixed)
    return marks


def _negative_dates(xml: bytes, styles: dict[int, str], prefixed: bool) -> dict:
    """{(row, col): number} of the cells with a date or time style that hold a negative number:
    one regular expression for the attribute order Excel, LibreOffice and openpyxl write, the
    slower cell-by-cell look for any other."""
    dated = {str(i).encode() for i, code in styles.items() if is_dated(code)}
    out: dict[tuple[int, int], float] = {}
    if not dated:
        return out
    plain = re.compile(rb'<c r="([A-Z]+)(\d+)" s="(?:' + b"|".join(sorted(dated))
                       + rb')"(?: t="n")?>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>(-[^<]*)</v>')
    for m in plain.finditer(xml):
        try:
            x = float(m.group(3))
        except ValueError:
            continue
        if x < 0:
            out[(int(m.group(2)), column_index(m.group(1)))] = x
    if out or _PLAIN_CELL.search(xml):
        return out
    needles = (b"<v>-", b":v>-") if prefixed else (b"<v>-",)
    for start in _find_cell_starts(xml, needles):
        cell = _cell_at(xml, start)
        if cell is None or cell[1].get(b"s") not in dated or cell[1].get(b"t", b"n") != b"n":
            continue
        value = _VALUE.search(cell[2])
        try:
            x = float(value.group(1)) if value else 0.0
        except ValueError:
            continue
        if x < 0:
            out[cell[0]] = x
    return out


_PLAIN_CELL = re.compile(rb'<c r="[A-Z]+\d+" s="\d+"')


def is_dated(code: str) -> bool:
    """A format with a date, time or duration section."""
    return any(s.kind in ("date", "duration") for s in parse(code).sections)


def _find_cell_starts(xml: bytes, needles: tuple[bytes, ...]) -> list[int]:
    """Start offsets of the <c> elements containing any of the needles."""
    starts: set[int] = set()
    for needle in needles:
        pos = xml.find(needle)
        while pos != -1:
            start = _cell_start_before(xml, pos)
            if start is not None:
                starts.add(start)
            pos = xml.find(needle, pos + 1)
    return sorted(starts)


def _cell_start_before(xml: bytes, pos: int) -> int | None:
    """Offset of the <c> element that contains pos, or None when pos is outside any cell."""
    lo = max(0, pos - 4096)
    found = max(xml.rfind(b"<c ", lo, pos), xml.rfind(b"<c>", lo, pos))
    prefixed = [m.start() for m in re.finditer(rb"<\w+:c[\s>]", xml[lo:pos])]
    if prefixed:
        found = max(found, lo + prefixed[-1])
    if found < 0:
        return None
    between = xml[found:pos + 1]
    if b"</c>" in between or re.search(rb"</\w+:c>", between) or re.match(
            rb"<(?:\w+:)?c[^>]*/>", between):
        return None
    return found


def _cell_at(xml: bytes, start: int) -> tuple[tuple[int, int], dict, bytes] | None:
    tag_end = xml.find(b">", start)
    tag = xml[start:tag_end + 1]
    attrs = dict(_ATTR.findall(tag))
    ref = _REF.fullmatch(attrs.get(b"r", b""))
    if not ref:
        return None
    if tag.endswith(b"/>"):
        body = b""
    else:
        close = re.compile(rb"</(?:\w+:)?c>").search(xml, tag_end)
        body = xml[tag_end + 1:close.start() if close else tag_end + 1]
    return (int(ref.group(2)), column_index(ref.group(1))), attrs, body


def _formula_without_value(attrs: dict, body: bytes) -> bool:
    if not re.search(rb"<(?:\w+:)?f[\s>/]", body):
        return False
    value = _VALUE.search(body)
    if value and value.group(1):
        return False
    return attrs.get(b"t") != b"str"  # a formula whose result is the empty text is fine


def _hidden_rows(xml: bytes) -> set[int]:
    rows: set[int] = set()
    pos = xml.find(_HIDDEN)
    while pos != -1:
        value = xml[pos + len(_HIDDEN):xml.find(b'"', pos + len(_HIDDEN))]
        if value in _HIDDEN_VALUES:
            tag_start = xml.rfind(b"<", 0, pos)
            tag = xml[tag_start:xml.find(b">", pos) + 1]
            if re.match(rb"<(?:\w+:)?row\s", tag):
                number = re.search(rb'\sr="(\d+)"', tag)
                if number:
                    rows.add(int(number.group(1)))
        pos = xml.find(_HIDDEN, pos + 1)
    return rows


# --- ods ------------------------------------------------------------------------------------
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


_ODS_STYLES = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}automatic-styles"
_ODS_VALUE_TYPES = ("float", "percentage", "currency", "date", "time")
_ODS_TEXT_CELL = "string"


class _OdsSheet:
    """State while walking one table of content.xml: column styles, row number, marks."""

    def __init__(self, marks: Marks, codes: dict[str, str]):
        self.marks, self.codes = marks, codes
        # styles that add text around a text cell ('@" units"')
        self.text_codes = {k: c for k, c in codes.items() if any(
            s.kind == "text" and s.literal_text for s in parse(c).sections)}
        self.column_styles: list[str | None] = []
        self.row = 0

    def column(self, node) -> None:
        repeat = min(int(node.get(f"{_ODS_TABLE}number-columns-repeated", "1")), 16384)
        if node.get(f"{_ODS_TABLE}visibility") in ("collapse", "filter"):
            start = len(self.column_styles)
            self.marks.hidden_cols.update(range(start, start + repeat))
        if len(self.column_styles) < 16384:
            self.column_styles += [node.get(f"{_ODS_TABLE}default-cell-style-name")] * repeat

    def table_row(self, node) -> None:
        repeat = int(node.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
        if len(node):
            _ods_row(node, self.row + 1, self)
            if node.get(f"{_ODS_TABLE}visibility") in ("collapse", "filter"):
                self.marks.hidden_rows.update(range(self.row + 1, self.row + 1 + min(repeat, 65536)))
        self.row += repeat


def scan_ods(zf: zipfile.ZipFile, sheet: str) -> Marks:
    marks = Marks()
    xml = zf.read("content.xml")
    try:
        styles = ElementTree.fromstring(zf.read("styles.xml"))
    except KeyError:
        styles = None
    state = None
    in_table = False
    marks.program = ods_program(zf)
    for event, node in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = node.tag
        if tag == _ODS_STYLES and event == "end":
            state = _OdsSheet(marks, ods_cell_style_codes(node, styles))
            continue
        if tag == f"{_ODS_TABLE}table":
            in_table = event == "start" and node.get(f"{_ODS_TABLE}name") == sheet
            if event == "end":
                node.clear()
            continue
        if not in_table or event != "end":
            continue
        if state is None:
            state = _OdsSheet(marks, ods_cell_style_codes(styles))
        if tag == f"{_ODS_TABLE}table-column":
            state.column(node)
        elif tag == f"{_ODS_TABLE}table-row":
            state.table_row(node)
            node.clear()
    return marks


def _ods_row(node, excel_row: int, state: _OdsSheet) -> None:
    marks = state.marks
    col = 0
    for cell in node:
        repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
        value_type = cell.get(f"{_ODS_OFFICE}value-type")
        if value_type in _ODS_VALUE_TYPES or (value_type == _ODS_TEXT_CELL and state.text_codes):
            style = cell.get(f"{_ODS_TABLE}style-name") or (
                state.column_styles[col] if col < len(state.column_styles) else None)
            code = (state.codes if value_type != _ODS_TEXT_CELL else state.text_codes).get(style)
            if code is None and cell.get(f"{_ODS_OFFICE}value-type") == "percentage":
                code = "0.##########%"  # a percentage without a style of its own
            if code is not None:
                for k in range(min(repeat, 16384 - col)):
                    marks.formats.setdefault(col + k, {})[excel_row] = code
        rows = int(cell.get(f"{_ODS_TABLE}number-rows-spanned", "1"))
        cols = int(cell.get(f"{_ODS_TABLE}number-columns-spanned", "1"))
        if rows > 1 or cols > 1:
            marks.merged.append(((excel_row - 1, col), (excel_row - 2 + rows, col + cols - 1)))
        if cell.get(f"{_ODS_CALCEXT}value-type") == "error":
            text = "".join(cell.itertext()).strip() or "#VALUE!"
            marks.cells[(excel_row, col)] = (EXCEL_ERROR, text)
        elif cell.get(f"{_ODS_TABLE}formula") and not _ods_has_value(cell):
            marks.cells[(excel_row, col)] = (FORMULA_WITHOUT_VALUE, "")
        col += repeat


def _ods_has_value(cell) -> bool:
    if cell.get(f"{_ODS_OFFICE}value-type") is None:
        return False
    return any(k.startswith(_ODS_OFFICE) and k.endswith("value") for k in cell.keys()) or bool(
        "".join(cell.itertext()))


# --- xls ------------------------------------------------------------------------------------
def scan_xls(data: bytes, sheet: str) -> Marks:
    marks = Marks()
    import xlrd

    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO(),
                              formatting_info=True)
    try:
        sh = book.sheet_by_name(sheet)
        for col in range(sh.ncols):
            for row, kind in enumerate(sh.col_types(col)):
                if kind == xlrd.XL_CELL_ERROR:
                    text = xlrd.error_text_from_code.get(sh.cell_value(row, col), "#VALUE!")
                    marks.cells[(row + 1, col)] = (EXCEL_ERROR, text)
        marks.formats, marks.hidden_rows, marks.hidden_cols = xls_formats(book, sh)
        dated = {c for cells in marks.formats.values() for c in cells.values() if is_dated(c)}
        for col, cells in marks.formats.items() if dated else ():
            for row, code in cells.items():
                if code in dated and sh.cell_type(row - 1, col) in _XLS_NUMBERS and \
                        sh.cell_value(row - 1, col) < 0:
                    marks.serials[(row, col)] = sh.cell_value(row - 1, col)
    finally:
        book.release_resources()
    marks.program = xls_program(data)
    return marks


_XLS_NUMBERS = (2, 3)  # xlrd.XL_CELL_NUMBER, XL_CELL_DATE
