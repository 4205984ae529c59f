"""Failed-rows workbook and export: files the admin edits and loads again, so the reader must take
them back as they are."""
from __future__ import annotations

import csv

import openpyxl

from importer.entities import CUSTOMER_PART, PRODUCT_PRICE
from importer.model import RowOutcome, Status
from importer.reading import read_table
from importer.checks.validation import validate
from importer.workbooks import write_export, write_failed_workbook
from test_workbooks_support import issue, make_table


def write_export_path(*args, **kwargs):
    return write_export(*args, **kwargs).path

ROWS = [
    ["00123", "LP", "2026-03-01", "1", "USD", "10.5", ""],
    ["00124", "LP", "2026-03-01", "1", "USD", "9", "=not a formula"],
    ["00125", "LP", "2026-13-01", "1", "USD", "8", ""],
    ["00126", "LP", "2026-03-01", "1", "USD", "7", ""],
]
BAD_DATE = issue("invalid-date", "EFFECTIVE_DATE 2026-13-01 is not a date; write it as YYYY-MM-DD.",
                 row=6, column="C", field="EFFECTIVE_DATE", value="2026-13-01")
OUTCOMES = {
    4: RowOutcome(4, Status.CREATED, "CREATE", 200),
    5: RowOutcome(5, Status.FAILED, "CREATE", 400, "RECORD_EXISTS", "The record already exists."),
    6: RowOutcome(6, Status.INVALID, issues=[BAD_DATE]),
}


def test_failed_workbook_holds_every_row_not_applied_in_template_layout(tmp_path):
    out = tmp_path / "march.failed.xlsx"
    assert write_failed_workbook(make_table(ROWS), OUTCOMES, out).value == 3
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert ws.title == "Product Price"
    assert [c.value for c in ws[1]] == [*PRODUCT_PRICE.field_names, "REASON"]
    assert [ws["A2"].value, ws["A3"].value, ws["A4"].value] == ["00124", "00125", "00126"]
    assert ws["A2"].data_type == "s" and ws["A2"].number_format == "@"
    assert ws["K2"].value == "=not a formula" and ws["K2"].data_type == "s"
    assert ws["M2"].value == "RECORD_EXISTS: The record already exists. (row 5 of march.xlsx)"
    assert ws["M3"].value.startswith("EFFECTIVE_DATE 2026-13-01 is not a date")
    assert ws["C3"].fill.fgColor.rgb.endswith("FF8B8B")
    assert ws["C3"].comment.text == BAD_DATE.message
    assert ws["A1"].comment.text.startswith("PART_ID: Part number")  # the template's header notes
    assert ws["M4"].value == "Not sent yet: the run stopped before this row. (row 7 of march.xlsx)"
    assert ws.max_row == 4


def test_failed_workbook_keeps_the_users_action_column(tmp_path):
    headers = ["PART_ID", "PRICE_CODE", "ACTION"]
    table = make_table([["00123", "LP", "UPDATE"]], headers=headers, header_row=1, title_rows=())
    out = tmp_path / "f.xlsx"
    write_failed_workbook(table, {2: RowOutcome(2, Status.FAILED, "UPDATE", 404, "RECORD_NOT_FOUND",
                                                "No such record.")}, out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in ws[1]][-2:] == ["ACTION", "REASON"]
    assert ws["M2"].value == "UPDATE"


def test_corrected_failed_rows_read_back_cleanly(tmp_path):
    out = tmp_path / "march.failed.xlsx"
    write_failed_workbook(make_table(ROWS), OUTCOMES, out)
    wb = openpyxl.load_workbook(out)
    wb.worksheets[0]["C3"].value = "2026-03-01"  # the admin fixes the date
    wb.save(out)
    table = read_table(out, entity="product-price")
    report = validate(table)
    assert report.ok, report.errors
    assert [r.values["PART_ID"] for r in table.rows] == ["00124", "00125", "00126"]
    assert table.rows[1].values["EFFECTIVE_DATE"] == "2026-03-01"
    assert table.rows[0].values["NOTES"] == "=not a formula"
    assert "REASON" not in table.rows[0].values


def _records():
    return [
        {"PART_ID": "00123", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-03-01",
         "ORDER_QTY": "1", "END_DATE": "2029-12-31", "CURR_CODE": "USD", "SO_UNIT_PRICE": "10.5",
         "PART_DESC": "Pump", "DATE_MODIFIED": "2026-11-24", "NOTES": "+49 price"},
        {"PART_ID": "4711", "PRICE_CODE": "007", "EFFECTIVE_DATE": "2026-04-01",
         "ORDER_QTY": "100", "SO_UNIT_PRICE": "0.125", "ITEM_DISC_PCT": "2.5"},
    ]


def test_export_is_template_layout_of_request_fields_and_says_what_it_is(tmp_path):
    out = write_export_path(PRODUCT_PRICE, _records(), tmp_path / "pp.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == list(PRODUCT_PRICE.field_names)
    assert [ws["A2"].value, ws["A3"].value, ws["B3"].value] == ["00123", "4711", "007"]
    assert all(ws[ref].data_type == "s" for ref in ("A3", "B3", "K2"))  # ids and text stay text
    assert ws["C2"].is_date and ws["C2"].number_format == "yyyy-mm-dd"  # a date cell
    assert (ws["D3"].value, ws["D3"].number_format) == (100, "0")  # a number cell
    assert (ws["G3"].value, ws["G3"].number_format) == (0.125, "0.000")
    assert "PART_DESC" not in [c.value for c in ws[1]]
    about = " ".join(str(c.value) for c in wb["About"]["A"])
    assert "not a full download of the ERP" in about


def test_export_round_trips_exactly_through_the_reader(tmp_path):
    for fmt in ("xlsx", "csv"):
        out = write_export_path(PRODUCT_PRICE, _records(), tmp_path / f"pp.{fmt}", fmt=fmt)
        table = read_table(out, entity="product-price")
        assert validate(table).ok
        expected = [{k: v for k, v in r.items() if PRODUCT_PRICE.has_field(k) and v}
                    for r in _records()]
        assert [r.values for r in table.rows] == expected, fmt


def test_export_csv_is_utf8_with_the_field_header(tmp_path):
    out = write_export_path(CUSTOMER_PART, [{"PART_ID": "00123", "CUSTOMER_ID": "ABCCORP",
                                        "CUST_PART_ID": "Größe-1"}], tmp_path / "cp.csv", "csv")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(CUSTOMER_PART.field_names)
    assert rows[1][:3] == ["00123", "ABCCORP", "Größe-1"]
