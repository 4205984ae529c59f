"""`run_import()`: the whole import as one library call (the CLI only wires options to it).

read -> validate -> log in -> journal (claim the run's lease: one process per run, see
importer/lease.py; find the run to resume, or start one) -> dispatch -> journal every outcome ->
results workbook (+ failed-rows workbook when rows failed).

Resuming: a run is identified by (server URL, data source, entity, the input's SHA-256, sheet).
Running the same command again continues that run: rows that ended CREATED, UPDATED, INVALID or
SKIPPED are final and not sent again; FAILED and NOT_RUN rows are sent again. A run whose every
row was applied or skipped is not resumed: the import says so and sends nothing. ``fresh=True``
starts a new run instead. Each invocation is one session of its run (listed on the Summary). A dry run never contacts the server (upsert decisions then come from
the journal's known keys) and is never resumed.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer import history
from importer.changes import (Change, ChangeRules, RowChange, counts as change_counts, guarded,
                              price_jumps, skip_message)
from importer.checking import build_checks
from importer.client import ErpClient
from importer.gate import CONCURRENCY, CallGate
from importer.dispatch import Dispatcher, Job, ProgressCallback, dry_run_outcome, resolve_action
from importer.entities import Entity, get_entity
from importer.errors import (EXIT_OK, EXIT_ROWS_FAILED, BadOptions, ImporterError,
                             OutputNotWritable)
from importer.finishing import RESUME_HINT, Left, leave_files, next_step, stop_reason
from importer.humane import counts_text, local_time
from importer.journal import FINAL_STATUSES, Journal, now_iso
from importer.lease import RunLease, Scope
from importer.model import MODES, Report, RowOutcome, RunInfo, Severity, Status, Table
from importer.reading import ReadLimits, ReadOptions, read_table
from importer.settings import AUTO, Settings, default_journal_path
from importer.validation import validate
from importer import workbooks

log = logging.getLogger(__name__)

COMPLETE = frozenset({Status.CREATED.value, Status.UPDATED.value, Status.SKIPPED.value})


@dataclass
class ImportResult:
    """What `run_import` did; `to_dict()` is the CLI's --json summary."""

    run: RunInfo
    counts: dict[str, int]  # status -> rows, over every row of the run
    exit_code: int
    seconds: float  # this session's wall time, reading and writing workbooks included
    send_seconds: float  # wall time spent sending rows (the rows/s denominator)
    cpu_seconds: float  # this process's CPU time during this session
    rows_sent: int  # rows dispatched in this session
    already_done: int  # rows final before this session (a resumed run)
    calls: int  # HTTP calls made to record endpoints in this session
    resumed: bool
    interrupted: bool
    results_path: Path | None
    failed_path: Path | None
    journal_path: Path
    message: str = ""  # what to do next, when something needs doing
    warnings: int = 0  # validation warnings
    took_over: str = ""  # said when this session took over the run of a process that was gone
    changes: dict[str, int] | None = None  # change class -> rows (None: not classified)
    notices: list[str] = field(default_factory=list)  # about the whole file (columns not sent...)
    notes: list[str] = field(default_factory=list)  # a kept file, a removed stale file, ...
    already_complete: bool = False  # the run of this file was complete: nothing was sent
    workers: int | str = 4  # a number, or "auto"
    concurrency: dict[str, float] | None = None  # with auto: the limit's min, max, mean

    @property
    def rows_per_second(self) -> float:
        return self.rows_sent / self.send_seconds if self.send_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id, "input": self.run.input_path, "sheet": self.run.sheet,
            "sha256": self.run.input_sha256, "entity": self.run.entity, "mode": self.run.mode,
            "dry_run": self.run.dry_run, "server_url": self.run.server_url,
            "data_source": self.run.data_source, "user": self.run.user,
            "counts": self.counts, "rows": sum(self.counts.values()),
            "rows_sent": self.rows_sent, "already_done": self.already_done,
            "calls": self.calls, "seconds": round(self.seconds, 3),
            "send_seconds": round(self.send_seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "cpu_seconds": round(self.cpu_seconds, 3), "resumed": self.resumed,
            "interrupted": self.interrupted, "warnings": self.warnings,
            "results": str(self.results_path) if self.results_path else None,
            "failed_rows": str(self.failed_path) if self.failed_path else None,
            "journal": str(self.journal_path), "exit_code": self.exit_code,
            "message": self.message, "took_over": self.took_over, "changes": self.changes,
            "notices": self.notices,
            "notes": self.notes, "already_complete": self.already_complete,
            **({"error": self.message} if self.exit_code >= 2 else {}),
            "workers": self.workers, "concurrency": self.concurrency,
        }


