"""`write_results_workbook`: the person's rows with what happened to each, and a Summary sheet."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from importer.checks.changes import Change
from importer.model import (
    RETURNED_PREFIX,
    STATUS_COLUMNS,
    Issue,
    RowOutcome,
    RunInfo,
    Session,
    Severity,
    Status,
    Table,
)
from importer.workbooks import styles as st
from importer.workbooks.annotated import Layout, Painted, add_annotated_sheet, issue_text
from importer.workbooks.decisions import Review, add_decisions_sheet
from importer.workbooks.changes import (
    CHANGE_COLUMN,
    CHANGE_NOTE,
    changed_cells,
    with_change_column,
)
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.sheets import safe_title
from importer.workbooks.summary import fill_summary
from importer.workbooks.validation import add_issues_sheet


def returned_fields(table: Table, outcomes: dict[int, RowOutcome]) -> list[str]:
    """The response fields worth a column: those the ERP returned that the input's columns do not
    already show, plus input fields whose returned value differs from what was sent (a default
    the server filled in, a value it normalised)."""
    columns = set(table.fields)
    sent_by_row = None  # made when a record is first looked at (a dry run has none)
    pending = set(table.entity.response_fields)
    for outcome in outcomes.values():
        if not outcome.record or not pending:
            continue
        if sent_by_row is None:
            sent_by_row = table.values_of({n for n, o in outcomes.items() if o.record})
        sent = sent_by_row.get(outcome.excel_row, {})
        record = outcome.record
        found = {name for name in pending if record.get(name) not in (None, "")
                 and (name not in columns or sent.get(name) != record[name])}
        pending -= found
    return [f for f in table.entity.response_fields if f not in pending]


def status_counts(table: Table, outcomes: dict[int, RowOutcome]) -> dict[Status, int]:
    counts = {s: 0 for s in Status}
    found = outcomes.get
    for n in table.excel_rows:
        outcome = found(n)
        counts[outcome.status if outcome else Status.NOT_RUN] += 1
    return counts


def painter(outcomes: dict[int, RowOutcome], block: list[str], changes=None):
    """Each row's paint: its status, the tool's columns (with CHANGE when the rows were
    classified) and the returned block. Runs for every row: lookups made once are kept."""
    empty = [""] * len(block)
    status_text = {s: s.value for s in Status}
    change_text = {c: c.value for c in Change}
    found, classes = outcomes.get, (changes or {}).get

    def paint(n: int) -> Painted:
        o = found(n) or RowOutcome(n, Status.NOT_RUN)
        status = status_text[o.status]
        message = o.message or issue_text(o.issues)
        values = [o.record.get(f, "") for f in block] if o.record else empty
        if changes is None:
            return Painted(status, (status, o.action, o.http_status, o.message_code, message),
                           values)
        change = classes(n)  # as workbooks.changes.with_change_value puts it
        return Painted(status, (status, change_text[change.change] if change else "", o.action,
                                o.http_status, o.message_code, message), values)

    return paint


def write_results_workbook(table: Table, run: RunInfo, outcomes: dict[int, RowOutcome],
                           out: Path, changes=None, sessions: Sequence[Session] = (),
                           next_step: str = "", review: Review | None = None) -> Path:
    """Write the results workbook of a run (outcomes keyed by Excel row) to ``out``; with the
    rows' change classes (importer.checks.changes) a CHANGE column and the changed cells marked. The
    Summary lists ``sessions``, says ``next_step`` and who prepared, approved and sent
    (``review``); a Decisions sheet lists the review's decisions."""
    fw = FastWorkbook()
    data, issues = add_results_sheet(fw, table, outcomes, set(), changes)
    taken = {data}
    summary = fw.add_sheet(safe_title("Summary", taken), helper=True)
    fill_summary(summary, run, table.row_count, status_counts(table, outcomes), warnings(issues),
                 (table, changes), notes=[i.message for i in file_issues(table)],
                 sessions=sessions, next_step=next_step, review=review)
    taken.add(summary.title)
    if review is not None and review.decisions:
        taken.add(add_decisions_sheet(fw, [(data, review)], safe_title("Decisions", taken)).title)
    if issues or table.issues:
        add_issues_sheet(fw, data, file_issues(table) + issues, safe_title("Issues", taken))
    fw.save(Path(out))
    return Path(out)


def add_results_sheet(fw: FastWorkbook, table: Table, outcomes: dict[int, RowOutcome],
                      taken: set[str], changes=None) -> tuple[str, list[Issue]]:
    """Add ``table``'s rows annotated with their outcomes (and change classes); returns the
    sheet's title (not one in ``taken``) and the rows' issues."""
    block = returned_fields(table, outcomes)
    colours = {s.value: c for s, c in st.STATUS_COLOURS.items()}
    erp = [RETURNED_PREFIX + f for f in block]
    notes = {STATUS_COLUMNS[0]: "\n".join(f"{s.value}: {m}" for s, m in st.STATUS_MEANING.items())}
    if erp:
        notes[erp[0]] = ("ERP:… columns: what the ERP returned for the row. The tool ignores "
                         "them when this workbook is imported again.")
    notes[CHANGE_COLUMN] = CHANGE_NOTE
    layout = Layout(table, with_change_column(STATUS_COLUMNS, changes), erp, row_colours=colours,
                    status_colours=colours, header_notes=notes)
    issues = [i for o in outcomes.values() for i in o.issues]
    data = add_annotated_sheet(fw, safe_title(table.sheet, taken), layout,
                               painter(outcomes, block, changes), issues,
                               changed_cells(table, changes))
    return data.title, issues


def warnings(issues: list[Issue]) -> int:
    return sum(1 for i in issues if i.severity is Severity.WARNING)


def file_issues(table: Table) -> list[Issue]:
    return [i for i in table.issues if i.row is None]
