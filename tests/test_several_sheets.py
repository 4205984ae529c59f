"""A workbook with a price sheet, a customer-part sheet and a notes sheet: one command checks and
imports both record sheets, each its own run, into a real sandbox process (no mocks)."""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records, stats

from importer.cli import main
from importer.entities import CUSTOMER_PART, ENTITIES, PRODUCT_PRICE, import_order
from importer.runs.sheetplan import plan_sheets

PASSWORD = "Pw-S3cret-xyzzy"
PRICE_HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"]
CP_HEADER = ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "SO_DESC"]
PRICE_CREATE, CP_CREATE = PRODUCT_PRICE.create_path, CUSTOMER_PART.create_path


def price_rows(n: int) -> list[list[str]]:
    return [["PUMP001", "LP", "2026-03-01", str(i + 1), "10.50"] for i in range(n)]


def cp_rows(n: int) -> list[list[str]]:
    return [["PUMP002", "ABCCORP", f"ABC-{i:04d}", f"pump for line {i}"] for i in range(n)]


def write_book(path: Path, prices: list[list[str]], parts: list[list[str]],
               cp_header: list[str] = CP_HEADER) -> Path:
    """Sheets in the order people keep them: notes first, then customer parts, then prices."""
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["Prices for March; customer parts of ABC."])
    notes.append(["Ask Ann before sending."])
    for title, header, rows in (("Customer Part", cp_header, parts),
                                ("Product Price", PRICE_HEADER, prices)):
        ws = wb.create_sheet(title)
        for cells in [header, *rows]:
            ws.append(cells)
    wb.save(path)
    return path


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def run_cli(command: str, *args, sb=None, journal: Path | None = None):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user] if sb else []
    extra = ["--journal", str(journal)] if journal else []
    return CliRunner().invoke(main, [command, *map(str, args), *conn, *extra],
                              env={"IMPORTER_PASSWORD": PASSWORD}, catch_exceptions=False)


def calls(sb, path: str, status: str | None = None) -> int:
    by_status = stats(sb.url)["calls"].get(path, {})
    return by_status.get(status, 0) if status else sum(by_status.values())


def column(ws, header: str, header_row: int = 1) -> list:
    names = [c.value for c in ws[header_row]]
    index = names.index(header) + 1
    return [ws.cell(row=r, column=index).value for r in range(header_row + 1, ws.max_row + 1)]


def test_one_import_sends_both_record_sheets_names_the_notes_sheet_and_writes_one_workbook(
        sb, tmp_path):
    parts = cp_rows(3)
    parts[1][2] = ""  # CUST_PART_ID missing: INVALID on the second sheet, never sent
    src = write_book(tmp_path / "both.xlsx", price_rows(4), parts)
    result = run_cli("import", src, "--json", sb=sb, journal=tmp_path / "j.sqlite")
    assert result.exit_code == 1, result.output  # the worst sheet: one row invalid
    done = json.loads(result.stdout)
    assert [s["sheet"] for s in done["sheets"]] == ["Product Price", "Customer Part"]
    assert [s["counts"] for s in done["sheets"]] == [{"CREATED": 4}, {"CREATED": 2, "INVALID": 1}]
    assert [s["exit_code"] for s in done["sheets"]] == [0, 1]
    assert len({s["run_id"] for s in done["sheets"]}) == 2  # each sheet is its own run
    assert done["not_read"] == [{"sheet": "Notes",
                                 "reason": "its header names no record type"}]
    # The sandbox holds both kinds of records; the invalid row was never sent.
    assert len(records(sb.url, "product-price")) == 4
    held = sorted(r["CUST_PART_ID"] for r in records(sb.url, "customer-part"))
    assert held == ["ABC-0000", "ABC-0002"]
    assert calls(sb, CP_CREATE) == 2

    book = openpyxl.load_workbook(done["results"])
    assert book.sheetnames == ["Product Price", "Customer Part", "Summary", "Issues"]
    assert column(book["Product Price"], "STATUS") == ["CREATED"] * 4
    assert column(book["Customer Part"], "STATUS") == ["CREATED", "INVALID", "CREATED"]
    assert book["Customer Part"]["C3"].comment is not None  # the empty required cell, in place
    summary = [c.value for c in book["Summary"]["A"] if c.value]
    assert "Sheet Product Price: Product Price" in summary
    assert "Sheet Customer Part: Customer Part" in summary
    issues = book["Issues"]
    assert issues["A2"].value == "Customer Part" and issues["B2"].hyperlink.location == (
        "'Customer Part'!C3")

    terminal = run_cli("import", src, sb=sb, journal=tmp_path / "j.sqlite")
    assert "Sheet Notes was not read: its header names no record type." in terminal.output
    assert terminal.output.count("Notes") == 1


