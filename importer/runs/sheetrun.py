"""`SheetRun`: one invocation of the import of one sheet. It claims the run's lease, finds the run
to resume or starts one, classifies each row's change, plans each row (invalid, already final,
unchanged and skipped, or a job), dispatches the jobs, journals every outcome and leaves the
run's workbooks. `run_import` (runner.py) and several-sheet imports (multisheet.py) drive it."""
from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from pathlib import Path

from importer.checks.changes import (
    Change,
    ChangeRules,
    RowChange,
    guarded,
    price_jumps,
    skip_message,
)
from importer.checks.changes import counts as change_counts
from importer.checks.decisions import Decision, find_decisions, held_rows, hold_message
from importer.erp.client import ErpClient
from importer.erp.dispatch import Dispatcher, Job, ProgressCallback, dry_run_outcome, resolve_action
from importer.errors import EXIT_OK, EXIT_ROWS_FAILED, ImporterError, OutputNotWritable
from importer.humane import counts_text, local_time
from importer.journal import history
from importer.journal.approvals import (
    APPROVED,
    PREPARED,
    Approvals,
    os_account,
    plan_digest,
    target_of,
)
from importer.journal.lease import RunLease, Scope
from importer.journal.store import FINAL_STATUSES, Journal, now_iso
from importer.model import Report, RowOutcome, RunInfo, Severity, Status, Table
from importer.runs import closing as closing_rules
from importer.runs.finishing import Left, leave_files, next_step, resume_hint, stop_reason
from importer.rules import DECISION_KINDS
from importer.runs.result import ImportResult, default_failed_path, default_results_path
from importer.settings import Settings
from importer.workbooks.decisions import Review

log = logging.getLogger(__name__)

COMPLETE = frozenset({Status.CREATED.value, Status.UPDATED.value, Status.SKIPPED.value})


