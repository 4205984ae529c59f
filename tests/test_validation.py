"""Validation: every problem of every row, one pass, each pointing at its cell."""
from __future__ import annotations

import datetime as dt

from importer.reading import read_table
from importer.checks.validation import ISSUE_CODES, validate
from test_reading_sheets import PRICE_HEADER, codes_at, write_xlsx

H = PRICE_HEADER  # A PART_ID, B PRICE_CODE, C EFFECTIVE_DATE, D ORDER_QTY, E END_DATE,
#                  F CURR_CODE, G SO_UNIT_PRICE, H ITEM_DISC_PCT, I NOTES


def report_of(tmp_path, rows, **kw):
    return validate(read_table(write_xlsx(tmp_path / "p.xlsx", rows), **kw))


def test_a_clean_price_list_has_no_issues(tmp_path):
    report = report_of(tmp_path, [H,
        ["000417", "LP", dt.date(2026, 1, 1), 1, dt.date(2026, 12, 31), "USD", 10.5, 5, "ok"],
        ["000417", "LP", dt.date(2026, 1, 1), 100, dt.date(2026, 12, 31), "USD", 9.75, 5, ""]])
    assert report.issues == [] and report.ok


def test_every_rule_flags_its_cell(tmp_path):
    report = report_of(tmp_path, [H,
        [None, "LP", "2026-02-30", "ten", None, "USD", -1, 5],          # row 2
        ["P2", "LP", 45000, 1, None, "US", 10, 101],                      # row 3
        ["P3", "LP", "2026-06-01", -5, "2026-05-31", "EUR", "1.5 kg", -3],  # row 4
        ["P4", "LP", "2026-01-01", 1, None, "USD", 10, 0, "x" * 32766],   # row 5
        ["P4", "LP", "2026-01-01", "1.0", None, "USD", 10, 0],            # row 6
        ["P5", "LP", "2026-01-01", 10, None, "USD", 5],                   # row 7
        ["P5", "LP", "2026-01-01", 100, None, "USD", 6],                  # row 8
        ["P6", "LP", "1899-12-30", 1, "10000-01-01", "USD", 1]])          # row 9
    assert codes_at(report.issues) == {
        ("Prices!A2", "missing-value"), ("Prices!C2", "invalid-date"),
        ("Prices!D2", "not-a-number"), ("Prices!G2", "negative-number"),
        ("Prices!C3", "invalid-date"), ("Prices!F3", "currency-code"),
        ("Prices!H3", "percent-out-of-range"),
        ("Prices!D4", "negative-number"), ("Prices!E4", "end-before-start"),
        ("Prices!G4", "not-a-number"), ("Prices!H4", "negative-number"),
        ("Prices!I5", "too-long"), ("Prices!A5", "duplicate-key"), ("Prices!A6", "duplicate-key"),
        ("Prices!G8", "price-rises-with-quantity"),
        ("Prices!C9", "invalid-date"), ("Prices!E9", "invalid-date"),
    }
    assert report.invalid_rows == {2, 3, 4, 5, 6, 9}
    assert {i.code for i in report.warnings} == {"currency-code", "price-rises-with-quantity"}


def test_messages_say_what_is_wrong_and_what_to_do(tmp_path):
    report = report_of(tmp_path, [H,
        ["P1", "LP", 45000, 1, None, "USD", 1],
        ["P4", "LP", "2026-01-01", 1, None, "USD", 10],
        ["P4", "LP", "2026-01-01", 1, None, "USD", 10],
        ["P5", "LP", "2026-01-01", 10, None, "USD", 5],
        ["P5", "LP", "2026-01-01", 100, None, "USD", 6]])
    by_address = {i.address: i for i in report.issues}
    assert by_address["Prices!C2"].message == (
        "EFFECTIVE_DATE holds the number 45000, not a date; format the cell as a date or type "
        "the date as YYYY-MM-DD.")
    assert by_address["Prices!A3"].message == (
        "Rows 3 and 4 have the same key P4/LP/2026-01-01/1 (PART_ID + PRICE_CODE + "
        "EFFECTIVE_DATE + ORDER_QTY); keep only one of them.")
    assert by_address["Prices!G6"].message == (
        "SO_UNIT_PRICE 6 at quantity 100 is higher than 5 at the smaller quantity 10 for the same "
        "part, price code and date; check the breaks.")
    assert by_address["Prices!G6"].value == "6" and by_address["Prices!G6"].field == "SO_UNIT_PRICE"


def test_flags_must_be_y_or_n(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [
        ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "PARTIAL_SHIP", "EARLY_SHIP"],
        ["PUMP001", "ACME", "A-1", "Y", "yes"]])
    report = validate(read_table(path))
    assert codes_at(report.issues) == {("Prices!E2", "invalid-flag")}


def test_reading_errors_are_not_reported_twice(tmp_path):
    report = report_of(tmp_path, [["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "SO_UNIT_PRICE"],
                                  ["#N/A", "LP", "2026-01-01", "1"]])
    assert codes_at(report.issues) == {("Prices!A2", "excel-error")}


def test_skipped_rows_are_not_validated(tmp_path):
    report = report_of(tmp_path, [["PART_ID", "PRICE_CODE", "ORDER_QTY", "ACTION"],
                                  ["P1", "LP", "ten", "SKIP"], ["P2", "LP", "x", ""]])
    assert codes_at(report.issues) == {("Prices!C3", "not-a-number"),
                                       ("Prices!3", "effective-date-required"),
                                       ("Prices!3", "price-missing-on-create")}


def test_every_issue_code_is_listed_with_a_description():
    expected = {"missing-value", "invalid-date", "not-a-number", "negative-number",
                "percent-out-of-range", "too-long", "invalid-flag", "end-before-start",
                "duplicate-key", "excel-error", "formula-without-value", "invalid-action",
                "currency-code", "price-rises-with-quantity", "whitespace-trimmed",
                "time-ignored", "hidden-row", "hidden-column", "shows-rounded", "percent-format",
                "format-text", "duration-not-date", "non-ascii-digits", "scientific-id",
                "shows-nothing", "shows-date", "shows-hashes", "shows-fraction",
                "shows-differently", "invalid-utf8", "nul-byte", "price-jump",
                "number-convention", "date-order", "two-digit-year", "date-with-time",
                "currency-removed", "currency-mismatch", "dates-read-month-first",
                "columns-not-sent",
                # references.py and pricerules.py
                "unknown-part", "unknown-customer", "part-not-found-before",
                "customer-not-found-before", "obsolete-part", "effective-date-required",
                "price-missing-on-create", "overlapping-period", "period-gap",
                "price-breaks-known-breaks", "closes-previous-period",
                # reading/valuemaps.py
                "value-mapped"}
    assert set(ISSUE_CODES) == expected
    assert all(ISSUE_CODES[c].endswith(".") for c in expected)
