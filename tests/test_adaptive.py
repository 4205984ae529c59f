"""An overloadable sandbox (--capacity, --queue-limit, --overload-status, --capacity-schedule) and
--workers auto finding its capacity without overloading it."""
from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from conftest import isolate_from_user, login, records, stats

from importer.cli import main
from importer.entities import PRODUCT_PRICE
from importer.errors import BadOptions
from importer.runs.runner import run_import
from importer.sandbox.capacity import capacity_at, parse_schedule
from importer.sandbox.demo import DEMO_PARTS
from importer.sandbox.server import SandboxConfig
from importer.settings import Settings

CREATE = PRODUCT_PRICE.create_path


def price_csv(path: Path, n: int, code: str) -> Path:
    parts = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"])
        for i in range(n):
            out.writerow([parts[i % len(parts)], code, "2032-01-01", str(i // len(parts) + 1),
                          "7.5"])
    return path


def at_once(sb, n: int) -> list[requests.Response]:
    """n create calls sent at the same moment, each on its own connection."""
    token = login(sb)
    start, answers = threading.Barrier(n), [None] * n

    def send(i: int) -> None:
        start.wait()
        answers[i] = requests.post(sb.url + CREATE, timeout=30, json={
            "PART_ID": "PUMP001", "PRICE_CODE": "ONCE", "ORDER_QTY": str(i + 1),
            "AUTH_TOKEN": token})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_a_full_queue_is_answered_503_at_once_and_nothing_is_done(sandbox_factory):
    sb = sandbox_factory(capacity=1, queue_limit=1, latency_ms=700)
    answers = at_once(sb, 4)
    assert sorted(a.status_code for a in answers) == [200, 200, 503, 503]
    refused = [a.json() for a in answers if a.status_code == 503]
    assert refused[0]["MESSAGE_CODE"] == "SERVICE_UNAVAILABLE"
    assert len(records(sb.url, PRODUCT_PRICE.name)) == 2
    assert stats(sb.url)["calls"][CREATE] == {"200": 2, "503": 2}


def test_overload_can_be_answered_429_with_retry_after(sandbox_factory):
    sb = sandbox_factory(capacity=1, queue_limit=0, latency_ms=700, overload_status=429)
    answers = at_once(sb, 3)
    refused = [a for a in answers if a.status_code == 429]
    assert len(refused) == 2 and all(a.headers["Retry-After"] == "1" for a in refused)


def test_capacity_schedule_steps_are_read_and_followed():
    steps = parse_schedule("30:2, 0:8 ,60:16")
    assert steps == ((0.0, 8), (30.0, 2), (60.0, 16))
    assert [capacity_at(steps, None, t) for t in (0, 29.9, 30, 59, 61)] == [8, 8, 2, 2, 16]
    assert capacity_at((), 4, 100) == 4
    for bad in ("0-8", "x:2", "5:0", "-1:3"):
        with pytest.raises(BadOptions, match="SECONDS:CAPACITY"):
            SandboxConfig(capacity_schedule=bad).check()


def test_auto_finishes_on_a_two_call_server_with_a_short_queue_without_overloading_it(
        sandbox_factory, tmp_path):
    sb = sandbox_factory(capacity=2, queue_limit=2, latency_ms=10)
    src = price_csv(tmp_path / "auto.csv", 1000, "AUTO")
    s = Settings(url=sb.url, data_source=sb.data_source, user=sb.user, password=sb.password,
                 journal=tmp_path / "j.sqlite3", max_workers=32)
    result = run_import(src, s, workers="auto")
    assert result.exit_code == 0 and result.counts == {"CREATED": 1000}
    answers = stats(sb.url)["calls"][CREATE]
    assert answers.get("503", 0) < 0.02 * sum(answers.values())
    low, high = result.concurrency["min"], result.concurrency["max"]
    assert 1 <= low <= result.concurrency["mean"] <= high <= 32
    assert result.to_dict()["workers"] == "auto"


def test_the_progress_line_and_summary_show_how_many_calls_ran_in_parallel(
        sandbox_factory, tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)
    sb = sandbox_factory(capacity=4, latency_ms=5)
    src = price_csv(tmp_path / "show.csv", 120, "SHOW")
    monkeypatch.setenv("IMPORTER_PASSWORD", sb.password)
    base = [str(src), "--url", sb.url, "--data-source", sb.data_source, "--user", sb.user,
            "--journal", str(tmp_path / "j.sqlite3"), "--workers", "auto", "--max-workers", "6"]
    shown = CliRunner().invoke(main, ["import", *base])
    assert shown.exit_code == 0, shown.output
    assert "calls in parallel)" in shown.output  # the plain progress line
    assert "Workers: auto, 2 to " in shown.output and "time-weighted mean" in shown.output
    as_json = CliRunner().invoke(main, ["import", *base, "--fresh", "--json"])
    summary = json.loads(as_json.output)
    assert summary["workers"] == "auto" and summary["concurrency"]["max"] <= 6


def test_workers_must_be_a_number_or_auto(tmp_path):
    src = price_csv(tmp_path / "w.csv", 1, "W")
    result = CliRunner().invoke(main, ["import", str(src), "--dry-run", "--workers", "lots"])
    assert result.exit_code == 2 and "neither a number from 1 to 64 nor auto" in result.output


def test_an_unusable_capacity_schedule_is_one_sentence_and_exit_2():
    result = CliRunner().invoke(main, ["sandbox", "--port", "0", "--capacity-schedule", "8,2"])
    assert result.exit_code == 2
    assert "--capacity-schedule has an unusable step '8'" in result.output
    assert "Traceback" not in result.output
