"""Numeric keys compare as numbers (ORDER_QTY 1 = 1.0 = 1.00) in validation, the journal's known
keys and the sandbox, while the text sent stays as shown."""
from __future__ import annotations

from conftest import login, post, records, unique_id

from importer.entities import PRODUCT_PRICE
from importer.journal.store import Journal
from importer.model import RowOutcome, Status
from importer.reading import read_table
from importer.checks.validation import validate
from test_journal import _info, _table
from test_reading_sheets import write_csv


def test_validation_sees_order_qty_1_and_1_0_as_one_key(tmp_path):
    path = write_csv(tmp_path / "p.csv", [
        "PART_ID,PRICE_CODE,EFFECTIVE_DATE,ORDER_QTY,SO_UNIT_PRICE",
        "A1,LP,2026-01-01,1,5", "A1,LP,2026-01-01,1.00,5"])
    table = read_table(path)
    assert [r.values["ORDER_QTY"] for r in table.rows] == ["1", "1.00"]  # sent as shown
    report = validate(table)
    assert {(i.row, i.code) for i in report.issues} == {(2, "duplicate-key"), (3, "duplicate-key")}


def test_the_journal_knows_a_key_whatever_the_spelling_of_its_quantity(tmp_path):
    with Journal(tmp_path / "j.sqlite") as j:
        run = j.start_run(_info(), _table(tmp_path))
        j.record(run.run_id, RowOutcome(3, Status.CREATED, "CREATE", 200, record={"X": "1"},
                                        attempts=1),
                 known=("http://erp", "DEMO", "product-price", ("A1", "LP", "2026-01-01", "1.0")))
        known = j.known_keys("http://erp", "DEMO", "product-price")
    assert PRODUCT_PRICE.key_of({"PART_ID": "A1", "PRICE_CODE": "LP",
                                 "EFFECTIVE_DATE": "2026-01-01", "ORDER_QTY": "1.00"}) in known


def test_the_sandbox_keeps_order_qty_1_and_1_0_as_one_record(sandbox):
    token = login(sandbox)
    code = unique_id("NK")
    base = {"AUTH_TOKEN": token, "PART_ID": "PUMP002", "PRICE_CODE": code,
            "EFFECTIVE_DATE": "2030-01-01", "CURR_CODE": "USD", "SO_UNIT_PRICE": "10"}
    first = post(sandbox.url, "/api/product-price-create", {**base, "ORDER_QTY": "1"})
    assert first.status_code == 200, first.text
    second = post(sandbox.url, "/api/product-price-create", {**base, "ORDER_QTY": "1.0"})
    assert second.status_code != 200
    update = post(sandbox.url, "/api/product-price-update",
                  {**base, "ORDER_QTY": "1.00", "SO_UNIT_PRICE": "11"})
    assert update.status_code == 200, update.text
    mine = [r for r in records(sandbox.url, "product-price") if r["PRICE_CODE"] == code]
    assert len(mine) == 1 and mine[0]["SO_UNIT_PRICE"] == "11"
