"""A sheet whose data reach the last columns (near XFD): the outcome columns cannot follow the
data, so they go to a sheet of their own keyed by row number, and `report` recovers it too."""
from __future__ import annotations

import openpyxl
from click.testing import CliRunner
from test_import import run_cli, sb  # noqa: F401

from importer.cli import main


def _wide_price_list(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws["A1"], ws["B1"], ws["XFC1"] = "PART_ID", "PRICE_CODE", "NOTES"
    ws["C1"], ws["D1"] = "EFFECTIVE_DATE", "SO_UNIT_PRICE"  # the price-list rules want both
    ws["A2"], ws["B2"], ws["XFC2"] = "PUMP001", "WIDE", "far right"
    ws["A3"], ws["B3"], ws["XFC3"] = "4711", "WIDE", "also far"
    for row in (2, 3):
        ws.cell(row, 3).value, ws.cell(row, 4).value = "2026-12-01", "5"
    wb.save(path)
    return path


def _results_sheet(path):
    wb = openpyxl.load_workbook(path)
    assert "Prices results" in wb.sheetnames, wb.sheetnames
    ws = wb["Prices results"]
    return [[c.value for c in row] for row in ws.iter_rows(max_col=3)]


def test_outcomes_of_a_sheet_reaching_xfd_go_to_a_sheet_of_their_own(sb, tmp_path):  # noqa: F811
    src = _wide_price_list(tmp_path / "wide.xlsx")
    result = run_cli([str(src)], sb, journal=tmp_path / "j")
    assert result.exit_code == 0, result.output
    out = tmp_path / "wide.results.xlsx"
    rows = _results_sheet(out)
    assert rows[0] == ["ROW", "STATUS", "CHANGE"]  # CHANGE: NEW (the run is classified)
    assert rows[1][:2] == [2, "CREATED"] and rows[2][:2] == [3, "CREATED"]
    data = openpyxl.load_workbook(out)["Prices"]
    assert data["XFC2"].value == "far right" and data["A3"].value == "4711"
    out.unlink()
    again = CliRunner().invoke(main, ["report", "--last", "--journal", str(tmp_path / "j")])
    assert again.exit_code == 0, again.output
    assert _results_sheet(out)[1][:2] == [2, "CREATED"]
