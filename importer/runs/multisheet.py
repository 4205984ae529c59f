"""`import_file()`: every record sheet of a file imported by one call, each sheet its own run.

read every record sheet (sheetplan: the sheets whose header names a record type, in import order)
-> validate every one of them: a sheet that cannot be used stops the file here, before any call ->
check the output folders -> log in once -> claim every sheet's run lease (importer/journal/lease.py) ->
open each sheet's run (resume or start, per sheet, as runner.py and sheetrun.py do for one) -> send the rows sheet
by sheet through the single-sheet runner (sheetrun.SheetRun) -> one results workbook and one
failed-rows workbook for the file (workbooks/several.py). When a sheet stops early (Ctrl-C, lost
connection), the sheets after it send nothing: their rows are NOT_RUN and the same command resumes
them. The exit code is the worst of the sheets'. A file with one record sheet is imported by
runner.import_table exactly as before.
"""
from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from importer import workbooks
from importer.checks.changes import ChangeRules
from importer.entities import Entity
from importer.erp.dispatch import ProgressCallback
from importer.errors import OutputNotWritable
from importer.journal.store import Journal
from importer.model import Report, Table
from importer.reading import ReadLimits, ReadOptions, gc_paused
from importer.runs.checking import build_checks
from importer.runs.valuefixes import with_learned
from importer.runs.runner import (
    ImportResult,
    SheetRun,
    check_options,
    default_failed_path,
    default_results_path,
    import_table,
    journal_file,
    make_client,
    note_workers,
)
from importer.runs.sheetplan import NotRead, validate_file
from importer.settings import Settings
from importer.workbooks.several import SheetOutcomes

SheetCallback = Callable[[Table], None]  # told when a sheet's rows start being sent


