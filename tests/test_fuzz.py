"""Seeded fuzz: a few hundred mutations of small xlsx, xls, ods and csv files (byte flips,
truncations, shuffled or missing zip members, wrong content types, huge dimension tags and row
numbers, huge repeats, deep XML nesting) through `importer validate`. Every case ends with exit 0,
1 or 2 and at most one sentence on stderr: never a traceback, a Rust panic or a signal.

The cases run in a few child processes (one loop each, so the test stays fast); a native abort or
a hang (faulthandler's per-case watchdog) ends the child, and the parent names the case that was
running. Nothing is committed: the corpus is generated here from the seed files.
"""
from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile_files as hf

SEED = 20261201
CASES_PER_SEED = 60
BATCHES = 4
PER_CASE_S = 30  # watchdog for a hang, not a timing assertion
BAD = Path(__file__).resolve().parent / "data" / "bad"

CHILD = r"""
import faulthandler, json, os, resource, sys, tempfile
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from click.testing import CliRunner
from importer.cli import main

out_dir, cases, per_case = Path(sys.argv[1]), sys.argv[3:], float(sys.argv[2])
results = []
for case in cases:
    print("START", case, flush=True)
    faulthandler.dump_traceback_later(per_case, exit=True)
    native = tempfile.TemporaryFile()
    saved = os.dup(2)
    os.dup2(native.fileno(), 2)  # what Rust or C code writes to the process's stderr
    try:
        result = CliRunner().invoke(main, ["validate", case, "-o", str(out_dir / "out.xlsx"),
                                           "--json"])
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    faulthandler.cancel_dump_traceback_later()
    native.seek(0)
    exc = result.exception
    results.append({"case": case, "exit": result.exit_code, "stderr": result.stderr,
                    "native": native.read().decode(errors="replace"),
                    "exception": None if exc is None or isinstance(exc, SystemExit)
                    else f"{type(exc).__name__}: {exc}"})
print("RESULTS", json.dumps(results), flush=True)
"""