def test_failed_rows_workbook_has_a_sheet_per_record_sheet_and_completes_what_is_missing(
        sb, tmp_path):
    prices, parts = price_rows(3), cp_rows(3)
    prices[2][4] = "ten"  # invalid price on the first sheet
    parts[0][2] = ""  # invalid row on the second sheet
    src = write_book(tmp_path / "both.xlsx", prices, parts)
    journal = tmp_path / "j.sqlite"
    first = json.loads(run_cli("import", src, "--json", sb=sb, journal=journal).stdout)
    failed = openpyxl.load_workbook(first["failed_rows"])
    assert failed.sheetnames == ["Product Price", "Customer Part"]
    price_sheet, cp_sheet = failed["Product Price"], failed["Customer Part"]
    assert price_sheet.max_row == 2 and cp_sheet.max_row == 2  # header + the one row each
    price_sheet.cell(row=2, column=PRODUCT_PRICE.field_names.index("SO_UNIT_PRICE") + 1,
                     value="11.00")
    cp_sheet.cell(row=2, column=CUSTOMER_PART.field_names.index("CUST_PART_ID") + 1,
                  value="ABC-FIXED")
    fixed = tmp_path / "fixed.xlsx"
    failed.save(fixed)

    again = run_cli("import", fixed, "--json", sb=sb, journal=journal)
    assert again.exit_code == 0, again.output
    assert [s["counts"] for s in json.loads(again.stdout)["sheets"]] == [{"CREATED": 1}] * 2
    assert len(records(sb.url, "product-price")) == 3
    assert len(records(sb.url, "customer-part")) == 3


def test_every_sheet_is_checked_before_any_row_of_any_sheet_is_sent(sb, tmp_path):
    src = write_book(tmp_path / "both.xlsx", price_rows(3), [["PUMP002", "X-1"]],
                     cp_header=["PART_ID", "CUST_PART_ID"])  # no CUSTOMER_ID column
    result = run_cli("import", src, sb=sb, journal=tmp_path / "j.sqlite")
    assert result.exit_code == 2
    assert "CUSTOMER_ID" in result.output and "Traceback" not in result.output
    assert calls(sb, PRICE_CREATE) == 0 and calls(sb, CP_CREATE) == 0
    assert records(sb.url, "product-price") == []


def test_dry_run_shows_every_sheet_and_sends_nothing(sb, tmp_path):
    src = write_book(tmp_path / "both.xlsx", price_rows(2), cp_rows(2))
    result = run_cli("import", src, "--dry-run", sb=sb, journal=tmp_path / "j.sqlite")
    assert result.exit_code == 0, result.output
    assert "product-price from both.xlsx, sheet Product Price" in result.output
    assert "customer-part from both.xlsx, sheet Customer Part" in result.output
    assert calls(sb, PRICE_CREATE) == 0 and calls(sb, CP_CREATE) == 0
    book = openpyxl.load_workbook(tmp_path / "both.results.xlsx")
    assert column(book["Customer Part"], "CALL_MADE") == ["CREATE (dry run)"] * 2


def test_sheet_option_imports_that_sheet_alone(sb, tmp_path):
    src = write_book(tmp_path / "both.xlsx", price_rows(2), cp_rows(3))
    result = run_cli("import", src, "--sheet", "Customer Part", "--json", sb=sb,
                     journal=tmp_path / "j.sqlite")
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert done["sheet"] == "Customer Part" and done["counts"] == {"CREATED": 3}
    assert records(sb.url, "product-price") == [] and calls(sb, PRICE_CREATE) == 0
    assert len(records(sb.url, "customer-part")) == 3


def test_entity_narrows_to_the_sheets_of_that_record_type(tmp_path):
    src = write_book(tmp_path / "both.xlsx", price_rows(2), cp_rows(3))
    plan = plan_sheets(src, entity="customer-part")
    assert [t.sheet for t in plan.tables] == ["Customer Part"]
    assert [n.sentence for n in plan.not_read] == [
        "sheet Notes was not read: its header names no record type",
        "sheet Product Price was not read: it holds Product Price records and --entity names "
        "customer-part"]


def test_validate_checks_every_sheet_into_one_workbook(tmp_path):
    parts = cp_rows(2)
    parts[1][2] = ""
    src = write_book(tmp_path / "both.xlsx", price_rows(2), parts)
    result = run_cli("validate", src, "--json")
    assert result.exit_code == 1
    checked = json.loads(result.stdout)
    assert [(s["sheet"], s["errors"]) for s in checked["sheets"]] == [
        ("Product Price", 0), ("Customer Part", 1)]
    assert checked["not_read"][0]["sheet"] == "Notes"
    book = openpyxl.load_workbook(checked["workbook"])
    assert book.sheetnames == ["Product Price", "Customer Part", "Issues"]
    assert column(book["Customer Part"], "STATUS") == ["VALID", "INVALID"]


