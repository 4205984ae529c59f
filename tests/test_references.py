"""Wrong part and customer numbers are caught before sending, each with the likely fix."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, stats

from importer.cli import main
from importer.checks.references import Suggester

PASSWORD = "Pw-Ref3rence"


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


@pytest.fixture
def master(tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)
    parts = write_csv(tmp_path / "parts.csv", ["PART_ID", "PART_DESC", "PART_STATUS"], [
        ["000417", "Gasket", "A"], ["PUMP003", "Pump", "A"], ["VALVE-10", "Valve", "A"],
        ["OBS-1", "Old pump", "O"]])
    customers = write_csv(tmp_path / "customers.csv", ["CUSTOMER_ID", "CUST_NAME"], [
        ["ACME", "Acme"], ["00042", "Numeric customer"]])
    return parts, customers


PRICE_HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "SO_UNIT_PRICE"]


def price_file(tmp_path: Path, part_ids: list[str]) -> Path:
    return write_csv(tmp_path / "prices.csv", PRICE_HEADER,
                     [[p, "LP", "2026-12-01", "10"] for p in part_ids])


def validate_json(*args) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["validate", *map(str, args), "--json"])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


def issues_at(report: dict) -> dict[str, dict]:
    return {i["address"]: i for i in report["issues"]}


def test_each_wrong_part_id_is_an_error_at_its_cell_naming_the_likely_id(tmp_path, master):
    parts, _ = master
    src = price_file(tmp_path, ["417", "pump003", "VALVE10", "VALVE 10", "PUMP099", "000417"])
    code, report = validate_json(src, "--parts", parts, "-o", tmp_path / "v.xlsx")
    assert code == 1
    at = issues_at(report)
    for cell, wanted in (("prices!A2", "000417"), ("prices!A3", "PUMP003"),
                         ("prices!A4", "VALVE-10"), ("prices!A5", "VALVE-10")):
        assert at[cell]["code"] == "unknown-part" and at[cell]["severity"] == "error"
        assert f"did you mean {wanted}?" in at[cell]["message"], at[cell]["message"]
    far = at["prices!A6"]
    assert far["code"] == "unknown-part" and "did you mean" not in far["message"]
    assert "PUMP099 is not in the parts file parts.csv" in far["message"]
    assert "prices!A7" not in at  # the right id passes
    assert report["invalid_rows"] == [2, 3, 4, 5, 6]


def test_wrong_customer_ids_get_their_case_and_leading_zeros_back(tmp_path, master):
    parts, customers = master
    src = write_csv(tmp_path / "cp.csv", ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID"], [
        ["PUMP003", "acme", "X-1"], ["PUMP003", "42", "X-2"], ["PUMP003", "ZENITH-INDUSTRIES",
                                                            "X-3"], ["PUMP003", "ACME", "X-4"]])
    code, report = validate_json(src, "--parts", parts, "--customers", customers,
                                 "-o", tmp_path / "v.xlsx")
    at = issues_at(report)
    assert code == 1 and set(at) == {"cp!B2", "cp!B3", "cp!B4"}
    assert "did you mean ACME?" in at["cp!B2"]["message"]
    assert "did you mean 00042?" in at["cp!B3"]["message"]
    assert all(i["code"] == "unknown-customer" for i in at.values())
    assert "did you mean" not in at["cp!B4"]["message"]


def test_an_obsolete_part_is_a_warning(tmp_path, master):
    parts, _ = master
    code, report = validate_json(price_file(tmp_path, ["OBS-1"]), "--parts", parts,
                                 "-o", tmp_path / "v.xlsx")
    issue = issues_at(report)["prices!A2"]
    assert code == 0 and issue["code"] == "obsolete-part" and issue["severity"] == "warning"
    assert "PART_STATUS O" in issue["message"]


def test_masterdata_files_can_come_from_the_config_file(tmp_path, master):
    parts, _ = master
    config = tmp_path / "importer.toml"
    config.write_text(f'[masterdata]\nparts = "{parts.name}"\nobsolete_statuses = ["X"]\n')
    code, report = validate_json(price_file(tmp_path, ["pump003", "OBS-1"]), "--config", config,
                                 "-o", tmp_path / "v.xlsx")
    assert code == 1 and [i["code"] for i in report["issues"]] == ["unknown-part"]


def test_nothing_invalid_is_sent(tmp_path, master, sandbox_factory):
    parts, customers = master
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, parts_file=parts, customers_file=customers)
    src = price_file(tmp_path, ["417", "PUMP003", "PUMP099"])
    result = CliRunner().invoke(main, [
        "import", str(src), "--parts", str(parts), "--json", "--url", sb.url,
        "--data-source", sb.data_source, "--user", sb.user, "--journal", str(tmp_path / "j")],
        env={"IMPORTER_PASSWORD": PASSWORD})
    summary = json.loads(result.stdout)
    assert summary["counts"] == {"CREATED": 1, "INVALID": 2}, result.output
    assert sum(stats(sb.url)["calls"]["/api/product-price-create"].values()) == 1


def test_what_the_erp_said_was_not_found_is_warned_about_on_the_same_server(tmp_path, master,
                                                                             sandbox_factory):
    sb = sandbox_factory(users={"APIUSER": PASSWORD})  # demo data: X1 is no part
    journal = tmp_path / "j.sqlite"
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user,
            "--journal", str(journal)]
    first = CliRunner().invoke(main, ["import", str(price_file(tmp_path, ["X1", "PUMP001"])),
                                      "--json", *conn], env={"IMPORTER_PASSWORD": PASSWORD})
    assert json.loads(first.stdout)["counts"] == {"CREATED": 1, "FAILED": 1}, first.output
    later = write_csv(tmp_path / "later.csv", PRICE_HEADER, [["PUMP001", "LP", "2027-01-01", "9"],
                                                            ["X1", "LP", "2027-01-01", "9"]])
    code, report = validate_json(later, *conn, "-o", tmp_path / "v.xlsx")
    assert code == 0 and len(report["issues"]) == 1, report["issues"]
    issue = report["issues"][0]
    assert issue["address"] == "later!A3" and issue["code"] == "part-not-found-before"
    assert issue["severity"] == "warning" and "X1 does not exist" in issue["message"]
    other = ["--url", "http://erp.example.com", "--data-source", sb.data_source,
             "--journal", str(journal)]
    assert validate_json(later, *other, "-o", tmp_path / "v.xlsx")[1]["issues"] == []


@pytest.mark.parametrize("wrong, right", [
    ("417", ["000417"]), ("0417", ["000417"]), ("pump003", ["PUMP003"]),
    (" PUMP003", ["PUMP003"]), ("VALVE 10", ["VALVE-10"]), ("valve_10", ["VALVE-10"]),
    ("VALVE10", ["VALVE-10"]), ("PUMP03", ["PUMP003"]), ("VALVE-1O", ["VALVE-10"]),
    ("PUMP099", []), ("X1", []), ("COMPLETELY-ELSE", []),
])
def test_suggestions(wrong, right):
    assert Suggester(["000417", "PUMP003", "VALVE-10", "OBS-1"]).suggest(wrong) == right


def test_equally_near_ids_are_all_suggested():
    assert Suggester(["PUMP-001", "PUMP-002", "HOSE-050"]).suggest("PUMP-00") == [
        "PUMP-001", "PUMP-002"]


def test_only_edits_that_reach_a_known_length_are_tried_and_find_the_same_ids():
    from importer.checks.references import one_edit_away

    alphabet = "-0123456789ACEPRTU"
    for wrong in ("PART-1234X", "PART-123", "PART-123456", "PRAT-12345", "CUST012"):
        everything = one_edit_away(wrong, alphabet)
        pruned = one_edit_away(wrong, alphabet, frozenset({8, 10}))
        assert pruned <= everything
        assert {t for t in everything if len(t) in (8, 10)} == pruned
    known = ["PART-12345", "CUST0123", "000417"]
    assert Suggester(known).suggest("PART-1234X") == ["PART-12345"]
    assert Suggester(known).suggest("PRAT-12345") == ["PART-12345"]
    assert Suggester(known).suggest("CUST01234") == ["CUST0123"]
    assert Suggester(known).suggest("CUST013") == ["CUST0123"]