class SheetRun:
    """One invocation of an import of one sheet: the run it works on and what it did."""

    def __init__(self, journal: Journal, table: Table, report: Report, settings: Settings | None,
                 mode: str, dry_run: bool, client: ErpClient | None,
                 server_name: str | None = None, rules: ChangeRules = ChangeRules()) -> None:
        self.journal, self.table, self.report = journal, table, report
        self.rules = rules
        self.changes: dict[int, RowChange] | None = None
        self.settings, self.mode, self.dry_run, self.client = settings, mode, dry_run, client
        self.server_url = server_name or (settings.url if settings else "")
        self.data_source = settings.data_source if settings else ""
        self.resumed = False
        self.prior: dict[int, RowOutcome] = {}
        self.jobs: list[Job] = []
        self.invalid: set[int] = set()
        self.interrupted = False
        self.fatal: ImporterError | None = None
        self.send_seconds = 0.0
        self.rows_sent = 0
        self.calls = 0  # HTTP calls this session made for this sheet
        self.complete: RunInfo | None = None  # the finished run of this very file, if complete
        self.fresh = False  # this session was started with --fresh (open)
        self.session_start = now_iso()
        self.lease: RunLease | None = None
        self.me = os_account()  # who runs this session (the OS's name, never a given one)
        self.decisions: dict[int, list[Decision]] = {}  # rows with findings to accept
        self.held: dict[int, list[Decision]] = {}  # of those, the rows not accepted: not sent
        self.hold = rules.hold if rules.hold is not None else (
            settings.hold if settings else DECISION_KINDS)
        self.four_eyes = bool(settings and settings.approval_required)
        self.closing: dict = {}  # Excel row -> checks.closing.Close (close_previous)
        self.approval_checked = False
        self.recorded: dict[int, RowOutcome] = {}  # what this session journaled (a dry run)

    def claim(self) -> contextlib.AbstractContextManager:
        """The run lease (see importer/journal/lease.py); a dry run sends nothing and takes none."""
        if self.dry_run:
            return contextlib.nullcontext()
        t = self.table
        self.lease = RunLease.claim(self.journal, Scope.of(
            self.server_url, self.data_source, t.entity.name, t.sheet, t.sha256, t.path))
        return self.lease

    def open(self, fresh: bool, stop_when_complete: bool = False) -> None:
        """Find the run to resume (unless fresh or dry) or start one; journal invalid rows.
        With ``stop_when_complete`` a complete earlier run is left as it is (``self.complete``):
        nothing to send."""
        t = self.table
        self.fresh = fresh
        user = self.settings.user if self.settings else ""
        found = None if (fresh or self.dry_run) else self.journal.find_run(
            self.server_url, self.data_source, t.entity.name, t.sha256, t.sheet)
        if (stop_when_complete and found is not None and found.finished_at
                and set(found.counts) <= COMPLETE):
            self.complete = found
            return
        if self.four_eyes and not self.approval_checked:
            self._check_approval(found)
        closing = self.server_url and closing_rules.enabled(
            t, self.settings.rules if self.settings else None)
        records = self.journal.latest_records(self.server_url, self.data_source,
                                              t.entity.name) if closing else []
        if found is not None:
            self.run = self.journal.resume_run(found.run_id, self.mode, user, str(t.path),
                                               self.session_start)
            self.resumed = True
            self.prior = self.journal.outcomes(self.run.run_id)
            log.info("Resuming run %d of %s", self.run.run_id, t.path)
            if closing:
                mine = {r.excel_row for r in t.rows}
                self.closing = closing_rules.resumed_close_rows(t, [
                    r for r in self.journal.load_table(self.run.run_id).rows
                    if r.excel_row not in mine], records)
        else:
            if closing:
                self.closing = closing_rules.add_close_rows(t, self.report.invalid_rows, records)
            self.run = self.journal.start_run(RunInfo(
                0, t.entity.name, self.mode, str(t.path), t.sha256, t.sheet, self.server_url,
                self.data_source, user, self.session_start, None, dry_run=self.dry_run), t)
        if self.lease is not None:
            self.lease.attach(self.run.run_id)
        self.journal.start_session(self.run.run_id, self.session_start)
        if not self.dry_run:
            Approvals(self.journal).sent(self.run.run_id, self.target, self.me)
        self._classify()
        if self.closing:
            self.report = Report(self.table, self.report.issues + closing_rules.close_issues(
                self.table, self.closing))
            if self.changes is not None:
                self.changes = closing_rules.close_changes(
                    self.changes, self.closing, t.entity.end_date_field)
                with history.History(self.journal.path) as known:
                    known.save_changes(self.run.run_id, self.changes)
        self._plan()

    def check_approval(self, fresh: bool) -> None:
        """Four eyes before any sheet of a file is opened (multisheet.py): NotApproved when
        this sheet may not be sent; nothing when it needs no approval or is complete."""
        if not self.four_eyes or self.approval_checked:
            return
        t = self.table
        found = None if (fresh or self.dry_run) else self.journal.find_run(
            self.server_url, self.data_source, t.entity.name, t.sha256, t.sheet)
        if found is not None and found.finished_at and set(found.counts) <= COMPLETE:
            return
        self._check_approval(found)

    @property
    def target(self):
        return target_of(self.table, self.server_url, self.data_source)

    def _check_approval(self, found: RunInfo | None) -> None:
        """Four eyes: the plan (against the records known now, or when a resumed run was
        planned) must be approved by someone other than this session's OS account; else
        NotApproved (exit 1) before any run is started. A dry run is a preparation: recorded,
        never refused."""
        plans = {plan_digest(None)}
        if self.server_url:
            scope = (self.server_url, self.data_source)
            plans = {plan_digest(history.classify(self.journal.path, scope, self.table))}
            if found is not None:
                plans.add(plan_digest(history.run_changes(
                    self.journal.path, scope, self.table, found.run_id, True)))
        approvals = Approvals(self.journal)
        self.approval_checked = True
        try:
            if not self.dry_run:
                approvals.check_four_eyes(self.target, plans, self.me, str(self.table.path),
                                          self.table.path.name)
        except ImporterError:
            self._prepared(approvals, min(plans))
            raise
        if self.dry_run:
            self._prepared(approvals, min(plans))

    def _prepared(self, approvals: Approvals, plan: str) -> None:
        if not any(e.account == self.me and e.plan == plan
                   for e in approvals.events(self.target, PREPARED)):
            approvals.add(PREPARED, self.target, self.me, input_path=str(self.table.path),
                          plan=plan)

    def _classify(self) -> None:
        """Each row's change class against the last known records; the price-jump guard."""
        if not self.server_url:  # a dry run without server settings: nothing is known
            return
        self.changes = history.run_changes(self.journal.path, (self.server_url, self.data_source),
                                           self.table, self.run.run_id, self.resumed)
        jumps = price_jumps(self.table, self.changes, self.rules.max_price_change)
        self.report = guarded(self.report, jumps, self.rules.strict)

    def _decide(self) -> None:
        """The rows with decisions (importer.checks.decisions) and, of those, the rows held:
        not accepted for this content and target (importer.journal.approvals)."""
        self.decisions = find_decisions(self.report, self.changes, self.hold)
        accepted = Approvals(self.journal).accepted(self.target) if self.decisions else {}
        self.held = held_rows(self.decisions, accepted)

    def review(self) -> Review:
        """The decisions and who prepared, approved and sent, for the results workbook."""
        roles = {}
        if self.four_eyes or self.decisions:
            roles = Approvals(self.journal).roles(
                self.target, None if self.dry_run else self.run.run_id)
            if not self.four_eyes:
                roles.pop(PREPARED, None)
                if not roles.get(APPROVED):
                    roles.pop(APPROVED, None)
        return Review(self.decisions, frozenset(self.held), roles)

    def _plan(self) -> None:
        self._decide()
        by_row = self.report.issues_by_row()
        invalid = self.invalid = self.report.invalid_rows
        maybe_sent = self.journal.maybe_sent(self.run.run_id) if self.resumed else set()
        invalid_outcomes = []
        for row in self.table.iter_rows():
            issues = by_row.get(row.excel_row, [])
            if row.excel_row in invalid:
                invalid_outcomes.append(RowOutcome(row.excel_row, Status.INVALID,
                                                   message=_first_error(issues), issues=issues))
            elif self._final(row.excel_row):
                continue
            elif row.excel_row in self.held:
                invalid_outcomes.append(RowOutcome(
                    row.excel_row, Status.HELD, message=hold_message(self.held[row.excel_row]),
                    issues=issues))
            elif self._unchanged(row.excel_row):
                invalid_outcomes.append(RowOutcome(
                    row.excel_row, Status.SKIPPED, message=skip_message(
                        self.changes[row.excel_row]), issues=issues))
            else:
                self.jobs.append(Job(row, resolve_action(row.action, self.mode),
                                     row.excel_row in maybe_sent, issues))
        self._record_many(invalid_outcomes)

    def _record_many(self, outcomes: list[RowOutcome]) -> None:
        """Journal outcomes decided without a call; a dry run also keeps them for its results
        (it is never resumed and sends nothing: what it journals is every outcome it has)."""
        self.journal.record_many(self.run.run_id, outcomes)
        if self.dry_run:
            self.recorded.update((o.excel_row, o) for o in outcomes)

    def _outcomes(self) -> dict[int, RowOutcome]:
        """Every outcome of the run by Excel row, in row order: a dry run's from memory (the
        same values the journal holds, not read back and parsed again), else the journal's."""
        if self.dry_run:
            recorded = self.recorded
            if any(a > b for a, b in zip(recorded, itertools.islice(recorded, 1, None))):
                self.recorded = {row: recorded[row] for row in sorted(recorded)}
            return self.recorded
        return self.journal.outcomes(self.run.run_id)

    def _unchanged(self, excel_row: int) -> bool:
        change = self.changes.get(excel_row) if self.changes and self.rules.skip_unchanged \
            and excel_row not in self.closing else None
        return change is not None and change.change is Change.UNCHANGED

    def _final(self, excel_row: int) -> bool:
        prior = self.prior.get(excel_row)
        return prior is not None and prior.status in FINAL_STATUSES

    @property
    def already_done(self) -> int:
        return sum(1 for n in self.table.excel_rows if self._final(n) and n not in self.invalid)

    def dispatch(self, workers: int, on_progress: ProgressCallback | None,
                 stop_event: threading.Event | None) -> None:
        if not self.jobs:  # everything done before, or every row invalid
            return
        known = self.journal.known_keys(self.server_url, self.data_source, self.table.entity.name)
        if self.dry_run:
            self._record_many([
                dry_run_outcome(self.table.entity, job, self.table.entity.key_of(job.row.values)
                                in known) for job in self.jobs])
            return
        started, calls_before = time.monotonic(), self.client.calls_made
        first = [j for j in self.jobs if j.row.excel_row not in self.closing]
        closes = [j for j in self.jobs if j.row.excel_row in self.closing]
        outcomes = self._send(first, known, workers, on_progress, stop_event)
        if closes and not (self.interrupted or self.fatal):
            outcomes.update(self._send_closes(closes, known, workers, on_progress, stop_event))
        self.send_seconds = time.monotonic() - started
        self.calls = self.client.calls_made - calls_before
        self.rows_sent = sum(1 for o in outcomes.values() if o.status is not Status.NOT_RUN)
        not_run = [RowOutcome(j.row.excel_row, Status.NOT_RUN, message=(
            "Not sent yet: the run stopped before this row. " + resume_hint(self.fresh)),
            issues=j.issues)
            for j in self.jobs if j.row.excel_row not in outcomes]
        self.journal.record_many(self.run.run_id, not_run)

    def _send_closes(self, closes: list[Job], known, workers: int, on_progress,
                     stop_event) -> dict:
        """close_previous's END_DATE updates, once the file's rows are done: each only when
        the row whose new line supersedes the old one was applied (else NOT_RUN, saying so)."""
        applied = {row for row, o in self.journal.outcomes(self.run.run_id).items()
                   if o.status.applied}
        ready = [j for j in closes if self.closing[j.row.excel_row].by_row in applied]
        waiting = [j for j in closes if self.closing[j.row.excel_row].by_row not in applied]
        outcomes = self._send(ready, known, workers, on_progress, stop_event)
        held = [RowOutcome(j.row.excel_row, Status.NOT_RUN, message=(
            f"Not sent: row {self.closing[j.row.excel_row].by_row}, whose new price this "
            f"END_DATE makes room for, was not applied, so the old line stays as it is. Fix "
            f"that row first. {resume_hint(self.fresh)}"), issues=j.issues) for j in waiting]
        self.journal.record_many(self.run.run_id, held)
        return {**outcomes, **{o.excel_row: o for o in held}}

    def _send(self, jobs, known, workers: int, on_progress, stop_event) -> dict:
        """Apply ``jobs`` with the worker pool: their outcomes by Excel row."""
        if not jobs:
            return {}
        result = Dispatcher(
            self.client, self.table.entity, self.journal, self.run.run_id,
            scope=(self.server_url, self.data_source), known_keys=known, workers=workers,
            on_progress=on_progress, stop_event=stop_event).run(jobs)
        self.interrupted = self.interrupted or result.interrupted
        self.fatal = self.fatal or result.fatal
        return dict(result.outcomes)

    def finish(self, out: str | Path | None, started: float, cpu_started: float,
               write: bool = True) -> ImportResult:
        """Journal the end of this session and write the run's workbooks (unless not
        ``write``: a workbook of several sheets writes them for all, see multisheet.py)."""
        outcomes = self.outcomes = self._outcomes()
        counts = _counts(outcomes)
        calls = self.calls
        finished = now_iso()
        self.journal.finish_session(self.run.run_id, self.session_start, finished,
                                    self.rows_sent, calls)
        self.journal.finish_run(self.run.run_id, finished, calls, counts)
        self.run = self.journal.run(self.run.run_id)
        left = self.write_workbooks(out, outcomes, counts) if write else None
        message = left.message if left else next_step(
            counts, self.dry_run, None, stop_reason(self.fatal, self.interrupted), self.fresh)
        return ImportResult(
            run=self.run, counts=counts, exit_code=self._exit_code(counts),
            seconds=time.monotonic() - started, send_seconds=self.send_seconds,
            cpu_seconds=time.process_time() - cpu_started,
            rows_sent=self.rows_sent, already_done=self.already_done,
            calls=calls, resumed=self.resumed, interrupted=self.interrupted,
            results_path=left.results if left else None,
            failed_path=left.failed if left else None, journal_path=self.journal.path,
            message=message, warnings=len(self.report.warnings),
            notes=left.notes if left else [],
            took_over=self.lease.took_over if self.lease else "",
            changes={c.value: n for c, n in change_counts(self.changes).items()}
            if self.changes is not None else None,
            notices=[i.message for i in self.report.issues if i.row is None],
            decisions=[{**d.to_dict(), "held": row in self.held}
                       for row in sorted(self.decisions) for d in self.decisions[row]],
            people=self.review().roles if self.four_eyes else {})

    def write_workbooks(self, out: str | Path | None, outcomes: dict[int, RowOutcome],
                        counts: dict[str, int]) -> Left:
        try:
            return leave_files(self.journal, self.table, self.run, outcomes, counts,
                               Path(out) if out else default_results_path(self.table.path),
                               default_failed_path(self.table.path),
                               stop_reason(self.fatal, self.interrupted), self.changes,
                               self.review(), self.fresh)
        except OutputNotWritable as exc:  # the rows are done and journaled: say how to get them
            raise OutputNotWritable(
                f"Every row's outcome is in the journal (run {self.run.run_id}), but {exc} Then "
                f"write the results with: importer report {self.run.run_id} -o RESULTS.xlsx"
            ) from None

    def _exit_code(self, counts: dict[str, int]) -> int:
        if self.fatal is not None:
            return self.fatal.exit_code
        unapplied = {Status.FAILED.value, Status.INVALID.value, Status.HELD.value}
        if not self.dry_run:
            unapplied.add(Status.NOT_RUN.value)
        return EXIT_ROWS_FAILED if self.interrupted or unapplied & set(counts) else EXIT_OK

    def nothing_to_send(self, started: float, cpu_started: float,
                        out: str | Path | None = None) -> ImportResult:
        """The result for a file whose run is already complete: nothing sent, exit 0. When the
        run's results workbook was never written (the process died while finishing, after its
        last answer), it is written now, and the message says so."""
        run = self.complete
        done = (f"{self.table.path.name} was already imported completely in run "
                f"{run.run_id} on {local_time(run.finished_at, seconds=False)} "
                f"({counts_text(run.counts)}); nothing sent.")
        notes: list[str] = []
        if not self.journal.outputs_of(run.run_id, "results"):
            left = self._finish_writing(run, out)
            results, notes = left.results, left.notes
            message = (f"{done} The import had stopped before writing its results workbook; "
                       f"it is written now: {results.name}.")
        else:
            results = next((Path(p) for p in self.journal.outputs_of(run.run_id, "results")
                            if Path(p).exists()), None)
            message = f"{done} --fresh sends every row again."
        return ImportResult(
            run=run, counts=dict(run.counts), exit_code=EXIT_OK,
            seconds=time.monotonic() - started, send_seconds=0.0,
            cpu_seconds=time.process_time() - cpu_started, rows_sent=0,
            already_done=sum(run.counts.values()), calls=0, resumed=False, interrupted=False,
            results_path=results, failed_path=None, journal_path=self.journal.path,
            message=message, warnings=len(self.report.warnings), already_complete=True,
            notes=notes)

    def _finish_writing(self, run: RunInfo, out: str | Path | None) -> Left:
        """Write the workbooks of a run whose rows are all journaled (finishing resumed)."""
        self.run = run
        with history.History(self.journal.path) as known:
            self.changes = known.load_changes(run.run_id)
        outcomes = self.journal.outcomes(run.run_id)
        return self.write_workbooks(out, outcomes, _counts(outcomes))


def _first_error(issues) -> str:
    errors = [i for i in issues if i.severity is Severity.ERROR]
    return errors[0].message if errors else ""


def _counts(outcomes: dict[int, RowOutcome]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for outcome in outcomes.values():
        counts[outcome.status.value] += 1
    return {k: v for k, v in counts.items() if v}

