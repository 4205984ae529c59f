"""A sheet read again when calamine refuses it for a duration past 999,999,999 days (Python's
timedelta ends there, and calamine then refuses the whole sheet): an .xlsx with its duration
styles made General, so those cells arrive as numbers; an .xls read through xlrd. The display rule
(reading/display.py) shows such a number as ######## and reading/fidelity.py says so at its cell.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree

from python_calamine import CalamineWorkbook

from importer.reading.numfmt import BUILTIN_FORMATS, parse

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_LAST_TIMEDELTA_DAYS = 999_999_999
_LAST_SERIAL = 2958466


def reread(data: bytes, fmt: str, sheet: str):
    """The sheet with its duration cells as numbers: an object with ``to_python`` and
    ``merged_cell_ranges`` like calamine's sheet, or None for other formats."""
    if fmt in ("xlsx", "xlsm"):
        copy = durations_as_numbers(data)
        return CalamineWorkbook.from_filelike(io.BytesIO(copy)).get_sheet_by_name(sheet) \
            if copy else None
    if fmt == "xls":
        return XlsSheet(data, sheet)
    return None


def durations_as_numbers(data: bytes) -> bytes | None:
    """A copy of an .xlsx whose duration styles ([h]:mm:ss) are General, or None when it has
    none: calamine turns a duration into a Python timedelta, which ends at 999,999,999 days, and
    then refuses the whole sheet; read as numbers, reading/display.py shows them (####)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    try:
        xml = src.read("xl/styles.xml")
    except KeyError:
        return None
    codes = {str(k): v for k, v in BUILTIN_FORMATS.items()}
    codes.update({nf.get("numFmtId", ""): nf.get("formatCode", "")
                  for nf in ElementTree.fromstring(xml).iter(f"{_NS_MAIN}numFmt")})
    ids = [i for i, code in codes.items()
           if any(s.kind == "duration" for s in parse(code).sections)]
    head, cell_xfs, tail = xml.partition(b"<cellXfs")
    if not ids or not cell_xfs:
        return None
    pattern = re.compile(rb'(<(?:\w+:)?xf\b[^>]*\bnumFmtId=")(' + "|".join(ids).encode()
                         + rb')"')
    tail = pattern.sub(rb'\g<1>0"', tail)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = head + cell_xfs + tail if info.filename == "xl/styles.xml" else src.read(info)
            dst.writestr(info, body)
    return out.getvalue()


class XlsSheet:
    """An .xls sheet's values through xlrd, typed as calamine types them (text, float, bool,
    datetime, time, timedelta), except durations and dates too large for Python: numbers."""

    def __init__(self, data: bytes, sheet: str):
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO(),
                                  formatting_info=True)
        try:
            sh = book.sheet_by_name(sheet)
            self._rows = [[self._value(book, sh, r, c) for c in range(sh.ncols)]
                          for r in range(sh.nrows)]
            self.merged_cell_ranges = [((rlo, clo), (rhi - 1, chi - 1))
                                       for rlo, rhi, clo, chi in sh.merged_cells]
        finally:
            book.release_resources()

    def to_python(self, skip_empty_area: bool = False) -> list[list]:
        return self._rows

    @staticmethod
    def _value(book, sh, r: int, c: int):
        import xlrd

        cell = sh.cell(r, c)
        if cell.ctype == xlrd.XL_CELL_TEXT:
            return cell.value
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            x = float(cell.value)
            return int(x) if x.is_integer() and abs(x) < 2 ** 53 else x
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#VALUE!")
        if cell.ctype != xlrd.XL_CELL_DATE:
            return ""
        x = float(cell.value)
        xf = book.xf_list[sh.cell_xf_index(r, c)]
        fmt = book.format_map.get(xf.format_key)
        code = fmt.format_str if fmt is not None else BUILTIN_FORMATS.get(xf.format_key, "")
        if any(s.kind == "duration" for s in parse(code).sections):
            return dt.timedelta(days=x) if abs(x) <= _LAST_TIMEDELTA_DAYS else x
        if x < 0 or x >= _LAST_SERIAL:
            return x
        moment = xlrd.xldate_as_datetime(x, book.datemode)
        if x < 1:
            return moment.time()
        return moment.date() if moment.time() == dt.time(0) else moment
