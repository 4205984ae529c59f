"""The README's month in the CLI, as one admin runs it, for each record type and for a workbook
holding both: template -> fill -> validate -> dry run -> import into the sandbox -> results ->
the failed-rows file fixed and imported -> month 2 from an export with changed prices ->
--skip-unchanged -> revert -> month 3 from `importer reprice` -> an id fix accepted with
`importer remember`. Every step is a command the README names, with no option it does not.
Extend this walk when your feature is a step of the month."""
from __future__ import annotations

import json
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from month import (PRICE_FIELD, RIGHT, ROWS, WRONG, Admin, data_cells, fill, header_of,
                   set_cells, statuses)


def assert_typed(path: Path, entity: str, sheet: str | None = None) -> None:
    """Prices and quantities are number cells, dates date cells, ids text (what was sent)."""
    price = data_cells(path, PRICE_FIELD[entity], sheet)
    assert price and all(c.data_type == "n" and isinstance(c.value, (int, float))
                         for c in price if c.value is not None), [(c.value, c.data_type)
                                                                  for c in price]
    date_field = "EFFECTIVE_DATE" if entity == "product-price" else "DATE_LAST_QUOTE"
    dates = [c for c in data_cells(path, date_field, sheet) if c.value is not None]
    assert dates and all(c.is_date and isinstance(c.value, datetime) for c in dates)
    ids = data_cells(path, "PART_ID", sheet)
    assert ids and all(c.data_type == "s" for c in ids)


def fix_wrong_id(row: dict) -> None:
    if row["PART_ID"].value in (WRONG, int(WRONG)):
        row["PART_ID"].value = RIGHT
        row["PART_ID"].number_format = "@"


def raise_two_prices(field: str):
    seen = []

    def change(row: dict) -> None:
        cell = row[field]
        if cell.value not in (None, "") and len(seen) < 2:
            seen.append(cell.value)
            cell.value = round(float(cell.value) * 1.05, 2)
    return change


def mistype_last_price(field: str):
    """The last row's price typed ten times too high (a decision: held until accepted)."""
    rows = []

    def change(row: dict) -> None:
        rows.append(row)
        if len(rows) == 4:
            row[field].value = round(float(row[field].value) * 10, 2)
            change.part = str(row["PART_ID"].value)
    return change


def prices(path: Path, entity: str, sheet: str | None = None) -> dict[str, float]:
    keys = {"product-price": ("PART_ID", "ORDER_QTY"), "customer-part": ("PART_ID", "CUST_PART_ID")}
    wb = load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    header = header_of(ws)
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        values = dict(zip(header, row))
        if values.get("PART_ID"):
            out["/".join(str(values[k]) for k in keys[entity])] = float(values[PRICE_FIELD[entity]])
    return out


