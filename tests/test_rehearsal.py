"""`import --sandbox --parts --customers`: a rehearsal with the admin's own master data that
remembers its records between runs, and `importer sandbox --list-parts/--list-customers`."""
from __future__ import annotations

import json

from click.testing import CliRunner
from conftest import isolate_from_user
from test_references import write_csv

from importer.cli import main
from importer.runs.rehearsal import rehearsal_db

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"]


def rehearse(src, *args) -> dict:
    result = CliRunner().invoke(main, ["import", str(src), "--sandbox", "--json", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_a_second_rehearsal_updates_what_the_first_created_and_fresh_starts_empty(
        tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)
    parts = write_csv(tmp_path / "parts.csv", ["PART_ID", "PART_STATUS"],
                      [["ZX-1", "A"], ["ZX-2", "A"]])
    customers = write_csv(tmp_path / "customers.csv", ["CUSTOMER_ID"], [["C1"]])
    src = write_csv(tmp_path / "dec.csv", HEADER, [["ZX-1", "LP", "2026-12-01", "1", "10"],
                                                   ["ZX-2", "LP", "2026-12-01", "1", "20"],
                                                   ["PUMP001", "LP", "2026-12-01", "1", "5"]])
    master = ["--parts", parts, "--customers", customers]
    first = rehearse(src, *master)
    # the sandbox serves the admin's parts: a demo part is invalid here, and never sent
    assert first["counts"] == {"CREATED": 2, "INVALID": 1} and first["calls"] == 2, first
    assert rehearsal_db("DEMO").is_file()
    write_csv(src, HEADER, [["ZX-1", "LP", "2026-12-01", "1", "11"],
                            ["ZX-2", "LP", "2026-12-01", "1", "21"]])
    second = rehearse(src, *master)
    assert second["counts"] == {"UPDATED": 2} and second["calls"] == 2, second
    fresh = rehearse(src, *master, "--sandbox-fresh")
    assert fresh["counts"] == {"CREATED": 2} and fresh["calls"] == 2, fresh
    assert fresh["run_id"] != second["run_id"]


def test_sandbox_fresh_needs_sandbox(tmp_path):
    src = write_csv(tmp_path / "p.csv", HEADER, [["PUMP001", "LP", "2026-12-01", "1", "5"]])
    result = CliRunner().invoke(main, ["import", str(src), "--sandbox-fresh", "--dry-run"])
    assert result.exit_code == 2 and "--sandbox-fresh only goes with --sandbox" in result.output


def test_sandbox_lists_the_master_data_it_serves(tmp_path):
    demo = CliRunner().invoke(main, ["sandbox", "--list-parts"])
    lines = demo.output.splitlines()
    assert demo.exit_code == 0 and lines[0].startswith("PART_ID\tPART_DESC")
    assert any(line.startswith("000417\t") for line in lines)
    parts = write_csv(tmp_path / "parts.csv", ["PART_ID"], [["ZX-9"]])
    customers = write_csv(tmp_path / "c.csv", ["CUSTOMER_ID", "CUST_NAME"], [["C9", "Nine"]])
    mine = CliRunner().invoke(main, ["sandbox", "--parts", str(parts), "--customers",
                                     str(customers), "--list-parts", "--list-customers"])
    assert mine.exit_code == 0
    assert [line.split("\t")[0] for line in mine.output.splitlines()] == [
        "PART_ID", "ZX-9", "", "CUSTOMER_ID", "C9"]
