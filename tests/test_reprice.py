"""`importer reprice` over real HTTP against the sandbox: month A imported, next month's list
written from the journal's last known records (prices checked against Python's Decimal),
nothing sent, and the file imported as NEW PRICE lines (no mocks)."""
import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records, stats

from importer.cli import main
from importer.entities import PRODUCT_PRICE
from importer.runs.reprice import RepriceRule, round_price
from importer.sandbox.demo import DEMO_PARTS

PASSWORD = "Pw-S3cret-reprice"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
HELPERS = ["Old price", "Old price from", "Price change", "Percent change"]


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def month_a() -> list[list[str]]:
    """LP lines at 1 and 10 pieces, and a few DLR lines that are not repriced."""
    rows = [[PARTS[i], "LP", "2026-12-01", qty, "USD", price] for i, (qty, price) in enumerate(
        [("1", "10.00"), ("10", "9.37"), ("1", "189.00"), ("1", "0.99"), ("1", "1234.56"),
         ("10", "17.13"), ("1", "5")])]
    rows += [[PARTS[i], "DLR", "2026-12-01", "1", "USD", "8.00"] for i in range(3)]
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def cli(args: list[str], sb, tmp_path: Path, password: bool = True):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user]
    return CliRunner().invoke(main, [*args, *conn, "--journal", str(tmp_path / "j")],
                              env={"IMPORTER_PASSWORD": PASSWORD} if password else {},
                              catch_exceptions=False)


def record_calls(sb) -> int:
    calls = stats(sb.url)["calls"]
    return sum(sum(n for n in by_status.values()) for path, by_status in calls.items()
               if path.startswith("/api/product-price"))


def expected(old: str) -> Decimal:
    """+4 %, to the nearest 0.05 (halves up), worked out here with Decimal alone."""
    raw = Decimal(old) * Decimal("1.04")
    return ((raw / Decimal("0.05")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            * Decimal("0.05")).quantize(Decimal("0.01"))


def sheet_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]


