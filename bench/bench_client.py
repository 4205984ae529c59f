"""The client's own CPU per record call against a bare `requests` pool's, in the same run.

A real sandbox subprocess (its CPU is not ours), 8 threads on each side, every call a create
of a new key:

- bare: each thread its own ``requests.Session``, ``session.post(url, json={**row, token})``;
- client: ``importer.erp.client.ErpClient.call`` (token keeping, retries, answer classification),
  one ErpClient shared by the threads as the dispatcher shares it; again with the call gate of
  ``--workers auto`` (at most 8 in flight);
- dispatcher: the whole sending stage as `importer import` drives it, 8 workers (the keyed
  queue, each outcome committed to the journal before the next row: more than the client).

CPU per call = this process's CPU time (all threads, ``time.process_time``) / calls. The two
sides alternate ``--rounds`` times on fresh keys and the medians are compared. Target: client /
bare <= 1.1.

    python bench/bench_client.py            # 2,000 calls a side a round, 3 rounds
    python bench/bench_client.py --quick    # 200 calls, 1 round (a smoke test)
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import requests
from bench_import import price_rows, run_tool, sandbox, token  # bench/ is on sys.path: run as a script

from importer.entities import PRODUCT_PRICE
from importer.erp.client import ErpClient
from importer.erp.gate import CallGate
from importer.sandbox.demo import DEMO_DATA_SOURCE, DEMO_PASSWORD, DEMO_USER
from importer.settings import Settings

THREADS = 8


def _threads(work, rows: list[dict[str, str]]) -> float:
    """CPU seconds of THREADS threads sharing ``rows``, each calling ``work(row)``."""
    lock, it = threading.Lock(), iter(rows)

    def loop() -> None:
        while True:
            with lock:
                row = next(it, None)
            if row is None:
                return
            work(row)

    pool = [threading.Thread(target=loop) for _ in range(THREADS)]
    cpu = time.process_time()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.process_time() - cpu


def bare(url: str, rows: list[dict[str, str]]) -> float:
    auth, local, bad = token(url), threading.local(), []

    def work(row: dict[str, str]) -> None:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        if session.post(url + PRODUCT_PRICE.create_path, json={**row, "AUTH_TOKEN": auth},
                        timeout=30).status_code != 200:
            bad.append(row)

    cpu = _threads(work, rows)
    assert not bad, f"{len(bad)} bare calls failed"
    return cpu / len(rows)


def client(url: str, rows: list[dict[str, str]], auto: bool, journal: Path) -> float:
    settings = Settings(url=url, data_source=DEMO_DATA_SOURCE, user=DEMO_USER,
                        password=DEMO_PASSWORD, journal=journal, workers=THREADS)
    bad = []
    with ErpClient(settings) as erp:
        if auto:
            erp.gate = CallGate.auto(THREADS)
        erp.login()

        def work(row: dict[str, str]) -> None:
            if erp.call(PRODUCT_PRICE.create_path, row).kind != "ok":
                bad.append(row)

        cpu = _threads(work, rows)
    assert not bad, f"{len(bad)} client calls failed"
    return cpu / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 calls, one round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    calls, rounds = (200, 1) if args.quick else (2000, args.rounds)
    out: dict[str, list[float]] = {"bare": [], "client": [], "client (auto gate)": [],
                                   "dispatcher + journal": []}
    with tempfile.TemporaryDirectory() as folder, sandbox(latency_ms=5) as url:
        start = 0
        for _ in range(rounds):
            for name in out:
                rows = price_rows(calls, start=start)
                start += calls
                journal = Path(folder) / f"j{start}.sqlite"
                if name == "bare":
                    out[name].append(bare(url, rows))
                elif name.startswith("client"):
                    out[name].append(client(url, rows, "auto" in name, journal))
                else:
                    r = run_tool(url, rows, THREADS, journal, Path(folder))
                    out[name].append(r["cpu"] * r["seconds"] / r["calls"])
    base = statistics.median(out["bare"])
    print("### Client CPU per record call (`bench/bench_client.py`)\n")
    print(f"{THREADS} threads a side, {calls:,} create calls a side a round, {rounds} round(s), "
          f"sandbox latency 5 ms in its own process; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores.\n")
    print("| side | CPU ms per call (median) | rounds | / bare | target |\n|---|---:|---|---:|---|")
    for name, values in out.items():
        median = statistics.median(values)
        target = "<= 1.1" if name.startswith("client") else "-"
        print(f"| {name} | {median * 1000:.3f} | {', '.join(f'{v * 1000:.3f}' for v in values)} "
              f"| {median / base:.2f} | {target} |")


if __name__ == "__main__":
    main()
