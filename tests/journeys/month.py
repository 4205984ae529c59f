"""The admin's month as the README tells it, for the journey tests: the files an admin fills in
(openpyxl, as Excel would) and the CLI run as they run it, each step's exit code and output kept.

    admin = Admin(tmp_path)                   # a folder of their own; journal and sandbox in it
    admin.run("template", "product-price", "-o", "prices.xlsx")
    fill(admin / "prices.xlsx", ROWS["product-price"])
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from importer.cli import main

DEC = date(2026, 12, 1)

# Month 1: good rows and one id typed without its leading zeros (417 for 000417), which the
# sandbox's master data catches before anything is sent.
ROWS = {
    "product-price": [
        {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "EFFECTIVE_DATE": DEC, "ORDER_QTY": 1,
         "CURR_CODE": "USD", "SO_UNIT_PRICE": 189.0},
        {"PART_ID": "PUMP002", "PRICE_CODE": "LP", "EFFECTIVE_DATE": DEC, "ORDER_QTY": 1,
         "CURR_CODE": "USD", "SO_UNIT_PRICE": 410.5},
        {"PART_ID": "VALVE-100", "PRICE_CODE": "LP", "EFFECTIVE_DATE": DEC, "ORDER_QTY": 10,
         "CURR_CODE": "USD", "SO_UNIT_PRICE": 4.12},
        {"PART_ID": "417", "PRICE_CODE": "LP", "EFFECTIVE_DATE": DEC, "ORDER_QTY": 100,
         "CURR_CODE": "USD", "SO_UNIT_PRICE": 0.31},
    ],
    "customer-part": [
        {"PART_ID": "PUMP001", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "AC-P1",
         "SO_DESC": "Small pump", "QUOTE_UNIT_PRIC": 120.5, "DATE_LAST_QUOTE": DEC},
        {"PART_ID": "PUMP002", "CUSTOMER_ID": "PACIFIC", "CUST_PART_ID": "PP-2",
         "SO_DESC": "Large pump", "QUOTE_UNIT_PRIC": 410.0, "DATE_LAST_QUOTE": DEC},
        {"PART_ID": "VALVE-100", "CUSTOMER_ID": "00042", "CUST_PART_ID": "V100",
         "SO_DESC": "Ball valve", "QUOTE_UNIT_PRIC": 4.2, "DATE_LAST_QUOTE": DEC},
        {"PART_ID": "417", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "AC-G",
         "SO_DESC": "Gasket", "QUOTE_UNIT_PRIC": 0.35, "DATE_LAST_QUOTE": DEC},
    ],
}
PRICE_FIELD = {"product-price": "SO_UNIT_PRICE", "customer-part": "QUOTE_UNIT_PRIC"}
WRONG, RIGHT = "417", "000417"


class Admin:
    """One admin's folder; every command runs as `importer ...` would, in that folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.journal = folder / "journal.sqlite3"

    def __truediv__(self, name: str) -> Path:
        return self.folder / name

    def run(self, *args, expect: int | None = None) -> tuple[int, str]:
        argv = [str(a) for a in args]
        if argv[0] in ("validate", "import", "export", "revert", "runs", "report", "approve",
                       "history", "reprice", "remember"):
            argv += ["--journal", str(self.journal)]
        result = CliRunner().invoke(main, argv)
        out = result.output
        assert "Traceback" not in out, out
        assert not re.search(r"PosixPath|Written\(|object at 0x", out), out  # a person reads it
        if expect is not None:
            assert result.exit_code == expect, (argv, result.exit_code, out)
        return result.exit_code, out

    def json(self, *args, expect: int | None = None) -> dict:
        _, out = self.run(*args, "--json", expect=expect)
        return json.loads(out[out.index("{"):]) if out.lstrip().startswith("{") else \
            json.loads(out)


def header_of(ws) -> list:
    return [c.value for c in ws[1]]


def fill(path: Path, rows: list[dict], out: Path | None = None, sheet: int = 0) -> Path:
    """The template's record sheet filled in below its header, as the admin would in Excel."""
    wb = load_workbook(path)
    ws = wb.worksheets[sheet]
    header = header_of(ws)
    for values in rows:
        ws.append([values.get(h) for h in header])
    wb.save(out or path)
    return out or path


def set_cells(path: Path, change, sheet: str | None = None) -> Path:
    """``change(row: dict[field, cell])`` for every data row of a sheet (cells edited in place)."""
    wb = load_workbook(path)
    sheets = [wb[sheet]] if sheet else [ws for ws in wb.worksheets
                                        if "PART_ID" in header_of(ws)]
    for ws in sheets:
        header = header_of(ws)
        for cells in ws.iter_rows(min_row=2):
            row = {h: c for h, c in zip(header, cells) if h}
            if any(c.value not in (None, "") for c in row.values()):
                change(row)
    wb.save(path)
    return path


def data_cells(path: Path, field: str, sheet: str | None = None) -> list:
    """The cells of column ``field`` on the data rows of a tool-written workbook."""
    wb = load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    header_row = next(r for r in range(1, 6) if field in [c.value for c in ws[r]])
    col = [c.value for c in ws[header_row]].index(field)
    return [row[col] for row in ws.iter_rows(min_row=header_row + 1)
            if any(c.value not in (None, "") for c in row[:3])]


def statuses(path: Path, sheet: str | None = None) -> list[str]:
    return [c.value for c in data_cells(path, "STATUS", sheet)]
