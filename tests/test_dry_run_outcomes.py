"""A dry run writes its results workbook from the outcomes it journaled, kept in memory rather
than read back from the journal: the outcomes are the very ones the journal holds, and the
workbook is the one `importer report` renders from the journal alone."""
from __future__ import annotations

import csv
import time

import openpyxl
from click.testing import CliRunner

from importer.checks.validation import validate
from importer.cli import main
from importer.journal.store import Journal
from importer.reading import read_table
from importer.runs.sheetrun import SheetRun

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE", "NOTES"]


def _price_file(path, n: int = 400):
    """Valid rows, rows with one or two errors, warnings, a note with odd characters."""
    rows = []
    for i in range(n):
        price = ("abc" if i % 7 == 0 else "-1" if i % 11 == 0 else f"{10 + i % 13}.50")
        date = "2026-13-01" if i % 9 == 0 else "2026-03-01"
        rows.append([f"P{i // 4:04d}", "LP", date, str(i % 4 + 1), price,
                     "a < b & \"c\"\n" if i % 5 == 0 else f"note {i}"])
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def _cells(path, leave_out=("Summary",)) -> dict:
    book = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.data_type, c.number_format,
                                       c.comment.text if c.comment else None, c.fill.fgColor.rgb,
                                       c.hyperlink.location if c.hyperlink else None)
            for ws in book.worksheets if ws.title not in leave_out
            for row in ws.iter_rows() for c in row}


def test_the_outcomes_kept_are_the_ones_journaled(tmp_path):
    table = read_table(_price_file(tmp_path / "p.csv"))
    report = validate(table)
    assert report.errors and len(report.invalid_rows) < len(table.rows)
    with Journal(tmp_path / "j.sqlite3") as journal:
        session = SheetRun(journal, table, report, None, "upsert", True, None)
        session.open(False)
        session.dispatch(1, None, None)
        session.finish(tmp_path / "r.xlsx", time.monotonic(), time.process_time())
        stored = journal.outcomes(session.run.run_id)
    assert len(stored) == len(table.rows)
    assert list(session.outcomes) == list(stored)  # the same rows in the same order
    assert session.outcomes == stored  # status, call, message, issues: value for value


def test_a_dry_runs_results_are_what_report_renders_from_the_journal(tmp_path):
    src = _price_file(tmp_path / "p.csv")
    journal = tmp_path / "j.sqlite3"
    dry = CliRunner().invoke(main, ["import", str(src), "--dry-run", "--journal", str(journal),
                                    "-o", str(tmp_path / "dry.xlsx")], catch_exceptions=False)
    assert dry.exit_code == 1, dry.output  # rows with errors
    with Journal(journal) as j:
        run_id = j.last_run_id()
    again = CliRunner().invoke(main, ["report", str(run_id), "--journal", str(journal),
                                      "-o", str(tmp_path / "report.xlsx")],
                               catch_exceptions=False)
    assert again.exit_code == 0, again.output
    made, rendered = _cells(tmp_path / "dry.xlsx"), _cells(tmp_path / "report.xlsx")
    assert any(v[3] for v in made.values()) and ("Issues", "B2") in made
    assert made == rendered
