"""Change classes: calls per row of a second month with --skip-unchanged, and the time that
classifying adds to a run.

- A real sandbox process (no injected latency) and `run_import` as `importer import` drives it:
  month A of N rows, then month B where 90% of the rows are unchanged and 10% have a new price,
  with --skip-unchanged. Calls per row are counted by the sandbox's own counters (record calls
  and logins) and by the client. Target: at most 0.12 calls per row.
- Classifying R rows against a journal holding R known records, in-process: loading the last
  known records, classifying every row and storing the classes (what `run_import` adds before
  sending). Median of 3. Target: at most 1 s for 100,000 rows against 100,000 records.

    python bench/bench_changes.py            # 2,000 rows; 100,000 rows x 100,000 records
    python bench/bench_changes.py --quick    # 200 rows; 10,000 x 10,000 (a smoke test)
"""
from __future__ import annotations

import argparse
import csv
import json
import operator
import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import requests
from bench_import import sandbox  # bench/ is on sys.path: this file runs as a script

from importer.checks.changes import ChangeRules, classify_table, counts
from importer.entities import PRODUCT_PRICE
from importer.journal import compact
from importer.journal.history import History, run_changes
from importer.journal.store import Journal
from importer.model import Column, Row, Table
from importer.reading import gc_paused
from importer.runs.runner import run_import
from importer.sandbox.demo import DEMO_DATA_SOURCE, DEMO_PARTS, DEMO_PASSWORD, DEMO_USER
from importer.settings import Settings

FIELDS = ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "NOTES")
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
CHANGED_EVERY = 10  # one row in ten has a new price


