"""Safe CSV export: a value a spreadsheet would run as a formula is written so that it shows as
text, and reading the export gives back the exact value (export -> import round-trips)."""
from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
from conftest import records
from hypothesis import given, strategies as st
from test_export import export
from test_import import price_rows, run_cli, sb, summary, write_csv  # noqa: F401

from importer.csvtext import protect, unprotect

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
FORMULAS = ['=HYPERLINK("x")', "+SUM(1,2)", "-2+3", "@SUM(1)"]


@given(st.text())
def test_every_value_survives_protect_then_unprotect(value):
    assert unprotect(protect(value)) == value


@pytest.mark.parametrize("value", FORMULAS + ["\t=1", "\r=1", "'=1", "''+x"])
def test_a_formula_gets_a_quote_in_front(value):
    assert protect(value) == "'" + value


@pytest.mark.parametrize("value", ["-5", "+1.5", "-0.25e3", "PUMP001", "'quoted", "a=b", ""])
def test_numbers_and_plain_text_are_written_as_they_are(value):
    assert protect(value) == value == unprotect(value)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_exported_formula_opens_as_text_in_libreoffice_and_imports_back_unchanged(sb, tmp_path):
    rows = price_rows(len(FORMULAS))
    for row, formula in zip(rows, FORMULAS):
        row[-1] = formula  # NOTES
    first = run_cli([str(write_csv(tmp_path / "p.csv", rows)), "--json"], sb,
                    journal=tmp_path / "j")
    assert summary(first)["counts"] == {"CREATED": len(FORMULAS)}, first.output
    out = tmp_path / "prices.export.csv"
    assert export(sb, tmp_path / "j", "--format", "csv", "-o", str(out)).exit_code == 0
    assert "'=HYPERLINK(\"\"x\"\")" in out.read_text(encoding="utf-8-sig")

    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"), str(out)],
                   check=True, capture_output=True, timeout=180)
    ws = openpyxl.load_workbook(tmp_path / "lo" / "prices.export.xlsx").active
    column = next(c.column for c in ws[1] if c.value == "NOTES")
    notes = [c for c in next(ws.iter_cols(min_col=column, max_col=column)) if c.row > 1]
    assert [c.data_type for c in notes] == ["s"] * len(FORMULAS)  # text, no formula cell
    assert any(c.value.endswith('=HYPERLINK("x")') for c in notes)

    again = run_cli([str(out), "--json"], sb, journal=tmp_path / "j")
    assert summary(again)["counts"] == {"UPDATED": len(FORMULAS)}, again.output
    assert sorted(r["NOTES"] for r in records(sb.url, "product-price")) == sorted(FORMULAS)