def default_results_path(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.stem}.results.xlsx")


def default_failed_path(input_path: Path) -> Path:
    return input_path.with_name(f"{input_path.stem}.failed.xlsx")


def run_import(path: str | Path, settings: Settings | None, entity: str | Entity | None = None,
               sheet: str | None = None, mode: str = "upsert", workers: int | str = 4,
               dry_run: bool = False, journal_path: str | Path | None = None,
               fresh: bool = False, out: str | Path | None = None, day_first: bool = False,
               on_progress: ProgressCallback | None = None,
               stop_event: threading.Event | None = None,
               server_name: str | None = None,
               limits: ReadLimits | None = None,
               rules: ChangeRules | None = None,
               read_options: ReadOptions | None = None, parts: str | Path | None = None,
               customers: str | Path | None = None) -> ImportResult:
    """Import one sheet of a spreadsheet; see the module docstring. ``settings`` may be None
    only for a dry run. ``server_name`` is what the journal calls the server (default: its URL;
    a sandbox kept in a file is restarted on a new port each time, so it is named by its file).
    ``rules``: --skip-unchanged, the price-jump limit and --strict (importer.changes).
    ``parts``/``customers``: master-data files (else the settings'; importer.checking).
    Raises UnusableFile/BadOptions (exit 2), LoginFailed/ConnectionFailed (exit 3, nothing
    sent)."""
    started, cpu_started = time.monotonic(), time.process_time()
    mode = check_options(mode, workers, settings, dry_run)
    if limits is None:
        limits = ReadLimits(settings.max_sheet_mb) if settings else ReadLimits()
    table = read_table(Path(path).absolute(), entity=_entity(entity), sheet=sheet,
                       day_first=day_first, limits=limits, options=read_options)
    report = validate(table, checks=build_checks(
        table.entity, settings, parts=parts, customers=customers,
        journal_path=journal_file(journal_path, settings), server=server_name or "", mode=mode,
        strict=bool(rules and rules.strict)))
    return import_table(table, report, settings, mode=mode, workers=workers,
                        dry_run=dry_run, journal_path=journal_path, fresh=fresh, out=out,
                        on_progress=on_progress, stop_event=stop_event, server_name=server_name,
                        rules=rules, started=(started, cpu_started))


def import_table(table: Table, report: Report, settings: Settings | None, mode: str = "upsert",
                 workers: int | str = 4, dry_run: bool = False,
                 journal_path: str | Path | None = None, fresh: bool = False,
                 out: str | Path | None = None, on_progress: ProgressCallback | None = None,
                 stop_event: threading.Event | None = None, server_name: str | None = None,
                 rules: ChangeRules | None = None,
                 started: tuple[float, float] | None = None) -> ImportResult:
    """`run_import` of a sheet already read and validated (options already checked);
    ``started`` is (monotonic, process) time when the command began."""
    started, cpu_started = started or (time.monotonic(), time.process_time())
    for output in (Path(out) if out else default_results_path(table.path),
                   default_failed_path(table.path)):
        workbooks.check_writable(output)  # before anything is sent
    jpath = journal_file(journal_path, settings)
    client, gate, workers, on_progress = make_client(settings, workers, dry_run, on_progress)
    try:
        if client is not None:
            client.login()  # before the journal is touched: a refused login sends nothing
        with Journal(jpath) as journal:
            session = SheetRun(journal, table, report, settings, mode, dry_run, client,
                               server_name, rules or ChangeRules())
            with session.claim():  # before the run is found or created: one process per run
                session.open(fresh, stop_when_complete=True)
                if session.complete is not None:
                    return session.nothing_to_send(started, cpu_started)
                session.dispatch(workers, on_progress, stop_event)
                result = session.finish(out, started, cpu_started)
            note_workers(result, gate, workers)
    finally:
        if client is not None:
            client.close()
    return result


def journal_file(journal_path: str | Path | None, settings: Settings | None) -> Path:
    if journal_path:
        return Path(journal_path)
    return settings.journal if settings else default_journal_path()


def check_options(mode: str, workers: int | str, settings: Settings | None,
                  dry_run: bool) -> str:
    if mode.lower() not in MODES:
        raise BadOptions(f"Unknown mode {mode!r}: use one of {', '.join(MODES)}.")
    if workers != AUTO and (not isinstance(workers, int) or workers < 1):
        raise BadOptions('--workers must be a whole number of at least 1, or "auto".')
    if settings is None and not dry_run:
        raise BadOptions("No server settings: give --url, --data-source and --user.")
    return mode.lower()


