"""`approve_file()`: a person accepts a file's decisions (and, with four eyes, approves its plan).

read and validate every record sheet as `import` would (the same check sets, the same last known
records of the target server and data source) -> each sheet's decisions (importer.checks.decisions)
-> one ``approved`` line per sheet in the journal (importer.journal.approvals): the content's
SHA-256, the target, the rows and kinds accepted, the plan's digest, the OS account and the time.
The next import of the same content into the same target sends the accepted rows; a changed file
is another content and is asked again. Nothing is sent here and nothing logs in.

With ``[approval] required = true`` the account that prepared the file (ran its import or its dry
run) may not approve it: NotApproved, exit 1, nothing recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from importer.checks.changes import ChangeRules, guarded, price_jumps
from importer.checks.decisions import Decision, find_decisions, only_kinds
from importer.entities import Entity
from importer.errors import BadOptions, NotApproved
from importer.journal import history
from importer.journal.approvals import (APPROVED, PREPARED, Approvals, os_account, plan_digest,
                                        target_of)
from importer.journal.store import Journal
from importer.reading import ReadLimits, ReadOptions
from importer.rules import DECISION_KINDS
from importer.runs.checking import build_checks
from importer.runs.sheetplan import validate_file
from importer.runs.valuefixes import with_learned
from importer.settings import Settings


@dataclass
class SheetApproval:
    """What one sheet's approval recorded."""

    sheet: str
    decisions: list[Decision]  # every decision of the sheet
    accepted: list[Decision]  # those this approval covers (--only)
    plan_approved: bool  # four eyes: the plan was approved as well


@dataclass
class ApprovalResult:
    path: Path
    account: str
    server: str
    data_source: str
    sheets: list[SheetApproval] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(len(s.accepted) for s in self.sheets)

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "approved_by": self.account, "server_url": self.server,
                "data_source": self.data_source, "accepted": self.accepted,
                "sheets": [{"sheet": s.sheet, "decisions": len(s.decisions),
                            "accepted": [d.to_dict() for d in s.accepted],
                            "plan_approved": s.plan_approved} for s in self.sheets],
                "exit_code": 0}


def approve_file(path: str | Path, settings: Settings, *, server_name: str | None = None,
                 entity: str | Entity | None = None, sheets: Iterable[str] = (),
                 only: Iterable[str] = (), rules: ChangeRules | None = None,
                 read_options: ReadOptions | None = None, limits: ReadLimits | None = None,
                 parts: str | Path | None = None, customers: str | Path | None = None,
                 mode: str = "upsert", rows: Iterable[int] | None = None) -> ApprovalResult:
    """Record the acceptance of ``path``'s decisions for the settings' server (``server_name``:
    what the journal calls it, as for run_import) and data source; see the module docstring.
    ``only``: the decision kinds accepted (default all); ``rows``: only these Excel rows'
    decisions (default every row; the page accepts one row at a time). Raises UnusableFile/BadOptions (exit 2)
    and NotApproved (exit 1: four eyes, the preparer approving their own file)."""
    server = server_name or settings.url
    if not (server and settings.data_source):
        raise BadOptions("Approval is for one server and data source: give --url and "
                         "--data-source (or --sandbox), as for the import.")
    rules = rules or ChangeRules(max_price_change=settings.max_price_change)
    hold = rules.hold if rules.hold is not None else settings.hold
    kinds = only_kinds(only)
    wanted = None if rows is None else frozenset(rows)
    checked = validate_file(
        Path(path).absolute(), entity=entity, sheets=tuple(sheets),
        limits=limits or ReadLimits(settings.max_sheet_mb),
        read_options=with_learned(read_options, settings.journal, (server,
                                                                   settings.data_source)),
        checks_for=lambda t: build_checks(t.entity, settings, parts=parts, customers=customers,
                                          journal_path=settings.journal, server=server,
                                          mode=mode))
    me = os_account()
    result = ApprovalResult(Path(path).absolute(), me, server, settings.data_source)
    scope = (server, settings.data_source)
    with Journal(settings.journal) as journal:
        approvals = Approvals(journal)
        planned = []
        for report in checked.reports:
            table = report.table
            changes = history.classify(journal.path, scope, table)
            report = guarded(report, price_jumps(table, changes, rules.max_price_change), False)
            found = find_decisions(report, changes, hold or DECISION_KINDS)
            if wanted is not None:
                found = {row: ds for row, ds in found.items() if row in wanted}
            target = target_of(table, server, settings.data_source)
            if settings.approval_required:
                _not_by_preparer(approvals, target, me, table.path.name)
            planned.append((table, target, found, plan_digest(changes)))
        for table, target, found, plan in planned:  # every sheet checked before any is recorded
            accepted = {row: frozenset(d.kind for d in ds if d.kind in kinds)
                        for row, ds in found.items()}
            accepted = {row: k for row, k in accepted.items() if k}
            approvals.add(APPROVED, target, me, input_path=str(table.path), plan=plan,
                          rows=accepted)
            every = [d for row in sorted(found) for d in found[row]]
            result.sheets.append(SheetApproval(
                table.sheet, every, [d for d in every if d.kind in kinds],
                settings.approval_required))
    return result


def _not_by_preparer(approvals: Approvals, target, me: str, name: str) -> None:
    if any(e.account == me for e in approvals.events(target, PREPARED)):
        raise NotApproved(
            f"You ({me}) prepared {name}, and [approval] required asks for someone else's "
            "approval: ask a colleague to approve it; nothing was recorded.")
