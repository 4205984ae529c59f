"""A run stopped by Ctrl-C or killed with SIGKILL resumes: no applied row is sent again."""
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

from conftest import records, stats
from test_import import CREATE, PASSWORD, UPDATE, price_rows, run_cli, same_as_rows, write_csv

from importer.runs.runner import run_import
from importer.settings import Settings


def _journaled(journal, statuses=("CREATED", "UPDATED")) -> int:
    if not journal.exists():
        return 0
    db = sqlite3.connect(journal, timeout=5)
    try:
        marks = ",".join("?" * len(statuses))
        return db.execute(f"SELECT COUNT(*) FROM outcomes WHERE status IN ({marks})",
                          statuses).fetchone()[0]
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    finally:
        db.close()


def _start_import(sb, src, journal, tmp_path, *extra, output=True) -> subprocess.Popen:
    """`python -m importer import` against the sandbox, in its own process."""
    out = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) if output else \
        dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.Popen(
        [sys.executable, "-m", "importer", "import", str(src), "--url", sb.url,
         "--data-source", sb.data_source, "--user", sb.user, "--journal", str(journal), *extra],
        env={**os.environ, "IMPORTER_PASSWORD": PASSWORD}, cwd=tmp_path, **out)


def _wait_until_journaled(journal, proc: subprocess.Popen, rows: int) -> None:
    deadline = time.monotonic() + 60
    while _journaled(journal) < rows and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)


def _count(sb, path, status=None) -> int:
    by_status = stats(sb.url)["calls"].get(path, {})
    return by_status.get(status, 0) if status else sum(by_status.values())


def _settled_count(sb, path) -> int:
    previous, current = -1, _count(sb, path)
    while current != previous:
        time.sleep(0.3)
        previous, current = current, _count(sb, path)
    return current


def test_run_killed_with_sigkill_resumes_without_sending_applied_rows_again(sandbox_factory,
                                                                           tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=30,
                         db_path=tmp_path / "sandbox.sqlite")
    rows = price_rows(300)
    src = write_csv(tmp_path / "prices.csv", rows)
    journal = tmp_path / "journal.sqlite"
    proc = _start_import(sb, src, journal, tmp_path, "--workers", "4", output=False)
    _wait_until_journaled(journal, proc, 40)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    applied_at_kill = _journaled(journal)
    assert 40 <= applied_at_kill < 300
    creates_before = _settled_count(sb, CREATE)  # the killed calls finish on the server

    result = run_cli([str(src), "--json"], sb, journal=journal)
    assert result.exit_code == 0, result.output
    assert len(records(sb.url, "product-price")) == 300 and same_as_rows(sb, rows)
    # Only rows without an applied outcome were sent again ...
    assert _count(sb, CREATE) - creates_before <= 300 - applied_at_kill
    # ... every record was created exactly once; only a create that was in flight at the kill
    # (at most one per worker) may have reached the ERP, and is then applied with an update.
    assert _count(sb, CREATE, "200") == 300
    assert _count(sb, UPDATE) <= 4


def test_stopped_run_leaves_rows_not_run_and_the_same_command_finishes_it(sandbox_factory,
                                                                         tmp_path):
    sb = sandbox_factory(latency_ms=30)
    settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user,
                        password=sb.password, journal=tmp_path / "j.sqlite")
    src = write_csv(tmp_path / "p.csv", price_rows(120))
    stop = threading.Event()

    def progress(done, total, counts):
        if done >= 10:
            stop.set()

    first = run_import(src, settings, on_progress=progress, stop_event=stop)
    assert first.exit_code == 1 and first.interrupted
    assert first.counts["NOT_RUN"] > 0 and "same command again" in first.message
    second = run_import(src, settings)
    assert second.exit_code == 0 and second.resumed
    assert second.rows_sent == first.counts["NOT_RUN"]
    assert second.counts == {"CREATED": 120}
    assert _count(sb, CREATE) == 120


def test_ctrl_c_finishes_calls_in_flight_and_says_to_run_again(sandbox_factory, tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=30)
    src = write_csv(tmp_path / "prices.csv", price_rows(300))
    journal = tmp_path / "journal.sqlite"
    proc = _start_import(sb, src, journal, tmp_path)
    _wait_until_journaled(journal, proc, 20)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1, output
    assert "same command again" in output and "Traceback" not in output
    applied = _journaled(journal)
    assert applied + _journaled(journal, ("NOT_RUN",)) == 300
    assert _settled_count(sb, CREATE) == applied == len(records(sb.url, "product-price"))


def test_erp_going_away_mid_run_stops_the_run_instead_of_failing_every_row(sandbox_factory,
                                                                          tmp_path):
    sb = sandbox_factory(latency_ms=30)
    settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user,
                        password=sb.password, journal=tmp_path / "j.sqlite", retries=1,
                        backoff_base=0.05)
    src = write_csv(tmp_path / "p.csv", price_rows(300))

    def progress(done, total, counts):
        if done >= 20 and sb.running:
            sb.stop()

    result = run_import(src, settings, on_progress=progress)
    assert result.exit_code == 3
    assert "stopped answering" in result.message and "same command again" in result.message
    assert result.counts["NOT_RUN"] > 200
    assert result.counts.get("FAILED", 0) <= 16


def test_second_ctrl_c_stops_at_once_and_the_same_command_still_resumes(sandbox_factory,
                                                                       tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=300)
    rows = price_rows(40)
    src = write_csv(tmp_path / "prices.csv", rows)
    journal = tmp_path / "journal.sqlite"
    proc = _start_import(sb, src, journal, tmp_path)
    _wait_until_journaled(journal, proc, 4)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "same command again" in output, output
    assert "Traceback" not in output
    again = run_cli([str(src), "--json"], sb, journal=journal)
    assert again.exit_code == 0, again.output
    assert len(records(sb.url, "product-price")) == 40 and same_as_rows(sb, rows)


def test_password_changed_mid_run_stops_with_exit_3_and_resumes_later(sandbox_factory, tmp_path):
    db = tmp_path / "sandbox.sqlite"
    sb = sandbox_factory(latency_ms=20, db_path=db)
    port = int(sb.url.rsplit(":", 1)[1])
    settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user,
                        password=sb.password, journal=tmp_path / "j.sqlite")
    src = write_csv(tmp_path / "p.csv", price_rows(200))
    swapped = []

    def progress(done, total, counts):  # the ERP restarts with the user's password changed
        if done >= 20 and not swapped:
            sb.stop()
            swapped.append(sandbox_factory(latency_ms=20, db_path=db, port=port,
                                           users={sb.user: "changed"}))

    first = run_import(src, settings, on_progress=progress)
    assert first.exit_code == 3 and "refused the login" in first.message
    assert first.counts["NOT_RUN"] > 100
    second = run_import(src, settings.replace(password="changed"))
    assert second.exit_code == 0 and second.resumed
    assert len(records(swapped[0].url, "product-price")) == 200
