"""The results workbook: on the admin's own rows, what happened, why, and what the ERP now holds."""
from __future__ import annotations

import openpyxl
import pytest

from importer.model import Action, RowOutcome, RunInfo, Status
from importer.reading import read_table
from importer.checks.validation import validate
from importer.workbooks import write_results_workbook
from test_workbooks_support import issue, make_table

ROWS = [
    ["00123", "LP", "2026-03-01", "1", "USD", "10.5", ""],          # 4 CREATED
    ["PUMP002", "LP", "2026-03-01", "10", "USD", "9", "=1+1"],       # 5 UPDATED
    ["NOPE", "LP", "2026-03-01", "1", "USD", "8", ""],               # 6 FAILED
    ["PUMP002", "LP", "2026-13-01", "1", "USD", "7", ""],            # 7 INVALID
    ["PUMP002", "XX", "2026-03-01", "1", "USD", "6", ""],            # 8 SKIPPED
    ["PUMP003", "LP", "2026-03-01", "1", "USD", "5", ""],            # 9 NOT_RUN (no outcome)
]
DATE_ISSUE = issue("invalid-date", "EFFECTIVE_DATE 2026-13-01 is not a date; write it as "
                   "YYYY-MM-DD.", row=7, column="C", field="EFFECTIVE_DATE", value="2026-13-01")


def record(part, desc, **extra):
    return {"PART_ID": part, "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-03-01", "ORDER_QTY": "1",
            "PART_DESC": desc, "PART_UM": "EA", "DATE_MODIFIED": "2026-11-24", **extra}


OUTCOMES = {
    4: RowOutcome(4, Status.CREATED, "CREATE", 200, record=record("00123", "Hydraulic pump"),
                  issues=[issue("currency-code", "CURR_CODE USD? is odd.", row=4, column="E",
                                warning=True)]),
    5: RowOutcome(5, Status.UPDATED, "UPDATE", 200,
                  record=record("PUMP002", "=HYPERLINK(\"http://x\")", ORDER_QTY="10",
                                SO_UNIT_PRICE="9.00")),
    6: RowOutcome(6, Status.FAILED, "CREATE", 400, "PART_NOT_FOUND", "-Part NOPE does not exist."),
    7: RowOutcome(7, Status.INVALID, issues=[DATE_ISSUE]),
    8: RowOutcome(8, Status.SKIPPED, "", message="ACTION is SKIP."),
}
RUN = RunInfo(run_id=7, entity="product-price", mode="upsert", input_path="/data/march.xlsx",
              input_sha256="ab" * 32, sheet="Prices", server_url="http://127.0.0.1:9999",
              data_source="DEMO", user="APIUSER", started_at="2026-11-24T10:00:00+00:00",
              finished_at="2026-11-24T10:00:04+00:00", calls=3)


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    out = tmp_path_factory.mktemp("results") / "march.results.xlsx"
    write_results_workbook(make_table(ROWS), RUN, OUTCOMES, out)
    return openpyxl.load_workbook(out)


def column(ws, header, header_row=3):
    return next(c.column_letter for c in ws[header_row] if c.value == header)


def test_each_row_shows_its_status_action_and_message(workbook):
    ws = workbook["Prices"]
    assert [c.value for c in ws[3]][7:12] == ["STATUS", "CALL_MADE", "HTTP_STATUS",
                                             "MESSAGE_CODE", "MESSAGE"]
    assert [ws[f"H{r}"].value for r in range(4, 10)] == [
        "CREATED", "UPDATED", "FAILED", "INVALID", "SKIPPED", "NOT_RUN"]
    assert (ws["I4"].value, ws["J4"].value) == ("CREATE", 200)
    assert (ws["J6"].value, ws["K6"].value, ws["L6"].value) == (
        400, "PART_NOT_FOUND", "-Part NOPE does not exist.")
    assert ws["L7"].value.startswith("[C7] EFFECTIVE_DATE 2026-13-01 is not a date")


def test_rows_are_coloured_by_status(workbook):
    ws = workbook["Prices"]
    colours = {r: ws[f"B{r}"].fill.fgColor.rgb[-6:] for r in range(4, 9)}
    assert colours == {4: "C6EFCE", 5: "E2EFDA", 6: "FFC7CE", 7: "D9D2E9", 8: "D9D9D9"}
    assert ws["B9"].fill.fgColor.rgb.endswith("DDEBF7")  # NOT_RUN pale blue
    assert ws["H6"].fill.fgColor.rgb.endswith("FFC7CE") and ws["H6"].font.b
    assert "NOT_RUN: Not sent: the run stopped" in ws["H3"].comment.text  # the legend, in place


def test_warning_cell_on_an_applied_row_is_amber_with_its_comment(workbook):
    ws = workbook["Prices"]
    assert ws["E4"].fill.fgColor.rgb.endswith("FFEB9C") and ws["E4"].comment.text == (
        "CURR_CODE USD? is odd.")
    assert ws["L4"].value == "[E4] CURR_CODE USD? is odd."


