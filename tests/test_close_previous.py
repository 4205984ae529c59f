"""close_previous over real HTTP against the sandbox: importing next month's list ends each line
it supersedes on the day before, as rows of the same run (shown in the dry run, journaled), and
`importer revert` puts the old END_DATE back (no mocks)."""
import csv
import json
from pathlib import Path

import openpyxl
from conftest import login, post, records

from importer.checks.closing import plan_closes
from importer.entities import PRODUCT_PRICE
from importer.model import Row
from test_reprice import _isolated, sb  # noqa: F401 (fixtures)
from test_reprice import HEADER, PARTS, PASSWORD, cli, month_a, write_csv


def close_previous(tmp_path: Path, on: bool = True) -> None:
    (tmp_path / "importer.toml").write_text(
        f"[rules.product-price]\nclose_previous = {'true' if on else 'false'}\n",
        encoding="utf-8")


def ends(sb) -> dict[tuple, str]:
    """(PART_ID, PRICE_CODE, EFFECTIVE_DATE, ORDER_QTY) -> END_DATE the sandbox holds."""
    return {PRODUCT_PRICE.key_of(r): r["END_DATE"] for r in records(sb.url, "product-price")}


def key(part, code, day, qty="1"):
    return PRODUCT_PRICE.key_of({"PART_ID": part, "PRICE_CODE": code, "EFFECTIVE_DATE": day,
                                 "ORDER_QTY": qty})


def results_rows(path: Path) -> list[dict]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row)), _row=row[0].row)
            for row in ws.iter_rows(min_row=2)]