def make_client(settings: Settings | None, workers: int | str, dry_run: bool,
                on_progress: ProgressCallback | None):
    """(client or None for a dry run, the gate of --workers auto or None, the number of worker
    threads, the progress callback). With auto there are max_workers threads and the gate says
    how many of them may have a call in flight; the progress counts then carry CONCURRENCY."""
    gate = CallGate.auto(settings.max_workers) if workers == AUTO and not dry_run else None
    client = None if dry_run else ErpClient(settings.replace(workers=workers), gate=gate)
    if gate is not None:
        workers, on_progress = settings.max_workers, _with_concurrency(on_progress, gate)
    elif workers == AUTO:  # a dry run sends nothing: any count will do
        workers = 1
    return client, gate, workers, on_progress


def note_workers(result: ImportResult, gate: CallGate | None, workers: int) -> None:
    result.workers = AUTO if gate is not None else workers
    result.concurrency = gate.summary() if gate is not None else None


def _with_concurrency(on_progress: ProgressCallback | None,
                      gate: CallGate) -> ProgressCallback | None:
    """Progress counts that also carry the current limit (key CONCURRENCY) for the display."""
    if on_progress is None:
        return None
    return lambda done, total, counts: on_progress(done, total, {**counts,
                                                                  CONCURRENCY: gate.limit})


