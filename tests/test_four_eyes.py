"""Four eyes ([approval] required = true), over real HTTP against the sandbox (no mocks): nothing
of a file is sent until someone other than the person importing approved it; approving one's own
file is refused; a file or records changed since the approval are refused again. The accounts are
the operating system's (tests set USER and LOGNAME, which getpass reads)."""
import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records

from importer.cli import main
from importer.sandbox.demo import DEMO_PARTS

PASSWORD = "Pw-S3cret-4eyes"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "importer.toml").write_text("[approval]\nrequired = true\n", encoding="utf-8")


def write_csv(path: Path, prices: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *[[PARTS[i], "LP", "2026-12-01", "1", "USD", p]
                                           for i, p in enumerate(prices)]])
    return path


def as_(account: str, command: str, args: list[str], sb, tmp_path: Path):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user]
    return CliRunner().invoke(main, [command, *args, *conn, "--journal", str(tmp_path / "j")],
                              env={"IMPORTER_PASSWORD": PASSWORD, "USER": account,
                                   "LOGNAME": account}, catch_exceptions=False)


def sent(sb) -> dict[str, str]:
    return {r["PART_ID"]: r["SO_UNIT_PRICE"] for r in records(sb.url, "product-price")}


def test_nothing_is_sent_until_someone_else_approves_and_a_changed_file_asks_again(sb, tmp_path):
    src = write_csv(tmp_path / "march.csv", ["10.00", "11.00", "12.00"])
    refused = as_("alice", "import", [str(src)], sb, tmp_path)
    assert refused.exit_code == 1
    assert "needs another person's approval" in refused.output and "nothing was sent" in \
        refused.output
    assert "Traceback" not in refused.output and sent(sb) == {}

    own = as_("alice", "approve", [str(src)], sb, tmp_path)
    assert own.exit_code == 1 and "You (alice) prepared march.csv" in own.output
    still = as_("alice", "import", [str(src)], sb, tmp_path)
    assert still.exit_code == 1 and sent(sb) == {}

    assert as_("bob", "approve", [str(src)], sb, tmp_path).exit_code == 0
    done = as_("alice", "import", [str(src), "--json"], sb, tmp_path)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["counts"] == {"CREATED": 3}
    assert json.loads(done.stdout)["people"] == {"prepared": ["alice"], "approved": ["bob"],
                                                 "sent": ["alice"]}
    assert sent(sb) == {PARTS[0]: "10.00", PARTS[1]: "11.00", PARTS[2]: "12.00"}
    summary = openpyxl.load_workbook(tmp_path / "march.results.xlsx")["Summary"]
    facts = {r[0]: r[1] for r in summary.iter_rows(max_col=2, values_only=True) if r[0]}
    assert (facts["Prepared by"], facts["Approved by"], facts["Sent by"]) == (
        "alice", "bob", "alice")
    listed = json.loads(CliRunner().invoke(
        main, ["runs", "--json", "--journal", str(tmp_path / "j")]).stdout)
    assert (listed[0]["prepared_by"], listed[0]["approved_by"], listed[0]["sent_by"]) == (
        ["alice"], ["bob"], ["alice"])

    edited = write_csv(tmp_path / "march.csv", ["10.00", "11.50", "12.00"])
    again = as_("alice", "import", [str(edited)], sb, tmp_path)
    assert again.exit_code == 1
    assert "march.csv changed since bob approved it" in again.output
    assert sent(sb)[PARTS[1]] == "11.00"


def test_records_changed_since_the_approval_are_refused(sb, tmp_path):
    first = write_csv(tmp_path / "april.csv", ["20.00", "21.00"])
    assert as_("bob", "approve", [str(first)], sb, tmp_path).exit_code == 0
    planned = write_csv(tmp_path / "may.csv", ["20.00", "21.00", "22.00"])
    assert as_("bob", "approve", [str(planned)], sb, tmp_path).exit_code == 0
    assert as_("alice", "import", [str(first)], sb, tmp_path).exit_code == 0  # records change
    refused = as_("alice", "import", [str(planned)], sb, tmp_path)
    assert refused.exit_code == 1
    assert "planned against changed since bob approved it" in refused.output
    assert PARTS[2] not in sent(sb)


def test_a_workbook_of_two_sheets_starts_no_run_until_approved(sb, tmp_path):
    book = openpyxl.Workbook()
    prices = book.active
    prices.title = "Product Price"
    for row in [HEADER, [PARTS[0], "LP", "2026-12-01", "1", "USD", "10.00"]]:
        prices.append(row)
    parts = book.create_sheet("Customer Part")
    for row in [["PART_ID", "CUSTOMER_ID", "CUST_PART_ID"], [PARTS[1], "ABCCORP", "ABC-1"]]:
        parts.append(row)
    book.save(tmp_path / "both.xlsx")
    refused = as_("alice", "import", [str(tmp_path / "both.xlsx")], sb, tmp_path)
    assert refused.exit_code == 1 and "approval" in refused.output
    listed = CliRunner().invoke(main, ["runs", "--json", "--journal", str(tmp_path / "j")])
    assert json.loads(listed.stdout) == []
    assert as_("bob", "approve", [str(tmp_path / "both.xlsx")], sb, tmp_path).exit_code == 0
    done = as_("alice", "import", [str(tmp_path / "both.xlsx"), "--json"], sb, tmp_path)
    assert done.exit_code == 0, done.output
    assert [s["counts"] for s in json.loads(done.stdout)["sheets"]] == [{"CREATED": 1}] * 2