@pytest.mark.parametrize("entity", ["product-price", "customer-part"])
def test_the_month_in_the_cli(tmp_path, entity):
    admin = Admin(tmp_path)
    book = admin / "month.xlsx"
    # the 1st: a blank template, filled in
    admin.run("template", entity, "-o", book, expect=0)
    fill(book, ROWS[entity])
    # check every cell: the form alone is fine ...
    admin.run("validate", book, expect=0)
    # ... and against what the sandbox serves, 417 is caught with the right id suggested
    checked = admin.json("validate", book, "--sandbox", expect=1)
    assert [(i["address"], i["code"]) for i in checked["issues"]] == [
        (f"'{checked['sheet']}'!A5", "unknown-part")], checked
    assert f"did you mean {RIGHT}?" in checked["issues"][0]["message"]
    assert_typed(Path(checked["workbook"]), entity)
    # the dry run: what each row would get; it is no run and leaves no file to fix
    dry = admin.json("import", book, "--sandbox", "--dry-run", expect=1)
    assert dry["counts"].get("INVALID") == 1 and dry["calls"] == 0
    assert not (admin / "month.failed.xlsx").exists()
    assert admin.run("runs", "--json")[1].strip() == "[]"
    # import into the sandbox: the bad row is not sent, the others are created
    done = admin.json("import", book, "--sandbox", expect=1)
    assert done["counts"] == {"CREATED": 3, "INVALID": 1}, done
    results = Path(done["results"])
    assert sorted(statuses(results)) == ["CREATED", "CREATED", "CREATED", "INVALID"]
    facts = {r[0].value: r[1].value for r in load_workbook(results)["Summary"].iter_rows(max_col=2)}
    assert facts["Server URL"].startswith("the built-in sandbox ("), facts  # not its journal key
    assert_typed(results, entity)
    # the rows to fix: the failed-rows file, corrected and imported alone
    failed = Path(done["failed_rows"])
    assert failed.name == "month.failed.xlsx"
    assert_typed(failed, entity)
    set_cells(failed, fix_wrong_id)
    fixed = admin.json("import", failed, "--sandbox", expect=0)
    assert fixed["counts"] == {"CREATED": 1}, fixed
    # the runs so far, as a person reads them at 80 columns: the rehearsal named as such
    _, listed = admin.run("runs", expect=0)
    words = listed.split()  # columns fold their text over several lines: whole words survive
    assert "built-in" in words and "(DEMO.sqlite3)" in words and "sandbox:/" not in listed, listed
    assert "APIUSER" in words and "upsert" in words, listed
    # month 2: the records as the sandbox holds them, two prices changed
    nxt = admin / "next.xlsx"
    admin.run("export", entity, "--sandbox", "-o", nxt, expect=0)
    assert_typed(nxt, entity)
    before = prices(nxt, entity)
    assert len(before) == 4
    set_cells(nxt, raise_two_prices(PRICE_FIELD[entity]))
    mistype = mistype_last_price(PRICE_FIELD[entity])
    typo = set_cells(nxt, mistype)  # the last row's price ten times too high
    checked = admin.json("validate", nxt, "--sandbox", expect=0)
    assert checked["changes"]["CHANGED"] == 3 and checked["changes"]["UNCHANGED"] == 1, checked
    # the review: the typo waits for a decision, listed on the dry run's Decisions sheet
    review = admin.json("import", nxt, "--sandbox", "--skip-unchanged", "--dry-run", expect=1)
    assert review["counts"].get("HELD") == 1, review
    decisions = load_workbook(review["results"])["Decisions"]
    assert [r[2].value for r in decisions.iter_rows(min_row=2)] == ["price-jump"]
    month2 = admin.json("import", nxt, "--sandbox", "--skip-unchanged", expect=1)
    assert month2["counts"] == {"UPDATED": 2, "SKIPPED": 1, "HELD": 1}, month2
    reasons = data_cells(Path(month2["failed_rows"]), "REASON")  # the held row, and why
    assert len(reasons) == 1 and reasons[0].value.startswith("Held until accepted"), reasons
    # someone accepts it (the typo was meant, this time), and the same import sends it once
    admin.run("approve", typo, "--sandbox", expect=0)
    month2 = admin.json("import", nxt, "--sandbox", "--skip-unchanged", expect=0)
    assert month2["counts"] == {"UPDATED": 3, "SKIPPED": 1} and month2["rows_sent"] == 1, month2
    # undo month 2: the earlier prices are back in the sandbox
    code, out = admin.run("revert", month2["run_id"], expect=0)
    assert "UPDATED 3" in out
    # the mistyped price's history: created, accepted and sent in month 2, put back by the revert
    _, out = admin.run("history", mistype.part, "--json", expect=0)
    events = json.loads(out)
    accepted = [e for e in events if e["approved_by"]]
    assert [e["run_id"] for e in accepted] == [month2["run_id"]], events
    assert accepted[0]["reverted_by"] == events[-1]["run_id"], events
    assert events[-1]["revert_of"] == month2["run_id"], events
    after = admin / "after.xlsx"
    admin.run("export", entity, "--sandbox", "-o", after, expect=0)
    assert prices(after, entity) == before
    # month 3: +4 % from 1 January written by the tool, reviewed, then imported as any list
    jan = admin / "jan.xlsx"
    admin.run("reprice", "--entity", entity, "--percent", "4", "--round", "0.05", "--effective",
              "2027-01-01", "--sandbox", "-o", jan, expect=0)
    assert {k: Decimal(str(v)) for k, v in prices(jan, entity).items()} == {
        k: (Decimal(str(v)) * Decimal("1.04") / Decimal("0.05")).quantize(
            Decimal(1), ROUND_HALF_UP) * Decimal("0.05") for k, v in before.items()}
    checked = admin.json("validate", jan, "--sandbox", expect=0)
    new = "NEW PRICE" if entity == "product-price" else "CHANGED"
    assert checked["changes"][new] == 4 and checked["errors"] == 0, checked
    month3 = admin.json("import", jan, "--sandbox", expect=0)
    assert month3["counts"] == ({"CREATED": 4} if entity == "product-price"
                                else {"UPDATED": 4}), month3
    # the 417 of month 1, accepted once as 000417 for this sandbox: read so from now on
    admin.run("remember", "PART_ID", WRONG, RIGHT, "--sandbox", expect=0)
    checked = admin.json("validate", book, "--sandbox", expect=0)
    assert [(i["address"], i["code"]) for i in checked["issues"]] == [
        (f"'{checked['sheet']}'!A5", "value-mapped")], checked


