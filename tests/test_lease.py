"""One import at a time per run: a second process refuses, a gone owner's lease is taken over.

Real processes against a real sandbox; the lease's judgements (which owner is gone) with plain
values and real pids.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import records
from test_import import CREATE, UPDATE, price_rows, same_as_rows, write_csv
from test_import_resume import (_count, _journaled, _settled_count, _start_import,
                                _wait_until_journaled)

from importer.cli import main
from importer.errors import JournalBusy
from importer.journal.store import Journal
from importer.journal.lease import STALE_AFTER, Holder, LeaseLost, RunBusy, RunLease, Scope, clock
from importer.journal.owner import Owner, is_running, start_token
from importer.runs.runner import run_import
from importer.settings import Settings

PASSWORD = "Pw-S3cret-xyzzy"
BUSY = ("run 1 of prices.csv is being imported by process {pid} on this machine since {since}; "
        "wait for it to finish, or stop it (Ctrl-C) and run this again to resume")


@pytest.fixture
def sb(sandbox_factory):
    return sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=30)


def _scope(tmp_path, name="prices.csv", sha="abc") -> Scope:
    return Scope.of("http://erp", "DEMO", "product-price", "prices", sha, tmp_path / name)


def _finished_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _run_ids(journal: Path) -> list[int]:
    db = sqlite3.connect(journal)
    try:
        return [r[0] for r in db.execute("SELECT run_id FROM runs ORDER BY run_id")]
    finally:
        db.close()


def _journal_statuses(journal: Path) -> dict[str, int]:
    db = sqlite3.connect(journal)
    try:
        return dict(db.execute("SELECT status, COUNT(*) FROM outcomes GROUP BY status"))
    finally:
        db.close()


# --- who is gone ------------------------------------------------------------------------------
def test_an_owner_is_gone_when_its_pid_ended_or_was_reused_by_another_program():
    me = Owner.me()
    assert me.gone() is None and is_running(me.pid)
    assert "no longer running" in Owner(me.host, _finished_pid(), "x").gone()
    if start_token(me.pid):  # a platform that tells processes apart by their start time
        assert "now another program" in Owner(me.host, me.pid, "0:1").gone()


def test_another_hosts_owner_is_judged_by_its_heartbeat_alone():
    now = time.time()
    far = Owner("build-01.example", 4242, "x")
    fresh = Holder(1, 1, "/data/p.csv", far, now - 600, now - 3)
    assert fresh.gone(now) is None
    assert "(last heartbeat 3 s ago)" in fresh.busy_sentence(now)
    assert "on host build-01.example" in fresh.busy_sentence(now)
    stale = Holder(1, 1, "/data/p.csv", far, now - 600, now - STALE_AFTER - 5)
    assert "last heartbeat was" in stale.gone(now)
    if start_token(os.getpid()):  # same host name, but another boot or container: its pids
        elsewhere = Owner(Owner.me().host, _finished_pid(), "other-boot:pid:[1]:123")
        assert not elsewhere.on_this_host()  # ... cannot be looked up here
        assert Holder(1, 1, "/data/p.csv", elsewhere, now - 60, now - 3).gone(now) is None


# --- claims -----------------------------------------------------------------------------------
_CLAIM_AT = """
import sys, time
from importer.journal.store import Journal
from importer.journal.lease import RunBusy, RunLease, Scope
journal = Journal(sys.argv[1])
start_at = float(sys.argv[2])
while time.time() < start_at:
    time.sleep(0.001)
try:
    lease = RunLease.claim(journal, Scope.of("http://erp", "DEMO", "product-price", "prices",
                                             "abc", sys.argv[3]))
    print("won", flush=True)
    time.sleep(0.5)  # hold it while the others try
    lease.release()
except RunBusy as exc:
    print(exc, flush=True)
