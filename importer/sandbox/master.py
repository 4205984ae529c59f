"""Master data the sandbox checks against: parts and customers, demo or from the user's files.

A file is CSV or xlsx with a header row (part columns as in ``demo.PART_COLUMNS``, customer columns
as in ``demo.CUSTOMER_COLUMNS``; only the id column is required, headers are matched like the
importer's: case, spaces and dashes do not matter). Every value is read as text, so ids keep their
leading zeros; a cell Excel stores as a number is written as Excel shows it.
"""
from __future__ import annotations

import csv
import io
import datetime as dt
import re
from operator import itemgetter
from pathlib import Path

from importer.entities import normalize_name
from importer.errors import UnusableFile
from importer.sandbox import demo

_ZERO_FORMAT = re.compile(r"0+")


def load_parts(path: Path | None) -> dict[str, dict[str, str]]:
    rows = demo.DEMO_PARTS if path is None else read_master(Path(path), demo.PART_COLUMNS, "parts")
    return {r["PART_ID"]: r for r in rows}


def load_customers(path: Path | None) -> dict[str, dict[str, str]]:
    rows = (demo.DEMO_CUSTOMERS if path is None
            else read_master(Path(path), demo.CUSTOMER_COLUMNS, "customers"))
    return {r["CUSTOMER_ID"]: r for r in rows}


def read_master(path: Path, columns: tuple[str, ...], what: str) -> list[dict[str, str]]:
    """Rows of a master-data file as {column: text}, every column of ``columns`` present."""
    table = read_master_columns(path, columns, what)
    return [dict(zip(columns, values)) for values in zip(*(table[c] for c in columns))]


def read_master_columns(path: Path, columns: tuple[str, ...], what: str) -> dict[str, list[str]]:
    """A master-data file as {column: its texts, one per row with an id}: ``columns[0]`` is the
    id column (required), the others are '' where the file has no such column."""
    if not path.is_file():
        raise UnusableFile(f"The {what} file {path} does not exist; check the path.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        grid = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        grid = _csv_rows(path)
    else:
        raise UnusableFile(f"The {what} file {path} is not a CSV or xlsx file; save it as one.")
    return _columns(grid, columns, path, what)


def _columns(grid: list[list[str]], columns, path: Path, what: str) -> dict[str, list[str]]:
    if not grid:
        raise UnusableFile(f"The {what} file {path} is empty; add a header row and data.")
    headers = [normalize_name(h) for h in grid[0]]
    id_column = columns[0]
    if id_column not in headers:
        raise UnusableFile(f"The {what} file {path} has no {id_column} column; "
                           f"its first row must name the columns ({', '.join(columns)}).")
    at = headers.index(id_column)
    lines = grid[1:]
    wanted = {c: headers.index(c) for c in columns if c in headers}
    if lines and min(map(len, lines)) > max(wanted.values()):  # every row has every column
        out = {c: list(map(str.strip, map(itemgetter(i), lines))) for c, i in wanted.items()}
        if all(out[id_column]):  # no row without an id: nothing to drop (the usual file)
            return {c: out.get(c) or [""] * len(lines) for c in columns}
    lines = [line for line in lines if at < len(line) and line[at].strip()]
    return {c: ([""] * len(lines) if c not in wanted else
                [line[wanted[c]].strip() if wanted[c] < len(line) else "" for line in lines])
            for c in columns}


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise UnusableFile(f"Cannot read {path}: {exc.strerror}.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))  # blank lines: dropped by _columns
    start = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), len(rows))
    return rows[start:]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise UnusableFile(f"Cannot open {path} as an xlsx workbook ({exc}); "
                           "save it again from Excel as .xlsx.") from None
    try:
        sheet = book.worksheets[0]
        grid = [[_cell_text(c) for c in row] for row in sheet.iter_rows()]
    finally:
        book.close()
    return [row for row in grid if any(row)]


def _cell_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.date().isoformat() if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    fmt = getattr(cell, "number_format", "") or ""
    if isinstance(value, int) and _ZERO_FORMAT.fullmatch(fmt):
        text = text.zfill(len(fmt))  # a '000000' format shows 417 as 000417
    return text