def test_import_order_comes_from_the_registry_and_its_dependencies():
    assert import_order() == list(ENTITIES.values())
    first = dataclasses.replace(PRODUCT_PRICE, name="a", depends_on=("b",))
    second = dataclasses.replace(CUSTOMER_PART, name="b")
    assert [e.name for e in import_order([first, second])] == ["b", "a"]


# --- kill -9 during the second sheet, then resume ---------------------------------------------
def _applied(journal: Path, entity: str) -> int:
    if not journal.exists():
        return 0
    db = sqlite3.connect(journal, timeout=5)
    try:
        return db.execute("SELECT COUNT(*) FROM outcomes JOIN runs USING (run_id) WHERE "
                          "runs.entity=? AND status IN ('CREATED','UPDATED')",
                          (entity,)).fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def _settled(sb, path: str) -> int:
    previous, current = -1, calls(sb, path)
    while current != previous:
        time.sleep(0.3)
        previous, current = current, calls(sb, path)
    return current


def test_killed_during_the_second_sheet_resumes_sending_each_row_of_both_sheets_once(
        sandbox_factory, tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=30,
                         db_path=tmp_path / "sandbox.sqlite")
    src = write_book(tmp_path / "both.xlsx", price_rows(30), cp_rows(200))
    journal = tmp_path / "journal.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "importer", "import", str(src), "--url", sb.url, "--data-source",
         sb.data_source, "--user", sb.user, "--journal", str(journal), "--workers", "4"],
        env={**os.environ, "IMPORTER_PASSWORD": PASSWORD}, cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while (_applied(journal, CUSTOMER_PART.name) < 30 and time.monotonic() < deadline
           and proc.poll() is None):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _applied(journal, PRODUCT_PRICE.name) == 30  # the first sheet was done
    at_kill = _applied(journal, CUSTOMER_PART.name)
    assert 30 <= at_kill < 200
    _settled(sb, CP_CREATE)  # the killed calls finish on the server

    result = run_cli("import", src, "--json", sb=sb, journal=journal)
    assert result.exit_code == 0, result.output
    done = json.loads(result.stdout)
    assert [s["resumed"] for s in done["sheets"]] == [True, True]
    assert done["sheets"][0]["rows_sent"] == 0  # nothing of the first sheet sent again
    assert len(records(sb.url, "product-price")) == 30
    assert len(records(sb.url, "customer-part")) == 200
    # Every row of both sheets was created exactly once; a create in flight at the kill (at most
    # one per worker) may have reached the ERP and is then applied with an update.
    assert calls(sb, PRICE_CREATE, "200") == 30 and calls(sb, PRICE_CREATE) == 30
    assert calls(sb, CP_CREATE, "200") == 200
    assert calls(sb, CUSTOMER_PART.update_path) <= 4


def test_terminal_shows_each_sheet_and_its_own_progress(sb, tmp_path):
    src = write_book(tmp_path / "both.xlsx", price_rows(4), cp_rows(2))
    result = run_cli("import", src, sb=sb, journal=tmp_path / "j.sqlite")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Sheet Product Price: 4 rows of Product Price" in out
    assert "Sheet Customer Part: 2 rows of Customer Part" in out
    assert "4/4 rows done" in out and "2/2 rows done" in out
    assert out.count("both.results.xlsx") == 1  # one results workbook, named once


def test_a_held_price_in_a_workbook_of_several_sheets_is_on_the_decisions_sheet(sb, tmp_path):
    first = write_book(tmp_path / "march.xlsx", price_rows(2), cp_rows(1))
    assert run_cli("import", first, sb=sb, journal=tmp_path / "j").exit_code == 0
    prices = price_rows(2)
    prices[1][4] = "105.00"  # +900%: held until accepted
    book = write_book(tmp_path / "april.xlsx", prices, cp_rows(1))
    held = run_cli("import", book, "--json", sb=sb, journal=tmp_path / "j")
    assert held.exit_code == 1
    assert json.loads(held.stdout)["counts"] == {"UPDATED": 2, "HELD": 1}
    sheet = openpyxl.load_workbook(tmp_path / "april.results.xlsx")["Decisions"]
    assert [(r[0].value, r[2].value) for r in sheet.iter_rows(min_row=2)] == [
        ("'Product Price'!E3", "price-jump")]
    failed = openpyxl.load_workbook(tmp_path / "april.failed.xlsx")
    assert failed.sheetnames == ["Product Price"]