def test_reprice_writes_next_month_from_the_journal_and_import_creates_new_prices(sb, tmp_path):
    a = month_a()
    assert cli(["import", str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    before = record_calls(sb)

    done = cli(["reprice", "--percent", "4", "--round", "0.05", "--effective", "2027-01-01",
                "--price-code", "LP", "-o", "b.xlsx"], sb, tmp_path, password=False)
    assert done.exit_code == 0, done.output
    assert "Wrote 7 rows to" in done.output and "Nothing was sent" in done.output
    assert record_calls(sb) == before  # nothing sent, no login

    rows = sheet_rows(tmp_path / "b.xlsx")
    lp = {(r[0], r[3]): r[5] for r in a if r[1] == "LP"}
    assert len(rows) == len(lp) == 7
    for row in rows:
        old = lp[(row["PART_ID"], str(row["ORDER_QTY"]))]
        assert Decimal(str(row["SO_UNIT_PRICE"])) == expected(old), row
        assert (row["PRICE_CODE"], row["CURR_CODE"], row["END_DATE"]) == ("LP", "USD", None)
        assert row["EFFECTIVE_DATE"].date().isoformat() == "2027-01-01"
        assert row["Old price"] == old and row["Old price from"] == "2026-12-01"
        change = expected(old) - Decimal(old)
        assert Decimal(row["Price change"]) == change
        assert row["Percent change"] == f"{change / Decimal(old) * 100:+.2f}%"
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert wb.sheetnames == ["Product Price", "About"]
    assert not any(isinstance(c.value, str) and c.value.startswith("=")
                   for ws in wb.worksheets for row in ws.iter_rows() for c in row)

    checked = cli(["validate", "b.xlsx", "--json"], sb, tmp_path, password=False)
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)
    assert report["errors"] == 0 and report["changes"]["NEW PRICE"] == 7

    sent = cli(["import", "b.xlsx", "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.stdout)
    assert result["counts"] == {"CREATED": 7}
    assert result["changes"]["NEW PRICE"] == 7
    held = {PRODUCT_PRICE.key_of(r): r["SO_UNIT_PRICE"] for r in records(sb.url, "product-price")}
    for (part, qty), old in lp.items():
        key = PRODUCT_PRICE.key_of({"PART_ID": part, "PRICE_CODE": "LP",
                                    "EFFECTIVE_DATE": "2027-01-01", "ORDER_QTY": qty})
        assert Decimal(held[key]) == expected(old)


def test_reprice_from_a_file_with_an_amount_and_99_endings(sb, tmp_path):
    src = write_csv(tmp_path / "last.csv", month_a())
    done = CliRunner().invoke(main, ["reprice", "--amount", "0.40", "--round", ".99",
                                     "--effective", "2027-02-01", "--from", str(src),
                                     "--part", PARTS[0], "--part", PARTS[2], "-o", "c.csv",
                                     "--journal", str(tmp_path / "j")])
    assert done.exit_code == 0, done.output
    with (tmp_path / "c.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    got = {(r["PART_ID"], r["PRICE_CODE"]): r["SO_UNIT_PRICE"] for r in rows}
    assert got == {(PARTS[0], "LP"): "10.99", (PARTS[0], "DLR"): "8.99",
                   (PARTS[2], "LP"): "189.99", (PARTS[2], "DLR"): "8.99"}


def test_lines_already_priced_from_that_date_are_left_out_and_named(sb, tmp_path):
    a = month_a()
    later = [[PARTS[0], "LP", "2027-01-01", "1", "USD", "11.00"]]
    for name, rows in (("a.csv", a), ("later.csv", later)):
        assert cli(["import", str(write_csv(tmp_path / name, rows))], sb, tmp_path).exit_code == 0
    done = cli(["reprice", "--percent", "4", "--effective", "2027-01-01", "--price-code", "LP",
                "-o", "b.xlsx"], sb, tmp_path, password=False)
    assert done.exit_code == 0, done.output
    assert "Wrote 6 rows" in done.output
    assert f"{PARTS[0]}/LP/1/USD: already has a price from 2027-01-01" in done.output


def test_reprice_options_are_checked_with_a_sentence(sb, tmp_path):
    for args, words in ((["--percent", "4", "--amount", "1"], "either --percent"),
                        (["--percent", "four"], "is not a number"),
                        (["--percent", "4", "--round", "0"], "is not a rounding"),
                        (["--percent", "4"], "--effective"),
                        (["--percent", "4", "--effective", "2027-13-01"], "YYYY-MM-DD"),
                        (["--percent", "4", "--effective", "2027-01-01", "--customer", "X"],
                         "--customer does not apply")):
        done = cli(["reprice", *args], sb, tmp_path, password=False)
        assert done.exit_code == 2 and words in done.output, (args, done.output)
    empty = cli(["reprice", "--percent", "4", "--effective", "2027-01-01"], sb, tmp_path,
                password=False)
    assert empty.exit_code == 2 and "import last month's list first" in empty.output


@pytest.mark.parametrize("value, how, want", [
    ("10.374", "0.01", "10.37"), ("10.375", "0.01", "10.38"), ("10.025", "0.05", "10.05"),
    ("10.024", "0.05", "10.00"), ("10.40", ".99", "10.99"), ("10.99", ".99", "10.99"),
    ("11.00", ".99", "11.99"), ("0.10", ".99", "0.99"), ("12.5", "1", "13.00")])
def test_rounding_rules(value, how, want):
    assert str(round_price(Decimal(value), how)) == want
    assert RepriceRule(percent=Decimal(4), round_to=how).round_to == how


def test_customer_parts_are_repriced_in_place_by_customer():
    from importer.entities import CUSTOMER_PART
    from importer.runs.reprice import parse_rule, plan_reprice

    records = [{"PART_ID": "PUMP001", "CUSTOMER_ID": c, "CUST_PART_ID": f"X-{c}",
                "QUOTE_UNIT_PRIC": p, "CURR_CODE": "USD", "NOTES": "kept in the ERP"}
               for c, p in (("ACME", "100.00"), ("ABCCORP", "50"), ("ACME2", ""))]
    rule = parse_rule(None, "-2.5", "0.01", "2027-01-01", CUSTOMER_PART,
                      customers=("ACME", "ABCCORP"))
    done = plan_reprice(CUSTOMER_PART, records, rule)
    assert done.rows == [
        {"PART_ID": "PUMP001", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "X-ACME",
         "DATE_LAST_QUOTE": "2027-01-01", "QUOTE_UNIT_PRIC": "97.50"},
        {"PART_ID": "PUMP001", "CUSTOMER_ID": "ABCCORP", "CUST_PART_ID": "X-ABCCORP",
         "DATE_LAST_QUOTE": "2027-01-01", "QUOTE_UNIT_PRIC": "47.50"}]
    assert done.helpers[0] == ["100.00", "", "-2.50", "-2.50%"]
