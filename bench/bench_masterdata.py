"""Validation against master data: 100,000 rows vs 50,000 parts and 10,000 customers.

Generates its own CSV files under a temporary folder: a parts file, a customers file, a customer
part list (both references checked) and a price list (parts checked, plus the price-list rules),
with 1 % of the ids wrong in the ways people get them wrong (lost leading zeros, lower case, a
missing hyphen, a typo, a made-up id). A person's wrong id usually stands on several rows (all
the price breaks of a part), so the usual case draws the wrong ids from 200 distinct mistakes
per column; the worst case makes every wrong id different (1,000 per column, each needing its
own suggestion); a last case has every id right (the cost of the lookups alone).
Each measurement runs in a fresh child process: the file is read first (not timed), then

- without: ``validate(table, checks=build_checks(entity))`` (the default rules, no master data);
- with:    the same with ``parts=`` and ``customers=``, loading both files inside the timing.

Prints a markdown section: medians of --runs runs, and with / without (the target: at most 1.3,
wrong ids included; it was 1.5 before issue 29).

    python bench/bench_masterdata.py [--quick] [--runs 3]
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def part_id(i: int) -> str:
    return f"{i:06d}" if i % 3 == 0 else f"PART-{i:05d}"


def customer_id(i: int) -> str:
    return f"{i:05d}" if i % 4 == 0 else f"CUST{i:04d}"


def mistake(rng: random.Random, good: str) -> str:
    kind = rng.randrange(5)
    if kind == 0 and good.isdigit():
        return good.lstrip("0") or "0"
    if kind == 1:
        return good.lower()
    if kind == 2:
        return good.replace("-", "") if "-" in good else f"{good[:2]} {good[2:]}"
    if kind == 3:
        return good[:-1] + ("X" if good[-1] != "X" else "Y")
    return f"NOPE{rng.randrange(10**6)}"


def write(path: Path, header: list[str], rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        out.writerows(rows)
    return path


def make_files(tmp: Path, rows: int, parts: int, customers: int,
               distinct: int | None = 200, rate: float = 0.01) -> dict[str, Path]:
    """The files; ``rate`` of the ids wrong, from ``distinct`` wrong ids per column (None:
    every wrong id different)."""
    rng = random.Random(13)
    pick = lambda ids: ids(rng.randrange(parts if ids is part_id else customers))  # noqa: E731
    pools = {ids: [mistake(rng, pick(ids)) for _ in range(distinct)] if distinct else None
             for ids in (part_id, customer_id)}

    def ref(ids):
        if rng.random() >= rate:
            return pick(ids)
        return rng.choice(pools[ids]) if pools[ids] else mistake(rng, pick(ids))

    files = {
        "parts": write(tmp / "parts.csv", ["PART_ID", "PART_DESC", "PART_STATUS"],
                       ([part_id(i), f"Part {i}", "O" if i % 997 == 0 else "A"]
                        for i in range(parts))),
        "customers": write(tmp / "customers.csv", ["CUSTOMER_ID", "CUST_NAME"],
                           ([customer_id(i), f"Customer {i}"] for i in range(customers))),
        "customer-part": write(tmp / "customer_parts.csv",
                               ["PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "SO_DESC", "CURR_CODE"],
                               ([ref(part_id), ref(customer_id), f"CP-{i}", f"Item {i}", "USD"]
                                for i in range(rows))),
        "product-price": write(tmp / "prices.csv",
                               ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY",
                                "END_DATE", "CURR_CODE", "SO_UNIT_PRICE"],
                               ([ref(part_id), f"PC{i}", "2026-12-01", "1", "", "USD",
                                 f"{5 + i % 100}.25"] for i in range(rows))),
    }
    return {k: v.rename(tmp / f"{distinct}-{rate}-{v.name}") for k, v in files.items()}


def child(mode: str, entity: str, files: dict[str, str]) -> None:
    import pandas  # noqa: F401 - imported before the timing in both modes (the master files'
    # reader may import it; validation below 250,000 rows does not): imports are not the work
    from importer.checks.validation import validate
    from importer.reading import read_table
    from importer.runs.checking import build_checks

    table = read_table(Path(files[entity]))
    started, cpu = time.perf_counter(), time.process_time()
    master = dict(parts=files["parts"], customers=files["customers"]) if mode == "with" else {}
    report = validate(table, checks=build_checks(table.entity, **master))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(json.dumps({"seconds": took, "cpu": cpu, "rows": len(table.rows),
                      "errors": len(report.errors), "warnings": len(report.warnings)}))


def measure(mode: str, entity: str, files: dict[str, Path], runs: int) -> dict:
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--child", mode, entity,
                               json.dumps({k: str(v) for k, v in files.items()})],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {**results[0], "seconds": statistics.median(r["seconds"] for r in results),
            "cpu": statistics.median(r["cpu"] for r in results),
            "all": [round(r["seconds"], 2) for r in results]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one run (smoke test)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], json.loads(args.child[2]))
        return 0
    rows, parts, customers = (2000, 1000, 200) if args.quick else (100_000, 50_000, 10_000)
    runs = 1 if args.quick else args.runs
    lines = ["## Validation against master data", "",
             f"{rows:,} rows against {parts:,} parts and {customers:,} "
             f"customers (CSV); median of {runs} run(s), each in a fresh process, the file read "
             "before the timing. *with* loads both master-data files inside the timing and "
             "works out every suggestion; *without* is the same validation with no master data. "
             "Target: with / without at most 1.3, wrong ids included. CPU s is the process's own CPU time, steadier "
             "than wall-clock seconds on a shared, busy machine.", "",
             "| entity | wrong ids | rows | without s | with s | with / without | without CPU s "
             "| with CPU s | CPU with / without | errors with | warnings with |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    cases = [("customer-part", 200, 0.01), ("product-price", 200, 0.01),
             ("customer-part", None, 0.01), ("customer-part", 0, 0.0)]
    with tempfile.TemporaryDirectory() as tmp:
        for entity, distinct, rate in cases:
            files = make_files(Path(tmp), rows, parts, customers, distinct, rate)
            without = measure("without", entity, files, runs)
            with_ = measure("with", entity, files, runs)
            wrong = ("none (every id right)" if not rate else f"1 %, {distinct} distinct"
                     if distinct else "1 %, all distinct (worst case)")
            lines.append(f"| {entity} | {wrong} | {rows:,} | {without['seconds']:.2f} | "
                         f"{with_['seconds']:.2f} | {with_['seconds'] / without['seconds']:.2f} "
                         f"| {without['cpu']:.2f} | {with_['cpu']:.2f} "
                         f"| {with_['cpu'] / without['cpu']:.2f} "
                         f"| {with_['errors']:,} | {with_['warnings']:,} |")
            print(f"{entity} {wrong}: without {without['all']} s, with {with_['all']} s",
                  file=sys.stderr)
    print("\n".join(lines + [""]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
