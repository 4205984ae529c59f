"""`importer validate`: summary, annotated workbook, JSON, exit codes; never a network call."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from importer.cli import main
from importer.reading import read_table
from importer.reading.encoding import CODES as ENCODING_CODES
from importer.reading.fidelity import CODES as FIDELITY_CODES
from importer.reading.localize import LOCALE_CODES
from importer.checks.references import REFERENCE_CODES
from importer.checks.validation import ISSUE_CODES, report_as_dict, validate
from test_reading_sheets import PRICE_HEADER, write_xlsx

RED = "00FF8B8B"
AMBER = "00FFEB9C"


def run(*args):
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def test_valid_file_exits_0_and_writes_the_workbook_beside_it(tmp_path):
    path = write_xlsx(tmp_path / "prices.xlsx", [PRICE_HEADER,
                                                 ["PUMP001", "LP", "2026-01-01", 1, None, "USD", 5]])
    result = run(path)
    assert result.exit_code == 0, result.output
    assert "Checked 1 row of Product Price in sheet 'Prices' of prices.xlsx: 0 errors" in (
        result.output)
    assert (tmp_path / "prices.validation.xlsx").exists()


def test_errors_exit_1_with_cell_addresses_and_red_commented_cells(tmp_path):
    path = write_xlsx(tmp_path / "prices.xlsx", [
        PRICE_HEADER, ["PUMP001", "LP", "2026-01-01", "ten"], [" PUMP002", "LP", "2026-01-01", 1]])
    out = tmp_path / "checked.xlsx"
    result = run(path, "-o", out)
    assert result.exit_code == 1
    assert "Prices!D2" in result.output and "not-a-number" in result.output
    assert "Prices!A3" in result.output and "whitespace-trimmed" in result.output
    ws = openpyxl.load_workbook(out)["Prices"]
    assert ws["D2"].fill.fgColor.rgb == RED
    assert ws["D2"].comment.text == ("ORDER_QTY must be a number written with digits and a decimal "
                                     "point (like 10 or 10.5), not 'ten'.")
    assert ws["A3"].fill.fgColor.rgb == AMBER


def test_json_prints_the_same_report_as_the_library(tmp_path):
    path = write_xlsx(tmp_path / "prices.xlsx", [PRICE_HEADER, ["PUMP001", "LP", "2026-13-01"]])
    result = run(path, "--json")  # click >= 8.2: result.stdout holds stdout only
    assert result.exit_code == 1
    printed = json.loads(result.stdout)
    expected = report_as_dict(validate(read_table(path)))
    assert printed == {**expected, "not_read": [],
                       "workbook": str(tmp_path / "prices.validation.xlsx")}
    assert printed["issues"][0]["address"] == "Prices!C2"
    assert printed["issues"][0]["code"] == "invalid-date"


def test_unusable_file_exits_2_with_one_sentence_and_no_traceback(tmp_path):
    path = tmp_path / "prices.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = run(path)
    assert result.exit_code == 2
    assert result.output.count("Error:") == 1 and "Traceback" not in result.output
    assert "prices.xlsx is damaged or incomplete" in result.output


def test_entity_sheet_and_day_first_options(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [["PART_ID", "NOTES", "EFFECTIVE_DATE"]], sheet="x",
                      extra_sheets={"Later": [["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE",
                                               "SO_UNIT_PRICE"], ["A", "LP", "13/1/2026", "5"]]})
    assert run(path, "--sheet", "Later", "--month-first").exit_code == 1  # 13 is no month
    result = run(path, "--sheet", "Later", "--day-first", "--entity", "product-price", "--json")
    assert result.exit_code == 0, result.output


def test_validate_has_help_text():
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0 and "Exit code 0" in result.output


SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"


def test_sample_price_list_is_valid_and_uses_the_tricky_demo_ids(tmp_path):
    result = run(SAMPLES / "price_list.xlsx", "-o", tmp_path / "checked.xlsx")
    assert result.exit_code == 0, result.output
    table = read_table(SAMPLES / "price_list.xlsx")
    ids = {r.values["PART_ID"] for r in table.rows}
    assert len(table.rows) >= 200 and len(ids) >= 30 and {"000417", "00123", "4711"} <= ids


def test_sample_mistakes_file_shows_one_mistake_of_each_kind(tmp_path):
    report = validate(read_table(SAMPLES / "price_list_mistakes.xlsx"))
    flagged = set(report.counts_by_code())
    fidelity = set(FIDELITY_CODES) | set(ENCODING_CODES) | {"hidden-column"}  # test_fidelity*
    # price-jump needs a journal's last known prices (tests/test_changes_import.py), the
    # reference checks master data (tests/test_references.py)
    locale = set(LOCALE_CODES) | {"columns-not-sent"}  # test_locale*.py, on LibreOffice files
    # known breaks, gaps against known lines, close_previous and value maps need a journal or
    # importer.toml (tests/test_price_shape.py, test_close_previous.py, test_value_maps.py)
    needs_more = {"price-breaks-known-breaks", "period-gap", "closes-previous-period",
                  "value-mapped"}
    assert flagged == (set(ISSUE_CODES) - {"invalid-flag", "price-jump"} - fidelity - locale
                       - set(REFERENCE_CODES) - needs_more)
    cp = validate(read_table(SAMPLES / "customer_parts_mistakes.xlsx"))
    assert set(cp.counts_by_code()) == {"invalid-flag", "missing-value"}


def test_sample_files_are_what_the_script_writes(tmp_path):
    subprocess.run([sys.executable, str(SAMPLES.parent / "scripts" / "make_sample_data.py"),
                    str(tmp_path)], check=True, capture_output=True)
    for made in tmp_path.glob("*.xlsx"):
        assert made.read_bytes() == (SAMPLES / made.name).read_bytes(), made.name


def test_excel_errors_and_uncalculated_formulas_are_red_in_the_annotated_workbook(tmp_path):
    path = write_xlsx(tmp_path / "prices.xlsx", [
        PRICE_HEADER, ["PUMP001", "LP", "2026-01-01", "#DIV/0!", None, "USD", "=D2*2"]])
    out = tmp_path / "checked.xlsx"
    assert run(path, "-o", out).exit_code == 1
    ws = openpyxl.load_workbook(out)["Prices"]
    assert ws["D2"].value == "#DIV/0!" and ws["D2"].fill.fgColor.rgb == RED
    assert ws["D2"].comment.text == ("The cell shows the error #DIV/0!; correct the formula or "
                                     "type the value.")
    assert ws["G2"].fill.fgColor.rgb == RED
    assert ws["G2"].comment.text.startswith("The cell holds a formula that was never calculated")
