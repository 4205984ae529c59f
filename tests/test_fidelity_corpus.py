"""What the cell shows is what is sent, in .xlsx, .xls and .ods alike: one sheet of formatted cells
is written with openpyxl, LibreOffice saves it as .ods, .xls and .xlsx and renders it "as shown"
to CSV (the oracle), and every copy must give the same API strings.

The corpus is built once per session (four soffice calls); skipped only when LibreOffice is
missing (`.ci/run` installs it).
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from importer.reading import read_table

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; install libreoffice-calc")

HEADER = ["PART_ID", "PRICE_CODE", "NOTES", "SO_UNIT_PRICE", "ITEM_DISC_PCT", "ORDER_QTY",
          "EFFECTIVE_DATE", "PRICE_CHG"]
ACCOUNTING = '_(* #,##0_);_(* \\(#,##0\\);_(* "-"??_);_(@_)'
# (format, value) in NOTES: a free-text field gets exactly what the cell shows.
NOTES_CASES = [
    ("0.00", 10.989), ("0", 1.5), ("0", 0.5), ("0.00", 1.005), ("$#,##0.00", 1146.4421875),
    (ACCOUNTING, 4952.206066), (ACCOUNTING, -4952.206066), ("0.0%", 0.652027207027097),
    ("00000", 123), ("00000;-00000", -123), ('"P"00000', 123), ("[hh]:mm:ss", dt.timedelta(
        days=10, hours=15, minutes=10, seconds=10)), ("hh:mm:ss.00", dt.time(10, 10, 10, 123000)),
    ('"Report - "mmmm", "yyyy', dt.datetime(2001, 1, 1)), ('"TRUE";"TRUE";"FALSE"', 0),
    ('"TRUE";"TRUE";"FALSE"', 1), ("General", 1.0413926851582251), ("General", 0.1 + 0.2),
    ("0.00E+00", 12345), ("# ?/?", 1.5), ("#,##0", 1234567.5), ("#,##0,", 1234567),
    ("0,000", 5), ("0.00;[Red]-0.00", -3.5), ("[$€-407] #,##0.00", 12.5),
    ('0.00 "kg"', 10.5), ("###-####", 1234567), ("0%", 0.005), ("dddd, mmmm d, yyyy",
                                                                 dt.datetime(2001, 1, 1)),
    ("[h]:mm", dt.timedelta(hours=36)), ("m/d/yyyy", dt.datetime(2026, 10, 1)),
    ("h:mm AM/PM", dt.time(18, 0)), ("#,##0.00_);(#,##0.00)", -12.5), ("0.00", 2.675),
    ("0.000", 1.0005), ("yyyy-mm-dd", dt.datetime(2026, 12, 31)),
    ("hh:mm:ss.00", dt.time(0, 0, 10, 127000)), ("mm:ss.0", dt.time(0, 0, 10, 960000)),
    ("hh:mm:ss", dt.time(0, 0, 10, 600000)), ("[h]:mm", dt.timedelta(seconds=91)),
    ("[mm]:ss", dt.timedelta(seconds=29, microseconds=600000)),
    ("yyyy-mm-dd hh:mm:ss", dt.datetime(2001, 1, 1, 23, 59, 59, 600000)),
    ('#,##0.0,,"M"', 123456789), ("# ?/4", 0), ('@" units"', 12.5), ('@" units"', "abc"),
    ("[$-407]d. mmmm yyyy", dt.datetime(2026, 3, 1)),
    ("[<=9999999]###-####;(###) ###-####", 5551234567), ('#,##0;-#,##0;"-"', 0),
    ("0.00%;[Red]-0.00%", -0.1234), ('"$"#,##0.00_);[Red]\\("$"#,##0.00\\)', -1234.5),
    ("00000-0000", 123456789), ("0.0E+0", 0.000123), ("# #/#", 0.25),
    # issue #25: where LibreOffice and Excel agree, and the tool did not
    (".00", 3.14), ("0;-0;0;General", "abc"), ("0." + "0" * 30, 1.5), ("?/8", 1.2),
    ("# ??/??", 1), ("h:mm am/pm", dt.time(18, 0)),
]
AS_SHOWN_CSV = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true'  # UTF-8, as shown
FIRST = 2  # Excel row of the first case
EXTRA = FIRST + len(NOTES_CASES)  # the rows after the NOTES cases (fields other than NOTES)


def _corpus_rows() -> list[tuple[list, dict[int, str]]]:
    """Rows (values, {column index: format}) below the header."""
    rows = [([f"N{i}", "LP", value, 1, None, i + 1, None, None], {2: code})
            for i, (code, value) in enumerate(NOTES_CASES)]
    rows += [
        (["00123", "LP", None, 10.989, None, 1, None, None], {0: "@", 3: "0.00"}),  # EXTRA
        ([123, "LP", None, 1146.4421875, 0.125, 2, None, None], {0: "00000", 3: "$#,##0.00",
                                                                  4: "0.0%"}),
        ([123, "LP", None, 4952.206066, 0.05, 3, None, None], {0: '"P"00000', 3: ACCOUNTING,
                                                               4: "0%"}),
        ([123, "LP", None, 0.652027207027097, None, 4, None, None], {0: "00000;-00000",
                                                                      3: "0.0%"}),
        (["Q1", "LP", None, 123, None, 1.5, None, None], {3: '"P"00000', 5: "0"}),
        (["Q2", "LP", None, 5, None, 7, dt.timedelta(hours=255), None], {6: "[hh]:mm:ss"}),
        (["Q3", "LP", None, 5, None, 8, None, 0.652027207027097], {7: "0.0%"}),
        (["M1", "LP", None, 5, None, 9, None, None], {}),  # A merged over this row and the next
        ([None, "LP", None, 4, None, 10, None, None], {}),
    ]
    return rows


def _write_corpus(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws.append(HEADER)
    for values, formats in _corpus_rows():
        ws.append(values)
        for col, code in formats.items():
            ws.cell(ws.max_row, col + 1).number_format = code
    ws.row_dimensions[EXTRA + 6].hidden = True  # the last row
    ws.column_dimensions["H"].hidden = True  # PRICE_CHG
    ws.merge_cells(f"A{EXTRA + 7}:A{EXTRA + 8}")
    wb.save(path)
    return path


def _soffice(profile: Path, target: str, outdir: Path, source: Path) -> Path:
    outdir.mkdir(exist_ok=True)
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", target, "--outdir", str(outdir), str(source)],
        capture_output=True, text=True, timeout=180)
    result = outdir / f"{source.stem}.{target.split(':')[0]}"
    assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
    return result


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    """{'openpyxl', 'ods', 'xls', 'xlsx' (saved by LibreOffice), 'csv' (LibreOffice, as shown)}."""
    folder = tmp_path_factory.mktemp("fidelity")
    profile = tmp_path_factory.mktemp("lo-fidelity-profile")
    source = _write_corpus(folder / "corpus.xlsx")
    ods = _soffice(profile, "ods", folder / "ods", source)
    return {"openpyxl": source, "ods": ods,
            "xls": _soffice(profile, "xls", folder / "xls", ods),
            "xlsx": _soffice(profile, "xlsx", folder / "xlsx", ods),
            "csv": _soffice(profile, AS_SHOWN_CSV, folder / "csv", source)}


@pytest.fixture(scope="session")
def shown(corpus) -> list[list[str]]:
    """LibreOffice's rendering of every cell, rows[0] = Excel row 1."""
    with corpus["csv"].open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="session")
