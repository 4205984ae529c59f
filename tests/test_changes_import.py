"""What a month's list changes, over real HTTP against the sandbox: the classes in the dry run's
workbook, --skip-unchanged, the price-jump guard and `importer revert` (no mocks)."""
import csv
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, post, records, stats

from importer.cli import main
from importer.entities import PRODUCT_PRICE
from importer.sandbox.demo import DEMO_PARTS
from importer.workbooks.styles import CHANGED

PASSWORD = "Pw-S3cret-changes"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
RECORD_CALLS = ("/api/product-price-create", "/api/product-price-update")


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def month(n: int, date: str = "2026-12-01", price=lambda i: f"{10 + i}.50") -> list[list[str]]:
    return [[PARTS[i % len(PARTS)], "LP", date, str(i // len(PARTS) + 1), "USD", price(i)]
            for i in range(n)]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def cli(command: str, args: list[str], sb, tmp_path: Path):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user]
    if command == "validate":
        conn = conn[:4]
    return CliRunner().invoke(main, [command, *args, *conn, "--journal", str(tmp_path / "j")],
                              env={"IMPORTER_PASSWORD": PASSWORD}, catch_exceptions=False)


def record_calls(sb) -> int:
    calls = stats(sb.url)["calls"]
    return sum(sum(calls.get(p, {}).values()) for p in RECORD_CALLS)


def prices(sb) -> dict[tuple, str]:
    return {PRODUCT_PRICE.key_of(r): r["SO_UNIT_PRICE"] for r in records(sb.url, "product-price")}


def data_sheet(path: Path):
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = {c.value: c.column for c in ws[1] if c.value}
    return wb, ws, headers


def column(ws, headers, name) -> list:
    return [ws.cell(row=r, column=headers[name]).value for r in range(2, ws.max_row + 1)]


def commented_data_cells(ws, headers) -> dict[str, str]:
    """Address -> comment of every data cell (the input's columns, below the header)."""
    last = max(headers[h] for h in HEADER)
    return {c.coordinate: c.comment.text for row in ws.iter_rows(min_row=2, max_col=last)
            for c in row if c.comment}


def test_month_b_shows_what_changes_sends_only_that_and_reverts(sb, tmp_path):
    a = month(20)
    b = [r[:] for r in a]
    for i, price in ((2, "12.75"), (5, "15.00"), (11, "19.99")):
        b[i][5] = price
    b[7][5] = "17.5000"  # the same number written otherwise: unchanged
    b.append([PARTS[0], "LP", "2026-12-01", "9", "USD", "8.00"])
    src_a, src_b = write_csv(tmp_path / "a.csv", a), write_csv(tmp_path / "b.csv", b)
    assert cli("import", [str(src_a)], sb, tmp_path).exit_code == 0

    dry = cli("import", [str(src_b), "--dry-run", "--json"], sb, tmp_path)
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.stdout)["changes"] == {"NEW": 1, "CHANGED": 3, "UNCHANGED": 17,
                                                 "NEW PRICE": 0}
    wb, ws, headers = data_sheet(tmp_path / "b.results.xlsx")
    changes = column(ws, headers, "CHANGE")
    assert changes.count("CHANGED") == 3 and changes.count("NEW") == 1
    assert changes.count("UNCHANGED") == 17
    notes = commented_data_cells(ws, headers)
    assert set(notes) == {"F4", "F7", "F13"}
    assert notes["F4"].startswith("was 12.50 (run 1, ") and notes["F4"].endswith(", +2.0%")
    assert ws["F4"].fill.fgColor.rgb.endswith(CHANGED)
    assert not ws["F9"].fill.fgColor.rgb.endswith(CHANGED)  # 17.5000 = 17.50
    summary = wb["Summary"]
    texts = [[c.value for c in row] for row in summary.iter_rows()]
    assert ["CHANGED", 3] in [row[:2] for row in texts]
    largest = next(i for i, row in enumerate(texts) if str(row[0]).startswith("Largest price"))
    assert texts[largest + 2][:2] == ["F13 SO_UNIT_PRICE", "-7.0%"]  # 21.50 -> 19.99 first

    before = record_calls(sb)
    sent = cli("import", [str(src_b), "--skip-unchanged", "--json"], sb, tmp_path)
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.stdout)["counts"] == {"CREATED": 1, "UPDATED": 3, "SKIPPED": 17}
    assert record_calls(sb) - before == 4
    wb, ws, headers = data_sheet(tmp_path / "b.results.xlsx")
    assert column(ws, headers, "MESSAGE")[0].startswith("Unchanged since run 1 (")
    run_b = json.loads(sent.stdout)["run_id"]
    again = CliRunner().invoke(main, ["report", str(run_b), "-o", str(tmp_path / "again.xlsx"),
                                      "--journal", str(tmp_path / "j")])
    assert again.exit_code == 0, again.output
    _, ws_again, headers_again = data_sheet(tmp_path / "again.xlsx")
    assert column(ws_again, headers_again, "CHANGE") == column(ws, headers, "CHANGE")
    assert commented_data_cells(ws_again, headers_again) == commented_data_cells(ws, headers)

    validated = cli("validate", [str(src_b), "--json"], sb, tmp_path)
    assert json.loads(validated.stdout)["changes"]["UNCHANGED"] == 21
    _, ws, headers = data_sheet(tmp_path / "b.validation.xlsx")
    assert set(column(ws, headers, "CHANGE")) == {"UNCHANGED"}

    preview = cli("revert", [str(run_b), "--dry-run", "--json"], sb, tmp_path)
    assert preview.exit_code == 0, preview.output
    assert json.loads(preview.stdout)["put_back"] == 3
    reverted = cli("revert", [str(run_b), "--json"], sb, tmp_path)
    assert reverted.exit_code == 0, reverted.output
    held = prices(sb)
    for i in (2, 5, 11):
        assert held[PRODUCT_PRICE.key_of(dict(zip(HEADER, a[i])))] == a[i][5]
    to_remove = openpyxl.load_workbook(tmp_path / f"b.revert-{run_b}.to-remove.xlsx").worksheets[0]
    assert [c.value for c in to_remove[2]][:2] == [PARTS[0], "LP"]  # ids text; a date and a
    assert (to_remove["C2"].value.date().isoformat(), to_remove["D2"].value) == (  # number typed
        "2026-12-01", 9)
    result = json.loads(reverted.stdout)["revert_run"]
    assert result["counts"] == {"UPDATED": 3} and result["mode"] == "update"

    c = [r[:] for r in a[:3]]
    c[2][5] = "13.00"
    assert cli("import", [str(write_csv(tmp_path / "c.csv", c))], sb, tmp_path).exit_code == 0
    before = record_calls(sb)
    refused = cli("revert", [str(run_b)], sb, tmp_path)
    assert refused.exit_code == 2
    assert f"{PARTS[2]}/LP/2026-12-01/1" in refused.output and "--force" in refused.output
    assert record_calls(sb) == before


