"""Risky prices wait for a decision, over real HTTP against the sandbox (no mocks): a price jump,
an overlapping period and a new price for an obsolete part hold their rows (HELD, not sent) until
`importer approve` accepts them; the next import of the same content sends exactly those, once."""
import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records, stats

from importer.cli import main
from importer.entities import PRODUCT_PRICE
from importer.sandbox.demo import DEMO_PARTS

PASSWORD = "Pw-S3cret-decide"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE", "ORDER_QTY", "CURR_CODE",
          "SO_UNIT_PRICE"]
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
RECORD_CALLS = ("/api/product-price-create", "/api/product-price-update")


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def cli(command: str, args: list[str], sb, tmp_path: Path, env: dict | None = None):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user]
    return CliRunner().invoke(main, [command, *args, *conn, "--journal", str(tmp_path / "j")],
                              env={"IMPORTER_PASSWORD": PASSWORD, **(env or {})},
                              catch_exceptions=False)


def calls_by_body(sb) -> int:
    calls = stats(sb.url)["calls"]
    return sum(sum(calls.get(p, {}).values()) for p in RECORD_CALLS)


def prices(sb) -> dict[tuple, str]:
    return {PRODUCT_PRICE.key_of(r): r["SO_UNIT_PRICE"] for r in records(sb.url, "product-price")}


def key(row: list[str]) -> tuple:
    return PRODUCT_PRICE.key_of(dict(zip(HEADER, row)))


def months():
    """Month A (8 lines, one with an explicit end date) and month B: row 3 +900%, row 5 -99%,
    row 9 a new line whose period starts inside A's ended one; the other rows change a little."""
    a = [[PARTS[i], "LP", "2026-12-01", "", "1", "USD", f"{100 + i}.00"] for i in range(8)]
    a[7][3] = "2027-06-30"
    b = [[*r[:6], f"{101 + i}.00"] for i, r in enumerate(a[:7])]
    b[1][6] = "1010.00"   # row 3: 101.00 -> 1010.00, +900%
    b[3][6] = "1.03"      # row 5: 103.00 -> 1.03, -99%
    b.append([PARTS[7], "LP", "2027-01-01", "", "1", "USD", "108.00"])  # row 9: overlaps
    return a, b


