"""What the cell shows is what is sent, for text: stray bytes, NUL bytes, digits that are not ASCII,
ids that Excel turned into scientific notation; and the display rule on plain values."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings, strategies as st

from importer.reading import read_table
from importer.reading.display import show, shown_text
from test_reading_sheets import by_row, write_csv, write_xlsx


def _issues(table):
    return {(i.address, i.code, i.severity.value) for i in table.issues}


def test_one_stray_windows_1252_byte_spoils_only_its_own_cell(tmp_path):
    path = tmp_path / "p.csv"
    good = "PART_ID,PRICE_CODE,NOTES\r\nA1,LP,Grüße aus Köln – 5 €\r\n".encode()
    path.write_bytes(good + b"A2,LP,Peter\x92s price\r\n")
    table = read_table(path)
    rows = by_row(table)
    assert rows[2]["NOTES"] == "Grüße aus Köln – 5 €"
    assert "NOTES" not in rows[3]
    (issue,) = table.issues
    assert (issue.address, issue.code, issue.severity.value) == ("p!C3", "invalid-utf8", "error")
    assert "Peter’s price" in issue.message


def test_a_file_that_is_windows_1252_everywhere_is_still_read_as_such(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID;PRICE_CODE;NOTES", "A1;LP;Grüße – 5 €"],
                     encoding="cp1252")
    assert read_table(path).rows[0].values["NOTES"] == "Grüße – 5 €"


@pytest.mark.parametrize("where", ["early", "after 64 KiB"])
def test_a_nul_byte_anywhere_is_an_error_at_its_cell(tmp_path, where):
    lines = ["PART_ID,PRICE_CODE,NOTES"]
    filler = 1 if where == "early" else 2000
    lines += [f"F{i},LP,some note that takes room in the file" for i in range(filler)]
    lines.append("BAD,LP,nul\x00here")
    table = read_table(write_csv(tmp_path / "p.csv", lines))
    row = filler + 2
    assert _issues(table) == {(f"p!C{row}", "nul-byte", "error")}
    assert "NOTES" not in by_row(table)[row]


def test_digits_that_are_not_ascii_are_converted_with_a_warning_in_number_fields(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID,PRICE_CODE,SO_UNIT_PRICE,ITEM_DISC_PCT",
                                          "A1,LP,９.９９,١٠"])
    table = read_table(path)
    assert table.rows[0].values["SO_UNIT_PRICE"] == "9.99"
    assert table.rows[0].values["ITEM_DISC_PCT"] == "10"
    assert _issues(table) == {("p!C2", "non-ascii-digits", "warning"),
                              ("p!D2", "non-ascii-digits", "warning")}


def test_digits_that_are_not_ascii_are_refused_in_key_fields(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID,PRICE_CODE,ORDER_QTY", "PUMP１２,LP,１０"])
    assert _issues(read_table(path)) == {("p!A2", "non-ascii-digits", "error"),
                                         ("p!C2", "non-ascii-digits", "error")}


def test_an_id_excel_wrote_in_scientific_notation_is_an_error(tmp_path):
    path = write_csv(tmp_path / "c.csv", ["PART_ID,CUSTOMER_ID,CUST_PART_ID",
                                          "PUMP001,ABCCORP,1.23457E+11"])
    table = read_table(path, "customer-part")
    (issue,) = table.issues
    assert (issue.address, issue.code, issue.severity.value) == ("c!C2", "scientific-id", "error")
    assert "Text" in issue.message


def test_an_id_cell_formatted_as_scientific_is_an_error_too(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "c.xlsx", [["PART_ID", "CUSTOMER_ID", "CUST_PART_ID"],
                                            ["PUMP001", "ABCCORP", 123456789012]])
    wb = openpyxl.load_workbook(path)
    wb.active["C2"].number_format = "0.00E+00"
    wb.save(path)
    codes = {i.code for i in read_table(path, "customer-part").issues if i.column == "C"}
    assert codes == {"scientific-id", "shows-rounded"}


@pytest.mark.parametrize("value, code, text", [
    (10.989, "0.00", "10.99"), (1.5, "0", "2"), (0.5, "0", "1"), (1.005, "0.00", "1.01"),
    (1146.4421875, "$#,##0.00", "$1,146.44"), (-4952.2, '_(* #,##0_);_(* \\(#,##0\\)', " (4,952)"),
    (0, '_(* #,##0_);_(* \\(#,##0\\);_(* "-"??_);_(@_)', " -   "), (0.652, "0.0%", "65.2%"),
    (123, "00000", "00123"), (-123, "00000;-00000", "-00123"), (123, '"P"00000', "P00123"),
    (1.0413926851582251, "General", "1.04139268515823"), (12345, "##0.0E+0", "12.3E+3"),
    (0.000123, "0.0E+00", "1.2E-04"), (2.3, "? ?/8", "2 2/8"), (5, "0,000", "0,005"),
    (1234567, "#,##0,", "1,235"), (-5, "0;0", "5"), (-0.04, "0.0", "0.0"),
    (5, '[>=100]"big";"small"', "small"), (500, '[>=100]"big";"small"', "big"),
    (dt.timedelta(hours=255, minutes=10, seconds=10), "[hh]:mm:ss", "255:10:10"),
    (dt.time(10, 10, 10, 123000), "hh:mm:ss.00", "10:10:10.12"),
    (dt.datetime(2001, 1, 1), '"Report - "mmmm", "yyyy', "Report - January, 2001"),
    (dt.datetime(2001, 1, 1), "dddd, d-mmm-yy", "Monday, 1-Jan-01"),
    (dt.time(18, 0), "h:mm AM/PM", "6:00 PM"), ("PT255H10M10S", "[hh]:mm:ss", "255:10:10"),
    ("abc", '0;-0;0;"<"@">"', "<abc>"), (True, "0.00", "TRUE"),
])
def test_display_rule_on_plain_values(value, code, text):
    assert shown_text(value, code) == text


def test_a_rounding_format_reports_what_it_hides():
    s = show(10.989, "0.00")
    assert s.hides_digits and str(s.number) == "10.99" and str(s.held) == "10.989"
    assert not show(123, "00000").hides_digits


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=4,
                   allow_nan=False, allow_infinity=False))
@settings(max_examples=300)
def test_any_decimal_through_a_two_decimal_format_shows_as_rounded_half_away(value):
    s = show(float(value), "#,##0.00")
    rounded = abs(value).quantize(Decimal("0.01"), ROUND_HALF_UP)
    expected = ("-" if value < 0 and rounded else "") + f"{rounded:,.2f}"
    assert s.text == expected
    assert s.number == (rounded if value >= 0 else -rounded)


def test_cell_formats_are_found_whatever_the_attribute_order():
    from importer.reading.formats import xlsx_cell_formats

    styles = {1: "0.00", 2: "00000"}
    plain = b'<row r="3"><c r="B3" s="1" t="n"><v>1</v></c><c r="C3" s="0"><v>2</v></c></row>'
    other = b'<x:row r="3"><x:c s="2" r="AA3"><x:v>1</x:v></x:c></x:row>'
    assert xlsx_cell_formats(plain, styles) == {1: {3: "0.00"}}
    assert xlsx_cell_formats(other, styles) == {26: {3: "00000"}}


def test_a_format_that_hides_the_value_is_never_silent(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE", "NOTES"],
                                            [4711, "LP", 5], ["A1", "LP", 7]])
    wb = openpyxl.load_workbook(path)
    wb.active["A2"].number_format = wb.active["C2"].number_format = ";;;"
    wb.active["C3"].number_format = '0;-0;;@'
    wb.save(path)
    table = read_table(path)
    assert _issues(table) == {("Prices!A2", "shows-nothing", "error"),
                              ("Prices!C2", "shows-nothing", "warning")}
    assert "NOTES" not in by_row(table)[2] and by_row(table)[3]["NOTES"] == "7"