def two_sheet_workbook(admin: Admin) -> Path:
    """Both templates' record sheets in one workbook (prices first), and a notes sheet."""
    admin.run("template", "product-price", "-o", admin / "pp.xlsx", expect=0)
    admin.run("template", "customer-part", "-o", admin / "cp.xlsx", expect=0)
    book = fill(admin / "pp.xlsx", ROWS["product-price"], admin / "both.xlsx")
    wb = load_workbook(book)
    cp = wb.create_sheet("Customer Part", 1)
    header = header_of(load_workbook(admin / "cp.xlsx").worksheets[0])
    cp.append(header)
    for values in ROWS["customer-part"]:
        cp.append([values.get(h) for h in header])
    wb.create_sheet("Notes")["A1"] = "December price list, approved"
    wb.save(book)
    return book


def test_the_month_of_a_two_sheet_workbook_in_the_cli(tmp_path):
    admin = Admin(tmp_path)
    book = two_sheet_workbook(admin)
    checked = admin.json("validate", book, expect=0)
    assert [s["rows"] for s in checked["sheets"]] == [4, 4]
    checked = admin.json("validate", book, "--sandbox", expect=1)
    assert checked["errors"] == 2
    dry = admin.json("import", book, "--sandbox", "--dry-run", expect=1)
    assert dry["calls"] == 0 and not (admin / "both.failed.xlsx").exists()
    done = admin.json("import", book, "--sandbox", expect=1)
    assert done["counts"] == {"CREATED": 6, "INVALID": 2}, done
    results = Path(done["results"])
    for sheet, entity in (("Product Price", "product-price"), ("Customer Part", "customer-part")):
        assert_typed(results, entity, sheet)
    failed = Path(done["failed_rows"])
    assert load_workbook(failed).sheetnames == ["Product Price", "Customer Part"]
    set_cells(failed, fix_wrong_id)
    fixed = admin.json("import", failed, "--sandbox", expect=0)
    assert fixed["counts"] == {"CREATED": 2}, fixed
    # month 2: the same workbook, its id fixed and two prices a sheet raised
    set_cells(book, fix_wrong_id)
    for sheet, entity in (("Product Price", "product-price"), ("Customer Part", "customer-part")):
        set_cells(book, raise_two_prices(PRICE_FIELD[entity]), sheet)
    month2 = admin.json("import", book, "--sandbox", "--skip-unchanged", expect=0)
    assert [s["counts"] for s in month2["sheets"]] == [{"UPDATED": 2, "SKIPPED": 2}] * 2, month2
    for sheet in month2["sheets"]:
        code, out = admin.run("revert", sheet["run_id"], expect=0)
        assert "UPDATED 2" in out