"""


def test_of_processes_claiming_the_same_run_at_the_same_instant_exactly_one_wins(tmp_path):
    start_at = time.time() + 2.0  # after every process has started and opened the journal
    procs = [subprocess.Popen([sys.executable, "-c", _CLAIM_AT, str(tmp_path / "j.sqlite"),
                               str(start_at), str(tmp_path / "prices.csv")],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(4)]
    answers = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert answers.count("won") == 1, answers
    assert all(a.startswith("prices.csv is being imported by process")
               for a in answers if a != "won"), answers


def test_a_lease_on_another_input_entity_or_server_does_not_block(tmp_path):
    with Journal(tmp_path / "j.sqlite") as journal:
        with RunLease.claim(journal, _scope(tmp_path)):
            other_file = _scope(tmp_path, "other.csv", "def")
            other_server = Scope("http://erp2", *list(vars(_scope(tmp_path)).values())[1:])
            for scope in (other_file, other_server):
                RunLease.claim(journal, scope).release()
            with pytest.raises(RunBusy, match="by this process"):  # the same, by content...
                RunLease.claim(journal, _scope(tmp_path, "copy.csv"))
            with pytest.raises(RunBusy):  # ... or by path (the file was edited meanwhile)
                RunLease.claim(journal, _scope(tmp_path, sha="edited"))


def test_a_stale_lease_is_taken_over_and_its_old_holder_can_write_nothing_more(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path) as first, Journal(path) as second:
        old = RunLease.claim(first, _scope(tmp_path), every=3600)
        old.attach(1)
        first.mark_in_flight(1, 2)
        db = sqlite3.connect(path)
        db.execute("UPDATE leases SET heartbeat=heartbeat-?", (STALE_AFTER + 1,))
        db.commit()
        db.close()
        new = RunLease.claim(second, _scope(tmp_path))
        assert new.took_over.startswith("Took over run 1 of prices.csv from this process "
                                        "(importing it since")
        assert "last heartbeat was" in new.took_over
        with pytest.raises(LeaseLost, match="run 1 of prices.csv was taken over by this "
                                            "process since"):
            first.mark_in_flight(1, 3)  # so the row is never sent
        second.mark_in_flight(1, 3)
        old.release()
        new.release()


def test_an_import_whose_lease_is_taken_over_stops_sending_and_says_why(sb, tmp_path):
    settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user,
                        password=PASSWORD, journal=tmp_path / "j.sqlite")
    src = write_csv(tmp_path / "prices.csv", price_rows(200, code="LOST"))
    taken = []

    def progress(done, total, counts):  # as if this process had slept past the stale limit
        if done >= 10 and not taken:
            db = sqlite3.connect(settings.journal)
            db.execute("UPDATE leases SET heartbeat=heartbeat-?", (STALE_AFTER + 1,))
            db.commit()
            row = db.execute("SELECT server_url, data_source, entity, sheet, input_sha256, "
                             "input_path FROM leases").fetchone()
            db.close()
            taken.append((RunLease.claim(Journal(settings.journal), Scope(*row)),
                          _count(sb, CREATE)))

    with pytest.raises(LeaseLost, match="so it stopped sending; let the other one finish"):
        run_import(src, settings, on_progress=progress)
    lease, creates_when_taken = taken[0]
    assert _settled_count(sb, CREATE) <= creates_when_taken + 4  # only the calls in flight
    lease.release()


def test_a_journal_locked_too_long_by_another_program_is_one_sentence(tmp_path):
    path = tmp_path / "j.sqlite"
    Journal(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Journal(path, busy_timeout=0.3) as journal:
            with pytest.raises(JournalBusy, match=r"stayed locked by another program for over "
                                                  r"0.3 s; close whatever holds it open"):
                journal.mark_in_flight(1, 2)
    finally:
        other.execute("ROLLBACK")
        other.close()


# --- imports in real processes ----------------------------------------------------------------
def _cli(sb, src, journal, tmp_path, *extra) -> subprocess.Popen:
    return _start_import(sb, src, journal, tmp_path, "--workers", "4", *extra)


def _pid_since(journal: Path) -> tuple[int, str]:
    db = sqlite3.connect(journal)
    try:
        pid, since = db.execute("SELECT pid, since FROM leases").fetchone()
    finally:
        db.close()
    return pid, clock(since)


def test_a_second_import_of_the_same_run_refuses_and_every_row_is_sent_once(sandbox_factory,
                                                                          tmp_path):
    # slow enough (about 8 s of sending) that the second process starts while the first sends
    sb = sandbox_factory(users={"APIUSER": PASSWORD}, latency_ms=100)
    rows = price_rows(320)
    src = write_csv(tmp_path / "prices.csv", rows)
    journal = tmp_path / "j.sqlite"
    first = _cli(sb, src, journal, tmp_path)
    _wait_until_journaled(journal, first, 8)
    pid, since = _pid_since(journal)
    assert pid == first.pid

    listed = CliRunner().invoke(main, ["runs", "--journal", str(journal), "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)[0]["in_progress"]["pid"] == first.pid

    # a revert of the run being sent is refused, even with --force: the rows are still moving
    reverted = CliRunner().invoke(main, [
        "revert", "1", "--force", "--journal", str(journal), "--url", sb.url, "--data-source",
        sb.data_source, "--user", "APIUSER"], env={"IMPORTER_PASSWORD": PASSWORD})
    assert reverted.exit_code == 2, reverted.output
    assert BUSY.format(pid=first.pid, since=since) in " ".join(reverted.output.split())
    assert _count(sb, UPDATE) == 0

    second = _cli(sb, src, journal, tmp_path, "--json")
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 2, out
    assert BUSY.format(pid=first.pid, since=since) in out and "Traceback" not in out
    out, _ = first.communicate(timeout=120)
    assert first.returncode == 0, out

    assert _settled_count(sb, CREATE) == 320 and _count(sb, UPDATE) == 0
    assert same_as_rows(sb, rows) and len(records(sb.url, "product-price")) == 320
    assert _journal_statuses(journal) == {"CREATED": 320} and _run_ids(journal) == [1]


def test_two_imports_started_at_once_on_a_new_journal_make_one_run_and_send_once(sb, tmp_path):
    rows = price_rows(200, code="RACE")
    src = write_csv(tmp_path / "prices.csv", rows)
    journal = tmp_path / "j.sqlite"
    procs = [_cli(sb, src, journal, tmp_path, "--json") for _ in range(2)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    codes = sorted(p.returncode for p in procs)
    assert codes in ([0, 0], [0, 2]), outs
    if codes == [0, 0]:  # the second one started after the first had finished: nothing left
        assert sorted(json.loads(o)["rows_sent"] for o in outs) == [0, 200], outs
    assert _settled_count(sb, CREATE) == 200 and _count(sb, UPDATE) == 0
    assert _journal_statuses(journal) == {"CREATED": 200} and _run_ids(journal) == [1]


def test_a_run_killed_mid_send_is_taken_over_at_once_and_each_row_applied_once(sb, tmp_path):
    rows = price_rows(300, code="KILL")
    src = write_csv(tmp_path / "prices.csv", rows)
    journal = tmp_path / "j.sqlite"
    first = _start_import(sb, src, journal, tmp_path, "--workers", "4", output=False)
    _wait_until_journaled(journal, first, 30)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    applied = _journaled(journal)
    assert 30 <= applied < 300

    again = _cli(sb, src, journal, tmp_path)  # no waiting: the owner is gone, not stale
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0, out
    assert (f"Took over run 1 of prices.csv from process {first.pid} on this machine" in out
            and f"process {first.pid} is no longer running" in out), out
    # Only the creates in flight at the kill (one per worker) were made twice; one that reached
    # the ERP is refused as existing the second time and the row is applied with an update.
    assert _settled_count(sb, CREATE) - 300 <= 4 and _count(sb, UPDATE) <= 4
    assert _count(sb, CREATE, "200") == 300 and same_as_rows(sb, rows)
    statuses = _journal_statuses(journal)
    assert statuses.get("UPDATED", 0) == _count(sb, UPDATE)
    assert statuses.get("CREATED", 0) + statuses.get("UPDATED", 0) == 300


def test_imports_of_two_files_into_one_journal_at_once_both_finish(sb, tmp_path):
    a = write_csv(tmp_path / "a.csv", price_rows(150, code="FA"))
    b = write_csv(tmp_path / "b.csv", price_rows(150, code="FB"))
    journal = tmp_path / "j.sqlite"
    procs = [_cli(sb, src, journal, tmp_path) for src in (a, b)]
    outs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert all("locked" not in o and "Traceback" not in o for o in outs), outs
    assert _settled_count(sb, CREATE) == 300 and _count(sb, UPDATE) == 0
    assert _journal_statuses(journal) == {"CREATED": 300} and _run_ids(journal) == [1, 2]
