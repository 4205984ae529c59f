"""SIGKILL at awkward moments (real `importer import` processes against the real sandbox): while
the run writes its workbooks after the last answer, and in the middle of sending run 2 of a price
list before `importer revert 2`. Nothing may be lost: the next command writes the missing
workbooks (and does not advise --fresh), and the revert puts every record back at run 1's value
or names it.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import price_file as prices
from conftest import records

from importer.entities import PRODUCT_PRICE



def price_file(path: Path, n: int, code: str, price: str) -> Path:
    return prices(path, n, code, price)[0]


def importer(sb, journal: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "importer", *args, "--url", sb.url, "--data-source",
            sb.data_source, "--user", sb.user, "--journal", str(journal)]


def env(sb) -> dict[str, str]:
    return {**os.environ, "IMPORTER_PASSWORD": sb.password}


def poll(journal: Path, sql: str, proc: subprocess.Popen, every: float = 0.005) -> bool:
    """Wait until ``sql`` returns a true first value (then True) or the process ends (False)."""
    while proc.poll() is None:
        if journal.exists():
            try:
                with sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1) as db:
                    row = db.execute(sql).fetchone()
                if row and row[0]:
                    return True
            except sqlite3.OperationalError:  # the tables are not there yet
                pass
        time.sleep(every)
    return False


def test_a_kill_after_the_last_answer_leaves_the_results_to_the_next_command(sandbox, tmp_path):
    journal = tmp_path / "journal.sqlite3"
    src = price_file(tmp_path / "finish.csv", 3000, "KILLFIN", "7.50")
    for _attempt in range(5):  # the window is short: try until the kill lands in it
        proc = subprocess.Popen(importer(sandbox, journal, "import", str(src), "--fresh"),
                                env=env(sandbox), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        hit = poll(journal, "SELECT COUNT(*) FROM runs r WHERE r.finished_at IS NOT NULL AND "
                            "r.run_id = (SELECT MAX(run_id) FROM runs) AND NOT EXISTS (SELECT 1 "
                            "FROM outputs o WHERE o.run_id = r.run_id)", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if hit:
            break
    assert hit, "never killed between the run's end and its results workbook"
    assert not list(tmp_path.glob("finish.results*.xlsx"))
    again = subprocess.run(importer(sandbox, journal, "import", str(src)), env=env(sandbox),
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    said = " ".join(again.stdout.split())
    assert "--fresh" not in said and "written now" in said
    assert "nothing sent" in said
    written = list(tmp_path.glob("finish.results*.xlsx"))
    assert len(written) == 1


def test_revert_of_a_run_killed_mid_send_puts_every_record_back_or_names_it(sandbox_factory,
                                                                           tmp_path):
    import json

    sb = sandbox_factory(latency_ms=20, jitter_ms=20)
    journal = tmp_path / "journal.sqlite3"
    run1 = price_file(tmp_path / "march.csv", 1000, "KILLREV", "10.00")
    done = subprocess.run(importer(sb, journal, "import", str(run1)), env=env(sb),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    run2 = price_file(tmp_path / "april.csv", 1000, "KILLREV", "12.00")  # +20%: not held
    proc = subprocess.Popen(importer(sb, journal, "import", str(run2), "--workers", "16"),
                            env=env(sb), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hit = poll(journal, "SELECT COUNT(*) >= 400 FROM outcomes WHERE run_id = 2 AND status = "
                     "'UPDATED'", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert hit, "run 2 ended before it could be killed"

    refused = subprocess.run(importer(sb, journal, "revert", "2"), env=env(sb),
                             capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2
    assert "did not finish" in refused.stderr and "--force" in refused.stderr

    reverted = subprocess.run(importer(sb, journal, "revert", "2", "--force", "--json"),
                              env=env(sb), capture_output=True, text=True, timeout=600)
    assert reverted.returncode == 0, reverted.stderr
    named = {n["key"] for n in json.loads(reverted.stdout)["not_revertible"]}
    held = {PRODUCT_PRICE.describe_key(PRODUCT_PRICE.key_of(r)): r["SO_UNIT_PRICE"]
            for r in records(sb.url, PRODUCT_PRICE.name) if r["PRICE_CODE"] == "KILLREV"}
    assert len(held) == 1000
    wrong = {k: v for k, v in held.items() if float(v) != 10.0 and k not in named}
    assert wrong == {}
