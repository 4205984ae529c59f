"""Value maps over real HTTP against the sandbox: a saved [values.*] map and a fix accepted with
`importer remember` turn what a file writes into the value meant, with a warning at each cell;
an accepted fix applies to its server and data source only (no mocks)."""
import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records

from importer.cli import main
from importer.sandbox.demo import DEMO_PARTS

PASSWORD = "Pw-S3cret-values"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD}, data_sources=("DEMO", "OTHER"))


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def write_csv(path: Path, rows: list[list[str]], header=HEADER) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return str(path)


def cli(args: list[str], sb, tmp_path: Path, data_source: str = "DEMO", user: bool = True):
    conn = ["--url", sb.url, "--data-source", data_source] + (["--user", sb.user] if user else [])
    return CliRunner().invoke(main, [*args, *conn, "--journal", str(tmp_path / "j")],
                              env={"IMPORTER_PASSWORD": PASSWORD}, catch_exceptions=False)


def mapped(result) -> dict[str, str]:
    return {i["address"]: i["message"] for i in json.loads(result.stdout)["issues"]
            if i["code"] == "value-mapped" and i["severity"] == "warning"}


def test_a_saved_map_turns_euro_into_eur_with_a_warning_at_each_cell(sb, tmp_path):
    (tmp_path / "importer.toml").write_text(
        '[values.product-price.CURR_CODE]\nEuro = "EUR"\n', encoding="utf-8")
    src = write_csv(tmp_path / "p.csv", [
        ["PUMP001", "VM", "2027-01-01", "1", "Euro", "10.00"],
        ["PUMP002", "VM", "2027-01-01", "1", "EUR", "11.00"],
        ["PUMP003", "VM", "2027-01-01", "1", "euro", "12.00"]])
    checked = cli(["validate", src, "--json"], sb, tmp_path, user=False)
    assert checked.exit_code == 0, checked.output
    assert mapped(checked) == {
        "p!E2": "Euro read as EUR: saved mapping, [values.product-price.CURR_CODE] in "
                "importer.toml.",
        "p!E4": "euro read as EUR: saved mapping, [values.product-price.CURR_CODE] in "
                "importer.toml."}
    sent = cli(["import", src, "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    held = {r["PART_ID"]: r["CURR_CODE"] for r in records(sb.url, "product-price")
            if r["PRICE_CODE"] == "VM"}
    assert held == {"PUMP001": "EUR", "PUMP002": "EUR", "PUMP003": "EUR"}
    ws = openpyxl.load_workbook(tmp_path / "p.results.xlsx").worksheets[0]
    assert ws["E2"].value == "Euro" and "read as EUR" in ws["E2"].comment.text

    shown = CliRunner().invoke(main, ["entities", "--json"])
    maps = {d["entity"]: d["value_maps"] for d in json.loads(shown.stdout)}
    assert maps["product-price"] == [{"field": "CURR_CODE", "written": "Euro", "meant": "EUR",
                                      "from": "saved mapping, [values.product-price.CURR_CODE] "
                                              "in importer.toml"}]
    assert maps["customer-part"] == []


def test_an_accepted_id_fix_applies_to_its_server_and_data_source_only(sb, tmp_path):
    parts = write_csv(tmp_path / "parts.csv", [[p["PART_ID"]] for p in DEMO_PARTS],
                      header=["PART_ID"])
    src = write_csv(tmp_path / "p.csv", [["417", "VF", "2027-01-01", "1", "USD", "0.35"]])
    before = cli(["validate", src, "--parts", parts, "--json"], sb, tmp_path, user=False)
    assert before.exit_code == 1 and "000417" in before.output  # suggested, not applied

    kept = cli(["remember", "PART_ID", "417", "000417"], sb, tmp_path, user=False)
    assert kept.exit_code == 0, kept.output
    assert "PART_ID 417 is read as 000417" in kept.output
    after = cli(["validate", src, "--parts", parts, "--json"], sb, tmp_path, user=False)
    assert after.exit_code == 0, after.output
    assert list(mapped(after).values())[0].startswith(
        "417 read as 000417: a fix accepted for this server and data source on ")

    elsewhere = cli(["validate", src, "--parts", parts, "--json"], sb, tmp_path,
                    data_source="OTHER", user=False)
    assert elsewhere.exit_code == 1 and mapped(elsewhere) == {}

    sent = cli(["import", src, "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    assert [r["PART_ID"] for r in records(sb.url, "product-price")
            if r["PRICE_CODE"] == "VF"] == ["000417"]
    refused = cli(["import", src, "--json", "--fresh"], sb, tmp_path, data_source="OTHER")
    assert json.loads(refused.stdout)["counts"] == {"FAILED": 1}  # PART_NOT_FOUND: not mapped

    listed = cli(["remember", "--list", "--json"], sb, tmp_path, user=False)
    assert [(f["field"], f["written"], f["meant"]) for f in json.loads(listed.stdout)] == [
        ("PART_ID", "417", "000417")]
    forgot = cli(["remember", "--forget", "PART_ID", "417"], sb, tmp_path, user=False)
    assert forgot.exit_code == 0 and "Forgot PART_ID 417" in forgot.output
    again = cli(["validate", src, "--parts", parts, "--json"], sb, tmp_path, user=False)
    assert again.exit_code == 1


@pytest.mark.parametrize("toml, words", [
    ('[values.product-prise.CURR_CODE]\nEuro = "EUR"\n', "did you mean [values.product-price"),
    ('[values.product-price.CURR_CDE]\nEuro = "EUR"\n', "Did you mean CURR_CODE?"),
    ('[values.product-price.CURR_CODE]\nEuro = 3\n', 'like Euro = "EUR"'),
])
def test_a_wrong_value_map_is_named(sb, tmp_path, toml, words):
    (tmp_path / "importer.toml").write_text(toml, encoding="utf-8")
    src = write_csv(tmp_path / "p.csv", [["PUMP001", "VM", "2027-01-01", "1", "Euro", "10"]])
    checked = cli(["validate", src], sb, tmp_path, user=False)
    assert checked.exit_code == 2 and words in checked.output, checked.output


def test_remember_says_what_is_wrong(sb, tmp_path):
    for args, words in ((["PART_NO", "417", "000417"], "PART_NO is no field"),
                        (["PART_ID", "417"], "Give FIELD"),
                        (["PART_ID", "417", "417"], "two different texts")):
        done = cli(["remember", *args], sb, tmp_path, user=False)
        assert done.exit_code == 2 and words in done.output, (args, done.output)