def tables(corpus):
    return {name: read_table(path, "product-price") for name, path in corpus.items()
            if name != "csv"}


FORMATS = ("openpyxl", "xlsx", "xls", "ods")


def _cell(table, excel_row: int, field: str) -> str:
    row = next(r for r in table.rows if r.excel_row == excel_row)
    return row.values.get(field, "")


def _issues(table, excel_row: int) -> set[tuple[str, str, str]]:
    return {(i.column, i.code, i.severity.value) for i in table.issues if i.row == excel_row}


@pytest.mark.parametrize("fmt", FORMATS)
def test_free_text_gets_exactly_what_libreoffice_shows(tables, shown, fmt):
    table = tables[fmt]
    for k, (code, value) in enumerate(NOTES_CASES):
        row = FIRST + k
        assert _cell(table, row, "NOTES") == shown[row - 1][2].strip(), (code, value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_cases_named_in_the_issue_show_as_they_should(tables, fmt):
    notes = {NOTES_CASES[k]: _cell(tables[fmt], FIRST + k, "NOTES")
             for k in range(len(NOTES_CASES))}
    assert notes[("$#,##0.00", 1146.4421875)] == "$1,146.44"
    assert notes[(ACCOUNTING, 4952.206066)] == "4,952"
    assert notes[("0.0%", 0.652027207027097)] == "65.2%"
    assert notes[("[hh]:mm:ss", dt.timedelta(days=10, hours=15, minutes=10, seconds=10))] == (
        "255:10:10")
    assert notes[("hh:mm:ss.00", dt.time(10, 10, 10, 123000))] == "10:10:10.12"
    assert notes[('"Report - "mmmm", "yyyy', dt.datetime(2001, 1, 1))] == "Report - January, 2001"
    assert notes[('"TRUE";"TRUE";"FALSE"', 0)] == "FALSE"
    assert notes[("General", 1.0413926851582251)] == "1.04139268515823"
    assert notes[("00000", 123)] == "00123"


@pytest.mark.parametrize("fmt", FORMATS)
def test_number_fields_get_the_shown_number_with_a_warning_when_digits_are_hidden(tables, fmt):
    table = tables[fmt]
    assert _cell(table, EXTRA, "SO_UNIT_PRICE") == "10.99"
    assert ("D", "shows-rounded", "warning") in _issues(table, EXTRA)
    assert _cell(table, EXTRA + 1, "SO_UNIT_PRICE") == "1146.44"
    assert _cell(table, EXTRA + 2, "SO_UNIT_PRICE") == "4952"
    message = next(i.message for i in table.issues if i.row == EXTRA and i.column == "D")
    assert "shows 10.99, holds 10.989; 10.99 sent" in message


@pytest.mark.parametrize("fmt", FORMATS)
def test_zero_padded_and_prefixed_part_ids_are_sent_as_shown(tables, fmt):
    table = tables[fmt]
    assert _cell(table, EXTRA, "PART_ID") == "00123"
    assert _cell(table, EXTRA + 1, "PART_ID") == "00123"
    assert _cell(table, EXTRA + 2, "PART_ID") == "P00123"
    assert _cell(table, EXTRA + 3, "PART_ID") == "00123"


@pytest.mark.parametrize("fmt", FORMATS)
def test_percent_cells_give_the_percent_field_the_shown_percent(tables, fmt):
    table = tables[fmt]
    assert _cell(table, EXTRA + 1, "ITEM_DISC_PCT") == "12.5"
    assert _cell(table, EXTRA + 2, "ITEM_DISC_PCT") == "5"


@pytest.mark.parametrize("fmt", FORMATS)
def test_formats_that_cannot_give_the_field_a_value_are_errors_at_the_cell(tables, fmt):
    table = tables[fmt]
    assert ("D", "percent-format", "error") in _issues(table, EXTRA + 3)  # 65.2% of a price
    assert ("D", "format-text", "error") in _issues(table, EXTRA + 4)  # P00123 as a price
    assert ("F", "shows-rounded", "error") in _issues(table, EXTRA + 4)  # quantity 1.5 shows 2
    assert ("G", "duration-not-date", "error") in _issues(table, EXTRA + 5)
    assert _cell(table, EXTRA + 6, "PRICE_CHG") == "65.2%"  # a free-text field: as shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_rows_and_columns_are_warned_in_every_format(tables, fmt):
    table = tables[fmt]
    codes = {(i.address, i.code) for i in table.issues if i.code.startswith("hidden")}
    assert codes == {(f"Prices!{EXTRA + 6}", "hidden-row"), ("Prices!H1", "hidden-column")}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_merged_part_number_is_on_every_row_it_covers(tables, fmt):
    assert _cell(tables[fmt], EXTRA + 8, "PART_ID") == "M1"
