"""--workers auto against servers of different capacity, all measured in one run.

The sandbox (its own subprocess, 25 ms latency, a fresh temporary database per measurement)
serves at most N record calls at once (``--capacity``); calls beyond N + queue limit are answered
503 at once (``--queue-limit``, here equal to the capacity). Scenarios: capacity 2, 8 and 32, and
a capacity that changes during the run (8, then 2, then 16: ``--capacity-schedule``). For each,
`importer.runs.runner.run_import` (the whole import: read, validate, journal, dispatch, results
workbook) imports the same rows with ``--workers auto`` and with each fixed count from
{1, 2, 4, 8, 16, 32}; rows/s is rows sent / sending seconds, and the overload share is the
sandbox's 503/429 answers / all its record-call answers.

Targets: auto >= 90% of the best fixed count on every constant capacity, >= 80% on the schedule,
overload answers <= 1% of calls.

    python bench/bench_adaptive.py            # 4,000 rows per measurement (about 15 minutes)
    python bench/bench_adaptive.py --quick    # 100 rows, auto and 4 workers (a smoke test)
    python bench/bench_adaptive.py --only "capacity 32" --pairs 3
        # then auto and the best fixed count again, back to back, 3 times: the median ratio
        # (one measurement lasts seconds, so on a shared machine single ratios swing by 30%)
"""
from __future__ import annotations

import argparse
import csv
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from importer.entities import PRODUCT_PRICE
from importer.runs.runner import run_import
from importer.sandbox.demo import DEMO_DATA_SOURCE, DEMO_PARTS, DEMO_PASSWORD, DEMO_USER
from importer.settings import Settings

LATENCY_MS = 25
FIXED = (1, 2, 4, 8, 16, 32)
QUICK_FIXED = (4,)
DEFAULT_WORKERS = 4  # the fixed count --workers defaults to without auto
# name -> (capacity, schedule); the queue limit equals the (first) capacity
SCENARIOS = {
    "capacity 2": (2, ""),
    "capacity 8": (8, ""),
    "capacity 32": (32, ""),
    "capacity 8 -> 2 -> 16": (8, "0:8,6:2,16:16"),
}
QUICK_SCHEDULE = "0:8,0.4:2,1.2:16"
FIXED_SAMPLE = 1000  # one worker on a constant capacity is timed on the first rows only


