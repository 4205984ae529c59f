"""The review: a "Decisions" sheet listing every finding that holds a row until a person accepts
it (cell, old -> new, percent, why, held or accepted), and the Summary's lines saying who
prepared, approved and sent a run. Plain values in (importer.checks.decisions, the journal's
approvals as account names); nothing is decided here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from importer.checks.decisions import KIND_MEANING, Decision
from importer.model import Status
from importer.workbooks import styles as st
from importer.workbooks.fastsheet import FastWorkbook

HEADERS = ("Cell", "Row", "Decision", "Field", "Old", "New", "Change %", "Why", "State")
WIDTHS = (16, 7, 12, 16, 14, 14, 10, 90, 28)


@dataclass
class Review:
    """A sheet's decisions and who did what (for the results workbook)."""

    decisions: dict[int, list[Decision]] = field(default_factory=dict)  # Excel row -> decisions
    held: frozenset[int] = frozenset()  # rows held in this run (the rest were accepted)
    roles: dict[str, list[str]] = field(default_factory=dict)  # prepared/approved/sent -> accounts

    @property
    def count(self) -> int:
        return sum(len(d) for d in self.decisions.values())


def role_lines(review: Review | None) -> list[tuple[str, str]]:
    """Summary lines: ('Prepared by', 'alice'), ('Approved by', 'bob'), ('Sent by', 'alice')."""
    if review is None or not review.roles:
        return []
    labels = (("prepared", "Prepared by"), ("approved", "Approved by"), ("sent", "Sent by"))
    return [(label, ", ".join(review.roles[key]) or "nobody yet") for key, label in labels
            if key in review.roles and (review.roles[key] or key == "approved")]


def add_decisions_sheet(fw: FastWorkbook, reviews: Sequence[tuple[str, Review]],
                        title: str) -> Worksheet | None:
    """One line per decision of every (data sheet title, review); None when there is none."""
    lines = [(sheet, review, d) for sheet, review in reviews
             for row in sorted(review.decisions) for d in review.decisions[row]]
    if not lines:
        return None
    ws = fw.add_sheet(title)
    for col, header in enumerate(HEADERS, start=1):
        cell = st.set_text(ws.cell(row=1, column=col), header)
        cell.font, cell.fill = st.WHITE_BOLD, st.fill(st.HEADER)
    for n, (_sheet, review, d) in enumerate(lines, start=2):
        held = d.row in review.held
        values = (d.address, d.row, d.kind, d.field, d.old, d.new)
        for col, value in enumerate(values, start=1):
            st.set_value(ws.cell(row=n, column=col), value)
        if d.percent is not None:
            cell = ws.cell(row=n, column=7, value=round(d.percent / 100, 4))
            cell.number_format = "+0.0%;-0.0%;0.0%"
        why = st.set_text(ws.cell(row=n, column=8), d.why)
        why.alignment = st.WRAP_TOP
        ws.row_dimensions[n].height = 15 * (len(d.why) // 100 + 1)  # the whole reason shows
        state = st.set_text(ws.cell(row=n, column=9),
                            "HELD: not sent until accepted" if held else "accepted")
        state.fill = st.fill(st.STATUS_COLOURS[Status.HELD] if held else st.GREEN)
        state.alignment = Alignment(vertical="top")
        for col in range(1, 8):
            ws.cell(row=n, column=col).alignment = Alignment(vertical="top")
    ws.cell(row=1, column=3).comment = st.comment("\n".join(
        f"{kind}: {meaning}." for kind, meaning in KIND_MEANING.items()))
    for col, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[chr(64 + col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{len(lines) + 1}"
    st.print_wide(ws)
    return ws

