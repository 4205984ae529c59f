"""The annotated validation workbook: every problem shown on the person's own cell."""
from __future__ import annotations

import zipfile

import openpyxl
import pytest

from importer.model import Report
from importer.workbooks import write_validation_workbook
from test_workbooks_support import issue, make_table

ROWS = [
    ["00123", "LP", "2026-03-01", "1", "USD", "10.5", ""],
    ["PUMP002", "LP", "2026-13-01", "10", "US", "9", "=SUM(A1:A2)"],
    ["PUMP002", "LP", "2026-03-01", "100", "EURO", "8", "@risk +1 -2"],
]
ISSUES = [
    issue("invalid-date", "EFFECTIVE_DATE 2026-13-01 is not a date; write it as YYYY-MM-DD.",
          row=5, column="C", field="EFFECTIVE_DATE", value="2026-13-01"),
    issue("currency-code", "CURR_CODE US is not a three-letter code.", row=5, column="E",
          field="CURR_CODE", value="US", warning=True),
    issue("currency-code", "CURR_CODE EURO is not a three-letter code.", row=6, column="E",
          field="CURR_CODE", value="EURO", warning=True),
    issue("duplicate-key", "Rows 5 and 7 have the same key.", row=5),
    issue("whitespace-trimmed", "The file ends with blank rows.", warning=True),
]


@pytest.fixture()
def workbook(tmp_path):
    out = tmp_path / "march.validation.xlsx"
    write_validation_workbook(Report(make_table(ROWS), ISSUES), out)
    return openpyxl.load_workbook(out)


def test_data_keep_the_users_sheet_name_title_rows_and_addresses(workbook):
    ws = workbook.worksheets[0]
    assert ws.title == "Prices"
    assert ws["A1"].value == "March price list"
    assert [c.value for c in ws[3]][:7] == ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY",
                                           "CURR_CODE", "SO_UNIT_PRICE", "NOTES"]
    assert ws["A4"].value == "00123" and ws["A4"].data_type == "s"
    assert ws["C5"].value == "2026-13-01"
    assert ws.freeze_panes == "E4"


def test_status_and_issues_columns_are_appended_on_the_right(workbook):
    ws = workbook.worksheets[0]
    assert (ws["H3"].value, ws["I3"].value) == ("STATUS", "ISSUES")
    assert ws["H3"].comment.text.startswith("VALID: no problem found.")
    assert [ws[f"H{r}"].value for r in (4, 5, 6)] == ["VALID", "INVALID", "WARNING"]
    assert "[C5] EFFECTIVE_DATE 2026-13-01 is not a date" in ws["I5"].value
    assert "Rows 5 and 7 have the same key." in ws["I5"].value
    assert ws["I4"].value is None


def test_error_cell_is_red_with_the_message_in_a_comment(workbook):
    cell = workbook.worksheets[0]["C5"]
    assert cell.fill.fgColor.rgb.endswith("FF8B8B")
    assert cell.comment.text == "EFFECTIVE_DATE 2026-13-01 is not a date; write it as YYYY-MM-DD."


def test_warning_cell_is_amber_with_comment_and_clean_cells_are_not_marked(workbook):
    ws = workbook.worksheets[0]
    assert ws["E6"].fill.fgColor.rgb.endswith("FFEB9C")
    assert ws["E6"].comment.text == "CURR_CODE EURO is not a three-letter code."
    assert ws["A4"].comment is None and ws["A4"].fill.fill_type is None


def test_formula_like_values_stay_text(workbook):
    ws = workbook.worksheets[0]
    assert ws["G5"].value == "=SUM(A1:A2)" and ws["G5"].data_type == "s"
    assert ws["G6"].value == "@risk +1 -2" and ws["G6"].data_type == "s"


def test_issues_sheet_lists_every_issue_with_a_link_to_its_cell(workbook):
    ws = workbook["Issues"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("sheet", "cell", "row", "column", "field", "value", "severity", "code",
                       "message")
    assert len(rows) == 1 + len(ISSUES)
    assert rows[1][7] == "whitespace-trimmed" and rows[1][1] is None  # file-level first
    date_row = next(r for r in ws.iter_rows(min_row=2) if r[7].value == "invalid-date")
    assert date_row[1].value == "C5"
    assert date_row[1].hyperlink.location == "'Prices'!C5"
    assert date_row[5].value == "2026-13-01" and date_row[6].value == "error"


def test_control_characters_are_shown_not_dropped(tmp_path):
    out = tmp_path / "v.xlsx"
    table = make_table([["P\x07X", "LP", "", "", "", "", "tab\tand\nnewline"]])
    write_validation_workbook(Report(table, []), out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws["A4"].value == "P\u2407X"
    assert ws["G4"].value == "tab\tand\nnewline"


def test_every_marked_cell_keeps_its_comment_on_a_long_sheet(tmp_path):
    rows = [[f"{n:05d}", "LP", "2026-13-01", "1", "USD", "1", ""] for n in range(1500)]
    issues = [issue("invalid-date", f"Row {n} has no real date.", row=n, column="C")
              for n in range(4, 1504)]
    out = tmp_path / "long.xlsx"
    write_validation_workbook(Report(make_table(rows), issues), out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    comments = {c.coordinate: c.comment.text for c in ws["C"] if c.comment}
    assert len(comments) == 1500
    assert comments["C4"] == "Row 4 has no real date."
    assert comments["C1503"] == "Row 1503 has no real date."
    vml = zipfile.ZipFile(out).read("xl/drawings/commentsDrawing1.vml").decode()
    assert 'data="1,2"' in vml and vml.count("<v:shape ") == 1501  # + the STATUS header's note
