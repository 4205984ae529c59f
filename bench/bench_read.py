"""Read + validate speed and peak memory for product-price lists, against the plain alternative.

Generates its own files under a temporary folder (xlsx with openpyxl's write-only mode, and CSV):
realistic price lists with leading-zero part ids, date cells, quantity breaks and decimals. Each
measurement runs in a fresh child process so its peak memory (ru_maxrss) is its own:

- tool:     importer.reading.read_table + importer.checks.validation.validate (what `importer validate`
            does before writing the annotated workbook);
- baseline: the straightforward read, no checks: pandas.read_excel(engine="openpyxl") for xlsx,
            pandas.read_csv for CSV.

Times exclude interpreter start and imports (reported once, separately). Prints a markdown
section: the median of --runs runs per case, rows/s, peak RSS, and baseline time / tool time.

    python bench/bench_read.py [--quick] [--runs 3] [--sizes 10000,100000]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE", "CURR_CODE",
          "SO_UNIT_PRICE", "ITEM_DISC_PCT", "PRICE_CHG", "SALES_COMM", "NOTES", "ATTACHMENTS"]
CODES = (("LP", "USD"), ("DL", "USD"), ("EX", "EUR"), ("UK", "GBP"))
BREAKS = (1, 10, 50, 100, 500)


def price_rows(n: int, seed: int = 7):
    """n distinct keys: parts x price codes x quantity breaks, prices falling with quantity."""
    rng = random.Random(seed)
    effective, end = dt.date(2026, 12, 1), dt.date(2027, 11, 30)
    per_part = len(CODES) * len(BREAKS)
    for i in range(n):
        part_no, rest = divmod(i, per_part)
        code, currency = CODES[rest // len(BREAKS)]
        step = rest % len(BREAKS)
        part = f"{part_no:06d}" if part_no % 3 == 0 else f"PART-{part_no:05d}"
        base = 5 + (part_no * 7919 % 100000) / 97
        yield [part, code, effective, BREAKS[step], end, currency,
               round(base * (1 - 0.03 * step), 3), rng.choice((0, 2.5, 5)), None, None,
               f"Price for {part}" if step == 0 else None, None]


def write_xlsx(path: Path, n: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Product Price")
    ws.append(HEADER)
    for row in price_rows(n):
        ws.append(row)
    wb.save(path)


def write_csv(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for row in price_rows(n):
            out.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v
                          for v in row])


# --- child: one measurement -------------------------------------------------------------------
def child(mode: str, path: Path) -> None:
    started = time.perf_counter()
    if mode == "tool":
        from importer.checks.validation import validate
        from importer.reading import read_table
    else:
        import pandas as pd
    imported = time.perf_counter()
    cpu = time.process_time()
    if mode == "tool":
        report = validate(read_table(path))
        rows, errors = len(report.table.rows), len(report.errors)
    elif path.suffix == ".csv":
        rows, errors = len(pd.read_csv(path)), 0
    else:
        rows, errors = len(pd.read_excel(path, engine="openpyxl")), 0
    took = time.perf_counter() - imported
    cpu = time.process_time() - cpu
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": took, "cpu_seconds": cpu, "import_seconds": imported - started, "rows": rows,
                      "errors": errors, "rss_mb": rss_mb}))


def measure(mode: str, path: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                              capture_output=True, text=True, check=True)
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in results),
        "import_seconds": statistics.median(r["import_seconds"] for r in results),
        "rss_mb": max(r["rss_mb"] for r in results),
        "rows": results[0]["rows"], "errors": results[0]["errors"],
        "all": [round(r["seconds"], 2) for r in results],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows, one run (smoke test)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    runs = 1 if args.quick else args.runs
    lines = ["## Read and validate (product-price)", "",
             f"Median of {runs} run(s), each in a fresh process; seconds exclude interpreter start "
             "and imports. Baseline: pandas.read_excel(engine='openpyxl') / pandas.read_csv, no "
             "checks. Ratio = baseline time / tool time (above 1: the tool is faster).", "",
             "CPU s is the process's own CPU time (all threads): on a shared, busy machine it "
             "shows the work done better than the wall-clock seconds.", "",
             "| rows | format | tool s | tool CPU s | rows/s | peak RSS MB | baseline s "
             "| baseline RSS MB | ratio | issues |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    import_s = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            for fmt, writer in (("xlsx", write_xlsx), ("csv", write_csv)):
                path = Path(tmp) / f"prices_{n}.{fmt}"
                writer(path, n)
                tool = measure("tool", path, runs)
                base = measure("baseline", path, runs)
                assert tool["rows"] == n == base["rows"], (tool, base)
                import_s = tool["import_seconds"]
                lines.append(
                    f"| {n:,} | {fmt} | {tool['seconds']:.2f} | {tool['cpu_seconds']:.2f} "
                    f"| {n / tool['seconds']:,.0f} "
                    f"| {tool['rss_mb']:.0f} | {base['seconds']:.3f} | {base['rss_mb']:.0f} "
                    f"| {base['seconds'] / tool['seconds']:.2f} | {tool['errors']} |")
                print(f"{n} {fmt}: tool runs {tool['all']} s, baseline runs {base['all']} s; "
                      f"load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    lines += ["", f"Importing the tool's modules (pandas, calamine) takes "
                  f"{import_s:.2f} s once per command.", ""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
