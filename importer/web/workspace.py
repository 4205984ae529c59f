"""The page's memory: uploaded files in a private folder, and what the library said of each.

Everything here is a call into the library the CLI uses (read_table, validate, the workbook
writers, corrections, run_import through an ImportJob, the journal's runs, render_report); this
module only keeps the results between requests, keyed by random ids, so no request can name a
path on the machine.
"""
from __future__ import annotations

import secrets
import shutil
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from importer import workbooks
from importer.checks.changes import ChangeRules, RowChange
from importer.checks.validation import validate
from importer.entities import ENTITIES, get_entity
from importer.errors import BadOptions, ImporterError
from importer.filenames import beside, fitted
from importer.journal.history import History
from importer.journal.store import Journal
from importer.model import TOOL_COLUMNS, Report, RowOutcome
from importer.reading import read_table
from importer.reading.options import ANY_ENTITY, ReadOptions, read_options
from importer.runs import gridedits
from importer.runs.checking import build_checks
from importer.runs.columnguess import guess_fields
from importer.runs.columnmaps import header_samples, save_column_names, table_samples
from importer.runs.corrections import EDITABLE_FORMATS
from importer.runs.gridedits import EditHistory
from importer.runs.jobs import ImportJob, JobSlot
from importer.runs.reports import render_report
from importer.runs.revert import (RevertPlan, check_later_runs, check_unfinished, plan_revert,
                                  revert_run, write_removal_list)
from importer.runs.runner import ImportResult, run_import
from importer.runs.sheetplan import record_sheets, visible_sheets
from importer.settings import Settings, find_config_file, load_settings, user_config_path
from importer.web.editing import Editing
from importer.web.folders import own_folder

UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass
class Upload:
    """One file the admin gave the page, and its latest check."""

    id: str
    name: str  # the file name as uploaded
    folder: Path  # private to this upload
    original: Path  # the bytes as uploaded
    entity: str | None = None  # chosen by the person; None = recognised
    sheet: str | None = None
    history: EditHistory = field(default_factory=EditHistory)
    report: Report | None = None
    error: str | None = None  # the file cannot be used: one sentence
    sheets: list[str] = field(default_factory=list)
    generation: int = 0  # bumped by every edit: names the corrected copy
    maps: dict[str, str] = field(default_factory=dict)  # header -> field, named in the page
    headers: list[tuple[str, str]] = field(default_factory=list)  # (letter, header) of the sheet
    samples: dict[str, list[str]] = field(default_factory=dict)  # letter -> two values shown
    guesses: dict[str, str] = field(default_factory=dict)  # letter -> the likely field
    decimal: str | None = None  # the file's decimal separator, found on the first typed number
    last_step: str = ""  # what the latest edit, undo or redo did, in a sentence
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    record_sheets: list[str] = field(default_factory=list)  # every sheet holding records

    @property
    def edits(self) -> dict[tuple[str, int], str]:
        return self.history.current.cells

    @property
    def skipped(self) -> frozenset[int]:
        """Rows skipped here that the file cannot mark itself (it has no ACTION column)."""
        return self.history.current.skipped

    @property
    def left_out(self) -> list[str]:
        """The record sheets this check (and its import) leaves out: the page takes one sheet
        at a time."""
        shown = self.report.table.sheet if self.report else self.sheet
        return [s for s in self.record_sheets if s != shown]

    @property
    def current(self) -> Path:
        """The file the check, preview and import read: the upload with the edits applied."""
        if not self.edits:  # nothing changed in the file (rows skipped here are read so)
            return self.original
        return self.folder / "corrected" / self.name

    @property
    def editable(self) -> bool:
        return self.report is not None and self.report.table.file_format in EDITABLE_FORMATS


@dataclass
class Target:
    """Where an import goes: the built-in sandbox or the configured ERP."""

    settings: Settings
    server_name: str | None = None  # the journal's name for a sandbox kept in a file
    label: str = ""


