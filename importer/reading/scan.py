"""What the fast workbook reader (calamine) does not tell: error values, formulas that were never
calculated, hidden rows. Found by scanning the sheet's XML (xlsx/xlsm, ods) or with xlrd (xls).

Each scanner returns ``Marks``: {(excel_row, column_index): (code, shown)} plus the hidden rows.
The scans look for rare byte patterns first, so a plain sheet costs one pass over its XML.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

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
    percent: set[tuple[int, int]] = field(default_factory=set)  # cells shown as a percentage
    padded: dict[tuple[int, int], int] = field(default_factory=dict)  # '000000' format: digits


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


def scan_xlsx(zf: zipfile.ZipFile, sheet: str) -> Marks:
    marks = Marks()
    path = xlsx_sheet_path(zf, sheet)
    if path is None or path not in zf.namelist():
        return marks
    xml = zf.read(path)
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
    for style, shown in _number_styles(zf).items():
        for start in _find_cell_starts(xml, (b' s="' + style + b'"',)):
            cell = _cell_at(xml, start)
            if cell and cell[1].get(b"s") == style:
                if shown == "%":
                    marks.percent.add(cell[0])
                else:
                    marks.padded[cell[0]] = shown
    return marks


def _number_styles(zf: zipfile.ZipFile) -> dict[bytes, str | int]:
    """Cell styles whose number format changes what a number looks like in a way that matters:
    a percentage (0%, 0.00%: '%') or zero-padded digits ('000000': the width)."""
    try:
        xml = zf.read("xl/styles.xml")
    except KeyError:
        return {}
    if b"%" not in xml and b'numFmtId="9"' not in xml and b'numFmtId="10"' not in xml and (
            b'formatCode="00' not in xml):
        return {}
    root = ElementTree.fromstring(xml)
    shown: dict[str, str | int] = {"9": "%", "10": "%"}
    for nf in root.iter(f"{_NS_MAIN}numFmt"):
        code = re.sub(r'"[^"]*"|\\.', "", nf.get("formatCode", ""))
        if "%" in code:
            shown[nf.get("numFmtId")] = "%"
        elif re.fullmatch(r"0{2,}", code):
            shown[nf.get("numFmtId")] = len(code)
    xfs = root.find(f"{_NS_MAIN}cellXfs")
    return {str(i).encode(): shown[xf.get("numFmtId")]
            for i, xf in enumerate(xfs if xfs is not None else []) if xf.get("numFmtId") in shown}


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


def scan_ods(zf: zipfile.ZipFile, sheet: str) -> Marks:
    marks = Marks()
    xml = zf.read("content.xml")
    if not any(n in xml for n in (b'value-type="error"', b"table:formula", b"visibility=",
                                   b'value-type="percentage"')):
        return marks
    row = 0
    in_table = False
    for event, node in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = node.tag
        if tag == f"{_ODS_TABLE}table":
            in_table = event == "start" and node.get(f"{_ODS_TABLE}name") == sheet
            if event == "end":
                node.clear()
            continue
        if not in_table or event != "end" or tag != f"{_ODS_TABLE}table-row":
            continue
        repeat = int(node.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
        if len(node):
            _ods_row(node, row + 1, marks)
            if node.get(f"{_ODS_TABLE}visibility") in ("collapse", "filter"):
                marks.hidden_rows.add(row + 1)
        row += repeat
        node.clear()
    return marks


def _ods_row(node, excel_row: int, marks: Marks) -> None:
    col = 0
    for cell in node:
        repeat = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
        if cell.get(f"{_ODS_OFFICE}value-type") == "percentage":
            marks.percent.update((excel_row, col + k) for k in range(repeat))
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
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        return marks
    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    try:
        sh = book.sheet_by_name(sheet)
        for col in range(sh.ncols):
            for row, kind in enumerate(sh.col_types(col)):
                if kind == xlrd.XL_CELL_ERROR:
                    text = xlrd.error_text_from_code.get(sh.cell_value(row, col), "#VALUE!")
                    marks.cells[(row + 1, col)] = (EXCEL_ERROR, text)
    finally:
        book.release_resources()
    return marks
