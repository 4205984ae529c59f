"""Time and memory to render the results workbook of a 100,000-row product-price run.

Synthetic Table and outcomes (every status; created/updated rows carry the full record the ERP
returns; invalid rows carry a cell issue). Each repetition runs in a fresh process so peak RSS is
that run's own. Prints each run and the median of the runs.

    python bench/bench_results.py [--rows 100000] [--repeat 3] [--case results|all-invalid]

--case all-invalid renders the validation workbook of a file whose every row has an error and a
warning (two commented cells per row, an Issues sheet of 2 x rows lines): the worst case for
`importer validate -o`.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from importer.entities import PRODUCT_PRICE
from importer.model import (Column, Issue, Report, Row, RowOutcome, RunInfo, Severity, Status,
                            Table, column_letter)

STATUSES = [Status.CREATED] * 12 + [Status.UPDATED] * 5 + [Status.FAILED, Status.INVALID,
                                                            Status.SKIPPED, Status.NOT_RUN]


def synthetic(rows: int) -> tuple[Table, dict[int, RowOutcome]]:
    fields = PRODUCT_PRICE.field_names
    columns = [Column(i, column_letter(i), f, f) for i, f in enumerate(fields)]
    table_rows, outcomes = [], {}
    for n in range(rows):
        excel_row = n + 2
        cells = [f"{n % 997:05d}", "LP", "2026-03-01", str(n % 50 + 1), "2029-12-31", "USD",
                 f"{(n % 1000) / 7:.2f}", "5", "", "", "Monthly list" if n % 3 else "",
                 "http://www.expandable.com/"]
        values = {f: v for f, v in zip(fields, cells) if v}
        table_rows.append(Row(excel_row, values, cells))
        status = STATUSES[n % len(STATUSES)]
        if status is Status.NOT_RUN:
            continue
        outcomes[excel_row] = _outcome(excel_row, status, values)
    table = Table(Path("bench.xlsx"), "0" * 64, "xlsx", "Product Price", PRODUCT_PRICE, 1, columns,
                  table_rows)
    return table, outcomes


def _outcome(excel_row: int, status: Status, values: dict[str, str]) -> RowOutcome:
    if status.applied:
        record = {f: values.get(f, "") for f in PRODUCT_PRICE.response_fields}
        record.update(PART_DESC="Hydraulic pump, large", PART_TYPE="M", PART_UM="EA",
                      PART_STATUS="A", STD_UNIT_COST="12.5", CREATED_BY="APIUSER",
                      DATE_CREATED="2026-11-24", DATE_MODIFIED="2026-11-24")
        return RowOutcome(excel_row, status, status.value[:6], 200, record=record, attempts=1)
    if status is Status.FAILED:
        return RowOutcome(excel_row, status, "CREATE", 400, "PART_NOT_FOUND",
                          "Part does not exist in the part master.", attempts=1)
    if status is Status.INVALID:
        issue = Issue("invalid-date", "EFFECTIVE_DATE is not a date; write it as YYYY-MM-DD.",
                      sheet="Product Price", row=excel_row, column="C", field="EFFECTIVE_DATE",
                      value="2026-13-01")
        return RowOutcome(excel_row, status, issues=[issue])
    return RowOutcome(excel_row, status, message="ACTION is SKIP.")


def all_invalid_report(rows: int) -> Report:
    table, _ = synthetic(rows)
    issues = []
    for row in table.rows:
        issues.append(Issue("invalid-date", "EFFECTIVE_DATE is not a date; write it as YYYY-MM-DD.",
                            sheet=table.sheet, row=row.excel_row, column="C",
                            field="EFFECTIVE_DATE", value="2026-13-01"))
        issues.append(Issue("currency-code", "CURR_CODE US is not a three-letter code.",
                            Severity.WARNING, table.sheet, row.excel_row, "F", "CURR_CODE", "US"))
    return Report(table, issues)


def one_run(rows: int, case: str) -> dict:
    from importer.workbooks import write_results_workbook, write_validation_workbook

    if case == "all-invalid":
        report = all_invalid_report(rows)
        return _timed(lambda out: write_validation_workbook(report, out))
    table, outcomes = synthetic(rows)
    run = RunInfo(1, "product-price", "upsert", "bench.xlsx", "0" * 64, "Product Price",
                  "http://127.0.0.1:1", "DEMO", "APIUSER", "2026-11-24T10:00:00+00:00",
                  "2026-11-24T10:05:00+00:00", calls=rows)
    return _timed(lambda out: write_results_workbook(table, run, outcomes, out))


def _timed(write) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.xlsx"
        cpu_start, start = _cpu(), time.perf_counter()
        write(out)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu_start
        size = out.stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_rss_mb": peak_mb, "size_mb": size / 1e6}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--case", choices=("results", "all-invalid"),
                        help="one case only (default: both)")
    parser.add_argument("--quick", action="store_true", help="5,000 rows, one run (a smoke test)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.rows, args.case)))
        return
    if args.quick:
        args.rows, args.repeat = 5_000, 1
    print("## Results workbook rendering\n")
    for case in ([args.case] if args.case else ["results", "all-invalid"]):
        args.case = case
        measure(args)


def measure(args: argparse.Namespace) -> None:
    results = []
    for i in range(args.repeat):
        out = subprocess.run([sys.executable, __file__, "--child", "--rows", str(args.rows),
                              "--case", args.case],
                             check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out))
        r = results[-1]
        print(f"- run {i + 1}: {r['seconds']:.2f} s (CPU {r['cpu']:.2f} s), "
              f"peak RSS {r['peak_rss_mb']:.0f} MB, file {r['size_mb']:.1f} MB")
    median = {k: statistics.median(r[k] for r in results) for k in results[0]}
    name = "results workbook" if args.case == "results" else "validation workbook, all invalid"
    print(f"- **{name}, {args.rows:,} rows: median {median['seconds']:.2f} s** "
          f"(CPU {median['cpu']:.2f} s), median peak RSS {median['peak_rss_mb']:.0f} MB "
          "(limit 15 s, 1.5 GB)")


if __name__ == "__main__":
    main()
