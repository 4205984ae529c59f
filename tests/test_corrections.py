"""A corrected copy changes exactly the edited cells: every other byte, cell, format and sheet is
as it was, and the reader then reads the typed values."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import workbook_cells
from importer.runs.corrections import CorrectionsUnsupported, write_corrected
from importer.entities import Kind
from importer.reading import read_table

KINDS = {"A": Kind.ID, "B": Kind.TEXT, "C": Kind.DATE, "D": Kind.DECIMAL, "E": Kind.TEXT,
         "F": Kind.DECIMAL, "G": Kind.LONG_TEXT}
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "NOTES"]


def workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Product Price"
    sheet.append(HEADER)
    sheet.append(["PUMP001", "LP", "2026-12-01", 1, "USD", 10.5, "a"])
    sheet.append(["417", "LP", "2026-12-01", 2, "USD", 11, "b"])
    sheet.append(["PUMP003", "LP", "2026-12-01", 3, "USD", None, None])
    sheet["F2"].number_format = "0.00"
    sheet["G3"] = "=B3&\"x\""
    book.create_sheet("Other")["B2"] = "untouched"
    book.save(path)
    return path


def test_only_the_edited_xlsx_cells_change_and_ids_keep_their_zeros(tmp_path):
    source = workbook(tmp_path / "p.xlsx")
    out = write_corrected(source, "xlsx", "Product Price",
                          {("A", 3): "000417", ("F", 4): "12.50", ("G", 4): "new note",
                           ("D", 2): "5"}, KINDS, tmp_path / "c.xlsx")
    before, after = workbook_cells(source), workbook_cells(out)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {("Product Price", c) for c in ("A3", "F4", "G4", "D2")}
    assert after[("Product Price", "D2")] == (5, "General")  # a number cell
    assert after[("Product Price", "F2")] == (10.5, "0.00")  # style of a neighbour kept
    rows = {r.excel_row: r.values for r in read_table(out).rows}
    assert rows[3]["PART_ID"] == "000417" and rows[4]["SO_UNIT_PRICE"] == "12.50"
    assert rows[4]["NOTES"] == "new note" and rows[2]["ORDER_QTY"] == "5"
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if not name.endswith("sheet1.xml"):
                assert a.read(name) == b.read(name), name


def test_a_replaced_formula_cell_and_a_new_row_are_written(tmp_path):
    source = workbook(tmp_path / "p.xlsx")
    out = write_corrected(source, "xlsx", "Product Price",
                          {("G", 3): "plain", ("A", 7): "PUMP009", ("B", 7): "LP"}, KINDS,
                          tmp_path / "c.xlsx")
    sheet = load_workbook(out)["Product Price"]
    assert sheet["G3"].value == "plain" and sheet["A7"].value == "PUMP009"
    assert sheet["B7"].value == "LP"


def test_only_the_edited_csv_records_change_in_the_files_encoding(tmp_path):
    text = ('PART_ID;PRICE_CODE;NOTES\r\n"PUMP001";LP;"two\nlines"\r\n417;LP;Köln\r\n'
            'PUMP003;LP;Grüße\r\n')
    source = tmp_path / "p.csv"
    source.write_bytes(text.encode("cp1252"))
    out = write_corrected(source, "csv", "p", {("A", 3): "000417", ("C", 3): "Köln; Süd",
                                              ("C", 4): "=HYPERLINK(\"x\")"},
                          {}, tmp_path / "c.csv")
    lines = out.read_bytes().split(b"\r\n")
    original = source.read_bytes().split(b"\r\n")
    assert lines[0] == original[0] and lines[1] == original[1]
    assert lines[2] == '000417;LP;"Köln; Süd"'.encode("cp1252")
    assert lines[3].endswith(b"'=HYPERLINK(\"\"x\"\")\"")  # never a live formula in Excel
    rows = {r.excel_row: r.values for r in read_table(out).rows}
    assert rows[3] == {"PART_ID": "000417", "PRICE_CODE": "LP", "NOTES": "Köln; Süd"}
    assert rows[4]["NOTES"] == '=HYPERLINK("x")'  # and read back exactly as typed


def test_xls_and_ods_cannot_be_corrected_in_place(tmp_path):
    source = tmp_path / "p.ods"
    source.write_bytes(b"irrelevant")
    with pytest.raises(CorrectionsUnsupported, match="spreadsheet program"):
        write_corrected(source, "ods", "p", {("A", 2): "x"}, {}, tmp_path / "c.ods")
