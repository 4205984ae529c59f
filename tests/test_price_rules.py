"""A price list's own rules: EFFECTIVE_DATE, a price on every created line, no overlapping
periods (also against what an earlier run imported); configurable, and shown to the person."""
from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user
from test_references import write_csv

from importer.cli import main

PASSWORD = "Pw-Rul3s"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE", "CURR_CODE",
          "SO_UNIT_PRICE", "ACTION"]


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)


def check(tmp_path, rows, *args) -> tuple[int, dict[str, dict]]:
    src = write_csv(tmp_path / "p.csv", HEADER, rows)
    result = CliRunner().invoke(main, ["validate", str(src), "--json", "-o",
                                       str(tmp_path / "v.xlsx"), *map(str, args)])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, {i["address"]: i for i in json.loads(result.stdout)["issues"]}


def test_a_price_line_to_create_needs_a_price_and_an_effective_date(tmp_path):
    code, at = check(tmp_path, [
        ["PUMP001", "LP", "2026-12-01", "1", "", "USD", "", ""],        # 2: no price, created
        ["PUMP001", "LP", "2026-12-01", "10", "", "USD", "", "UPDATE"],  # 3: update: fine
        ["PUMP001", "LP", "", "1", "", "USD", "5", ""]])                 # 4: no date
    assert code == 1 and set(at) == {"p!G2", "p!C4"}
    assert at["p!G2"]["code"] == "price-missing-on-create"
    assert "set ACTION to UPDATE" in at["p!G2"]["message"]
    assert at["p!C4"]["code"] == "effective-date-required"


def test_overlapping_periods_are_warned_on_both_rows_naming_each_other(tmp_path):
    code, at = check(tmp_path, [
        ["PUMP001", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],   # 2 overlaps 3
        ["PUMP001", "LP", "2026-07-01", "1", "", "USD", "11", ""],             # 3
        ["PUMP002", "LP", "2026-01-01", "1", "", "USD", "10", ""],             # 4 open-ended
        ["PUMP002", "LP", "2026-07-01", "1", "", "USD", "11", ""],             # 5 supersedes 4
        ["PUMP003", "LP", "2026-01-01", "1", "2026-06-30", "USD", "10", ""],   # 6 ends in time
        ["PUMP003", "LP", "2026-07-01", "1", "", "USD", "11", ""],             # 7
        ["PUMP004", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],   # 8: other qty
        ["PUMP004", "LP", "2026-07-01", "10", "", "USD", "9", ""],             # 9
        ["PUMP005", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],   # 10: other currency
        ["PUMP005", "LP", "2026-07-01", "1", "", "EUR", "9", ""]])             # 11
    assert code == 0 and set(at) == {"p!E2", "p!C3"}, at
    assert at["p!E2"]["code"] == at["p!C3"]["code"] == "overlapping-period"
    assert at["p!E2"]["severity"] == "warning"
    assert "row 3" in at["p!E2"]["message"] and "row 2" in at["p!C3"]["message"]
    code, strict = check(tmp_path, [
        ["PUMP001", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],
        ["PUMP001", "LP", "2026-07-01", "1.0", "", "USD", "11", ""]], "--strict")
    assert code == 1 and {i["severity"] for i in strict.values()} == {"error"}


def test_a_period_overlapping_one_imported_by_an_earlier_run_is_warned(tmp_path,
                                                                        sandbox_factory):
    sb = sandbox_factory(users={"APIUSER": PASSWORD})
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user,
            "--journal", str(tmp_path / "j.sqlite")]
    january = write_csv(tmp_path / "jan.csv", HEADER, [
        ["PUMP001", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],
        ["PUMP002", "LP", "2026-01-01", "1", "", "USD", "10", ""]])
    first = CliRunner().invoke(main, ["import", str(january), "--json", *conn],
                               env={"IMPORTER_PASSWORD": PASSWORD})
    assert json.loads(first.stdout)["counts"] == {"CREATED": 2}, first.output
    code, at = check(tmp_path, [["PUMP001", "LP", "2026-07-01", "1", "", "USD", "11", ""],
                                ["PUMP002", "LP", "2026-07-01", "1", "", "USD", "11", ""]], *conn)
    assert code == 0 and set(at) == {"p!C2"}, at
    assert "a price line imported earlier (2026-01-01 to 2026-12-31)" in at["p!C2"]["message"]


def test_rules_are_configured_per_entity(tmp_path):
    config = tmp_path / "importer.toml"
    config.write_text('[rules.product-price]\nprice_required_on_create = false\n'
                      'effective_date_required = false\noverlapping_periods = "error"\n')
    code, at = check(tmp_path, [
        ["PUMP001", "LP", "", "1", "", "USD", "", ""],
        ["PUMP002", "LP", "2026-01-01", "1", "2026-12-31", "USD", "10", ""],
        ["PUMP002", "LP", "2026-07-01", "1", "", "USD", "11", ""]], "--config", config)
    assert code == 1 and {i["code"] for i in at.values()} == {"overlapping-period"}
    config.write_text('[rules.product-price]\noverlaping_periods = "off"\n')
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "p.csv"), "--config",
                                       str(config)])
    assert result.exit_code == 2 and "did you mean 'overlapping_periods'?" in result.output


def test_entities_and_the_templates_fields_sheet_show_the_rules(tmp_path):
    shown = CliRunner().invoke(main, ["entities"])
    assert shown.exit_code == 0 and "EFFECTIVE_DATE is required." in shown.output
    data = json.loads(CliRunner().invoke(main, ["entities", "--json"]).stdout)
    rules = {d["entity"]: d["rules"] for d in data}
    assert any("Overlapping validity periods" in r for r in rules["product-price"])
    assert not any("EFFECTIVE_DATE is required" in r for r in rules["customer-part"])
    out = tmp_path / "t.xlsx"
    assert CliRunner().invoke(main, ["template", "product-price", "-o", str(out)]).exit_code == 0
    texts = [c.value for row in openpyxl.load_workbook(out)["Fields"].iter_rows() for c in row]
    assert "Rules (checked by validate and import)" in texts
    assert any(isinstance(t, str) and t.startswith("SO_UNIT_PRICE is required") for t in texts)
