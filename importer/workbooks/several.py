"""The workbooks of a file with several record sheets, composed of the per-sheet writers.

Results: every imported sheet annotated in place (same names, same addresses), then one Summary
with a section per sheet (its run's facts, counts and chart) and one Issues sheet linking to the
cells of every sheet. Failed rows: one sheet per record sheet that has rows to fix, named like the
input's sheet, so importing that workbook sends exactly what is missing.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from importer.model import RowOutcome, RunInfo, Table
from importer.workbooks.decisions import Review, add_decisions_sheet
from importer.workbooks.failed import NEEDS_FIXING, add_failed_sheet
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.results import add_results_sheet, file_issues, status_counts, warnings
from importer.workbooks.sheets import safe_title
from importer.workbooks.summary import add_legend, fill_summary
from importer.workbooks.validation import add_issues_sheet

SECTION_GAP = 3  # empty rows between two sheets' sections of the Summary


@dataclass
class SheetOutcomes:
    """One sheet of the file and its run's outcomes (keyed by Excel row)."""

    table: Table
    run: RunInfo
    outcomes: dict[int, RowOutcome]
    changes: dict | None = None  # the rows' change classes (importer.checks.changes), when known
    review: Review | None = None  # the sheet's decisions and who prepared, approved, sent

    @property
    def to_fix(self) -> int:
        return sum(1 for o in self.outcomes.values() if o.status in NEEDS_FIXING)


def write_file_results(sheets: Sequence[SheetOutcomes], out: Path) -> Path:
    """Write one results workbook for every sheet in ``sheets`` (in that order) to ``out``."""
    fw = FastWorkbook()
    titles: dict[str, str] = {}
    issues, sections = [], []
    for sheet in sheets:
        title, found = add_results_sheet(fw, sheet.table, sheet.outcomes, set(titles.values()),
                                         sheet.changes)
        titles[sheet.table.sheet] = title
        issues += file_issues(sheet.table) + found
        sections.append((sheet, title, warnings(found)))
    taken = set(titles.values())
    summary = fw.add_sheet(safe_title("Summary", taken), helper=True)
    taken.add(summary.title)
    top = 1
    for sheet, title, warned in sections:
        top = fill_summary(summary, sheet.run, sheet.table.row_count,
                           status_counts(sheet.table, sheet.outcomes), warned,
                           (sheet.table, sheet.changes), top=top,
                           title=f"Sheet {title}: {sheet.table.entity.label}",
                           legend=False,
                           notes=[i.message for i in sheet.table.issues if i.row is None],
                           review=sheet.review) + SECTION_GAP
    add_legend(summary, top)
    reviews = [(title, sheet.review) for sheet, title, _ in sections if sheet.review]
    decisions = add_decisions_sheet(fw, reviews, safe_title("Decisions", taken))
    if decisions is not None:
        taken.add(decisions.title)
    if issues:
        add_issues_sheet(fw, titles[sheets[0].table.sheet], issues,
                         safe_title("Issues", taken), titles)
    fw.save(Path(out))
    return Path(out)


def write_file_failed(sheets: Sequence[SheetOutcomes], out: Path) -> int:
    """Write the rows to fix of every sheet, each on a sheet named like the input's, to
    ``out``; returns how many rows it wrote (at least one sheet must have some)."""
    fw = FastWorkbook()
    taken: set[str] = set()
    written = 0
    for sheet in sheets:
        if sheet.to_fix:
            title = safe_title(sheet.table.sheet, taken)
            taken.add(title)
            written += add_failed_sheet(fw, sheet.table, sheet.outcomes, title=title)
    fw.save(Path(out))
    return written
