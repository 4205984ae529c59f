"""Helpers for the reading tests: build small workbooks and CSV files the way users' files look.

(No tests here; the module is shared by tests/test_reading*.py, test_validation*.py and
test_validate_cli.py.)
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

PRICE_HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE", "CURR_CODE",
                "SO_UNIT_PRICE", "ITEM_DISC_PCT", "NOTES"]


def write_xlsx(path: Path, rows: list[list], sheet: str = "Prices", text_cells: tuple = (),
               extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """rows[0] is Excel row 1. text_cells: refs ('A2') whose number format is text ('@')."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for ref in text_cells:
        ws[ref].number_format = "@"
    for name, data in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in data:
            other.append(row)
    wb.save(path)
    return path


def set_cached_values(path: Path, values: dict[str, str]) -> Path:
    """Give formula cells a stored result, as Excel writes it (e.g. '10.989000000000001').

    openpyxl writes formulas without a result; this patches the sheet XML in place.
    """
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        pattern = re.compile(rf'(<c r="{ref}"[^>]*>)(<f>.*?</f>)<v\s*/>')
        xml, n = pattern.subn(lambda m: f"{m.group(1)}{m.group(2)}<v>{value}</v>", xml)
        assert n == 1, f"no formula cell {ref}"
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", bom: bool = False) -> Path:
    data = "\r\n".join(lines).encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data + b"\r\n")
    return path


def by_row(table) -> dict[int, dict[str, str]]:
    return {r.excel_row: r.values for r in table.rows}


def codes_at(issues) -> set[tuple[str, str]]:
    return {(i.address, i.code) for i in issues}
