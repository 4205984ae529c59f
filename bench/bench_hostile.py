"""Start-up time and hostile files: what `importer` costs before it does anything, and what the
files of tests/hostile_files.py cost to refuse.

- start-up: wall time of `importer --help` (median of --runs fresh processes) next to a bare
  `python -c "import click"`, the floor any click program pays;
- hostile files: each through `importer validate` in a fresh process; its exit code and first
  words, wall seconds and peak RSS (getrusage of the child, read by a wrapper process).

Prints a markdown section. `--quick` (CI's smoke run): 3 start-up runs, a smaller zip bomb.

    python bench/bench_hostile.py [--quick] [--runs 10]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile_files as hf  # noqa: E402

MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
p = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": p.returncode, "stderr": p.stderr, "stdout": p.stdout, "seconds": time.perf_counter() - started,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPORTER_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg"), XDG_DATA_HOME=str(home / "d"))
    return env


def wall(cmd: list[str], runs: int, env: dict[str, str], cwd: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True, env=env, cwd=cwd)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measured(path: Path, env: dict[str, str], cwd: Path) -> dict:
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-m", "importer", "validate",
           str(path), "-o", str(cwd / "out.xlsx")]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd,
                                     check=True).stdout)


def hostile_files(folder: Path, quick: bool) -> list[tuple[str, Path]]:
    return [
        ("two rows + a value at XFD200000 (xlsx)", hf.stray_xlsx(folder, "XFD200000")),
        ("two rows + a value at Z1048576 (xlsx)", hf.stray_xlsx(folder, "Z1048576")),
        ("two rows + a value 1,048,570 rows below (ods)", hf.stray_ods(folder)),
        ("two rows + a value at IV65536 (xls)", hf.stray_xls(folder)),
        ("data in all 16,384 columns (xlsx)", hf.all_columns_xlsx(folder)),
        ('dimension ref="A1:XFD1048576", two rows (xlsx)', hf.huge_dimension_xlsx(folder)),
        (f"zip bomb: {'1.1' if quick else '1.5'} GB sheet in a small xlsx",
         hf.zip_bomb_xlsx(folder, 1100 if quick else 1536)),
        ("50 MB line of commas (csv)", hf.comma_line_csv(folder, 50)),
        ("/dev/zero", hf.DEV_ZERO),
        ("a named pipe (FIFO)", hf.fifo(folder)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=None)
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 10)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = clean_env(folder)
        help_s = wall([sys.executable, "-m", "importer", "--help"], runs, env, folder)
        click_s = wall([sys.executable, "-c", "import click"], runs, env, folder)
        out = ["## Start-up and hostile files", "",
               f"`importer --help`: median **{help_s:.2f} s** of {runs} fresh processes; a bare "
               f"`python -c \"import click\"`: {click_s:.2f} s (so the tool's own start costs "
               f"{help_s - click_s:.2f} s). `--help`, `entities` and `template` import no pandas "
               "or calamine (tests/test_fast_start.py).", "",
               "Each file through `importer validate` in a fresh process (wall seconds include "
               "the interpreter's start); peak RSS of that process:", "",
               "| file | on disk | result | seconds | peak RSS MB |", "|---|---:|---|---:|---:|"]
        for label, path in hostile_files(folder, args.quick):
            size = path.stat().st_size if path.is_file() else 0
            r = measured(path, env, folder)
            said = (r["stderr"] if r["rc"] else r["stdout"]).strip().splitlines() or [""]
            message = said[0].removeprefix("Error: ")
            result = f"exit {r['rc']}: {message[:88]}{'...' if len(message) > 88 else ''}"
            out.append(f"| {label} | {size / 1e6:.2f} MB | {result.replace('|', '/')} | "
                       f"{r['seconds']:.2f} | {r['peak_mb']:.0f} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
