"""`run_import()`: the whole import as one library call (the CLI only wires options to it).

read -> validate -> log in -> journal (claim the run's lease: one process per run, see
importer/journal/lease.py; find the run to resume, or start one) -> dispatch -> journal every outcome ->
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
from pathlib import Path

from importer import workbooks
from importer.checks.changes import ChangeRules
from importer.checks.validation import validate
from importer.entities import Entity, get_entity
from importer.erp.client import ErpClient
from importer.erp.dispatch import ProgressCallback
from importer.erp.gate import CONCURRENCY, CallGate
from importer.errors import BadOptions
from importer.journal.store import Journal
from importer.model import MODES, Report, Table
from importer.reading import ReadLimits, ReadOptions, gc_paused, read_table
from importer.runs.checking import build_checks
from importer.runs.gridedits import mark_skipped
from importer.runs.valuefixes import with_learned
from importer.runs.result import ImportResult, default_failed_path, default_results_path  # noqa: F401
from importer.runs.sheetrun import COMPLETE, SheetRun  # noqa: F401
from importer.settings import AUTO, Settings, default_journal_path

log = logging.getLogger(__name__)


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
               customers: str | Path | None = None,
               skip_rows: frozenset[int] = frozenset()) -> ImportResult:
    """Import one sheet of a spreadsheet; see the module docstring. ``settings`` may be None
    only for a dry run. ``server_name`` is what the journal calls the server (default: its URL;
    a sandbox kept in a file is restarted on a new port each time, so it is named by its file).
    ``rules``: --skip-unchanged, the price-jump limit and --strict (importer.checks.changes).
    ``parts``/``customers``: master-data files (else the settings'; importer.runs.checking).
    ``skip_rows``: Excel rows read as ACTION=SKIP (skipped on the page: not sent).
    Raises UnusableFile/BadOptions (exit 2), LoginFailed/ConnectionFailed (exit 3, nothing
    sent)."""
    started, cpu_started = time.monotonic(), time.process_time()
    mode = check_options(mode, workers, settings, dry_run)
    if limits is None:
        limits = ReadLimits(settings.max_sheet_mb) if settings else ReadLimits()
    if settings is not None:  # fixes the admin accepted for this server and data source
        read_options = with_learned(read_options, journal_file(journal_path, settings),
                                    (server_name or settings.url, settings.data_source))
    table = read_table(Path(path).absolute(), entity=_entity(entity), sheet=sheet,
                       day_first=day_first, limits=limits, options=read_options)
    mark_skipped(table, skip_rows)
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
                with gc_paused():  # bulk work without cycles; a real run's sending keeps it
                    session.open(fresh, stop_when_complete=True)
                if session.complete is not None:
                    return session.nothing_to_send(started, cpu_started, out)
                with gc_paused() if dry_run else contextlib.nullcontext():
                    session.dispatch(workers, on_progress, stop_event)
                with gc_paused():
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


