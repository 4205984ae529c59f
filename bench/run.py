"""Run every benchmark in one go on this machine and rewrite BENCHMARKS.md with the results.

    python bench/run.py            # full sizes (about 20 minutes on the 2-core machine)
    python bench/run.py --quick    # small sizes, a smoke test (CI runs this; it writes nothing)
    python bench/run.py --only read,import

Each script in SCRIPTS prints a markdown section to stdout; this collects them under a header that
names the machine, the versions and the date. Times are medians of repeated runs measured in the
same session, since these machines are shared and noisy. No test asserts a time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCRIPTS = {
    "sandbox": "bench_sandbox.py",
    "read": "bench_read.py",
    "import": "bench_import.py",
    "results": "bench_results.py",
    "hostile": "bench_hostile.py",
    "changes": "bench_changes.py",
    "masterdata": "bench_masterdata.py",
    "adaptive": "bench_adaptive.py",
    "scale": "bench_scale.py",
    "client": "bench_client.py",
}
# Everything from this line on in BENCHMARKS.md (the soak test's last result, which pytest -m soak
# produces, not this script) is kept when the file is rewritten.
KEPT_MARKER = "<!-- kept by bench/run.py: results recorded by hand below -->"
PACKAGES = ("pandas", "python-calamine", "openpyxl", "requests", "starlette", "uvicorn")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES if _installed(p))
    return (f"- Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}){mem}\n"
            f"- Python {platform.python_version()}; {versions}\n"
            f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def run_script(name: str, quick: bool) -> tuple[str, float, int]:
    cmd = [sys.executable, str(HERE / SCRIPTS[name])] + (["--quick"] if quick else [])
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - started
    out = proc.stdout.strip()
    if proc.returncode != 0:
        out += f"\n\n**{SCRIPTS[name]} failed (exit {proc.returncode}):**\n```\n{proc.stderr[-3000:]}\n```"
    return out, took, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; does not rewrite BENCHMARKS.md")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SCRIPTS)}")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md",
                        help="where to write the report (full runs only)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(SCRIPTS)
    unknown = [n for n in names if n not in SCRIPTS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(SCRIPTS)}")

    sections, failed = [], 0
    for name in names:
        print(f"== {name} ({SCRIPTS[name]}{' --quick' if args.quick else ''})", flush=True)
        out, took, code = run_script(name, args.quick)
        failed += code != 0
        print(out, flush=True)
        print(f"   ({took:.0f} s)\n", flush=True)
        sections.append(out)

    if not args.quick and not args.only:
        header = ("# Benchmarks\n\nWritten by `python bench/run.py` (all numbers below come from one "
                  "run on one machine; times are medians of repeats).\n\n" + machine() + "\n")
        kept = ""
        if args.output.exists() and KEPT_MARKER in args.output.read_text():
            kept = "\n" + args.output.read_text()[args.output.read_text().index(KEPT_MARKER):]
        args.output.write_text(header + "\n" + "\n\n".join(sections) + "\n" + kept)
        print(f"wrote {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