def test_next_month_ends_the_old_lines_in_the_same_run_and_revert_reopens_them(sb, tmp_path):
    a = month_a()
    assert cli(["import", str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    close_previous(tmp_path)
    made = cli(["reprice", "--percent", "4", "--round", "0.05", "--effective", "2027-01-01",
                "--price-code", "LP", "-o", "b.xlsx"], sb, tmp_path, password=False)
    assert made.exit_code == 0, made.output
    lp = [r for r in a if r[1] == "LP"]

    dry = cli(["import", "b.xlsx", "--dry-run", "--json"], sb, tmp_path)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["counts"] == {"NOT_RUN": 2 * len(lp)}
    shown = results_rows(tmp_path / "b.results.xlsx")
    closes = [r for r in shown if r["_row"] > len(lp) + 1]
    assert len(closes) == len(lp)
    wb = openpyxl.load_workbook(tmp_path / "b.results.xlsx")
    ws = wb.worksheets[0]
    for r in closes:
        assert r["END_DATE"].date().isoformat() == "2026-12-31"
        assert r["EFFECTIVE_DATE"].date().isoformat() == "2026-12-01"
        note = ws[f"E{r['_row']}"].comment.text
        assert "END_DATE (open) -> 2026-12-31" in note and "the day before row" in note
    assert all(v == "" for v in ends(sb).values())  # a dry run sends nothing

    sent = cli(["import", "b.xlsx", "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    result = json.loads(sent.stdout)
    assert result["counts"] == {"CREATED": len(lp), "UPDATED": len(lp)}
    held = ends(sb)
    for part, code, _day, qty, _cur, _price in a:
        old = held[key(part, code, "2026-12-01", qty)]
        assert old == ("2026-12-31" if code == "LP" else ""), (part, code, qty)
        if code == "LP":
            assert held[key(part, code, "2027-01-01", qty)] == ""

    reverted = cli(["revert", str(result["run_id"]), "--json"], sb, tmp_path)
    assert reverted.exit_code == 0, reverted.output
    assert json.loads(reverted.stdout)["put_back"] == len(lp)
    assert all(held == "" for k, held in ends(sb).items() if k[2] == "2026-12-01")


def test_close_previous_is_off_by_default(sb, tmp_path):
    a = month_a()
    assert cli(["import", str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    b = [[p, c, "2027-01-01", q, cur, "12.00"] for p, c, _d, q, cur, _pr in a[:2]]
    sent = cli(["import", str(write_csv(tmp_path / "b.csv", b)), "--json"], sb, tmp_path)
    assert json.loads(sent.stdout)["counts"] == {"CREATED": 2}
    assert all(v == "" for v in ends(sb).values())


def test_a_close_waits_for_its_new_line(sb, tmp_path):
    """A new line the ERP refuses leaves the old line as it is: its close is NOT_RUN, saying
    which row it waits for."""
    a = month_a()
    assert cli(["import", str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    close_previous(tmp_path)
    taken = {"PART_ID": PARTS[1], "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2027-01-01",
             "ORDER_QTY": "10", "CURR_CODE": "USD", "SO_UNIT_PRICE": "1.00"}
    made = post(sb.url, PRODUCT_PRICE.create_path, {**taken, "AUTH_TOKEN": login(sb)})
    assert made.status_code == 200  # in the ERP, unknown to the journal: CREATE is refused
    with (tmp_path / "b.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER + ["ACTION"],
                                 [PARTS[0], "LP", "2027-01-01", "1", "USD", "11.00", "CREATE"],
                                 [PARTS[1], "LP", "2027-01-01", "10", "USD", "9.99", "CREATE"]])
    sent = cli(["import", "b.csv", "--json"], sb, tmp_path)
    assert sent.exit_code == 1, sent.output
    assert json.loads(sent.stdout)["counts"] == {"CREATED": 1, "FAILED": 1, "UPDATED": 1,
                                                 "NOT_RUN": 1}
    held = ends(sb)
    assert held[key(PARTS[0], "LP", "2026-12-01")] == "2026-12-31"
    assert held[key(PARTS[1], "LP", "2026-12-01", "10")] == ""
    rows = results_rows(tmp_path / "b.results.xlsx")
    waiting = next(r for r in rows if r["STATUS"] == "NOT_RUN")
    assert waiting["PART_ID"] == PARTS[1] and "Not sent: row 3" in waiting["MESSAGE"]
    closed = next(r for r in rows if r["STATUS"] == "UPDATED")  # the file has no END_DATE:
    assert (closed["PART_ID"], closed["CHANGE"]) == (PARTS[0], "CHANGED")  # still CHANGED


def test_plan_closes_takes_the_latest_earlier_line_and_the_earliest_new_date():
    records = [
        {"PART_ID": "P1", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-01-01", "ORDER_QTY": "1",
         "CURR_CODE": "USD", "END_DATE": "2026-11-30"},
        {"PART_ID": "P1", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-12-01", "ORDER_QTY": "1.0",
         "CURR_CODE": "USD", "END_DATE": ""},
        {"PART_ID": "P1", "PRICE_CODE": "EX", "EFFECTIVE_DATE": "2026-12-01", "ORDER_QTY": "1",
         "CURR_CODE": "EUR", "END_DATE": "2027-06-30"},
        {"PART_ID": "P2", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-12-01", "ORDER_QTY": "1",
         "CURR_CODE": "USD", "END_DATE": "2026-12-15"},  # ended before the new line: kept
    ]
    rows = [Row(n, values, []) for n, values in enumerate([
        {"PART_ID": "P1", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2027-03-01", "ORDER_QTY": "1",
         "CURR_CODE": "USD"},
        {"PART_ID": "P1", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2027-01-01", "ORDER_QTY": "1",
         "CURR_CODE": "USD"},
        {"PART_ID": "P1", "PRICE_CODE": "EX", "EFFECTIVE_DATE": "2027-01-01", "ORDER_QTY": "1",
         "CURR_CODE": "EUR"},
        {"PART_ID": "P2", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2027-01-01", "ORDER_QTY": "1",
         "CURR_CODE": "USD"},
        {"PART_ID": "P1", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2027-01-01", "ORDER_QTY": "5",
         "CURR_CODE": "USD"},  # no earlier line of 5 pieces
    ], start=2)]
    got = [(c.key["CURR_CODE"], c.start, c.old_end, c.new_end, c.by_row)
           for c in plan_closes(PRODUCT_PRICE, rows, records)]
    assert got == [("USD", "2026-12-01", "", "2026-12-31", 3),
                   ("EUR", "2026-12-01", "2027-06-30", "2026-12-31", 4)]
    assert plan_closes(PRODUCT_PRICE, rows, records, skip={3, 2}) == plan_closes(
        PRODUCT_PRICE, rows[2:], records)


def test_a_stopped_run_resumes_its_close_rows_from_the_journal(sb, tmp_path):
    """Stopped before anything was sent, the same import resumes the same run: the close rows
    come back from the journal (not planned again) and are sent after their new lines."""
    import threading

    from importer.runs.runner import run_import
    from importer.settings import load_settings

    a = month_a()
    assert cli(["import", str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    close_previous(tmp_path)
    settings = load_settings(sb.url, sb.data_source, sb.user, PASSWORD,
                             journal=tmp_path / "j", environ={})
    b = write_csv(tmp_path / "b.csv", [[p, c, "2027-01-01", q, cur, "8.40"]
                                       for p, c, _d, q, cur, _pr in a if c == "DLR"])
    stop = threading.Event()
    stop.set()
    first = run_import(b, settings, stop_event=stop)
    assert first.counts == {"NOT_RUN": 6} and first.interrupted
    assert all(v == "" for v in ends(sb).values())
    again = run_import(b, settings)
    assert again.run.run_id == first.run.run_id and again.resumed
    assert again.counts == {"CREATED": 3, "UPDATED": 3}
    held = ends(sb)
    assert {k for k, v in held.items() if v == "2026-12-31"} == {
        key(p, "DLR", "2026-12-01") for p, c, *_ in a if c == "DLR"}