def write_rows(path: Path, n: int) -> Path:
    parts = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"])
        for i in range(n):
            out.writerow([parts[i % len(parts)], "AD", "2030-01-01", str(i // len(parts) + 1),
                          f"{i % 997 + 1}.50"])
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def overloadable_sandbox(capacity: int, schedule: str):
    port = free_port()
    args = [sys.executable, "-m", "importer", "sandbox", "--port", str(port), "--latency-ms",
            str(LATENCY_MS), "--capacity", str(capacity), "--queue-limit", str(capacity)]
    if schedule:
        args += ["--capacity-schedule", schedule]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            try:
                requests.get(url + "/_sandbox/stats", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def measure(src: Path, tmp: Path, capacity: int, schedule: str, workers) -> dict:
    with overloadable_sandbox(capacity, schedule) as url:
        settings = Settings(url=url, data_source=DEMO_DATA_SOURCE, user=DEMO_USER,
                            password=DEMO_PASSWORD, journal=tmp / f"j-{time.time_ns()}.sqlite")
        result = run_import(src, settings, workers=workers, fresh=True,
                            out=tmp / f"r-{time.time_ns()}.xlsx")
        calls = requests.get(url + "/_sandbox/stats", timeout=10).json()["calls"]
    answers = calls.get(PRODUCT_PRICE.create_path, {})
    total = sum(answers.values())
    overload = answers.get("503", 0) + answers.get("429", 0)
    applied = result.counts.get("CREATED", 0) + result.counts.get("UPDATED", 0)
    assert applied == result.rows_sent, f"{workers}: only {applied} of {result.rows_sent} applied"
    return {"rows": result.rows_sent, "seconds": result.send_seconds,
            "rate": result.rows_per_second, "overload": overload / total if total else 0.0,
            "concurrency": result.concurrency}


def run_scenario(name: str, rows: int, quick: bool, tmp: Path) -> dict:
    capacity, schedule = SCENARIOS[name]
    if schedule and quick:
        schedule = QUICK_SCHEDULE
    full = write_rows(tmp / f"rows-{rows}.csv", rows)
    sample = write_rows(tmp / f"rows-{min(rows, FIXED_SAMPLE)}.csv", min(rows, FIXED_SAMPLE))
    counts = QUICK_FIXED if quick else FIXED
    first = measure(full, tmp, capacity, schedule, "auto")
    out = {}
    for workers in counts:
        src = sample if workers == 1 and not schedule else full
        out[workers] = measure(src, tmp, capacity, schedule, workers)
        print(f"{name} @{workers}: {out[workers]['rate']:.1f} rows/s", file=sys.stderr)
    # auto once before the fixed counts and once after: a series' rates drift (the first runs
    # of one are the slow ones), and the mean of the two stands where the fixed counts ran
    last = measure(full, tmp, capacity, schedule, "auto")
    out["auto"] = {**last, "rate": (first["rate"] + last["rate"]) / 2,
                   "overload": max(first["overload"], last["overload"]),
                   "rates": (first["rate"], last["rate"])}
    print(f"{name} @auto: {first['rate']:.1f}, {last['rate']:.1f} rows/s "
          f"{out['auto']['concurrency']}", file=sys.stderr)
    return out


def run_pairs(name: str, best: int, rows: int, pairs: int, tmp: Path) -> list[float]:
    """auto / best fixed count, measured back to back ``pairs`` times on the same rows."""
    capacity, schedule = SCENARIOS[name]
    src = write_rows(tmp / f"rows-{rows}.csv", rows)
    ratios = []
    for _ in range(pairs):
        auto = measure(src, tmp, capacity, schedule, "auto")
        fixed = measure(src, tmp, capacity, schedule, best)
        ratios.append(auto["rate"] / fixed["rate"])
        print(f"{name} pair: auto {auto['rate']:.1f}, {best} {fixed['rate']:.1f} rows/s",
              file=sys.stderr)
    return ratios


def report(results: dict[str, dict], rows: int, quick: bool) -> None:
    print(f"\n### --workers auto: sandbox latency {LATENCY_MS} ms, {rows:,} product-price rows, "
          f"queue limit = capacity, 503 beyond it\n")
    counts = QUICK_FIXED if quick else FIXED
    header = " | ".join(f"{w}" for w in counts)
    print(f"| server | auto rows/s (before, after) | auto in parallel: min-max (mean) | {header} "
          f"| best fixed "
          f"| auto / best | auto / default ({DEFAULT_WORKERS}) | overload answers: auto "
          f"| overload: worst fixed |")
    print("|---|---:|---|" + "---:|" * len(counts) + "---:|---:|---:|---:|---:|")
    for name, r in results.items():
        auto = r["auto"]
        best = max(counts, key=lambda w: r[w]["rate"])
        c = auto["concurrency"] or {}
        worst = max(counts, key=lambda w: r[w]["overload"])
        default = r.get(DEFAULT_WORKERS, auto)
        before, after = auto["rates"]
        print(f"| {name} | {auto['rate']:.1f} ({before:.0f}, {after:.0f}) | "
              f"{c.get('min')}-{c.get('max')} "
              f"({c.get('mean')}) | " + " | ".join(f"{r[w]['rate']:.1f}" for w in counts)
              + f" | {best} | **{auto['rate'] / r[best]['rate']:.2f}** | "
                f"{auto['rate'] / default['rate']:.2f} | {auto['overload']:.2%} | "
                f"{r[worst]['overload']:.1%} (@{worst}) |")
    print("\n- auto is measured before the fixed counts and again after them: its rows/s is the "
          "mean of the two (a series' rates drift), its overload the worse of the two.")
    print(f"- fixed counts are rows/s; one worker on a constant capacity is timed on the first "
          f"{min(rows, FIXED_SAMPLE):,} rows. Schedule: {SCENARIOS['capacity 8 -> 2 -> 16'][1]} "
          f"(seconds after the first record call: capacity).")
    print("- targets: auto / best >= 0.90 on each constant capacity, >= 0.80 on the schedule; "
          "overload answers of auto <= 1%.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--quick", action="store_true", help="100 rows, auto and 4 workers only")
    parser.add_argument("--only", help="one scenario name, e.g. 'capacity 8'")
    parser.add_argument("--pairs", type=int, default=0,
                        help="then measure auto and the best fixed count back to back N times")
    args = parser.parse_args()
    rows = 100 if args.quick else args.rows
    tmp = Path(tempfile.mkdtemp(prefix="bench-adaptive-"))
    names = [args.only] if args.only else list(SCENARIOS)
    results = {name: run_scenario(name, rows, args.quick, tmp) for name in names}
    report(results, rows, args.quick)
    counts = QUICK_FIXED if args.quick else FIXED
    for name, r in results.items():
        if args.pairs > 0:
            best = max(counts, key=lambda w: r[w]["rate"])
            ratios = run_pairs(name, best, rows, args.pairs, tmp)
            print(f"- {name}: auto / {best} back to back, {args.pairs} pairs: "
                  f"{', '.join(f'{x:.2f}' for x in ratios)}; median "
                  f"**{statistics.median(ratios):.2f}**")


if __name__ == "__main__":
    main()
