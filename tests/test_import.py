"""`importer import` end to end, over real HTTP against the sandbox (no mocks)."""
import csv
import json
import logging
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records, stats

from importer.cli import main
from importer.entities import PRODUCT_PRICE

PASSWORD = "Pw-S3cret-xyzzy"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE", "NOTES"]
CREATE = "/api/product-price-create"
UPDATE = "/api/product-price-update"


def price_rows(n: int, code: str = "LP", price: str = "10.50") -> list[list[str]]:
    parts = ["PUMP001", "000417", "VALVE-100", "4711", "HOSE-050"]
    return [[parts[i % 5], code, "2026-03-01", str(i // 5 + 1), price, f"note {i}"]
            for i in range(n)]


def write_csv(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def run_cli(args: list[str], sb=None, password: str = PASSWORD, journal: Path | None = None):
    conn = ["--url", sb.url, "--data-source", sb.data_source, "--user", sb.user] if sb else []
    extra = ["--journal", str(journal)] if journal else []
    return CliRunner().invoke(main, ["import", *args, *conn, *extra],
                              env={"IMPORTER_PASSWORD": password}, catch_exceptions=False)


def calls(sb, path: str) -> int:
    return sum(stats(sb.url)["calls"].get(path, {}).values())


def held(sb) -> dict[tuple, dict]:
    return {PRODUCT_PRICE.key_of(r): r for r in records(sb.url, "product-price")}


def same_as_rows(sb, rows, header=HEADER) -> bool:
    by_key = held(sb)
    for row in rows:
        values = dict(zip(header, row))
        record = by_key.get(PRODUCT_PRICE.key_of(values))
        if record is None or any(record[k] != v for k, v in values.items() if v):
            return False
    return True


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD})


@pytest.fixture(autouse=True)
def _no_config_file(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def summary(result) -> dict:
    return json.loads(result.stdout)


def test_create_then_update_changes_only_the_cells_given(sb, tmp_path):
    rows = price_rows(6)
    src = write_csv(tmp_path / "prices.csv", rows)
    first = run_cli([str(src), "--mode", "create", "--json"], sb, journal=tmp_path / "j")
    assert first.exit_code == 0, first.output
    assert summary(first)["counts"] == {"CREATED": 6}
    assert same_as_rows(sb, rows)
    changed = [[r[0], r[1], r[2], r[3], "12.00", ""] for r in rows[:3]]
    upd = write_csv(tmp_path / "changes.csv", changed)
    second = run_cli([str(upd), "--mode", "update", "--json"], sb, journal=tmp_path / "j")
    assert summary(second)["counts"] == {"UPDATED": 3}
    for row in rows[:3]:
        record = held(sb)[tuple(row[:4])]
        assert record["SO_UNIT_PRICE"] == "12.00" and record["NOTES"] == row[5]


def test_upsert_updates_known_keys_and_creates_new_ones_with_one_call_each(sb, tmp_path):
    rows = price_rows(10)
    run_cli([str(write_csv(tmp_path / "a.csv", rows[:6])), "--json"], sb, journal=tmp_path / "j")
    before = calls(sb, CREATE) + calls(sb, UPDATE)
    changed = [r[:4] + ["20.00", r[5]] for r in rows]
    result = run_cli([str(write_csv(tmp_path / "b.csv", changed)), "--json",  # no jump held
                      "--max-price-change", "10000"], sb, journal=tmp_path / "j")
    assert summary(result)["counts"] == {"UPDATED": 6, "CREATED": 4}
    assert calls(sb, CREATE) + calls(sb, UPDATE) - before == 10
    assert same_as_rows(sb, changed)


def test_upsert_switches_to_update_when_the_erp_has_the_record_already(sb, tmp_path):
    rows = price_rows(3)
    run_cli([str(write_csv(tmp_path / "a.csv", rows))], sb, journal=tmp_path / "other-journal")
    changed = [r[:4] + ["30.00", ""] for r in rows]
    result = run_cli([str(write_csv(tmp_path / "b.csv", changed)), "--json"], sb,
                     journal=tmp_path / "j")
    assert summary(result)["counts"] == {"UPDATED": 3}
    assert same_as_rows(sb, changed)


def test_action_column_overrides_the_mode_per_row(sb, tmp_path):
    rows = price_rows(3)
    run_cli([str(write_csv(tmp_path / "a.csv", rows[:1]))], sb, journal=tmp_path / "j")
    actions = [["UPDATE", *rows[0][:4], "1.00", ""], ["SKIP", *rows[1]], ["CREATE", *rows[2]]]
    src = write_csv(tmp_path / "b.csv", actions, ["ACTION", *HEADER])
    result = run_cli([str(src), "--mode", "create", "--json", "--max-price-change", "100"], sb,
                     journal=tmp_path / "j")  # the -9x% price is meant: not held
    assert summary(result)["counts"] == {"UPDATED": 1, "SKIPPED": 1, "CREATED": 1}
    assert tuple(rows[1][:4]) not in held(sb)
    assert held(sb)[tuple(rows[0][:4])]["SO_UNIT_PRICE"] == "1.00"


def test_invalid_rows_are_never_sent(sb, tmp_path):
    rows = price_rows(4)
    rows[1][3] = "ten"
    rows[2][4] = "-5"
    result = run_cli([str(write_csv(tmp_path / "p.csv", rows)), "--json"], sb,
                     journal=tmp_path / "j")
    assert result.exit_code == 1
    assert summary(result)["counts"] == {"CREATED": 2, "INVALID": 2}
    assert calls(sb, CREATE) == 2 and calls(sb, UPDATE) == 0
    assert Path(summary(result)["failed_rows"]).is_file()


def test_second_import_of_a_completed_file_sends_nothing_and_says_fresh(sb, tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(8))
    assert run_cli([str(src)], sb, journal=tmp_path / "j").exit_code == 0
    before = stats(sb.url)["calls"]
    again = run_cli([str(src), "--json"], sb, journal=tmp_path / "j")
    assert again.exit_code == 0
    data = summary(again)
    assert data["already_complete"] and not data["resumed"]
    assert data["rows_sent"] == 0 and data["counts"] == {"CREATED": 8}
    assert "already imported completely in run 1" in data["message"]
    assert "--fresh" in data["message"] and "CREATED 8" in data["message"]
    told = run_cli([str(src)], sb, journal=tmp_path / "j")
    assert told.exit_code == 0 and "--fresh sends every row again" in told.stdout
    assert "Sent" not in told.stdout and "Resumed" not in told.stdout
    after = stats(sb.url)["calls"]
    assert {p: c for p, c in after.items() if p != "/api/auth-token-get"} == \
        {p: c for p, c in before.items() if p != "/api/auth-token-get"}


def test_fresh_starts_a_new_run_that_sends_again(sb, tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(2))
    run_cli([str(src)], sb, journal=tmp_path / "j")
    result = run_cli([str(src), "--fresh", "--json"], sb, journal=tmp_path / "j")
    assert summary(result)["counts"] == {"UPDATED": 2}  # the journal knows the keys exist


def test_dry_run_sends_no_record_calls_and_says_what_it_would_do(sb, tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(3))
    result = run_cli([str(src), "--dry-run", "--json"], sb, journal=tmp_path / "j")
    assert result.exit_code == 0, result.output
    assert summary(result)["counts"] == {"NOT_RUN": 3}
    assert calls(sb, CREATE) == calls(sb, UPDATE) == 0 and records(sb.url, "product-price") == []
    ws = openpyxl.load_workbook(summary(result)["results"]).worksheets[0]
    texts = {str(c.value) for row in ws.iter_rows() for c in row if c.value}
    assert "CREATE (dry run)" in texts


def test_dry_run_needs_no_server(tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(2))
    result = run_cli([str(src), "--dry-run", "--json"], journal=tmp_path / "j")
    assert result.exit_code == 0, result.output
    assert summary(result)["counts"] == {"NOT_RUN": 2}


def test_wrong_password_exits_3_and_sends_nothing(sb, tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(2))
    result = run_cli([str(src)], sb, password="wrong", journal=tmp_path / "j")
    assert result.exit_code == 3
    assert "Traceback" not in result.output and "refused" in result.output
    assert calls(sb, CREATE) == 0


def test_unreachable_server_exits_3(tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(1))
    result = CliRunner().invoke(main, ["import", str(src), "--url", "http://127.0.0.1:9",
                                       "--data-source", "DEMO", "--user", "U", "--journal",
                                       str(tmp_path / "j")], env={"IMPORTER_PASSWORD": "x"})
    assert result.exit_code == 3 and "Cannot reach" in result.output


def test_unusable_file_exits_2_with_one_sentence(sb, tmp_path):
    bad = tmp_path / "notes.csv"
    bad.write_text("hello,world\n1,2\n")
    result = run_cli([str(bad)], sb, journal=tmp_path / "j")
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "Traceback" not in result.output


def test_summary_on_the_console_shows_counts_and_the_results_path(sb, tmp_path):
    src = write_csv(tmp_path / "p.csv", price_rows(3))
    result = run_cli([str(src)], sb, journal=tmp_path / "j")
    assert "CREATED" in result.stdout and "p.results.xlsx" in result.stdout
    assert re.search(r"3/3 rows done", result.stdout)  # plain progress line: not a terminal


def test_no_password_or_token_in_any_output_log_journal_or_workbook(sb, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    rows = price_rows(5)
    rows[1][3] = "ten"
    src = write_csv(tmp_path / "p.csv", rows)
    outputs = [run_cli([str(src), "--json"], sb, journal=tmp_path / "j"),
               run_cli([str(src)], sb, journal=tmp_path / "j"),
               run_cli([str(src), "--dry-run"], sb, journal=tmp_path / "j")]
    texts = [r.output for r in outputs] + [caplog.text]
    for path in tmp_path.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist()]
        elif path.is_file():
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    assert any("p.results.xlsx" in t for t in texts)  # the files were really read
    assert "Logged in" in caplog.text  # and the log was really captured
    token_like = re.compile(r"(?<![0-9A-Fa-f])[0-9A-F]{32}(?![0-9A-Fa-f])")
    for text in texts:
        assert PASSWORD not in text
        assert "AUTH_TOKEN" not in text
        assert not token_like.search(text)


def test_sandbox_option_imports_into_the_built_in_sandbox(tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)  # the rehearsal database is kept there
    src = write_csv(tmp_path / "p.csv", price_rows(4))
    result = CliRunner().invoke(main, ["import", str(src), "--sandbox", "--journal",
                                       str(tmp_path / "j")])
    assert result.exit_code == 0, result.output
    assert "sandbox" in result.output and "CREATED" in result.stdout


def test_a_sandbox_kept_in_a_file_is_the_same_server_on_the_next_run(tmp_path):
    """--sandbox-db restarts the sandbox on a new port each time; the journal still knows it, so
    running the same file again sends nothing and next month's changes go straight to update."""
    db, journal = tmp_path / "rehearsal.sqlite", tmp_path / "j"
    src = write_csv(tmp_path / "p.csv", price_rows(4))
    args = ["import", str(src), "--sandbox", "--sandbox-db", str(db), "--journal", str(journal),
            "--json"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and summary(first)["counts"] == {"CREATED": 4}, first.output
    again = CliRunner().invoke(main, args)
    assert summary(again)["calls"] == 0 and summary(again)["already_complete"], again.output
    write_csv(src, price_rows(4, price="11.25"))
    changed = CliRunner().invoke(main, args)
    assert summary(changed)["counts"] == {"UPDATED": 4}, changed.output
    assert summary(changed)["calls"] == 4  # one update per row, no create tried first

def test_flaky_erp_with_lost_answers_ends_with_every_row_applied_once(sandbox_factory, tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, fail_rate=0.2, lost_response_rate=0.1,
                         seed=11, latency_ms=5)
    rows = price_rows(80)
    result = run_cli([str(write_csv(tmp_path / "p.csv", rows)), "--json", "--retries", "10"],
                     sb, journal=tmp_path / "j")
    assert result.exit_code == 0, result.output
    counts = summary(result)["counts"]
    assert counts.get("CREATED", 0) + counts.get("UPDATED", 0) == 80
    assert len(records(sb.url, "product-price")) == 80 and same_as_rows(sb, rows)
    create_calls = stats(sb.url)["calls"][CREATE]
    # A create answered RECORD_EXISTS (500) only follows a create whose answer was lost (504).
    assert create_calls["200"] + create_calls.get("500", 0) <= 80 + create_calls.get("504", 0)
    assert create_calls.get("504", 0) > 0 and create_calls.get("503", 0) > 0
