"""`write_failed_workbook`: every row that was not applied (FAILED, INVALID, NOT_RUN, HELD), in the
template's layout, so that importing this file alone sends exactly what is missing. Values are the
cells as the person saw them; REASON (ignored by the reader) says why each row is here.
`add_failed_sheet` adds one such sheet to a workbook (one per input sheet)."""
from __future__ import annotations

from pathlib import Path

from importer.model import (ACTION_COLUMN, REASON_COLUMN, Issue, Row, RowOutcome, Status, Table,
                            column_letter)
from importer.workbooks.annotated import cell_notes
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.tabular import add_template_sheet

UNAPPLIED = (Status.FAILED, Status.INVALID, Status.NOT_RUN, Status.HELD)  # a failed-rows file
NEEDS_FIXING = UNAPPLIED  # the name the several-sheets writer uses
NOT_RUN_REASON = "Not sent yet: the run stopped before this row."


def unapplied(outcomes: dict[int, RowOutcome], dry_run: bool = False) -> int:
    """How many rows a failed-rows file of these outcomes holds (a dry run's NOT_RUN rows are
    its would-be calls, not rows left behind)."""
    wanted = statuses_for(dry_run)
    return sum(1 for o in outcomes.values() if o.status in wanted)


def statuses_for(dry_run: bool) -> tuple[Status, ...]:
    return (Status.INVALID,) if dry_run else UNAPPLIED


def reason(outcome: RowOutcome, row: Row, table: Table) -> str:
    if outcome.status is Status.NOT_RUN:
        text = NOT_RUN_REASON
    elif outcome.status is Status.HELD:
        text = (f"{outcome.message} Once accepted (importer approve with this file, or Accept "
                "in the page's preview), import this file again.")
    elif outcome.status is Status.FAILED:
        code = f"{outcome.message_code}: " if outcome.message_code else ""
        text = f"{code}{outcome.message}" if outcome.message else code.rstrip(": ") or "Failed."
    else:
        text = " ".join(dict.fromkeys(i.message for i in outcome.issues)) or "Invalid row."
    return f"{text} (row {row.excel_row} of {table.path.name})"


def _moved(issues: list[Issue], new_row: int, letters: dict[str, str]) -> list[Issue]:
    """The row's issues re-addressed to where its cells sit in the failed-rows sheet."""
    out = []
    for issue in issues:
        if issue.field in letters:
            out.append(Issue(issue.code, issue.message, issue.severity, row=new_row,
                             column=letters[issue.field]))
    return out


def write_failed_workbook(table: Table, outcomes: dict[int, RowOutcome], out: Path,
                          dry_run: bool = False) -> int:
    """Write every row not applied to ``out``; returns how many rows it wrote."""
    fw = FastWorkbook()
    written = add_failed_sheet(fw, table, outcomes, statuses_for(dry_run))
    fw.save(Path(out))
    return written


def add_failed_sheet(fw: FastWorkbook, table: Table, outcomes: dict[int, RowOutcome],
                     statuses: tuple[Status, ...] = UNAPPLIED, title: str | None = None) -> int:
    """Add the sheet of ``table``'s rows whose status is in ``statuses``; returns the count."""
    entity = table.entity
    action = next((c for c in table.columns if c.is_action), None)
    extra = ([ACTION_COLUMN] if action else []) + [REASON_COLUMN]
    headers = list(entity.field_names) + extra
    letters = {name: column_letter(i) for i, name in enumerate(headers)}
    position = {c.field: i for i, c in enumerate(table.columns) if c.field}
    if action:
        position[ACTION_COLUMN] = table.columns.index(action)
    rows, issues = [], []
    numbers = table.excel_rows
    for k in sorted(range(len(numbers)), key=numbers.__getitem__):
        outcome = outcomes.get(numbers[k])
        status = outcome.status if outcome else Status.NOT_RUN
        if status not in statuses:
            continue
        row = table.row_at(k)
        outcome = outcome or RowOutcome(row.excel_row, Status.NOT_RUN)
        cells = [_cell(row, position.get(name)) for name in headers[:-1]]
        rows.append(cells + [reason(outcome, row, table)])
        issues += _moved(outcome.issues, len(rows) + 1, letters)
    add_template_sheet(fw, entity, extra, rows, cell_notes(issues), title=title)
    return len(rows)


def _cell(row: Row, position: int | None) -> str:
    if position is None or position >= len(row.cells):
        return ""
    return row.cells[position]
