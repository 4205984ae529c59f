"""The sandbox knows the user's own parts and customers, read from CSV or xlsx as text."""
from __future__ import annotations

import csv

import pytest
from conftest import login, post
from openpyxl import Workbook

from importer.entities import CUSTOMER_PART, PRODUCT_PRICE
from importer.errors import UnusableFile
from importer.sandbox.master import load_customers, load_parts

PARTS = [
    ("PART_ID", "PART_DESC", "PART_TYPE", "PART_UM", "PART_STATUS", "STD_UNIT_COST",
     "PRODUCT_LINE", "SO_ORDER_QTY", "MIN_SALES_QTY"),
    ("000123", "Washer, zinc", "P", "EA", "A", "0.050", "SPARES", "100", "100"),
    ("0042", "Bolt M8", "P", "EA", "A", "0.12", "SPARES", "50", "50"),
    ("ABC-1", "Bracket", "M", "EA", "A", "3.10", "STEEL", "1", "1"),
]
CUSTOMERS = [("CUSTOMER_ID", "CUST_NAME"), ("007", "Bond Ltd"), ("C-1", "Cee One")]


def write_csv(path, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def test_csv_parts_keep_leading_zeros_and_every_column(tmp_path):
    parts = load_parts(write_csv(tmp_path / "parts.csv", PARTS, delimiter=";"))
    assert set(parts) == {"000123", "0042", "ABC-1"}
    assert parts["000123"]["STD_UNIT_COST"] == "0.050"
    assert parts["0042"] == dict(zip(PARTS[0], PARTS[2]))


def test_xlsx_text_ids_and_zero_formatted_numbers_keep_leading_zeros(tmp_path):
    path = write_xlsx(tmp_path / "parts.xlsx", PARTS)
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book.active
    sheet.append([417, "Number cell shown with zeros"])
    sheet.cell(sheet.max_row, 1).number_format = "000000"
    sheet.append([4711.0, "Plain number cell"])
    book.save(path)
    parts = load_parts(path)
    assert {"000123", "0042", "ABC-1", "000417", "4711"} == set(parts)
    assert parts["000417"]["PART_TYPE"] == ""


def test_customers_need_only_the_id_column(tmp_path):
    customers = load_customers(write_csv(tmp_path / "c.csv", [("Customer Id",), ("007",), ("",)]))
    assert customers == {"007": {"CUSTOMER_ID": "007", "CUST_NAME": ""}}


@pytest.mark.parametrize("name, content, words", [
    ("parts.csv", "PART_DESC,PART_TYPE\nWasher,P\n", "has no PART_ID column"),
    ("parts.csv", "", "is empty"),
    ("parts.pdf", "PART_ID\n1\n", "is not a CSV or xlsx file"),
    ("parts.xlsx", "this is not a zip", "Cannot open"),
])
def test_an_unusable_master_file_says_what_is_wrong(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(UnusableFile, match=words):
        load_parts(path)


def test_a_missing_master_file_is_named(tmp_path):
    with pytest.raises(UnusableFile, match="does not exist"):
        load_customers(tmp_path / "nope.xlsx")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sandbox_accepts_only_the_users_own_parts_and_customers(sandbox_factory, tmp_path, fmt):
    write = write_csv if fmt == "csv" else write_xlsx
    sb = sandbox_factory(parts_file=write(tmp_path / f"parts.{fmt}", PARTS),
                         customers_file=write(tmp_path / f"customers.{fmt}", CUSTOMERS))
    token = login(sb)
    ok = post(sb.url, PRODUCT_PRICE.create_path,
              {"AUTH_TOKEN": token, "PART_ID": "000123", "PRICE_CODE": "LP"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["PART_DESC"] == "Washer, zinc" and ok.json()["STD_UNIT_COST"] == "0.050"
    for part in ("123", "PUMP002"):  # zeros lost; a demo part the user's master does not have
        refused = post(sb.url, PRODUCT_PRICE.create_path,
                       {"AUTH_TOKEN": token, "PART_ID": part, "PRICE_CODE": "LP"})
        assert refused.json()["MESSAGE_CODE"] == "PART_NOT_FOUND"
    cp = {"AUTH_TOKEN": token, "PART_ID": "0042", "CUST_PART_ID": "B-8"}
    assert post(sb.url, CUSTOMER_PART.create_path, {**cp, "CUSTOMER_ID": "007"}).status_code == 200
    unknown = post(sb.url, CUSTOMER_PART.create_path, {**cp, "CUSTOMER_ID": "7"})
    assert unknown.json()["MESSAGE_CODE"] == "CUSTOMER_NOT_FOUND"
