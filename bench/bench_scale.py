"""Excel's row limit against a bare read of the same file, every ratio measured in the same run.

For each size and format (the generator of bench_read.py: distinct product-price rows), each in a
fresh process so that its peak memory (ru_maxrss) is its own:

- bare:      the file read and nothing else: python_calamine (xlsx: the whole first sheet as Python
             values) or pandas.read_csv(dtype=str) (csv);
- readval:   importer.reading.read_table + validate, no workbook (what the page's preview does);
- validate:  `importer validate FILE --parts PARTS -o OUT` (the annotated workbook included);
- dry run:   `importer import FILE --dry-run --sandbox --parts PARTS -o OUT` (the results
             workbook included).

PARTS lists every part of the file, so that both commands check the ids against the same
knowledge and every row is valid: the dry run of a correct month, every row "would be sent".
(Without it the sandbox's demo parts make every row of the dry run INVALID with a suggestion,
while validate, with no master data, finds them all valid: not the same work.)

bare and readval time the work after the imports; validate and dry run are whole commands (their
seconds include the interpreter's start and the imports, printed once). CPU s is the process's own
CPU time, steadier than wall seconds on a shared machine.

    python bench/bench_scale.py [--quick] [--sizes 100000,1000000] [--formats xlsx,csv]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_read import price_rows, write_csv, write_xlsx  # noqa: E402


def child(mode: str, path: Path) -> None:
    if mode == "bare":
        if path.suffix == ".csv":
            import pandas as pd
        else:
            from python_calamine import CalamineWorkbook
    else:
        from importer.checks.validation import validate
        from importer.reading import read_table
    cpu, started = time.process_time(), time.perf_counter()
    if mode == "bare":
        if path.suffix == ".csv":
            rows = len(pd.read_csv(path, dtype=str))
        else:
            rows = len(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()) - 1
    else:
        rows = validate(read_table(path)).table.row_count
    print(json.dumps({"seconds": time.perf_counter() - started,
                      "cpu_seconds": time.process_time() - cpu, "rows": rows,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _in_child(mode: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _command(args: list[str], env: dict) -> dict:
    """A whole `importer` command: wall seconds, its CPU seconds and peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "importer", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"importer {' '.join(args)} ended with {code}: {proc.stderr.read()}")
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024}


def _parts_file(n: int, path: Path) -> Path:
    """A master-data file of every part the generator's first n rows name."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["PART_ID"])
        out.writerows([part] for part in dict.fromkeys(row[0] for row in price_rows(n)))
    return path


def _start_seconds(env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import importer.cli, importer.checks.validation, "
                    "importer.workbooks.validation, importer.reading"], env=env, check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 rows (smoke test)")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    sizes = [2000] if args.quick else [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    lines = ["## Excel's row limit against a bare read (`bench/bench_scale.py`, issue 29)", "",
             "One run of each, each in a fresh process. *bare*: python_calamine (xlsx) or "
             "pandas.read_csv(dtype=str) (csv) reading the same file, nothing else; *read+validate*: "
             "read_table + validate, no workbook; *validate*: the whole `importer validate "
             "--parts` command (annotated workbook written); *dry run*: the whole `importer "
             "import --dry-run --sandbox --parts` command (results workbook written); the parts "
             "file lists every part of the file, so both check the ids against the same "
             "knowledge and every row is valid.", "",
             "| rows | format | bare s (RSS MB) | read+validate s (CPU s) | / bare | validate s "
             "(CPU s, RSS MB) | / bare | / xlsx bare | dry run s (CPU s, RSS MB) | / validate |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HOME": tmp, "XDG_DATA_HOME": tmp, "XDG_CONFIG_HOME": tmp}
        start = _start_seconds(env)
        for n in sizes:
            xlsx_bare = None
            for fmt in formats:
                path = Path(tmp) / f"prices_{n}.{fmt}"
                (write_xlsx if fmt == "xlsx" else write_csv)(path, n)
                parts = _parts_file(n, Path(tmp) / f"parts_{n}.csv")
                bare = _in_child("bare", path)
                if fmt == "xlsx":
                    xlsx_bare = bare["seconds"]
                readval = _in_child("readval", path)
                assert readval["rows"] == n == bare["rows"], (readval, bare)
                val = _command(["validate", str(path), "--parts", str(parts), "-o",
                                str(Path(tmp) / "v.xlsx")], env)
                dry = _command(["import", str(path), "--dry-run", "--sandbox", "--parts",
                                str(parts), "--journal",
                                str(Path(tmp) / f"j{n}{fmt}"), "-o",
                                str(Path(tmp) / "r.xlsx")], env)
                vs_xlsx = f"{val['seconds'] / xlsx_bare:.2f}" if xlsx_bare else "-"
                lines.append(
                    f"| {n:,} | {fmt} | {bare['seconds']:.2f} ({bare['rss_mb']:.0f}) "
                    f"| {readval['seconds']:.2f} ({readval['cpu_seconds']:.2f}) "
                    f"| {readval['seconds'] / bare['seconds']:.2f} "
                    f"| {val['seconds']:.2f} ({val['cpu_seconds']:.2f}, {val['rss_mb']:.0f}) "
                    f"| {val['seconds'] / bare['seconds']:.2f} | {vs_xlsx} "
                    f"| {dry['seconds']:.2f} ({dry['cpu_seconds']:.2f}, {dry['rss_mb']:.0f}) "
                    f"| {dry['seconds'] / val['seconds']:.2f} |")
                print(f"{n} {fmt} done; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)
    lines += ["", f"A command's seconds include starting Python and importing the tool's modules: "
                  f"{start:.2f} s in this run.", ""]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