@dataclass
class FileImport:
    """What `import_file` did: one ImportResult per record sheet, in the order they ran."""

    sheets: list[ImportResult]
    not_read: list[NotRead] = field(default_factory=list)
    results_path: Path | None = None
    failed_path: Path | None = None

    @property
    def exit_code(self) -> int:
        return max(r.exit_code for r in self.sheets)

    @property
    def message(self) -> str:
        """What to do next: the message of the sheet that went worst."""
        worst = [r for r in self.sheets if r.exit_code == self.exit_code and r.message]
        return worst[0].message if worst else ""

    @property
    def counts(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for result in self.sheets:
            for status, n in result.counts.items():
                total[status] = total.get(status, 0) + n
        return total

    def to_dict(self) -> dict[str, Any]:
        """The --json summary: one sheet's as before (plus ``not_read``); several: totals,
        each sheet's own under ``sheets`` (``data.get("sheets", [data])`` reads both)."""
        not_read = [n.to_dict() for n in self.not_read]
        if len(self.sheets) == 1:
            return {**self.sheets[0].to_dict(), "not_read": not_read}
        first = self.sheets[0].run
        return {
            "input": first.input_path, "sha256": first.input_sha256, "dry_run": first.dry_run,
            "counts": self.counts, "rows": sum(self.counts.values()),
            "rows_sent": sum(r.rows_sent for r in self.sheets),
            "calls": sum(r.calls for r in self.sheets),
            "results": str(self.results_path) if self.results_path else None,
            "failed_rows": str(self.failed_path) if self.failed_path else None,
            "journal": str(self.sheets[0].journal_path), "exit_code": self.exit_code,
            "message": self.message, "sheets": [r.to_dict() for r in self.sheets],
            "not_read": not_read,
        }


def import_file(path: str | Path, settings: Settings | None, entity: str | Entity | None = None,
                sheets: tuple[str, ...] | list[str] = (), mode: str = "upsert", workers: int | str = 4,
                dry_run: bool = False, journal_path: str | Path | None = None,
                fresh: bool = False, out: str | Path | None = None, day_first: bool = False,
                on_progress: ProgressCallback | None = None,
                stop_event: threading.Event | None = None, server_name: str | None = None,
                on_sheet: SheetCallback | None = None,
                limits: ReadLimits | None = None,
                rules: ChangeRules | None = None,
                read_options: ReadOptions | None = None, parts: str | Path | None = None,
                customers: str | Path | None = None) -> FileImport:
    """Import every record sheet of ``path`` (``sheets`` and ``entity`` narrow it); the other
    arguments are runner.run_import's. Raises what run_import raises, before anything is sent
    for a file or sheet that cannot be used."""
    started = (time.monotonic(), time.process_time())
    mode = check_options(mode, workers, settings, dry_run)
    if limits is None:
        limits = ReadLimits(settings.max_sheet_mb) if settings else ReadLimits()
    strict, jpath = bool(rules and rules.strict), journal_file(journal_path, settings)
    if settings is not None:  # fixes the admin accepted for this server and data source
        read_options = with_learned(read_options, jpath,
                                    (server_name or settings.url, settings.data_source))

    def checks_for(table):  # importer.runs.checking: master data and a price list's own rules
        return build_checks(table.entity, settings, parts=parts, customers=customers,
                            journal_path=jpath, server=server_name or "", mode=mode,
                            strict=strict)

    checked = validate_file(Path(path).absolute(), entity=entity, sheets=sheets,
                            day_first=day_first, limits=limits, read_options=read_options,
                            checks_for=checks_for)  # absolute: report from anywhere
    options = dict(settings=settings, mode=mode, dry_run=dry_run, server_name=server_name,
                   rules=rules or ChangeRules())
    if len(checked.reports) == 1:
        report = checked.reports[0]
        if on_sheet:
            on_sheet(report.table)
        result = import_table(report.table, report, workers=workers, journal_path=journal_path,
                              fresh=fresh, out=out, on_progress=on_progress,
                              stop_event=stop_event, started=started, **options)
        return FileImport([result], checked.plan.not_read, result.results_path,
                          result.failed_path)
    several = _Several(checked.reports, journal_file(journal_path, settings), options,
                       Path(out) if out else default_results_path(checked.plan.path),
                       default_failed_path(checked.plan.path))
    return several.run(workers, fresh, on_progress, stop_event, on_sheet, started,
                       checked.plan.not_read)


class _Several:
    """The import of a file's record sheets, one run each, with the file's workbooks."""

    def __init__(self, reports: list[Report], journal: Path, options: dict,
                 results_out: Path, failed_out: Path) -> None:
        self.reports, self.journal_path, self.options = reports, journal, options
        self.results_out, self.failed_out = results_out, failed_out

    def run(self, workers: int | str, fresh: bool, on_progress: ProgressCallback | None,
            stop_event: threading.Event | None, on_sheet: SheetCallback | None,
            started: tuple[float, float], not_read: list[NotRead]) -> FileImport:
        for output in (self.results_out, self.failed_out):
            workbooks.check_writable(output)  # before anything is sent
        settings, dry_run = self.options["settings"], self.options["dry_run"]
        client, gate, workers, on_progress = make_client(settings, workers, dry_run, on_progress)
        try:
            if client is not None:
                client.login()  # once, before any journal is touched
            with Journal(self.journal_path) as journal, contextlib.ExitStack() as leases:
                runs = [SheetRun(journal, r.table, r, settings, self.options["mode"], dry_run,
                                 client, self.options["server_name"], self.options["rules"])
                        for r in self.reports]
                for run in runs:  # every sheet's lease before any run is opened or sent
                    leases.enter_context(run.claim())
                for run in runs:  # four eyes: every sheet approved before any is opened
                    run.check_approval(fresh)
                with gc_paused():
                    for run in runs:
                        run.open(fresh)
                with gc_paused() if dry_run else contextlib.nullcontext():
                    _send(runs, workers, on_progress, stop_event or threading.Event(), on_sheet)
                with gc_paused():
                    results = [run.finish(None, *started, write=False) for run in runs]
                for result in results:
                    note_workers(result, gate, workers)
                return self._leave(runs, results, not_read)
        finally:
            if client is not None:
                client.close()

    def _leave(self, runs: list[SheetRun], results: list[ImportResult],
               not_read: list[NotRead]) -> FileImport:
        sheets = [SheetOutcomes(run.table, result.run, run.outcomes, run.changes, run.review())
                  for run, result in zip(runs, results)]
        failed = None
        try:
            with gc_paused():
                workbooks.write_file_results(sheets, self.results_out)
            if any(s.to_fix for s in sheets) and not self.options["dry_run"]:  # dry: none to fix
                workbooks.write_file_failed(sheets, self.failed_out)
                failed = self.failed_out
        except OutputNotWritable as exc:  # the rows are done and journaled: say how to get them
            ids = [str(r.run.run_id) for r in results]
            raise OutputNotWritable(
                f"Every row's outcome is in the journal (runs {', '.join(ids)}), but {exc} Then "
                f"write each sheet's results with: importer report RUN_ID -o RESULTS.xlsx "
                f"(RUN_ID: {' and '.join(ids)})") from None
        for result in results:
            result.results_path, result.failed_path = self.results_out, failed
        return FileImport(results, not_read, self.results_out, failed)


def _send(runs: list[SheetRun], workers: int, on_progress: ProgressCallback | None,
          stop: threading.Event, on_sheet: SheetCallback | None) -> None:
    """Each sheet's rows, in order; after a sheet that stopped early nothing more is sent."""
    halted = threading.Event()
    halted.set()
    stopped = False
    for run in runs:
        if on_sheet and not stopped:
            on_sheet(run.table)
        run.dispatch(workers, on_progress, halted if stopped else stop)
        stopped = stopped or run.interrupted or run.fatal is not None