def test_invalid_cell_is_red_with_the_validators_message(workbook):
    cell = workbook["Prices"]["C7"]
    assert cell.fill.fgColor.rgb.endswith("FF8B8B")
    assert cell.comment.text == DATE_ISSUE.message
    assert workbook["Prices"]["C6"].comment is None


def test_returned_fields_follow_in_their_own_block(workbook):
    ws = workbook["Prices"]
    headers = [c.value for c in ws[3]][12:]
    assert headers == ["ERP:PART_DESC", "ERP:PART_UM", "ERP:SO_UNIT_PRICE",
                       "ERP:DATE_MODIFIED"]
    assert ws["M4"].value == "Hydraulic pump" and ws["M4"].border.left.style == "medium"
    assert "ignores them when this workbook is imported again" in ws["M3"].comment.text
    assert ws["O5"].value == "9.00"  # the ERP holds a value other than the one sent
    assert ws["O4"].value is None
    assert ws["M6"].value is None


def test_values_that_look_like_formulas_come_back_as_text(workbook):
    ws = workbook["Prices"]
    for ref, value in (("G5", "=1+1"), ("M5", '=HYPERLINK("http://x")'),
                       ("L6", "-Part NOPE does not exist.")):
        assert ws[ref].value == value and ws[ref].data_type == "s", ref


def test_layout_matches_the_input_so_addresses_are_the_same(workbook):
    ws = workbook["Prices"]
    assert ws["A1"].value == "March price list"
    assert ws["A4"].value == "00123" and ws["A4"].number_format == "@"
    assert ws.freeze_panes == "E4"  # below the header, right of the key columns A:D
    assert ws.auto_filter.ref == "A3:P9"
    assert workbook.sheetnames[0] == "Prices"


def test_summary_tells_what_ran_where_and_the_counts(workbook):
    ws = workbook["Summary"]
    facts = {r[0]: r[1] for r in ws.iter_rows(min_row=3, max_col=2, values_only=True) if r[0]}
    assert facts["Input file"] == "/data/march.xlsx"
    assert facts["SHA-256 of the input"] == "ab" * 32
    assert (facts["Entity"], facts["Mode"], facts["Data source"], facts["User"]) == (
        "product-price", "upsert", "DEMO", "APIUSER")
    assert facts["Server URL"] == "http://127.0.0.1:9999"
    assert facts["Time taken"] == "4.0 s" and facts["Rows sent per second"] == 0.8
    assert facts["Calls made to the ERP"] == 3 and facts["Warnings (amber cells)"] == 1
    for status in Status:
        assert facts[status.value] == (0 if status is Status.HELD else 1)
    assert len(ws._charts) == 1
    assert not any("password" in str(v).lower() for r in ws.iter_rows(values_only=True) for v in r)


def test_issues_sheet_links_the_invalid_cell(workbook):
    rows = list(workbook["Issues"].iter_rows(min_row=2))
    assert [r[1].value for r in rows] == ["E4", "C7"]
    assert rows[1][1].hyperlink.location == "'Prices'!C7"


def test_earlier_tool_columns_are_replaced_not_duplicated(tmp_path):
    headers = ["PART_ID", "PRICE_CODE", "STATUS", "ERP:PART_DESC"]
    table = make_table([["00123", "LP", "FAILED", "old"]], headers=headers, header_row=1,
                       title_rows=())
    out = tmp_path / "again.xlsx"
    write_results_workbook(table, RUN, {2: RowOutcome(2, Status.CREATED, "CREATE", 200)}, out)
    ws = openpyxl.load_workbook(out)["Prices"]
    assert [c.value for c in ws[1]] == ["PART_ID", "PRICE_CODE", *(
        "STATUS", "CALL_MADE", "HTTP_STATUS", "MESSAGE_CODE", "MESSAGE")]
    assert ws["C2"].value == "CREATED"


def test_results_workbook_reads_back_as_the_same_rows_without_tool_columns(tmp_path):
    headers = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "ACTION"]
    rows = [["00123", "LP", "2026-03-01", "1", "UPSERT"], ["00124", "LP", "2026-03-01", "1", ""]]
    table = make_table(rows, headers=headers)
    outcomes = {4: RowOutcome(4, Status.CREATED, "CREATE", 200, record=record("00123", "Pump")),
                5: RowOutcome(5, Status.UPDATED, "UPDATE", 200, record=record("00124", "Pump"))}
    out = tmp_path / "march.results.xlsx"
    write_results_workbook(table, RUN, outcomes, out)
    again = read_table(out, entity="product-price")
    assert [(r.excel_row, r.values, r.action) for r in again.rows] == [
        (4, table.rows[0].values, Action.UPSERT), (5, table.rows[1].values, None)]
    assert validate(again, checks=[]).ok  # the cells' own checks (no price-list rules)


def test_summary_of_an_interrupted_dry_run_says_so():
    from dataclasses import replace

    from importer.workbooks.summary import run_facts
    run = replace(RUN, finished_at=None, dry_run=True)
    facts = dict(run_facts(run, 10, {Status.NOT_RUN: 10}))
    assert facts["Finished"] == "did not finish (interrupted)"
    assert facts["Mode"] == "upsert (dry run: nothing sent)"
    assert facts["Time taken"] == "" and facts["Rows sent per second"] == ""
