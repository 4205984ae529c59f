"""Decisions: the findings that hold a row until a person accepts it, and which rows stay held.

Pure functions over a validation report (with the price-jump guard's warnings added) and the rows'
change classes; nothing here reads the journal or the settings. A *decision* is a warning of one
of three kinds (``importer.rules.DECISION_KINDS``; ``[decisions] hold`` chooses among them):

- ``price-jump``: a price moves by more than --max-price-change against its last known value;
- ``overlap``: a validity period overlaps another (``overlapping-period`` as a warning);
- ``obsolete``: a row that creates a price line (NEW or NEW PRICE) for a part the master data
  marks obsolete (``obsolete-part``).

The same findings as errors (``--strict``, ``overlapping_periods = "error"``) make the row
INVALID instead: an error is fixed, not accepted. A row is *held* while one of its decisions has
no acceptance (``journal.approvals`` records who accepted which rows of which content).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from importer.model import Issue, Report, Severity
from importer.rules import DECISION_KINDS

# the issue code each kind of decision comes from
CODE_KIND = {"price-jump": "price-jump", "overlapping-period": "overlap",
             "obsolete-part": "obsolete"}
KIND_MEANING = {
    "price-jump": "a price moves by more than the limit against its last known value",
    "overlap": "a validity period overlaps another one of the same price line",
    "obsolete": "a new price line for a part the master data marks obsolete",
}
_CREATING = ("NEW", "NEW PRICE")  # change classes of a row that creates a record


@dataclass(frozen=True)
class Decision:
    """One finding a person must accept before its row is sent."""

    row: int  # Excel row
    kind: str  # price-jump, overlap or obsolete
    address: str  # the cell, 'Prices!F7'
    field: str
    old: str  # the last known value ('' when none)
    new: str  # the cell as sent
    percent: float | None  # a price's change, when known
    why: str  # the finding's message

    @property
    def change_text(self) -> str:
        """'768.00 -> 6.45 (-99.2%)', or the new value alone."""
        text = f"{self.old} -> {self.new}" if self.old else self.new
        return text + (f" ({self.percent:+.1f}%)" if self.percent is not None else "")

    def to_dict(self) -> dict:
        return {"row": self.row, "kind": self.kind, "cell": self.address, "field": self.field,
                "old": self.old, "new": self.new, "percent": self.percent, "why": self.why}


def find_decisions(report: Report, changes: dict | None,
                   hold: Iterable[str] = DECISION_KINDS) -> dict[int, list[Decision]]:
    """Excel row -> its decisions, for every row that has one of the ``hold`` kinds as a
    warning. ``changes``: the rows' RowChange (importer.checks.changes), or None when nothing is
    known (every row then creates)."""
    kinds = frozenset(hold)
    out: dict[int, list[Decision]] = {}
    invalid = report.invalid_rows
    for issue in report.issues:
        kind = CODE_KIND.get(issue.code)
        if (kind is None or kind not in kinds or issue.severity is not Severity.WARNING
                or issue.row is None or issue.row in invalid):
            continue
        change = changes.get(issue.row) if changes else None
        if kind == "obsolete" and change is not None and change.change.value not in _CREATING:
            continue  # a price of an obsolete part already in the ERP: a warning only
        out.setdefault(issue.row, []).append(_decision(issue, kind, change))
    return out


def _decision(issue: Issue, kind: str, change) -> Decision:
    cell = next((c for c in change.cells if c.field == issue.field), None) if change else None
    old = cell.old if cell is not None else ""
    percent = cell.percent if cell is not None and kind == "price-jump" else None
    return Decision(issue.row, kind, issue.address, issue.field or "", old, issue.value or "",
                    percent, issue.message)


def held_rows(decisions: dict[int, list[Decision]],
              accepted: dict[int, frozenset[str]]) -> dict[int, list[Decision]]:
    """The rows still held: those with a decision whose kind was not accepted for that row."""
    out = {}
    for row, found in decisions.items():
        open_ = [d for d in found if d.kind not in accepted.get(row, frozenset())]
        if open_:
            out[row] = open_
    return out


def hold_message(decisions: list[Decision]) -> str:
    """The HELD row's message: what needs deciding, one clause per decision."""
    parts = []
    for d in decisions:
        if d.kind == "price-jump":
            parts.append(f"{d.field} {d.change_text} moves more than the limit")
        elif d.kind == "overlap":
            parts.append(f"{d.field} {d.new}: the period overlaps another")
        else:
            parts.append(f"part {d.new} is obsolete and this creates a new price line")
    return ("Held until accepted: " + "; ".join(dict.fromkeys(parts)) + ".")


def only_kinds(only: Iterable[str] | None) -> frozenset[str]:
    """The kinds an acceptance covers (all when ``only`` is empty)."""
    chosen = frozenset(only or ())
    return chosen or frozenset(DECISION_KINDS)


__all__ = ["CODE_KIND", "DECISION_KINDS", "Decision", "KIND_MEANING", "find_decisions",
           "held_rows", "hold_message", "only_kinds"]
