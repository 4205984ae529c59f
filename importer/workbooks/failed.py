"""`write_failed_workbook`: the rows that did not make it, in the template's layout, to fix and load
again. Values are the cells as the person saw them; REASON (ignored by the reader) says why."""
from __future__ import annotations

from pathlib import Path

from importer.model import (ACTION_COLUMN, REASON_COLUMN, Issue, Row, RowOutcome, Status, Table,
                            column_letter)
from importer.workbooks.annotated import cell_notes
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.tabular import add_template_sheet

NEEDS_FIXING = (Status.FAILED, Status.INVALID)


def reason(outcome: RowOutcome, row: Row, table: Table) -> str:
    if outcome.status is Status.FAILED:
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


def write_failed_workbook(table: Table, outcomes: dict[int, RowOutcome], out: Path) -> int:
    """Write the FAILED and INVALID rows to ``out``; returns how many rows it wrote."""
    fw = FastWorkbook()
    written = add_failed_sheet(fw, table, outcomes)
    fw.save(Path(out))
    return written


def add_failed_sheet(fw: FastWorkbook, table: Table, outcomes: dict[int, RowOutcome],
                     title: str | None = None) -> int:
    """Add the sheet of ``table``'s rows to fix (named ``title``, default the record type's
    label); returns how many rows it holds."""
    entity = table.entity
    action = next((c for c in table.columns if c.is_action), None)
    extra = ([ACTION_COLUMN] if action else []) + [REASON_COLUMN]
    headers = list(entity.field_names) + extra
    letters = {name: column_letter(i) for i, name in enumerate(headers)}
    position = {c.field: i for i, c in enumerate(table.columns) if c.field}
    if action:
        position[ACTION_COLUMN] = table.columns.index(action)
    rows, issues = [], []
    for row in sorted(table.rows, key=lambda r: r.excel_row):
        outcome = outcomes.get(row.excel_row)
        if outcome is None or outcome.status not in NEEDS_FIXING:
            continue
        cells = [_cell(row, position.get(name)) for name in headers[:-1]]
        rows.append(cells + [reason(outcome, row, table)])
        issues += _moved(outcome.issues, len(rows) + 1, letters)
    add_template_sheet(fw, entity, extra, rows, cell_notes(issues), title=title)
    return len(rows)


def _cell(row: Row, position: int | None) -> str:
    if position is None or position >= len(row.cells):
        return ""
    return row.cells[position]
