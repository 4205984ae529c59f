"""Every file of the bad-input corpus (tests/data/bad, see expected.json) through `importer
validate`: the exact exit code, one sentence for unusable files, the exact annotated cells for the
others, and never a traceback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from importer.cli import main
from importer.checks.validation import ISSUE_CODES, WARNING_CODES

BAD = Path(__file__).resolve().parent / "data" / "bad"
MANIFEST = json.loads((BAD / "expected.json").read_text())["files"]
ERROR_CODES = set(ISSUE_CODES) - WARNING_CODES
# The corpus is about reading files; a price list's own rules (importer.checks.pricerules) are tested in
# tests/test_price_rules.py, so they are off here and the manifest lists only reading's issues.
RULES_OFF = ("[rules.product-price]\neffective_date_required = false\n"
             "price_required_on_create = false\noverlapping_periods = \"off\"\n")


def rules_off(tmp_path: Path) -> list[str]:
    config = tmp_path / "rules-off.toml"
    config.write_text(RULES_OFF, encoding="utf-8")
    return ["--config", str(config)]


def test_corpus_has_at_least_30_files_all_in_the_manifest():
    outputs = (".results.xlsx", ".failed.xlsx", ".validation.xlsx")  # left by manual runs
    files = {p.name for p in BAD.iterdir() if p.name not in ("expected.json", "make_corpus.py")
             and not p.name.endswith(outputs)}
    assert len(MANIFEST) >= 30
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input_gets_its_exit_code_and_message(name, tmp_path):
    expected = MANIFEST[name]
    args = ["validate", str(BAD / name), *expected["args"], "-o", str(tmp_path / "out.xlsx"),
            *rules_off(tmp_path)]
    result = CliRunner().invoke(main, args + ["--json"])
    assert result.exit_code == expected["exit"], result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if expected["exit"] == 2:
        error = json.loads(result.stdout)  # --json: the error as one object on stdout, too
        assert error["exit_code"] == 2 and expected["message"] in error["error"]
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert expected["message"] in lines[0]
        assert name in lines[0]
    else:
        report = json.loads(result.stdout)
        assert {i["address"]: i["code"] for i in report["issues"]} == expected["cells"]
        assert len(report["issues"]) == len(expected["cells"])


def test_a_real_process_prints_no_traceback_for_a_broken_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "importer", "validate",
                           str(BAD / "truncated.xlsx"), "-o", str(tmp_path / "o.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input_dry_run_import_exits_the_same_and_sends_nothing(name, tmp_path, monkeypatch):
    """`import --dry-run` reads and validates exactly as `validate` does: same exit code, the same
    one sentence for an unusable file, and for a usable one a results workbook whose invalid
    rows are exactly the rows `validate` flags with an error."""
    expected = MANIFEST[name]
    monkeypatch.chdir(tmp_path)
    for var in ("IMPORTER_URL", "IMPORTER_DATA_SOURCE", "IMPORTER_USER", "IMPORTER_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    src = tmp_path / name
    src.write_bytes((BAD / name).read_bytes())  # outputs land beside the copy, not in the repo
    args = ["import", str(src), "--dry-run", "--json", *expected["args"],
            "--journal", str(tmp_path / "journal.sqlite"), "-o", str(tmp_path / "results.xlsx"),
            *rules_off(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == expected["exit"], result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if expected["exit"] == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("Error: ") and expected["message"] in lines[-1]
        assert not (tmp_path / "results.xlsx").exists()
        return
    summary = json.loads(result.stdout)
    error_rows = {int(addr.split("!")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                  for addr, code in expected["cells"].items() if code in ERROR_CODES}
    assert summary["counts"].get("INVALID", 0) == len(error_rows), summary
    assert summary["calls"] == 0
    assert (tmp_path / "results.xlsx").exists()
