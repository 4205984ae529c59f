"""Import throughput against the sandbox with 25 ms latency, all measured in one run.

Each measurement gets a fresh sandbox (its own subprocess, so the client's CPU time is the
client's alone, and a fresh temporary database) and, for the tool, a fresh journal:

- the tool: the dispatch layer the import uses (importer.erp.dispatch.Dispatcher with the shared
  ErpClient, writing every outcome to the SQLite journal) with 1, 4, 8 and 16 workers;
- a bare pool of 8 threads, each with its own requests.Session, posting the same rows;
- a plain sequential loop of requests.post (no session), on a sample of the rows, extrapolated;
- a second "monthly" run where 90% of the keys already exist (upsert): HTTP calls per row.

Prints a markdown table. Targets: tool@8 / bare@8 >= 0.90, tool@8 / sequential >= 6, client CPU
below one core.

    python bench/bench_import.py            # 10,000 rows (about 8 minutes)
    python bench/bench_import.py --quick    # 400 rows (a smoke test)
"""
from __future__ import annotations

import argparse
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from importer.entities import AUTH_PATH, PRODUCT_PRICE
from importer.erp.client import ErpClient
from importer.erp.dispatch import Dispatcher, Job
from importer.journal.store import Journal
from importer.model import Action, Column, Row, RunInfo, Table
from importer.sandbox.demo import DEMO_DATA_SOURCE, DEMO_PARTS, DEMO_PASSWORD, DEMO_USER
from importer.settings import Settings

LATENCY_MS = 25
FIELDS = ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "NOTES")