def _entity(entity: str | Entity | None) -> Entity | None:
    if entity is None or isinstance(entity, Entity):
        return entity
    try:
        return get_entity(entity)
    except KeyError as exc:
        raise BadOptions(str(exc.args[0])) from None


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
        self.session_start = now_iso()
        self.lease: RunLease | None = None

    def claim(self) -> contextlib.AbstractContextManager:
        """The run lease (see importer/lease.py); a dry run sends nothing and takes none."""
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
        user = self.settings.user if self.settings else ""
        found = None if (fresh or self.dry_run) else self.journal.find_run(
            self.server_url, self.data_source, t.entity.name, t.sha256, t.sheet)
        if (stop_when_complete and found is not None and found.finished_at
                and set(found.counts) <= COMPLETE):
            self.complete = found
            return
        if found is not None:
            self.run = self.journal.resume_run(found.run_id, self.mode, user, str(t.path),
                                               self.session_start)
            self.resumed = True
            self.prior = self.journal.outcomes(self.run.run_id)
            log.info("Resuming run %d of %s", self.run.run_id, t.path)
        else:
            self.run = self.journal.start_run(RunInfo(
                0, t.entity.name, self.mode, str(t.path), t.sha256, t.sheet, self.server_url,
                self.data_source, user, self.session_start, None, dry_run=self.dry_run), t)
        if self.lease is not None:
            self.lease.attach(self.run.run_id)
        self.journal.start_session(self.run.run_id, self.session_start)
        self._classify()
        self._plan()

    def _classify(self) -> None:
        """Each row's change class against the last known records; the price-jump guard."""
        if not self.server_url:  # a dry run without server settings: nothing is known
            return
        self.changes = history.run_changes(self.journal.path, (self.server_url, self.data_source),
                                           self.table, self.run.run_id, self.resumed)
        jumps = price_jumps(self.table, self.changes, self.rules.max_price_change)
        self.report = guarded(self.report, jumps, self.rules.strict)

    def _plan(self) -> None:
        by_row = self.report.issues_by_row()
        invalid = self.invalid = self.report.invalid_rows
        maybe_sent = self.journal.maybe_sent(self.run.run_id) if self.resumed else set()
        invalid_outcomes = []
        for row in self.table.rows:
            issues = by_row.get(row.excel_row, [])
            if row.excel_row in invalid:
                invalid_outcomes.append(RowOutcome(row.excel_row, Status.INVALID,
                                                   message=_first_error(issues), issues=issues))
            elif self._final(row.excel_row):
                continue
            elif self._unchanged(row.excel_row):
                invalid_outcomes.append(RowOutcome(
                    row.excel_row, Status.SKIPPED, message=skip_message(
                        self.changes[row.excel_row]), issues=issues))
            else:
                self.jobs.append(Job(row, resolve_action(row.action, self.mode),
                                     row.excel_row in maybe_sent, issues))
        self.journal.record_many(self.run.run_id, invalid_outcomes)

    def _unchanged(self, excel_row: int) -> bool:
        change = self.changes.get(excel_row) if self.changes and self.rules.skip_unchanged \
            else None
        return change is not None and change.change is Change.UNCHANGED

    def _final(self, excel_row: int) -> bool:
        prior = self.prior.get(excel_row)
        return prior is not None and prior.status in FINAL_STATUSES

    @property
    def already_done(self) -> int:
        return sum(1 for r in self.table.rows if self._final(r.excel_row)
                   and r.excel_row not in self.invalid)

    def dispatch(self, workers: int, on_progress: ProgressCallback | None,
                 stop_event: threading.Event | None) -> None:
        if not self.jobs:  # everything done before, or every row invalid
            return
        known = self.journal.known_keys(self.server_url, self.data_source, self.table.entity.name)
        if self.dry_run:
            self.journal.record_many(self.run.run_id, [
                dry_run_outcome(self.table.entity, job, self.table.entity.key_of(job.row.values)
                                in known) for job in self.jobs])
            return
        started, calls_before = time.monotonic(), self.client.calls_made
        result = Dispatcher(
            self.client, self.table.entity, self.journal, self.run.run_id,
            scope=(self.server_url, self.data_source), known_keys=known, workers=workers,
            on_progress=on_progress, stop_event=stop_event).run(self.jobs)
        self.send_seconds = time.monotonic() - started
        self.calls = self.client.calls_made - calls_before
        self.rows_sent = len(result.outcomes)
        self.interrupted, self.fatal = result.interrupted, result.fatal
        not_run = [RowOutcome(j.row.excel_row, Status.NOT_RUN, message=(
            "Not sent yet: the run stopped before this row. " + RESUME_HINT), issues=j.issues)
            for j in self.jobs if j.row.excel_row not in result.outcomes]
        self.journal.record_many(self.run.run_id, not_run)

    def finish(self, out: str | Path | None, started: float, cpu_started: float,
               write: bool = True) -> ImportResult:
        """Journal the end of this session and write the run's workbooks (unless not
        ``write``: a workbook of several sheets writes them for all, see multisheet.py)."""
        outcomes = self.outcomes = self.journal.outcomes(self.run.run_id)
        counts = _counts(outcomes)
        calls = self.calls
        finished = now_iso()
        self.journal.finish_session(self.run.run_id, self.session_start, finished,
                                    self.rows_sent, calls)
        self.journal.finish_run(self.run.run_id, finished, calls, counts)
        self.run = self.journal.run(self.run.run_id)
        left = self.write_workbooks(out, outcomes, counts) if write else None
        message = left.message if left else next_step(
            counts, self.dry_run, None, stop_reason(self.fatal, self.interrupted))
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
            notices=[i.message for i in self.report.issues if i.row is None])

    def write_workbooks(self, out: str | Path | None, outcomes: dict[int, RowOutcome],
                        counts: dict[str, int]) -> Left:
        try:
            return leave_files(self.journal, self.table, self.run, outcomes, counts,
                               Path(out) if out else default_results_path(self.table.path),
                               default_failed_path(self.table.path),
                               stop_reason(self.fatal, self.interrupted), self.changes)
        except OutputNotWritable as exc:  # the rows are done and journaled: say how to get them
            raise OutputNotWritable(
                f"Every row's outcome is in the journal (run {self.run.run_id}), but {exc} Then "
                f"write the results with: importer report {self.run.run_id} -o RESULTS.xlsx"
            ) from None

    def _exit_code(self, counts: dict[str, int]) -> int:
        if self.fatal is not None:
            return self.fatal.exit_code
        unapplied = {Status.FAILED.value, Status.INVALID.value}
        if not self.dry_run:
            unapplied.add(Status.NOT_RUN.value)
        return EXIT_ROWS_FAILED if self.interrupted or unapplied & set(counts) else EXIT_OK

    def nothing_to_send(self, started: float, cpu_started: float) -> ImportResult:
        """The result for a file whose run is already complete: nothing sent, exit 0."""
        run = self.complete
        results = next((Path(p) for p in self.journal.outputs_of(run.run_id, "results")
                        if Path(p).exists()), None)
        message = (f"{self.table.path.name} was already imported completely in run "
                   f"{run.run_id} on {local_time(run.finished_at, seconds=False)} "
                   f"({counts_text(run.counts)}); nothing sent. --fresh sends every row again.")
        return ImportResult(
            run=run, counts=dict(run.counts), exit_code=EXIT_OK,
            seconds=time.monotonic() - started, send_seconds=0.0,
            cpu_seconds=time.process_time() - cpu_started, rows_sent=0,
            already_done=sum(run.counts.values()), calls=0, resumed=False, interrupted=False,
            results_path=results, failed_path=None, journal_path=self.journal.path,
            message=message, warnings=len(self.report.warnings), already_complete=True)


def _first_error(issues) -> str:
    errors = [i for i in issues if i.severity is Severity.ERROR]
    return errors[0].message if errors else ""


def _counts(outcomes: dict[int, RowOutcome]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for outcome in outcomes.values():
        counts[outcome.status.value] += 1
    return {k: v for k, v in counts.items() if v}

