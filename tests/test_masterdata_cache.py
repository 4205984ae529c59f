"""Master-data files are read once: their columns are kept in the user's cache folder under the
SHA-256 of the file's bytes, so the next run reads the same parts list in milliseconds, a changed
file is read again, and a cache that cannot be used changes nothing."""
from __future__ import annotations

import json
import marshal
import os

import openpyxl
from click.testing import CliRunner
from conftest import isolate_from_user
from test_references import write_csv

from importer.checks.masterdata import CACHE_KEPT, load_master_data, read_columns
from importer.cli import main
from importer.sandbox.master import read_master_columns

COLUMNS = ("PART_ID", "PART_STATUS")


def parts_file(tmp_path, ids, name="parts.csv"):
    return write_csv(tmp_path / name, ["PART_ID", "PART_DESC", "PART_STATUS"],
                     [[i, f"Part {i}", "O" if i.endswith("9") else "A"] for i in ids])


def test_a_file_read_again_comes_from_the_cache_with_the_same_columns(tmp_path):
    path = parts_file(tmp_path, ["000417", "PUMP-003", "VALVE-9"])
    cache = tmp_path / "cache"
    first = read_columns(path, COLUMNS, "parts", cache)
    assert first == read_master_columns(path, COLUMNS, "parts")
    kept = list(cache.glob("*.columns"))
    assert len(kept) == 1
    # what the cache holds is what the next read returns (the file is not parsed again)
    kept[0].write_bytes(marshal.dumps({"PART_ID": ["FROM-CACHE"], "PART_STATUS": [""]}))
    assert read_columns(path, COLUMNS, "parts", cache)["PART_ID"] == ["FROM-CACHE"]


def test_a_changed_file_is_read_again_even_with_the_same_size_and_time(tmp_path):
    path = parts_file(tmp_path, ["PART-001", "PART-002"])
    cache = tmp_path / "cache"
    stat = path.stat()
    assert read_columns(path, COLUMNS, "parts", cache)["PART_ID"] == ["PART-001", "PART-002"]
    parts_file(tmp_path, ["PART-001", "PART-003"])  # same length, other content
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert read_columns(path, COLUMNS, "parts", cache)["PART_ID"] == ["PART-001", "PART-003"]
    master = load_master_data(path, cache=cache)
    assert master.parts.known == {"PART-001", "PART-003"}


def test_a_cache_that_cannot_be_used_changes_nothing(tmp_path):
    path = parts_file(tmp_path, ["PART-001", "PART-009"])
    want = read_master_columns(path, COLUMNS, "parts")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    assert read_columns(path, COLUMNS, "parts", blocked) == want
    cache = tmp_path / "cache"
    read_columns(path, COLUMNS, "parts", cache)
    for kept in cache.glob("*.columns"):
        kept.write_bytes(b"\x00 not marshal data")
    assert read_columns(path, COLUMNS, "parts", cache) == want
    assert load_master_data(path, cache=cache).obsolete_parts() == {"PART-009": "O"}


def test_the_cache_keeps_only_the_newest_files(tmp_path):
    cache = tmp_path / "cache"
    for k in range(CACHE_KEPT + 3):
        read_columns(parts_file(tmp_path, [f"PART-{k:03d}"], f"p{k}.csv"), COLUMNS, "parts",
                     cache)
    assert len(list(cache.glob("*.columns"))) == CACHE_KEPT
    assert not list(cache.glob("*.partial"))


def test_validate_with_an_xlsx_parts_list_says_the_same_twice_and_keeps_it_once(
        tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)
    book = openpyxl.Workbook()
    book.active.append(["PART_ID", "PART_DESC", "PART_STATUS"])
    for row in (["000417", "Gasket", "A"], ["PUMP003", "Pump", "A"], ["OBS-1", "Old", "O"]):
        book.active.append(row)
    parts = tmp_path / "parts.xlsx"
    book.save(parts)
    prices = write_csv(tmp_path / "prices.csv", ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE",
                                                 "SO_UNIT_PRICE"],
                       [["417", "LP", "2026-12-01", "10"], ["PUMP003", "LP", "2026-12-01", "9"],
                        ["OBS-1", "LP", "2026-12-01", "8"]])
    runs = []
    for _ in range(2):
        result = CliRunner().invoke(main, ["validate", str(prices), "--parts", str(parts),
                                           "--json", "-o", str(tmp_path / "v.xlsx")])
        assert result.exit_code == 1, result.output
        runs.append([(i["address"], i["code"], i["message"])
                     for i in json.loads(result.stdout)["issues"]])
    assert runs[0] == runs[1]
    assert ("prices!A2", "unknown-part",
            "PART_ID 417 is not in the parts file parts.xlsx; did you mean 000417?") in runs[0]
    assert any(code == "obsolete-part" for _a, code, _m in runs[0])
    kept = list((tmp_path / "home").rglob("masterdata/*.columns"))
    assert len(kept) == 1
