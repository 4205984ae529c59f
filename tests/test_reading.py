"""Reading spreadsheets: every value reaches the ERP exactly as the person sees it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from importer.errors import UnusableFile
from importer.model import Action
from importer.reading import read_table
from importer.reading.values import format_number
from test_reading_sheets import (PRICE_HEADER, by_row, codes_at, set_cached_values, write_csv,
                                 write_xlsx)


def test_leading_zeros_survive_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE"], ["000417", "LP"], ["00123", "007"], [4711, 10]],
        text_cells=("A2", "A3", "B3"))
    rows = by_row(read_table(path))
    assert rows[2] == {"PART_ID": "000417", "PRICE_CODE": "LP"}
    assert rows[3] == {"PART_ID": "00123", "PRICE_CODE": "007"}
    assert rows[4] == {"PART_ID": "4711", "PRICE_CODE": "10"}


def test_numbers_from_formulas_come_out_as_excel_shows_them(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "SO_UNIT_PRICE", "ORDER_QTY", "ITEM_DISC_PCT"],
        ["PUMP001", "LP", "=10.989*1", "=4711*1", "=0.1+0.2"]])
    set_cached_values(path, {"C2": "10.989000000000001", "D2": "4711.0000000000009",
                             "E2": "0.30000000000000004"})
    values = read_table(path).rows[0].values
    assert values["SO_UNIT_PRICE"] == "10.989"
    assert values["ORDER_QTY"] == "4711"
    assert values["ITEM_DISC_PCT"] == "0.3"


def test_big_and_tiny_numbers_are_written_without_exponent(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "SO_UNIT_PRICE", "ORDER_QTY", "NOTES"],
        ["PUMP001", "LP", 1.5e-7, 1e20, -0.0]])
    values = read_table(path).rows[0].values
    assert values["SO_UNIT_PRICE"] == "0.00000015"
    assert values["ORDER_QTY"] == "100000000000000000000"
    assert values["NOTES"] == "0"


@given(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3,
                   allow_nan=False, allow_infinity=False))
@settings(max_examples=300)
def test_any_decimal_comes_out_as_typed(value):
    shown = format_number(float(value))
    assert Decimal(shown) == value.normalize()
    assert "e" not in shown.lower() and not shown.endswith(".0")


@given(st.floats(min_value=-1e307, max_value=1e307))  # Excel holds up to 9.99E+307
@settings(max_examples=300)
def test_any_float_has_at_most_15_significant_digits(x):
    shown = format_number(x)
    digits = Decimal(shown).normalize().as_tuple().digits
    assert len(digits) <= 15
    assert float(shown) == pytest.approx(x, rel=1e-14, abs=1e-300)


@given(st.text(alphabet="0123456789ABCXYZ-_./ ", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s.strip()))
@settings(max_examples=40, deadline=None)
def test_any_id_text_survives_xlsx_and_csv(tmp_path_factory, part):
    folder = tmp_path_factory.mktemp("ids")
    xlsx = write_xlsx(folder / "p.xlsx", [["PART_ID", "PRICE_CODE"], [part, "LP"]],
                      text_cells=("A2",))
    csv = write_csv(folder / "p.csv", ["PART_ID,PRICE_CODE", f'"{part}",LP'])
    assert read_table(xlsx).rows[0].values["PART_ID"] == part
    assert read_table(csv).rows[0].values["PART_ID"] == part


def test_date_cells_and_date_text_become_iso_dates(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE"],
        ["A", "LP", dt.date(2026, 10, 1), "2026-12-31"],
        ["B", "LP", "10/1/2026", "1/2/2027"],
        ["C", "LP", "2026-1-5", "12/31/2026 12:00 AM"],
        ["D", "LP", "2026/10/01", "2027-01-31T00:00:00Z"]])
    rows = by_row(read_table(path))
    assert rows[2]["EFFECTIVE_DATE"] == "2026-10-01" and rows[2]["END_DATE"] == "2026-12-31"
    assert rows[3]["EFFECTIVE_DATE"] == "2026-10-01" and rows[3]["END_DATE"] == "2027-01-02"
    assert rows[4]["EFFECTIVE_DATE"] == "2026-01-05" and rows[4]["END_DATE"] == "2026-12-31"
    assert rows[5]["EFFECTIVE_DATE"] == "2026-10-01" and rows[5]["END_DATE"] == "2027-01-31"


def test_day_first_reads_slashed_dates_as_day_month(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE"], ["A", "LP", "10/1/2026"]])
    assert read_table(path, day_first=True).rows[0].values["EFFECTIVE_DATE"] == "2026-01-10"
    assert read_table(path).rows[0].values["EFFECTIVE_DATE"] == "2026-10-01"


def test_time_of_day_of_a_date_cell_is_dropped_with_a_warning_of_date_text_an_error(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE"],
        ["A", "LP", dt.datetime(2026, 10, 1, 13, 5), "2026-12-31 08:00"],
        ["B", "LP", dt.datetime(2026, 10, 1, 0, 0), "2026-12-31 00:00:00"]])
    table = read_table(path)
    assert by_row(table)[2]["EFFECTIVE_DATE"] == "2026-10-01"
    assert by_row(table)[3]["END_DATE"] == "2026-12-31"
    assert {(i.address, i.code, i.severity.value) for i in table.issues} == {
        ("Prices!C2", "time-ignored", "warning"), ("Prices!D2", "date-with-time", "error")}


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!",
                                   "#NULL!"])
def test_each_excel_error_is_an_error_on_its_cell_never_a_blank(tmp_path, error):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "SO_UNIT_PRICE"], ["PUMP001", "LP", error]])
    table = read_table(path)
    assert [(i.address, i.code, i.value, i.severity.value) for i in table.issues] == [
        ("Prices!C2", "excel-error", error, "error")]
    assert "SO_UNIT_PRICE" not in table.rows[0].values
    assert table.rows[0].cells[2] == error


def test_formula_without_stored_result_asks_to_open_and_save(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "SO_UNIT_PRICE"], ["PUMP001", "LP", "=2*5"]])
    (issue,) = read_table(path).issues
    assert (issue.address, issue.code) == ("Prices!C2", "formula-without-value")
    assert "open the file in Excel or LibreOffice, save it" in issue.message


def test_surrounding_spaces_are_trimmed_with_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "NOTES"], [" PUMP001", "LP ", "   "]])
    table = read_table(path)
    assert table.rows[0].values == {"PART_ID": "PUMP001", "PRICE_CODE": "LP"}
    assert codes_at(table.issues) == {("Prices!A2", "whitespace-trimmed"),
                                      ("Prices!B2", "whitespace-trimmed")}


def test_empty_cells_are_not_sent_and_empty_rows_are_skipped(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        PRICE_HEADER, ["PUMP001", "LP", None, None, None, "USD"], [], [None] * 9,
        ["PUMP002", "LP"]])
    table = read_table(path)
    assert [r.excel_row for r in table.rows] == [2, 5]
    assert table.rows[0].values == {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "CURR_CODE": "USD"}


def test_title_rows_above_the_header_are_kept_apart(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["Price list November 2026"], [], ["Part Id", "price-code", " Order Qty "],
        ["PUMP001", "LP", 10]])
    table = read_table(path)
    assert table.header_row == 3
    assert table.title_rows == [["Price list November 2026"], []]
    assert [c.field for c in table.columns] == ["PART_ID", "PRICE_CODE", "ORDER_QTY"]
    assert table.rows[0].excel_row == 4 and table.rows[0].values["ORDER_QTY"] == "10"


def test_results_workbook_columns_are_ignored_and_action_is_read(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "ACTION", "STATUS", "MESSAGE", "ERP:PART_DESC"],
        ["PUMP001", "LP", "update", "FAILED", "x", "Pump"],
        ["PUMP002", "LP", "later", "", "", ""],
        ["PUMP003", "LP", "", "", "", ""]])
    table = read_table(path)
    assert table.fields == ["PART_ID", "PRICE_CODE"]
    assert [r.action for r in table.rows] == [Action.UPDATE, None, None]
    assert table.rows[0].values == {"PART_ID": "PUMP001", "PRICE_CODE": "LP"}
    assert table.rows[0].cells == ["PUMP001", "LP", "update", "FAILED", "x", "Pump"]
    assert codes_at(table.issues) == {("Prices!C3", "invalid-action")}


def test_sheet_named_after_the_entity_is_chosen(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["Read me first"]], sheet="Notes",
                      extra_sheets={"Product Price": [["PART_ID", "PRICE_CODE"], ["A", "LP"]]})
    table = read_table(path)
    assert table.sheet == "Product Price" and table.entity.name == "product-price"


def test_sheet_option_picks_the_sheet_and_a_missing_one_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE"], ["A", "LP"]],
                      extra_sheets={"December": [["PART_ID", "PRICE_CODE"], ["B", "LP"]]})
    assert read_table(path, sheet="December").rows[0].values["PART_ID"] == "B"
    with pytest.raises(UnusableFile, match=r"has no sheet 'Januar'; its sheets are 'Prices', "
                                           r"'December': choose one with --sheet"):
        read_table(path, sheet="Januar")


def test_entity_is_detected_from_the_columns(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [["PART_ID", "CUSTOMER_ID", "CUST_PART_ID"],
                                            ["PUMP001", "ACME", "A-1"]])
    assert read_table(path).entity.name == "customer-part"


def test_columns_that_fit_both_entities_ask_for_entity(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", [["PART_ID", "NOTES"], ["PUMP001", "x"]])
    with pytest.raises(UnusableFile, match="say which with --entity"):
        read_table(path)


def test_misspelled_field_column_names_the_closest_field(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE", "UNIT_PRCE"], ["A", "LP", 1]])
    with pytest.raises(UnusableFile) as err:
        read_table(path, entity="product-price")
    assert str(err.value) == ("Column C 'UNIT_PRCE' (closest field: SO_UNIT_PRICE) of sheet "
                              "'Prices' of p.xlsx is not a Product Price field; rename it to the "
                              "field name or delete it.")


def test_missing_required_column_is_named(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "SO_UNIT_PRICE"], ["A", 1]])
    with pytest.raises(UnusableFile, match=r"has no PRICE_CODE column, which Product Price needs"):
        read_table(path)


def test_duplicate_header_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE", "Part ID"], ["A", "LP", "B"]])
    with pytest.raises(UnusableFile, match="Columns A and C of sheet 'Prices' of p.xlsx are both "
                                           "PART_ID; delete one of them"):
        read_table(path)


def test_wrong_entity_says_which_entity_fits(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [PRICE_HEADER, ["A", "LP"]])
    with pytest.raises(UnusableFile, match="are Product Price fields, not Customer Part fields; "
                                           "use --entity product-price"):
        read_table(path, entity="customer-part")


def test_utf8_bom_csv_keeps_text_exactly(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID,PRICE_CODE,SO_UNIT_PRICE,NOTES",
                                          "000417,LP,10.50,Größe 10 µm"], bom=True)
    table = read_table(path)
    assert table.file_format == "csv" and table.sheet == "p"
    assert table.rows[0].values == {"PART_ID": "000417", "PRICE_CODE": "LP",
                                    "SO_UNIT_PRICE": "10.50", "NOTES": "Größe 10 µm"}


def test_windows_1252_semicolon_csv_as_excel_saves_it(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID;PRICE_CODE;EFFECTIVE_DATE;NOTES",
                                          "00123;LP;10/1/2026;Preis in € für Müller"],
                     encoding="cp1252")
    assert read_table(path).rows[0].values == {
        "PART_ID": "00123", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-10-01",
        "NOTES": "Preis in € für Müller"}


def test_tab_separated_csv(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID\tPRICE_CODE\tORDER_QTY", "4711\tLP\t1,000.5"])
    assert read_table(path).rows[0].values == {"PART_ID": "4711", "PRICE_CODE": "LP",
                                               "ORDER_QTY": "1000.5"}


@pytest.mark.parametrize("content,fragment", [
    (b"", "is empty"),
    (b"\x00\x01\x02\x03binary\xff\xfe\x00junk" * 50, r"is not a text \(CSV\) file or a spreadsheet"),
])
def test_empty_and_binary_csv_are_refused_with_one_sentence(tmp_path, content, fragment):
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    with pytest.raises(UnusableFile, match=fragment):
        read_table(path)


def test_truncated_workbook_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [PRICE_HEADER] + [["A", "LP"]] * 200)
    path.write_bytes(path.read_bytes()[:1500])
    with pytest.raises(UnusableFile, match="is damaged or incomplete"):
        read_table(path)


def test_hidden_rows_are_read_with_a_warning(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE"], ["A", "LP"], ["B", "LP"]])
    wb = openpyxl.load_workbook(path)
    wb.active.row_dimensions[3].hidden = True
    wb.save(path)
    table = read_table(path)
    assert [r.values["PART_ID"] for r in table.rows] == ["A", "B"]
    assert codes_at(table.issues) == {("Prices!3", "hidden-row")}


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "xls"])
def test_files_saved_by_libreoffice_read_the_same_in_every_format(fmt):
    from pathlib import Path

    table = read_table(Path(__file__).parent / "data" / "bad" / f"libreoffice.{fmt}")
    assert table.file_format == fmt
    assert [r.values for r in table.rows] == [
        {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-12-01",
         "ORDER_QTY": "1", "SO_UNIT_PRICE": "0.3", "ITEM_DISC_PCT": "5"},  # =0.1+0.2
        {"PART_ID": "PUMP002", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-12-01",
         "ORDER_QTY": "1"}]
    assert [(i.address, i.code, i.value) for i in table.issues] == [
        ("libreoffice!E3", "excel-error", "#DIV/0!"), ("libreoffice!F3", "excel-error", "#N/A")]


def test_excel_error_text_in_a_csv_is_an_error(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID,PRICE_CODE,SO_UNIT_PRICE", "A,LP,#N/A",
                                          "B,LP,#1 choice"])
    table = read_table(path)
    assert codes_at(table.issues) == {("p!C2", "excel-error")}
    assert table.rows[1].values["SO_UNIT_PRICE"] == "#1 choice"


def test_header_without_rows_is_refused(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [PRICE_HEADER, [], []])
    with pytest.raises(UnusableFile, match="has a header but no data rows"):
        read_table(path)


def test_a_workbook_with_a_csv_name_is_still_read_as_a_workbook(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE"], ["00123", "LP"]],
                      text_cells=("A2",))
    renamed = path.rename(tmp_path / "p.csv")
    table = read_table(renamed)
    assert table.file_format == "xlsx" and table.rows[0].values["PART_ID"] == "00123"


def test_discount_formatted_as_percent_is_sent_as_shown(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "ITEM_DISC_PCT", "SO_UNIT_PRICE"],
        ["A", "LP", 0.05, 0.05], ["B", "LP", 0.125, 3], ["C", "LP", 7, 3], ["D", "LP", "2.5%", 1]])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["C2"].number_format, ws["C3"].number_format, ws["D2"].number_format = "0%", "0.0%", "0%"
    wb.save(path)
    table = read_table(path)
    assert [r.values["ITEM_DISC_PCT"] for r in table.rows] == ["5", "12.5", "7", "2.5"]
    assert table.rows[0].cells[2] == "5%"
    # not a percent field: 5% of a price is not a price
    assert [(i.address, i.code, i.severity.value) for i in table.issues] == [
        ("Prices!D2", "percent-format", "error")]


def test_ods_percentage_cell_is_sent_as_shown(tmp_path):
    import zipfile
    from pathlib import Path

    source = Path(__file__).parent / "data" / "bad" / "libreoffice.ods"
    with zipfile.ZipFile(source) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    cell = (b'office:value-type="float" office:value="5" calcext:value-type="float">'
            b"<text:p>5</text:p>")
    assert cell in members["content.xml"]
    members["content.xml"] = members["content.xml"].replace(
        cell, b'office:value-type="percentage" office:value="0.05" '
              b'calcext:value-type="percentage"><text:p>5%</text:p>', 1)
    path = tmp_path / "p.ods"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert read_table(path).rows[0].values["ITEM_DISC_PCT"] == "5"


def test_a_stray_control_character_does_not_make_a_csv_binary(tmp_path):
    path = write_csv(tmp_path / "p.csv", ["PART_ID,PRICE_CODE,NOTES", "A,LP,line\x0bbreak"])
    assert read_table(path).rows[0].values["NOTES"] == "line\x0bbreak"


def test_xlsm_workbooks_are_read(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE"], ["A", "LP"]])
    table = read_table(path.rename(tmp_path / "p.xlsm"))
    assert table.file_format == "xlsm" and table.rows[0].values == {"PART_ID": "A",
                                                                    "PRICE_CODE": "LP"}


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_date_typed_as_text_becomes_the_same_iso_date(day):
    from importer.reading.locale import DAY_FIRST, MONTH_FIRST, date_text

    iso = day.isoformat()
    assert date_text(iso).value(MONTH_FIRST) == iso
    assert date_text(f"{day.month}/{day.day}/{day.year}").value(MONTH_FIRST) == iso
    assert date_text(f"{day.day}/{day.month}/{day.year}").value(DAY_FIRST) == iso
    assert date_text(f"{day.day}.{day.month}.{day.year}").value(MONTH_FIRST) == iso
    assert date_text(f"{iso} 00:00:00").value(DAY_FIRST) == iso
    assert date_text(f"{iso} 13:45").problem == "date-with-time"


def test_a_part_number_merged_over_its_quantity_breaks_is_sent_on_every_row(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "p.xlsx", [
        ["PART_ID", "PRICE_CODE", "ORDER_QTY", "SO_UNIT_PRICE"],
        ["00123", "LP", 1, 10], [None, None, 10, 9], [None, None, 100, 8], ["PUMP001", "LP", 1, 5]],
        text_cells=("A2",))
    wb = openpyxl.load_workbook(path)
    wb.active.merge_cells("A2:A4")
    wb.active.merge_cells("B2:B4")
    wb.save(path)
    rows = by_row(read_table(path))
    seen = [(rows[n]["PART_ID"], rows[n]["PRICE_CODE"], rows[n]["ORDER_QTY"]) for n in (2, 3, 4, 5)]
    assert seen == [("00123", "LP", "1"), ("00123", "LP", "10"), ("00123", "LP", "100"),
                    ("PUMP001", "LP", "1")]


def test_numbers_formatted_with_leading_zeros_keep_them(tmp_path):
    import openpyxl

    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE", "ORDER_QTY"],
                                            [417, "LP", 5], [123, "LP", 10], [4711, "LP", 1.5]])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws["A2"].number_format = ws["A4"].number_format = "000000"
    ws["A3"].number_format = "00000"
    wb.save(path)
    rows = by_row(read_table(path))
    assert [rows[n]["PART_ID"] for n in (2, 3, 4)] == ["000417", "00123", "004711"]
    assert rows[2]["ORDER_QTY"] == "5"