class Workspace(Editing):
    """Uploads, imports and the journal of one `importer serve` process."""

    def __init__(self, root: Path | None, journal: Path, config_file: Path | None = None,
                 parts: Path | None = None, customers: Path | None = None) -> None:
        self.config_file = config_file
        self.parts, self.customers = parts, customers  # master data (else [masterdata])
        # the journal's name of the target the Check checks for when no ERP is configured: the
        # page's sandbox (its master data, its last known records), as its Preview does
        self.sandbox_name: str | None = None
        self.swept, self.root = own_folder(root)
        self.journal = journal
        self.uploads: dict[str, Upload] = {}
        self.jobs: dict[str, tuple[ImportJob, Upload | None]] = {}  # None: a revert
        self.slot = JobSlot()
        self._lock = threading.Lock()

    def close(self) -> None:
        for job, _ in self.jobs.values():
            job.stop()
        for job, _ in self.jobs.values():
            job.wait(30)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- upload and check ---------------------------------------------------------------------
    def add_upload(self, name: str, data: bytes) -> Upload:
        safe = Path(name.replace("\\", "/")).name.strip() or "upload.xlsx"
        safe = fitted(Path(safe).stem, Path(safe).suffix[:16])  # a name the file system takes
        if Path(safe).suffix.lower() not in UPLOAD_SUFFIXES:
            raise BadOptions(f"{safe} is not a spreadsheet this tool reads; choose an .xlsx, "
                             ".xlsm, .xls, .ods or .csv file.")
        upload_id = secrets.token_urlsafe(9)
        folder = self.root / upload_id
        folder.mkdir(mode=0o700)
        original = folder / safe
        original.write_bytes(data)
        upload = Upload(upload_id, safe, folder, original)
        upload.sheets = visible_sheets(original)
        if len(upload.sheets) > 1:
            upload.record_sheets = record_sheets(original)
        with self._lock:
            self.uploads[upload_id] = upload
        return self.check(upload)

    def check(self, upload: Upload, entity: str | None = ..., sheet: str | None = ...) -> Upload:
        """Read and validate the upload (with its edits) exactly as `importer validate` does."""
        if entity is not ...:
            upload.entity = entity or None
        if sheet is not ...:
            upload.sheet = sheet or None
        try:
            table = gridedits.mark_skipped(read_table(
                upload.current, entity=upload.entity, sheet=upload.sheet,
                options=self.read_options(upload)), upload.skipped)
            settings = self.settings()
            server = "" if settings and settings.url else (self.sandbox_name or "")
            upload.report = validate(table, checks=build_checks(
                table.entity, settings, parts=self.parts, customers=self.customers,
                journal_path=self.journal, server=server))
            upload.error = None
        except ImporterError as exc:
            upload.report, upload.error = None, str(exc)
        if upload.generation == 0 or not upload.headers:  # edits leave the headers as they are
            if upload.report is not None:  # what was read, not the file read again
                upload.headers, upload.samples = table_samples(upload.report.table)
            else:
                try:
                    _, upload.headers, upload.samples = header_samples(upload.current,
                                                                       upload.sheet)
                except ImporterError:
                    upload.headers, upload.samples = [], {}
            upload.guesses = self._guesses(upload)
        return upload

    @staticmethod
    def _guesses(upload: Upload) -> dict[str, str]:
        """The likely field of each header the reading did not match (for the naming panel)."""
        if upload.report is not None:
            table = upload.report.table
            entity = table.entity
            named = {c.letter for c in table.columns if c.field or c.is_action}
            taken = {c.field for c in table.columns if c.field}
        else:
            entity = get_entity(upload.entity) if upload.entity else next(iter(ENTITIES.values()))
            named, taken = set(), set()
        open_headers = [(letter, h) for letter, h in upload.headers if letter not in named
                        and h.upper() not in TOOL_COLUMNS]
        found = guess_fields(entity, open_headers, upload.samples)
        return {letter: f for letter, f in found.items() if f not in taken}

    def settings(self) -> Settings | None:
        """importer.toml / IMPORTER_* without a password (for [masterdata] and the ERP the
        journal's knowledge is about); None when they do not name a server."""
        try:
            return load_settings(config_file=self.config_file, password_needed=False,
                                 connection_needed=False, journal=self.journal)
        except BadOptions:
            return None

    def read_options(self, upload: Upload) -> ReadOptions:
        """importer.toml's [reading], [columns] and [values], the names given in the page, and
        the fixes accepted for the configured server (importer.runs.valuefixes)."""
        from importer.runs.valuefixes import with_learned

        options = read_options(self.config_file)
        if upload.maps:
            options = replace(options, columns={**options.columns, ANY_ENTITY: upload.maps})
        settings = self.settings()
        if settings is not None:
            options = with_learned(options, self.journal, (settings.url, settings.data_source))
        return options

    def name_columns(self, upload: Upload, mapping: dict[str, str], save_as: str | None
                     ) -> Path | None:
        """Read the upload again with these header names; with ``save_as`` (an entity name)
        also keep them in importer.toml for every later file. Returns the file saved to."""
        upload.maps = {h: f for h, f in mapping.items() if f}
        saved = None
        if save_as and upload.maps:
            config = find_config_file(self.config_file) or user_config_path()
            saved = save_column_names(config, save_as, upload.maps)
        self.check(upload)
        return saved

    def validation_workbook(self, upload: Upload) -> Path:
        out = beside(Path(upload.name), ".validation.xlsx", upload.folder)
        workbooks.write_validation_workbook(upload.report, out)
        return out

    # --- preview and import -------------------------------------------------------------------
    def preview(self, upload: Upload, settings: Settings | None, server_name: str | None = None
                ) -> tuple[ImportResult, dict[int, RowOutcome], dict[int, RowChange]]:
        """A dry run: the call each row would get and what it would change, nothing sent."""
        result = run_import(upload.current, settings, entity=self._entity(upload),
                            sheet=upload.report.table.sheet, dry_run=True,
                            journal_path=self.journal, read_options=self.read_options(upload),
                            parts=self.parts, customers=self.customers,
                            out=upload.folder / "preview.results.xlsx", server_name=server_name,
                            skip_rows=upload.skipped)
        with Journal(self.journal) as journal:
            outcomes = journal.outcomes(result.run.run_id)
        with History(self.journal) as history:
            changes = history.load_changes(result.run.run_id) or {}
        return result, outcomes, changes

    def accept(self, upload: Upload, target: Target, rows: list[int] | None = None) -> int:
        """Accept the upload's decisions (every one, or those of ``rows``) for the target, as
        `importer approve` does; returns how many were accepted."""
        from importer.runs.approving import approve_file

        done = approve_file(upload.current, target.settings, server_name=target.server_name,
                            entity=self._entity(upload), sheets=[upload.report.table.sheet],
                            read_options=self.read_options(upload), parts=self.parts,
                            customers=self.customers, rows=rows)
        return done.accepted

    def history(self, upload: Upload, excel_row: int) -> list[dict]:
        """What the journal knows of the record of one row of the upload: every run that
        created or changed its key (importer.journal.history.key_history), oldest first."""
        from importer.journal.history import key_history

        table = upload.report.table
        row = next((r for r in table.rows if r.excel_row == excel_row), None)
        if row is None or not row.values.get("PART_ID"):
            return []
        key = table.entity.key_of(row.values)
        with Journal(self.journal) as journal:
            events = key_history(journal, row.values["PART_ID"],
                                 row.values.get("PRICE_CODE"), row.values.get("CUSTOMER_ID"))
        return [e.to_dict() for e in events if e.entity == table.entity.name and e.key == key]

    def start_import(self, upload: Upload, target: Target, mode: str = "upsert",
                     workers: int = 4, fresh: bool = False,
                     rules: ChangeRules | None = None, also_skip: frozenset[int] = frozenset()
                     ) -> tuple[str, bool]:
        """Start the import in the background: (job id, True), or (the id of the import
        already running on this journal, False). ``also_skip``: rows left out besides those
        skipped on the page (a retry from the results leaves out the rows already applied)."""
        running = self.slot.running(str(self.journal))
        if running is not None:
            return self._job_id(running), False
        source = upload.current
        entity, sheet = self._entity(upload), upload.report.table.sheet
        options = self.read_options(upload)
        skip = frozenset(upload.skipped | also_skip)

        def call(on_progress: Callable, stop: threading.Event) -> ImportResult:
            return run_import(source, target.settings, entity=entity, sheet=sheet, mode=mode,
                              workers=workers, journal_path=self.journal, fresh=fresh,
                              on_progress=on_progress, stop_event=stop,
                              server_name=target.server_name, rules=rules,
                              read_options=options, parts=self.parts,
                              customers=self.customers, skip_rows=skip)

        return self._start(ImportJob(call, label=f"{upload.name} into {target.label}"), upload)

    def plan_revert(self, run_id: int) -> tuple[RevertPlan, str]:
        """What reverting the run would do, and why it would be refused ('' when it would not)."""
        plan = plan_revert(self.journal, run_id)
        try:
            check_unfinished(plan, force=False)
            check_later_runs(plan, force=False)
            return plan, ""
        except BadOptions as exc:
            return plan, str(exc)

    def start_revert(self, run_id: int, target: Target, force: bool) -> tuple[str, bool]:
        """Start reverting the run in the background (the same call as `importer revert`)."""
        running = self.slot.running(str(self.journal))
        if running is not None:
            return self._job_id(running), False
        folder = self.root / "reverts"
        folder.mkdir(exist_ok=True)

        def call(on_progress: Callable, stop: threading.Event) -> ImportResult | None:
            return revert_run(self.journal, run_id, target.settings, force=force, folder=folder,
                              on_progress=on_progress, stop_event=stop,
                              server_name=target.server_name).result

        return self._start(ImportJob(call, label=f"Revert of run {run_id} in {target.label}"),
                           None)

    def _start(self, job: ImportJob, upload: Upload | None) -> tuple[str, bool]:
        job_id = secrets.token_urlsafe(9)
        self.jobs[job_id] = (job, upload)
        started = self.slot.start(str(self.journal), job)
        if started is job:
            return job_id, True
        del self.jobs[job_id]
        return self._job_id(started), False

    def _job_id(self, job: ImportJob) -> str:
        return next(k for k, (j, _) in self.jobs.items() if j is job)

    def running_job(self) -> tuple[str, ImportJob] | None:
        job = self.slot.running(str(self.journal))
        return (self._job_id(job), job) if job is not None else None

    @staticmethod
    def _entity(upload: Upload):
        return get_entity(upload.report.table.entity.name)

    # --- history ------------------------------------------------------------------------------
    def runs(self):
        if not self.journal.is_file():
            return []
        with Journal(self.journal) as journal:
            return journal.runs(dry_runs=False)

    def outcomes(self, run_id: int) -> dict[int, RowOutcome]:
        with Journal(self.journal) as journal:
            return journal.outcomes(run_id)

    def removal_workbook(self, run_id: int) -> Path:
        """The records run ``run_id`` created, to remove by hand, as a download."""
        return write_removal_list(self.journal, run_id, self.root / "reports")

    def report_workbook(self, run_id: int) -> Path:
        out = self.root / "reports" / f"run-{run_id}.results.xlsx"
        out.parent.mkdir(exist_ok=True)
        with Journal(self.journal) as journal:
            _, written = render_report(journal, run_id, out)
        return written.path
