"""Hostile and accidental files (tests/hostile_files.py writes them): each ends with one sentence
or a correct result, in a fresh process whose peak memory (getrusage of the child, measured by a
wrapper process) stays under 300 MB. A native abort shows as a negative exit code."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import hostile_files as hf
from conftest import isolate_from_user

PEAK_MB = 300
MEASURE = """
import json, resource, subprocess, sys

def cap():  # a regression aborts (a signal, seen below) instead of swapping the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

try:
    p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120,
                       preexec_fn=cap)
    rc, out, err = p.returncode, p.stdout, p.stderr
except subprocess.TimeoutExpired:
    rc, out, err = "timeout", "", ""
print(json.dumps({"rc": rc, "stdout": out, "stderr": err,
                  "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


@pytest.fixture
def home(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))
    return tmp_path


def run_measured(*args: str) -> dict:
    """`importer ARGS` in a fresh child of a fresh wrapper; its exit code, output, peak RSS."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "importer",
                           *args], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def assert_one_sentence(result: dict, *fragments: str) -> str:
    assert result["rc"] == 2, result
    lines = result["stderr"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result["stderr"]
    assert "Traceback" not in result["stderr"]
    for fragment in fragments:
        assert fragment in lines[0]
    assert result["peak_mb"] < PEAK_MB, result
    return lines[0]


@pytest.mark.parametrize("address", ["XFD200000", "Z1048576"])
def test_a_stray_value_far_below_or_right_of_the_table_is_named_not_allocated(home, address):
    path = hf.stray_xlsx(home, address)
    line = assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                               f"A value at {address} ", "far from the table (A1:F3)",
                               "delete it")
    assert path.name in line


def test_a_stray_value_in_an_ods_is_named(home):
    path = hf.stray_ods(home)
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "A value at A1048574 ", "stray_1048570_0.ods", "(A1:F3)")


def test_a_stray_value_in_the_last_cell_of_an_xls_is_named(home):
    path = hf.stray_xls(home)
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "A value at IV65536 ", "stray_IV65536.xls", "(A1:F3)")


def test_a_stray_value_close_to_the_table_still_gives_the_usual_answer(home):
    """A box small enough to read whatever its density: the normal checks speak (a value
    without a header), as before."""
    path = hf.stray_xlsx(home, "H40")
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "Column H", "has values but no header")


def test_a_huge_dimension_tag_does_not_matter(home):
    result = run_measured("validate", str(hf.huge_dimension_xlsx(home)), "-o",
                          str(home / "o.xlsx"), "--json")
    assert result["rc"] == 0, result
    assert json.loads(result["stdout"])["rows"] == 2
    assert result["peak_mb"] < PEAK_MB


@pytest.mark.parametrize("command", ["validate", "import"])
def test_data_in_all_16384_columns_ends_in_one_sentence(home, command):
    path = hf.all_columns_xlsx(home)
    extra = ["--dry-run", "--journal", str(home / "j.sqlite3")] if command == "import" else []
    # columns that are no field are refused only with --strict-columns (else not sent, listed)
    assert_one_sentence(run_measured(command, str(path), *extra, "--strict-columns", "-o",
                                     str(home / "o.xlsx")), "all_16384_columns.xlsx", "16373 more")


@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_field_in_the_last_column_xfd_is_read_and_its_results_written(home, command):
    path = hf.field_in_last_column_xlsx(home)
    extra = ["--dry-run", "--journal", str(home / "j.sqlite3")] if command == "import" else []
    result = run_measured(command, str(path), *extra, "-o", str(home / "o.xlsx"), "--json")
    assert result["rc"] == 0, result
    assert "Traceback" not in result["stderr"] and (home / "o.xlsx").is_file()
    assert result["peak_mb"] < PEAK_MB


def test_the_zip_bomb_is_refused_from_its_directory(home):
    path = hf.zip_bomb_xlsx(home)
    assert path.stat().st_size < 4 << 20
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "unpacks to more than 1,024 MB", "max_sheet_mb")


def test_max_sheet_mb_can_be_lowered_in_the_config_file(home):
    path = hf.zip_bomb_xlsx(home, inflated_mb=80)
    (home / "importer.toml").write_text("[reading]\nmax_sheet_mb = 50\n")
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "more than 50 MB")


def test_dev_zero_is_refused_as_a_device(home):
    assert_one_sentence(run_measured("validate", "/dev/zero", "-o", str(home / "o.xlsx")),
                        "/dev/zero is a device, not a file")


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(home):
    path = hf.fifo(home)
    result = run_measured("validate", str(path), "-o", str(home / "o.xlsx"))
    assert result["rc"] != "timeout"
    assert_one_sentence(result, "pipe.csv is a pipe, not a file")


def test_a_50_mb_line_of_commas_is_refused_before_it_is_split(home):
    path = hf.comma_line_csv(home)
    assert_one_sentence(run_measured("validate", str(path), "-o", str(home / "o.xlsx")),
                        "Line 2 of commas_50mb.csv")


def test_a_csv_line_with_more_values_than_excel_has_columns_is_refused(tmp_path):
    from importer.errors import UnusableFile
    from importer.reading.limits import check_csv_text

    check_csv_text(tmp_path / "ok.csv", "a,b\n" + '"' + "," * 20000 + '",x\n', ",")  # quoted
    with pytest.raises(UnusableFile, match=r"Line 2 of wide.csv has more than 16,384 values"):
        check_csv_text(tmp_path / "wide.csv", "a;b\n" + ";" * 16384 + "\n", ";")