# --- mutations -------------------------------------------------------------------------------
def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def rezip(items: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in items:
            zf.writestr(name, body)
    return buf.getvalue()


def sheet_part(items: list[tuple[str, bytes]]) -> int:
    names = [n for n, _ in items]
    for wanted in ("content.xml", "xl/worksheets/sheet1.xml"):
        if wanted in names:
            return names.index(wanted)
    return max(range(len(items)), key=lambda k: len(items[k][1]))


def edit_sheet(data: bytes, rng: random.Random, edit) -> bytes:
    items = members(data)
    k = sheet_part(items)
    items[k] = (items[k][0], edit(items[k][1], rng))
    return rezip(items)


def shuffle_members(data: bytes, rng: random.Random) -> bytes:
    items = members(data)
    rng.shuffle(items)
    return rezip(items)


def drop_member(data: bytes, rng: random.Random) -> bytes:
    items = members(data)
    items.pop(rng.randrange(len(items)))
    return rezip(items)


def wrong_content_type(data: bytes, rng: random.Random) -> bytes:
    items = [(n, b.replace(b"spreadsheetml.sheet.main", b"wordprocessingml.document.main")
              .replace(b"opendocument.spreadsheet", rng.choice([b"opendocument.text", b"x"])))
             for n, b in members(data)]
    return rezip(items)


def xml_flip(xml: bytes, rng: random.Random) -> bytes:
    return flip_bytes(xml, rng)


def huge_numbers(xml: bytes, rng: random.Random) -> bytes:
    big = rng.choice([b"1048576", b"99999999", b"4294967296", b"18446744073709551617", b"-1", b"0"])
    xml = re.sub(rb'(<(?:\w+:)?dimension ref=")[^"]*', rb"\1A1:XFD" + big, xml)
    xml = re.sub(rb'number-(rows|columns)-repeated="\d+"', rb'number-\1-repeated="' + big + b'"',
                 xml)
    xml = xml.replace(b'r="3"', b'r="' + big + b'"', 1).replace(b'r="A3"', b'r="A' + big + b'"', 1)
    cell = rng.choice([b"XFD", b"ZZZZ", b"A"]) + big
    return xml.replace(b"</sheetData>", b'<row r="' + big + b'"><c r="' + cell + b'"><v>1</v>'
                       b"</c></row></sheetData>", 1)


def repeated_value_cell(xml: bytes, rng: random.Random) -> bytes:
    times = rng.choice([b"16384", b"1000000", b"1073741824"])
    return xml.replace(b"<table:table-cell ", b'<table:table-cell table:number-columns-repeated="'
                       + times + b'" ', 1).replace(b"<table:table-row>", b'<table:table-row '
                       b'table:number-rows-repeated="' + times + b'">', 1)


def deep_nesting(xml: bytes, rng: random.Random) -> bytes:
    depth = rng.choice([1000, 20_000])
    for closing in (b"</sheetData>", b"</table:table>"):
        if closing in xml:
            tag = b"x" if closing == b"</sheetData>" else b"table:table-row"
            return xml.replace(closing, (b"<" + tag + b">") * depth
                               + (b"</" + tag + b">") * depth + closing, 1)
    return xml


ZIP_MUTATIONS = (flip_bytes, truncate, shuffle_members, drop_member, wrong_content_type,
                 lambda d, r: edit_sheet(d, r, xml_flip), lambda d, r: edit_sheet(d, r, huge_numbers),
                 lambda d, r: edit_sheet(d, r, repeated_value_cell),
                 lambda d, r: edit_sheet(d, r, deep_nesting))
BYTE_MUTATIONS = (flip_bytes, truncate)


def csv_mutation(data: bytes, rng: random.Random) -> bytes:
    choice = rng.randrange(6)
    if choice == 0:
        return flip_bytes(data, rng)
    if choice == 1:
        return truncate(data, rng)
    if choice == 2:
        return data.replace(b",", rng.choice([b'"', b"\x00", b";", b"\t", b'""', b"\r"]), 3)
    if choice == 3:
        return data + b"," * rng.choice([16384, 100_000]) + b"\r\n"
    if choice == 4:
        return rng.choice([b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"]) + data
    return data.replace(b"\r\n", b"\r\n" + b'"' * rng.randint(1, 3), 2)


def corpus(folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    xlsx = hf.write_xlsx(folder / "seed.xlsx", hf.sheet_xml([hf.HEADER] + hf.ROWS))
    seeds = [(BAD / "libreoffice.xlsx", ZIP_MUTATIONS), (xlsx, ZIP_MUTATIONS),
             (BAD / "libreoffice.ods", ZIP_MUTATIONS), (BAD / "libreoffice.xls", BYTE_MUTATIONS)]
    cases = []
    for seed, mutations in seeds:
        data = seed.read_bytes()
        for n in range(CASES_PER_SEED):
            mutated = rng.choice(mutations)(data, rng)
            cases.append(_write(folder, f"{seed.stem}_{n}{seed.suffix}", mutated))
    data = hf.price_list_csv_bytes()
    for n in range(CASES_PER_SEED):
        cases.append(_write(folder, f"prices_{n}.csv", csv_mutation(data, rng)))
    return cases


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / "cases" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def run_batch(folder: Path, cases: list[Path]) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(folder), str(PER_CASE_S),
                           *map(str, cases)], capture_output=True, text=True,
                          timeout=PER_CASE_S * len(cases) + 120, cwd=folder)
    started = [line[6:] for line in proc.stdout.splitlines() if line.startswith("START ")]
    assert proc.returncode == 0, (f"the child ended with {proc.returncode} during "
                                  f"{started[-1] if started else '?'}: {proc.stderr[-2000:]}")
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULTS "))
    return json.loads(line[8:])


def test_no_mutated_file_crashes_or_says_more_than_one_sentence(tmp_path, monkeypatch):
    from conftest import isolate_from_user

    isolate_from_user(tmp_path, monkeypatch)
    cases = corpus(tmp_path)
    assert len(cases) >= 300
    results = []
    for k in range(BATCHES):
        results += run_batch(tmp_path, cases[k::BATCHES])
    problems = []
    for r in results:
        lines = r["stderr"].strip().splitlines()
        if r["exception"] or r["exit"] not in (0, 1, 2) or r["native"].strip() or (
                r["exit"] == 2 and (len(lines) != 1 or not lines[0].startswith("Error: "))) or (
                "Traceback" in r["stderr"]):
            problems.append(r)
    assert not problems, json.dumps(problems[:5], indent=1)[:6000]
    assert {r["exit"] for r in results} >= {0, 2}  # the mutations reach both ends
