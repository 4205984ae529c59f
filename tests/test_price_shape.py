"""A price list's shape against what the ERP holds, over real HTTP against the sandbox: quantity
breaks compared with the known breaks, gaps between validity periods in the file and against
the known lines, each a warning at its cell and an error when configured (no mocks)."""
import csv
import json
from pathlib import Path

from conftest import records

from importer.checks.breaks import known_break_rises
from importer.entities import PRODUCT_PRICE
from test_reprice import _isolated, sb  # noqa: F401 (fixtures)
from test_reprice import PARTS, cli

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE", "CURR_CODE",
          "SO_UNIT_PRICE"]


def write(path: Path, rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return str(path)


def issues(result, code: str) -> dict[str, tuple[str, str]]:
    """address -> (severity, message) of the issues of one code in validate --json."""
    return {i["address"]: (i["severity"], i["message"])
            for i in json.loads(result.stdout)["issues"] if i["code"] == code}


def rules(tmp_path: Path, **levels: str) -> None:
    body = "".join(f'{k} = "{v}"\n' for k, v in levels.items())
    (tmp_path / "importer.toml").write_text(f"[rules.product-price]\n{body}", encoding="utf-8")


def test_a_lone_break_dearer_than_the_known_smaller_break_is_flagged(sb, tmp_path):
    a = [[PARTS[0], "LP", "2026-12-01", "10", "", "USD", "9.00"],
         [PARTS[0], "LP", "2026-12-01", "1", "", "USD", "10.00"]]
    assert cli(["import", write(tmp_path / "a.csv", a)], sb, tmp_path).exit_code == 0
    b = write(tmp_path / "b.csv", [[PARTS[0], "LP", "2027-01-01", "100", "", "USD", "9.50"],
                                   [PARTS[0], "LP", "2027-01-01", "5", "", "USD", "8.00"]])
    checked = cli(["validate", b, "--json"], sb, tmp_path, password=False)
    assert checked.exit_code == 0, checked.output  # warnings only
    found = issues(checked, "price-breaks-known-breaks")
    assert set(found) == {"b!G2", "b!G3"}
    assert found["b!G2"][0] == "warning"
    assert found["b!G2"][1].startswith("SO_UNIT_PRICE 9.50 at quantity 100 is higher than 9.00 "
                                       "at the smaller quantity 10 of the line known from "
                                       "2026-12-01")
    assert "is lower than 9.00 at the larger quantity 10" in found["b!G3"][1]
    # the same break sent again by the file is the file's own: not compared with the known one
    c = write(tmp_path / "c.csv", [[PARTS[0], "LP", "2027-01-01", "100", "", "USD", "9.50"],
                                   [PARTS[0], "LP", "2027-01-01", "10", "", "USD", "9.60"],
                                   [PARTS[0], "LP", "2027-01-01", "1", "", "USD", "9.90"]])
    same = cli(["validate", c, "--json"], sb, tmp_path, password=False)
    assert issues(same, "price-breaks-known-breaks") == {}
    rules(tmp_path, quantity_breaks="error")
    strict = cli(["validate", b, "--json"], sb, tmp_path, password=False)
    assert strict.exit_code == 1
    assert {s for s, _m in issues(strict, "price-breaks-known-breaks").values()} == {"error"}


def test_gaps_between_periods_in_the_file_and_against_known_lines(sb, tmp_path):
    a = [[PARTS[1], "LP", "2026-12-01", "1", "2026-12-15", "USD", "10.00"]]
    assert cli(["import", write(tmp_path / "a.csv", a)], sb, tmp_path).exit_code == 0
    b = write(tmp_path / "b.csv", [
        [PARTS[1], "LP", "2027-01-01", "1", "2027-01-31", "USD", "10.50"],
        [PARTS[1], "LP", "2027-03-01", "1", "", "USD", "10.60"],
        [PARTS[2], "LP", "2027-01-01", "1", "2027-01-31", "USD", "5.00"],
        [PARTS[2], "LP", "2027-02-01", "1", "", "USD", "5.10"]])  # no gap: the next day
    checked = cli(["validate", b, "--json"], sb, tmp_path, password=False)
    assert checked.exit_code == 0, checked.output
    found = issues(checked, "period-gap")
    assert set(found) == {"b!C2", "b!E2", "b!C3"}
    assert found["b!C2"][1].startswith(
        "EFFECTIVE_DATE 2027-01-01 leaves 2026-12-16 to 2026-12-31 without a price after a "
        "price line imported earlier")
    assert found["b!E2"][1].startswith("END_DATE 2027-01-31 leaves 2027-02-01 to 2027-02-28 "
                                       "without a price before row 3")
    assert "start this period on 2027-02-01" in found["b!C3"][1]
    rules(tmp_path, period_gaps="error")
    strict = cli(["validate", b, "--json"], sb, tmp_path, password=False)
    assert strict.exit_code == 1 and json.loads(strict.stdout)["invalid_rows"] == [2, 3]
    rules(tmp_path, period_gaps="off")
    off = cli(["validate", b, "--json"], sb, tmp_path, password=False)
    assert issues(off, "period-gap") == {}


def test_close_previous_makes_a_known_line_ending_later_no_overlap(sb, tmp_path):
    a = [[PARTS[3], "LP", "2026-12-01", "1", "2027-06-30", "USD", "10.00"]]
    assert cli(["import", write(tmp_path / "a.csv", a)], sb, tmp_path).exit_code == 0
    b = write(tmp_path / "b.csv", [[PARTS[3], "LP", "2027-01-01", "1", "", "USD", "10.50"]])
    assert issues(cli(["validate", b, "--json"], sb, tmp_path, password=False),
                  "overlapping-period")
    (tmp_path / "importer.toml").write_text("[rules.product-price]\nclose_previous = true\n",
                                            encoding="utf-8")
    assert not issues(cli(["validate", b, "--json"], sb, tmp_path, password=False),
                      "overlapping-period")
    sent = cli(["import", b, "--json"], sb, tmp_path)
    assert json.loads(sent.stdout)["counts"] == {"CREATED": 1, "UPDATED": 1}
    held = {PRODUCT_PRICE.key_of(r): r["END_DATE"] for r in records(sb.url, "product-price")}
    assert held[PRODUCT_PRICE.key_of(dict(zip(HEADER, a[0])))] == "2026-12-31"


def test_known_breaks_use_the_line_in_force_on_the_rows_date():
    known = [{"PART_ID": "P", "PRICE_CODE": "LP", "EFFECTIVE_DATE": d, "ORDER_QTY": "10",
              "END_DATE": e, "CURR_CODE": "USD", "SO_UNIT_PRICE": p}
             for d, e, p in (("2026-01-01", "2026-11-30", "5.00"), ("2026-12-01", "", "9.00"))]
    row = {"PART_ID": "P", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-06-01",
           "ORDER_QTY": "100", "CURR_CODE": "USD", "SO_UNIT_PRICE": "6.00"}
    assert known_break_rises(PRODUCT_PRICE, {2: row}, known)[(2, "SO_UNIT_PRICE")].startswith(
        "SO_UNIT_PRICE 6.00 at quantity 100 is higher than 5.00")
    assert known_break_rises(PRODUCT_PRICE, {2: {**row, "EFFECTIVE_DATE": "2027-01-01"}},
                             known) == {}
    assert known_break_rises(PRODUCT_PRICE, {2: {**row, "CURR_CODE": "EUR"}}, known) == {}