def test_month_b_holds_three_decisions_until_approved_then_sends_them_once(sb, tmp_path):
    a, b = months()
    src_a, src_b = write_csv(tmp_path / "a.csv", a), write_csv(tmp_path / "b.csv", b)
    assert cli("import", [str(src_a)], sb, tmp_path).exit_code == 0

    review = cli("import", [str(src_b), "--dry-run", "--json"], sb, tmp_path)
    assert review.exit_code == 1, review.output
    assert json.loads(review.stdout)["counts"]["HELD"] == 3
    sheet = openpyxl.load_workbook(tmp_path / "b.results.xlsx")["Decisions"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(line[0], line[2]) for line in lines] == [
        ("b!G3", "price-jump"), ("b!G5", "price-jump"), ("b!C9", "overlap")]
    assert lines[0][4:7] == ["101.00", "1010.00", 9.0]  # old, new, +900% as a percent cell
    assert lines[1][4:7] == ["103.00", "1.03", -0.99]
    assert "2027-01-01" in lines[2][7] and lines[2][8].startswith("HELD")

    before_calls, before = calls_by_body(sb), prices(sb)
    held = cli("import", [str(src_b), "--json"], sb, tmp_path)
    assert held.exit_code == 1, held.output
    summary = json.loads(held.stdout)
    assert summary["counts"] == {"UPDATED": 5, "HELD": 3}
    assert calls_by_body(sb) - before_calls == 5
    now = prices(sb)
    for i in (1, 3):  # the sandbox keeps the old prices of the held rows
        assert now[key(b[i])] == before[key(a[i])] == a[i][6]
    assert key(b[7]) not in now
    failed = openpyxl.load_workbook(summary["failed_rows"]).worksheets[0]
    headers = [c.value for c in failed[1]]
    listed = [dict(zip(headers, [c.value for c in row])) for row in failed.iter_rows(min_row=2)]
    price = [c for c in failed[1] if c.value == "SO_UNIT_PRICE"][0].column
    shown = [(c.value, c.number_format) for c in failed.iter_cols(min_col=price, max_col=price,
                                                                  min_row=2).__next__()]
    assert shown == [(1010, "0.00"), (1.03, "0.00"), (108, "0.00")]  # number cells: 1010.00, ..
    assert len(listed) == 3
    assert all(r["REASON"].startswith("Held until accepted: ") for r in listed)
    assert "+900.0%" in listed[0]["REASON"] and "overlaps" in listed[2]["REASON"]
    results = openpyxl.load_workbook(summary["results"])
    statuses = [row[0].value for row in results.worksheets[0].iter_rows(min_row=2, min_col=8,
                                                                        max_col=8)]
    assert statuses.count("HELD") == 3
    again = CliRunner().invoke(main, ["report", str(summary["run_id"]), "-o",
                                      str(tmp_path / "again.xlsx"), "--journal",
                                      str(tmp_path / "j")])
    assert again.exit_code == 0, again.output
    rerendered = openpyxl.load_workbook(tmp_path / "again.xlsx")["Decisions"]
    assert [(r[0].value, r[8].value[:4]) for r in rerendered.iter_rows(min_row=2)] == [
        ("b!G3", "HELD"), ("b!G5", "HELD"), ("b!C9", "HELD")]

    approved = cli("approve", [str(src_b), "--json"], sb, tmp_path, env={"USER": "carol",
                                                                            "LOGNAME": "carol"})
    assert approved.exit_code == 0, approved.output
    answer = json.loads(approved.stdout)
    assert answer["accepted"] == 3 and answer["approved_by"] == "carol"

    before_calls = calls_by_body(sb)
    sent = cli("import", [str(src_b), "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["counts"] == {"UPDATED": 7, "CREATED": 1}
    assert json.loads(sent.stdout)["rows_sent"] == 3
    assert calls_by_body(sb) - before_calls == 3
    now = prices(sb)
    assert (now[key(b[1])], now[key(b[3])], now[key(b[7])]) == ("1010.00", "1.03", "108.00")
    again = cli("import", [str(src_b), "--json"], sb, tmp_path)
    assert again.exit_code == 0 and json.loads(again.stdout)["already_complete"]
    assert calls_by_body(sb) - before_calls == 3


def test_an_edited_file_asks_again_and_only_accepts_the_kind_named(sb, tmp_path):
    a, b = months()
    assert cli("import", [str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    src = write_csv(tmp_path / "b.csv", b)
    only = cli("approve", [str(src), "--only", "overlap", "--json"], sb, tmp_path)
    assert json.loads(only.stdout)["accepted"] == 1
    b[0][6] = "100.50"  # edited after approval: another content
    edited = write_csv(tmp_path / "b.csv", b)
    held = cli("import", [str(edited), "--json"], sb, tmp_path)
    assert held.exit_code == 1
    assert json.loads(held.stdout)["counts"]["HELD"] == 3


def test_strict_keeps_its_meaning_and_an_empty_hold_list_sends_as_before(sb, tmp_path):
    a, b = months()
    assert cli("import", [str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    src = write_csv(tmp_path / "b.csv", b)
    strict = cli("import", [str(src), "--strict", "--dry-run", "--json"], sb, tmp_path)
    assert json.loads(strict.stdout)["counts"].get("HELD") is None
    assert json.loads(strict.stdout)["counts"]["INVALID"] == 3
    (tmp_path / "importer.toml").write_text("[decisions]\nhold = []\n", encoding="utf-8")
    sent = cli("import", [str(src), "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["counts"] == {"UPDATED": 7, "CREATED": 1}


def test_a_bad_decision_kind_in_the_config_is_named(sb, tmp_path):
    (tmp_path / "importer.toml").write_text('[decisions]\nhold = ["price-jmp"]\n',
                                            encoding="utf-8")
    done = cli("import", [str(write_csv(tmp_path / "a.csv", months()[0]))], sb, tmp_path)
    assert done.exit_code == 2
    assert "price-jmp" in done.output and "price-jump, overlap, obsolete" in done.output


def test_history_lists_three_changes_and_the_revert_in_order_with_accounts(sb, tmp_path):
    row = [PARTS[0], "LP", "2026-12-01", "", "1", "USD"]
    env = {"USER": "alice", "LOGNAME": "alice"}
    for n, price in enumerate(("10.00", "11.00", "25.00"), start=1):
        src = write_csv(tmp_path / f"m{n}.csv", [[*row, price]])
        done = cli("import", [str(src), "--json"], sb, tmp_path, env=env)
        if price == "25.00":  # +127%: held until carol accepts it
            assert json.loads(done.stdout)["counts"] == {"HELD": 1}
            assert cli("approve", [str(src)], sb, tmp_path,
                       env={"USER": "carol", "LOGNAME": "carol"}).exit_code == 0
            done = cli("import", [str(src), "--json"], sb, tmp_path, env=env)
        assert done.exit_code == 0, done.output
    third = json.loads(done.stdout)["run_id"]
    reverted = cli("revert", [str(third), "--json"], sb, tmp_path, env={"USER": "dave",
                                                                          "LOGNAME": "dave"})
    assert reverted.exit_code == 0, reverted.output
    revert_run = json.loads(reverted.stdout)["revert_run"]["run_id"]
    assert prices(sb)[key([*row, ""])] == "11.00"

    listed = CliRunner().invoke(main, ["history", PARTS[0], "--price-code", "LP", "--json",
                                       "--journal", str(tmp_path / "j")])
    assert listed.exit_code == 0, listed.output
    events = json.loads(listed.stdout)
    assert [(e["run_id"], e["status"]) for e in events] == [
        (1, "CREATED"), (2, "UPDATED"), (third, "UPDATED"), (revert_run, "UPDATED")]
    assert [[(c["field"], c["old"], c["new"]) for c in e["changes"]] for e in events[1:]] == [
        [("SO_UNIT_PRICE", "10.00", "11.00")], [("SO_UNIT_PRICE", "11.00", "25.00")],
        [("SO_UNIT_PRICE", "25.00", "11.00")]]
    assert [e["os_accounts"] for e in events] == [["alice"], ["alice"], ["alice"], ["dave"]]
    assert {e["erp_user"] for e in events} == {"APIUSER"}
    assert [e["approved_by"] for e in events] == [[], [], ["carol"], []]
    assert events[2]["reverted_by"] == revert_run and events[3]["revert_of"] == third
    assert events[0]["reverted_by"] is None and events[1]["reverted_by"] is None

    shown = CliRunner().invoke(main, ["history", PARTS[0], "--journal", str(tmp_path / "j")],
                               env={"COLUMNS": "200"})
    assert shown.exit_code == 0
    for text in ("SO_UNIT_PRICE: 11.00 -> 25.00", "approved by carol", f"reverted by run "
                 f"{revert_run}", f"revert of run {third}", "sent by dave", "ERP user APIUSER"):
        assert text in shown.output
    nothing = CliRunner().invoke(main, ["history", "NOPE", "--journal", str(tmp_path / "j")])
    assert nothing.exit_code == 0 and "No run of this journal" in nothing.output


def test_a_new_price_for_an_obsolete_part_is_held_but_a_change_to_its_price_is_not(sb, tmp_path):
    parts = tmp_path / "parts.csv"
    parts.write_text(f"PART_ID,PART_STATUS\n{PARTS[0]},A\nOBS-9000,O\n", encoding="utf-8")
    rows = [[PARTS[0], "LP", "2026-12-01", "", "1", "USD", "10.00"],
            ["OBS-9000", "LP", "2026-12-01", "", "1", "USD", "99.00"]]
    src = write_csv(tmp_path / "a.csv", rows)
    held = cli("import", [str(src), "--parts", str(parts), "--json"], sb, tmp_path)
    assert held.exit_code == 1, held.output
    answer = json.loads(held.stdout)
    assert answer["counts"] == {"CREATED": 1, "HELD": 1}
    assert [(d["row"], d["kind"]) for d in answer["decisions"]] == [(3, "obsolete")]
    skipped = cli("approve", [str(src), "--parts", str(parts), "--only", "price-jump",
                              "--json"], sb, tmp_path)
    assert json.loads(skipped.stdout)["accepted"] == 0
    assert cli("import", [str(src), "--parts", str(parts), "--json"], sb,
               tmp_path).exit_code == 1
    assert cli("approve", [str(src), "--parts", str(parts), "--only", "obsolete"], sb,
               tmp_path).exit_code == 0
    sent = cli("import", [str(src), "--parts", str(parts), "--json"], sb, tmp_path)
    assert json.loads(sent.stdout)["counts"] == {"CREATED": 2}
    rows[1][6] = "99.50"  # its existing price changes a little: a warning, not a decision
    changed = cli("import", [str(write_csv(tmp_path / "b.csv", rows)), "--parts", str(parts),
                             "--json"], sb, tmp_path)
    assert changed.exit_code == 0, changed.output
    assert json.loads(changed.stdout)["counts"] == {"UPDATED": 2}
    assert json.loads(changed.stdout)["warnings"] == 1


def test_revert_of_a_run_with_held_rows_puts_back_only_what_it_sent(sb, tmp_path):
    a, b = months()
    assert cli("import", [str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    held = cli("import", [str(write_csv(tmp_path / "b.csv", b)), "--json"], sb, tmp_path)
    run_b = json.loads(held.stdout)["run_id"]
    reverted = cli("revert", [str(run_b), "--json"], sb, tmp_path)
    assert reverted.exit_code == 0, reverted.output
    assert json.loads(reverted.stdout)["revert_run"]["counts"] == {"UPDATED": 5}
    assert prices(sb) == {key(r): r[6] for r in a}