# --- rows ----------------------------------------------------------------------------------------
def price_rows(n: int, price: str = "10.50", start: int = 0) -> list[dict[str, str]]:
    """n valid product-price rows with unique keys over the demo parts."""
    parts = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
    return [{"PART_ID": parts[i % len(parts)], "PRICE_CODE": "BN", "EFFECTIVE_DATE": "2030-01-01",
             "ORDER_QTY": str(i // len(parts) + 1), "CURR_CODE": "USD", "SO_UNIT_PRICE": price,
             "NOTES": f"bench row {i}"} for i in range(start, start + n)]


def as_table(rows: list[dict[str, str]], tmp: Path) -> Table:
    return Table(tmp / "bench.csv", f"sha-{time.time_ns()}", "csv", "bench", PRODUCT_PRICE, 1,
                 [Column(i, chr(65 + i), f, f) for i, f in enumerate(FIELDS)],
                 [Row(i + 2, r, list(r.values())) for i, r in enumerate(rows)])


# --- the sandbox ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def sandbox(latency_ms: int = LATENCY_MS):
    """A fresh sandbox subprocess with 25 ms latency (by default) and a temporary database."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "importer", "sandbox", "--port", str(port),
                             "--latency-ms", str(latency_ms)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                requests.post(url + "/api/server-time-get", json={}, timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def token(url: str) -> str:
    r = requests.post(url + AUTH_PATH, json={"DATA_SOURCE": DEMO_DATA_SOURCE,
                                            "USER_NAME": DEMO_USER, "PASSWORD": DEMO_PASSWORD},
                      timeout=10)
    r.raise_for_status()
    return r.json()["AUTH_TOKEN"]


# --- measurements --------------------------------------------------------------------------------
def run_tool(url: str, rows: list[dict[str, str]], workers: int, journal_path: Path,
             tmp: Path) -> dict:
    """The dispatch layer exactly as `importer import` drives it (journal included)."""
    settings = Settings(url=url, data_source=DEMO_DATA_SOURCE, user=DEMO_USER,
                        password=DEMO_PASSWORD, journal=journal_path, workers=workers)
    table = as_table(rows, tmp)
    with ErpClient(settings) as client, Journal(journal_path) as journal:
        client.login()
        run = journal.start_run(RunInfo(0, PRODUCT_PRICE.name, "upsert", "bench.csv",
                                        table.sha256, "bench", url, DEMO_DATA_SOURCE, DEMO_USER,
                                        "2030-01-01T00:00:00", None), table)
        known = journal.known_keys(url, DEMO_DATA_SOURCE, PRODUCT_PRICE.name)
        dispatcher = Dispatcher(client, PRODUCT_PRICE, journal, run.run_id,
                                scope=(url, DEMO_DATA_SOURCE), known_keys=known, workers=workers,
                                on_progress=lambda done, total, counts: None)
        wall, cpu = time.perf_counter(), time.process_time()
        result = dispatcher.run([Job(r, Action.UPSERT) for r in table.rows])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ok = sum(1 for o in result.outcomes.values() if o.status.applied)
    assert ok == len(rows), f"only {ok} of {len(rows)} rows applied"
    return {"rows": len(rows), "seconds": wall, "rate": len(rows) / wall, "cpu": cpu / wall,
            "calls": client.calls_made}


def run_bare_pool(url: str, rows: list[dict[str, str]], threads: int) -> dict:
    """threads threads, each with its own requests.Session, posting from one queue."""
    auth = token(url)
    work: queue.Queue = queue.Queue()
    for r in rows:
        work.put(r)
    bad: list[int] = []

    def worker() -> None:
        session = requests.Session()
        while True:
            try:
                r = work.get_nowait()
            except queue.Empty:
                return
            resp = session.post(url + PRODUCT_PRICE.create_path, json={**r, "AUTH_TOKEN": auth},
                                timeout=30)
            if resp.status_code != 200:
                bad.append(resp.status_code)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    wall, cpu = time.perf_counter(), time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert not bad, f"bare pool got {len(bad)} failures"
    return {"rows": len(rows), "seconds": wall, "rate": len(rows) / wall, "cpu": cpu / wall}


def run_sequential(url: str, rows: list[dict[str, str]]) -> dict:
    """A plain loop of requests.post (a new connection per call)."""
    auth = token(url)
    wall = time.perf_counter()
    for r in rows:
        requests.post(url + PRODUCT_PRICE.create_path, json={**r, "AUTH_TOKEN": auth},
                      timeout=30).raise_for_status()
    wall = time.perf_counter() - wall
    return {"rows": len(rows), "seconds": wall, "rate": len(rows) / wall}


def monthly_calls_per_row(rows_n: int, tmp: Path) -> dict:
    """Import rows, then a changed list where 90% of the keys exist: calls per row (upsert)."""
    first = price_rows(rows_n)
    existing = int(rows_n * 0.9)
    second = price_rows(existing, price="11.00") + price_rows(rows_n - existing, start=rows_n)
    journal = tmp / "monthly.sqlite"
    with sandbox() as url:
        run_tool(url, first, 8, journal, tmp)
        result = run_tool(url, second, 8, journal, tmp)
    return {"rows": rows_n, "calls": result["calls"], "per_row": result["calls"] / rows_n}


# --- main ----------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="400 rows, smaller samples.")
    args = parser.parse_args()
    n = 400 if args.quick else args.rows
    one_worker_n = min(n, 80 if args.quick else 1000)
    sequential_n = min(n, 80 if args.quick else 500)
    rows = price_rows(n)
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    results: dict[str, dict] = {}
    for workers in (1, 4, 8, 16):
        sample = rows[:one_worker_n] if workers == 1 else rows
        with sandbox() as url:
            results[f"tool@{workers}"] = run_tool(url, sample, workers,
                                                  tmp / f"j{workers}.sqlite", tmp)
        print(f"tool@{workers}: {results[f'tool@{workers}']['rate']:.1f} rows/s", file=sys.stderr)
    with sandbox() as url:
        results["bare@8"] = run_bare_pool(url, rows, 8)
    with sandbox() as url:
        results["sequential"] = run_sequential(url, rows[:sequential_n])
    monthly = monthly_calls_per_row(min(n, 2000), tmp)
    report(results, monthly, n, one_worker_n, sequential_n)


def report(results: dict, monthly: dict, n: int, one_worker_n: int, sequential_n: int) -> None:
    print(f"\n### Import throughput: sandbox latency {LATENCY_MS} ms, {n:,} product-price rows\n")
    print("| measurement | rows timed | seconds | rows/s | rows/s ÷ (workers / latency) "
          "| client CPU (cores) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        workers = int(m.group(1)) if (m := re.search(r"@(\d+)", name)) else 1
        ceiling = workers / (LATENCY_MS / 1000)
        cpu = f"{r['cpu']:.2f}" if "cpu" in r else "-"
        print(f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {r['rate']:.1f} | "
              f"{r['rate'] / ceiling:.2f} | {cpu} |")
    tool8, bare8, seq = (results[k]["rate"] for k in ("tool@8", "bare@8", "sequential"))
    print(f"\n- tool@8 / bare@8 = **{tool8 / bare8:.2f}** (target >= 0.90)")
    print(f"- tool@8 / sequential = **{tool8 / seq:.1f}x** (target >= 6)")
    print(f"- client CPU during tool@8: {results['tool@8']['cpu']:.2f} cores (target < 1); "
          f"the bare pool used {results['bare@8']['cpu']:.2f}")
    print(f"- tool@1 timed on the first {one_worker_n:,} rows and sequential on the first "
          f"{sequential_n:,} rows; their rows/s are the rates of that sample (extrapolated to "
          f"{n:,} rows: tool@1 {n / results['tool@1']['rate']:.0f} s, sequential "
          f"{n / seq:.0f} s).")
    print(f"- second monthly run, {monthly['rows']:,} rows of which 90% exist already (upsert, "
          f"same journal): {monthly['calls']:,} calls = **{monthly['per_row']:.3f} calls/row**")


if __name__ == "__main__":
    main()