def values(i: int, changed: bool = False) -> dict[str, str]:
    price = f"{10 + i % 90}.{'75' if changed else '50'}"
    return {"PART_ID": PARTS[i % len(PARTS)], "PRICE_CODE": "BC", "EFFECTIVE_DATE": "2030-01-01",
            "ORDER_QTY": str(i // len(PARTS) + 1), "CURR_CODE": "USD", "SO_UNIT_PRICE": price,
            "NOTES": f"bench row {i}"}


def write_month(path: Path, n: int, second: bool) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(FIELDS)
        for i in range(n):
            row = values(i, changed=second and i % CHANGED_EVERY == 0)
            writer.writerow([row[k] for k in FIELDS])
    return path


def sandbox_calls(url: str) -> int:
    calls = requests.get(url + "/_sandbox/stats", timeout=10).json()["calls"]
    return sum(sum(by_status.values()) for by_status in calls.values())


def second_month(n: int, tmp: Path) -> dict:
    with sandbox(latency_ms=0) as url:
        settings = Settings(url=url, data_source=DEMO_DATA_SOURCE, user=DEMO_USER,
                            password=DEMO_PASSWORD, journal=tmp / "monthly.sqlite")
        first = run_import(write_month(tmp / "a.csv", n, False), settings, workers=8)
        assert first.counts == {"CREATED": n}, first.counts
        before = sandbox_calls(url)
        second = run_import(write_month(tmp / "b.csv", n, True), settings, workers=8,
                            rules=ChangeRules(skip_unchanged=True))
        http = sandbox_calls(url) - before
    return {"rows": n, "counts": second.counts, "client_calls": second.calls, "http": http,
            "per_row": http / n}


def known_journal(path: Path, n: int, old: bool = False) -> None:
    """A journal whose known_keys hold n product-price records (as imports leave them: with
    their compact copies; ``old``: as journals written before the copies hold them)."""
    with Journal(path):
        pass
    db = sqlite3.connect(path)
    rows = []
    for i in range(n):
        record = {name: "" for name in PRODUCT_PRICE.response_fields}
        record.update(values(i))
        rows.append(("http://bench", "DEMO", PRODUCT_PRICE.name,
                     json.dumps(list(PRODUCT_PRICE.key_of(record))), json.dumps(record),
                     "2030-01-01T00:00:00.000+00:00", 1,
                     None if old else compact.encode(PRODUCT_PRICE, record)))
    db.executemany("INSERT INTO known_keys (server_url, data_source, entity, key, record, "
                   "updated_at, run_id, fields) VALUES (?,?,?,?,?,?,?,?)", rows)
    db.commit()
    db.close()


def table_of(n: int) -> Table:
    columns = [Column(i, chr(65 + i), f, f) for i, f in enumerate(FIELDS)]
    rows = []
    for i in range(n):
        v = values(i, changed=i % CHANGED_EVERY == 0)
        rows.append(Row(i + 2, v, [v[f] for f in FIELDS]))
    return Table(Path("bench.csv"), "sha", "csv", "bench", PRODUCT_PRICE, 1, columns, rows)


def bare_baseline(path: Path, n: int, repeats: int = 3) -> float:
    """CPU seconds of the least any classification must do: read the known records' compact
    copies out of SQLite, split them, and look every row's key up in a dict of them."""
    table = table_of(n)
    getter = operator.itemgetter(*PRODUCT_PRICE.key)
    pick = operator.itemgetter(*(PRODUCT_PRICE.field_names.index(k) + 1
                                 for k in PRODUCT_PRICE.key))
    cpus = []
    for _ in range(repeats):
        cpu = time.process_time()
        db = sqlite3.connect(path)
        texts = [r[0] for r in db.execute("SELECT fields FROM known_keys")]
        db.close()
        split = [t.split(compact.SEPARATOR) for t in texts]
        index = dict(zip(map(pick, split), split))
        hits = sum(1 for found in map(index.get, map(getter, map(operator.attrgetter("values"),
                                                                 table.rows))) if found)
        cpus.append(time.process_time() - cpu)
        assert hits == n, hits
    return statistics.median(cpus)


def classification(n: int, tmp: Path, repeats: int = 3, old: bool = False) -> dict:
    """history.run_changes as run_import calls it (load the known records, classify every row,
    store the classes); then its parts on their own. ``old``: against a journal written before
    the compact copies (the JSON fallback), and what opening it once (the migration) costs."""
    path = tmp / ("known-old.sqlite" if old else "known.sqlite")
    known_journal(path, n, old=old)
    table = table_of(n)
    scope = ("http://bench", "DEMO")
    totals, cpus, loads, classifies = [], [], [], []
    for run_id in range(1000, 1000 + repeats):
        started, cpu = time.perf_counter(), time.process_time()
        changes = run_changes(path, scope, table, run_id, resumed=False)
        totals.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        with History(path) as history, gc_paused():
            started = time.perf_counter()
            known = history.known(scope, PRODUCT_PRICE, table.fields)
            loads.append(time.perf_counter() - started)
            started = time.perf_counter()
            classify_table(table, known)
            classifies.append(time.perf_counter() - started)
    out = {"rows": n, "total": statistics.median(totals), "cpu": statistics.median(cpus),
           "load": statistics.median(loads),
           "classify": statistics.median(classifies),
           "counts": {c.value: k for c, k in counts(changes).items() if k}}
    if old:
        db = sqlite3.connect(path)  # as a journal from before the column: drop it
        db.execute("ALTER TABLE known_keys DROP COLUMN fields")
        db.commit()
        db.close()
        cpu = time.process_time()
        with Journal(path):
            pass
        out["migration"] = time.process_time() - cpu
    else:
        out["bare"] = bare_baseline(path, n)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    month_n, known_n = (200, 10_000) if args.quick else (2_000, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        month = second_month(month_n, tmp)
        timing = classification(known_n, tmp)
        fallback = classification(known_n, tmp, old=True)
    load = os.getloadavg()[0]
    print("### Change classes: --skip-unchanged and the cost of classifying\n")
    print(f"Load average {load:.1f} on {os.cpu_count()} cores while measuring (the machine is "
          f"shared: CPU-bound times grow with it).\n")
    print("| measurement | rows | result | target |\n|---|---:|---:|---|")
    print(f"| second month, 90% unchanged, `--skip-unchanged` (sandbox counters: record calls "
          f"+ login) | {month['rows']:,} | {month['per_row']:.3f} calls/row ({month['http']} "
          f"calls; {month['counts']}) | <= 0.12 calls/row |")
    print(f"| classify against {timing['rows']:,} known records: load + classify + store "
          f"(median of 3) | {timing['rows']:,} | {timing['total']:.2f} s, CPU "
          f"{timing['cpu']:.2f} s (of which load {timing['load']:.2f} s, classify "
          f"{timing['classify']:.2f} s; {timing['counts']}) | "
          f"<= 1 s CPU at 100,000 |")
    print(f"| bare baseline: read {timing['rows']:,} compact copies, a dict by key, every row "
          f"looked up | {timing['rows']:,} | CPU {timing['bare']:.2f} s (classification / bare "
          f"= {timing['cpu'] / timing['bare']:.1f}x) | - |")
    print(f"| the same against an old journal (no compact copies: read from the JSON) | "
          f"{fallback['rows']:,} | {fallback['total']:.2f} s, CPU {fallback['cpu']:.2f} s | "
          f"works (no target) |")
    print(f"| opening that old journal once (adds the compact copies) | {fallback['rows']:,} "
          f"| CPU {fallback['migration']:.2f} s | once per journal |")


if __name__ == "__main__":
    main()