def test_a_price_typo_is_held_and_strict_does_not_send_it(sb, tmp_path):
    a = month(3, price=lambda i: "9.99")
    assert cli("import", [str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    b = [r[:] for r in a]
    b[1][5] = "999"
    src = write_csv(tmp_path / "b.csv", b)
    dry = cli("import", [str(src), "--dry-run", "--json"], sb, tmp_path)
    assert dry.exit_code == 1 and json.loads(dry.stdout)["warnings"] == 1
    assert json.loads(dry.stdout)["counts"]["HELD"] == 1  # held until someone accepts it
    wb, ws, headers = data_sheet(tmp_path / "b.results.xlsx")
    assert "9.99 -> 999" in ws["F3"].comment.text and "was 9.99" in ws["F3"].comment.text
    before = record_calls(sb)
    strict = cli("import", [str(src), "--strict", "--skip-unchanged", "--json"], sb, tmp_path)
    assert strict.exit_code == 1
    assert json.loads(strict.stdout)["counts"] == {"INVALID": 1, "SKIPPED": 2}
    assert record_calls(sb) == before
    assert prices(sb)[PRODUCT_PRICE.key_of(dict(zip(HEADER, b[1])))] == "9.99"


def test_new_prices_from_a_new_date_are_compared_with_the_ones_they_supersede(sb, tmp_path):
    a = month(6, date="2026-12-01", price=lambda i: "10.00")
    assert cli("import", [str(write_csv(tmp_path / "a.csv", a))], sb, tmp_path).exit_code == 0
    b = [[*r[:2], "2027-01-01", *r[3:]] for r in a]
    b[1][5], b[4][5] = "10.50", "18.00"
    dry = cli("import", [str(write_csv(tmp_path / "b.csv", b)), "--dry-run", "--json"], sb,
              tmp_path)
    assert json.loads(dry.stdout)["changes"]["NEW PRICE"] == 6
    _, ws, headers = data_sheet(tmp_path / "b.results.xlsx")
    assert set(column(ws, headers, "CHANGE")) == {"NEW PRICE"}
    notes = commented_data_cells(ws, headers)
    assert set(notes) == {"F3", "F6"}
    assert notes["F3"] == "was 10.00 in the price from 2026-12-01 (run 1, " + \
        notes["F3"].split("(run 1, ")[1]
    assert notes["F3"].endswith("+5.0%")
    assert "+80.0%" in notes["F6"] and "price-jump" not in notes["F6"]
    assert "SO_UNIT_PRICE changes by +80.0%" in notes["F6"]  # the guard's warning, same cell
    assert ws["F3"].fill.fgColor.rgb.endswith(CHANGED)


def test_rows_whose_earlier_values_are_unknown_are_not_revertible(sb, tmp_path):
    from conftest import login

    outside = {"PART_ID": PARTS[0], "PRICE_CODE": "ZZ", "EFFECTIVE_DATE": "2026-12-01",
               "ORDER_QTY": "1", "SO_UNIT_PRICE": "5.00"}
    token = login(sb)
    assert post(sb.url, "/api/product-price-create",
                {**outside, "AUTH_TOKEN": token}).status_code == 200
    rows = [[PARTS[0], "ZZ", "2026-12-01", "1", "USD", "6.00"]]
    done = cli("import", [str(write_csv(tmp_path / "u.csv", rows)), "--mode", "update",
                          "--json"], sb, tmp_path)
    assert json.loads(done.stdout)["counts"] == {"UPDATED": 1}
    before = record_calls(sb)
    reverted = cli("revert", [str(json.loads(done.stdout)["run_id"]), "--json"], sb, tmp_path)
    assert reverted.exit_code == 0, reverted.output
    answer = json.loads(reverted.stdout)
    assert answer["put_back"] == 0 and answer["revert_run"] is None
    assert answer["not_revertible"][0]["key"] == f"{PARTS[0]}/ZZ/2026-12-01/1"
    assert "unknown" in answer["not_revertible"][0]["why"]
    assert record_calls(sb) == before


def test_a_resumed_run_keeps_the_classes_it_was_planned_with(sandbox_factory, tmp_path):
    import threading

    from importer.checks.changes import ChangeRules
    from importer.runs.runner import run_import
    from importer.settings import Settings

    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=40)  # rows end one by one
    settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user, password=PASSWORD,
                        journal=tmp_path / "j")
    a = month(12)
    run_import(write_csv(tmp_path / "a.csv", a), settings)
    b = [[*r[:5], f"{20 + i}.00"] for i, r in enumerate(a)]  # every price changes
    src = write_csv(tmp_path / "b.csv", b)
    stop = threading.Event()

    def progress(done, total, counts):
        if done:
            stop.set()

    first = run_import(src, settings, workers=1, on_progress=progress, stop_event=stop,
                       rules=ChangeRules(max_price_change=1000))
    assert first.interrupted and 0 < first.counts.get("UPDATED", 0) < 12
    second = run_import(src, settings, workers=1, rules=ChangeRules(max_price_change=1000))
    assert second.resumed and second.counts == {"UPDATED": 12}
    assert second.changes == {"NEW": 0, "CHANGED": 12, "UNCHANGED": 0, "NEW PRICE": 0}
    _, ws, headers = data_sheet(tmp_path / "b.results.xlsx")
    assert set(column(ws, headers, "CHANGE")) == {"CHANGED"}
