"""The worker pool that makes the calls (which call each row gets is decisions.py).
ueue; rows whose keys could name the same record
are never in flight at once. Each outcome is committed to the journal by the worker before it
takes the next row. Progress is reported from the caller's thread, so a slow progress display
never holds a worker up. Ctrl-C (or ``stop_event``) stops taking new rows; calls in flight finish
and are journaled; the rest stay NOT_RUN. A second Ctrl-C raises KeyboardInterrupt at once: the
rows then in flight keep their in-flight mark and are checked by the next run. When the ERP stops
answering (a run of rows whose calls all failed after their retries) the run stops the same way,
instead of failing every row left.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from importer.entities import Entity, Kind
from importer.erp.decisions import (  # noqa: F401
    MAX_CALLS_PER_ROW,
    DispatchResult,
    Job,
    ProgressCallback,
    _missing,
    _refuse_update,
    _skipped,
    dry_run_outcome,
    first_call,
    has_update_fields,
    keys_collide,
    missing_key_fields,
    next_call,
    resolve_action,
)
from importer.erp.keyedqueue import KeyedQueue  # noqa: F401
from importer.erp.responses import stored_record
from importer.errors import ConnectionFailed, ImporterError
from importer.model import Action, RowOutcome, Status

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.1  # seconds between on_progress calls


class Dispatcher:
    """Applies jobs with a pool of threads sharing one ErpClient; journals every outcome.

    ``journal`` needs ``mark_in_flight(run_id, row)`` and ``record(run_id, outcome, uncertain=,
    known=)``; ``known_keys`` is the set of keys the journal knows exist on this server.
    """

    def __init__(self, client, entity: Entity, journal, run_id: int, *,
                 scope: tuple[str, str], known_keys: set[tuple[str, ...]], workers: int = 4,
                 on_progress: ProgressCallback | None = None,
                 stop_event: threading.Event | None = None) -> None:
        self.client = client
        self.entity = entity
        self.journal = journal
        self.run_id = run_id
        self.scope = scope  # (server_url, data_source)
        self.known_keys = known_keys
        self.workers = max(1, workers)
        self.on_progress = on_progress
        self.stop = stop_event or threading.Event()
        self._lock = threading.Lock()
        self._outcomes: dict[int, RowOutcome] = {}
        self._counts: dict[str, int] = {}
        self._fatal: ImporterError | None = None
        self._failures_in_a_row = 0  # calls given up on (network), reset by any answer
        self.max_failures_in_a_row = max(8, 2 * self.workers)

    # -- running --------------------------------------------------------------------------
    def run(self, jobs: list[Job]) -> DispatchResult:
        total = len(jobs)
        queue = KeyedQueue(self.entity, jobs, window=4 * self.workers + 16, stop=self.stop)
        threads = [threading.Thread(target=self._work, args=(queue,), daemon=True,
                                    name=f"importer-worker-{i + 1}")
                   for i in range(min(self.workers, max(total, 1)))]
        for thread in threads:
            thread.start()
        interrupted = self._wait(threads, queue, total)
        self._progress(total)
        interrupted = interrupted or bool(queue.remaining())
        return DispatchResult(dict(self._outcomes), interrupted, self._fatal)

    def _wait(self, threads: list[threading.Thread], queue: KeyedQueue, total: int) -> bool:
        """Wait for the workers, reporting progress; Ctrl-C stops taking rows and drains."""
        interrupted = False
        for thread in threads:
            while thread.is_alive():
                try:
                    thread.join(PROGRESS_INTERVAL)
                    self._progress(total)
                except KeyboardInterrupt:
                    if interrupted:  # a second Ctrl-C: leave now; in-flight rows stay marked
                        raise
                    log.warning("Interrupted: finishing the calls in flight, sending no more "
                                "rows (Ctrl-C again stops at once)")
                    interrupted = True
                    self.stop.set()
                    queue.wake()
        return interrupted

    def _progress(self, total: int) -> None:
        if self.on_progress is None:
            return
        with self._lock:
            done, counts = len(self._outcomes), dict(self._counts)
        self.on_progress(done, total, counts)

    def _work(self, queue: KeyedQueue) -> None:
        while (job := queue.take()) is not None:
            try:
                outcome, uncertain, known = self._apply(job)
                self.journal.record(self.run_id, outcome, uncertain=uncertain, known=known)
            except Exception as exc:  # a re-login refused mid-run, the journal's disk full...
                if self.journal.closed:  # the run was left at once (Ctrl-C twice): its row
                    return  # stays marked in flight for the next run, nothing to report
                self._stop_on(exc)
                return
            finally:
                queue.done(job)
            with self._lock:
                self._outcomes[outcome.excel_row] = outcome
                self._counts[outcome.status.value] = self._counts.get(outcome.status.value, 0) + 1

    def _stop_on(self, exc: Exception) -> None:
        if not isinstance(exc, ImporterError):
            log.exception("Stopping the run after an unexpected error")
            exc = ImporterError(f"The run stopped after an unexpected error ({exc}); run the "
                                f"same command again to resume.")
        log.error("Stopping: %s", exc)
        with self._lock:
            self._fatal = self._fatal or exc
        self.stop.set()

    # -- one row ----------------------------------------------------------------------------
    def _apply(self, job: Job) -> tuple[RowOutcome, bool, tuple | None]:
        """Make the row's calls: (outcome, whether its create may have been applied, known key)."""
        values = job.row.values
        complete = not missing_key_fields(self.entity, values)
        call = first_call(job.action, complete, self.entity.key_of(values) in self.known_keys)
        if call is Action.SKIP:
            return _skipped(job), False, None
        refused = _refuse_update(self.entity, job, call)
        if refused is not None:
            return refused, False, None
        self.journal.mark_in_flight(self.run_id, job.row.excel_row)
        state = _RowState(maybe_sent=job.maybe_sent)
        for _ in range(MAX_CALLS_PER_ROW):
            stop = self._unsendable_update(job, call, state)
            if stop is not None:
                return stop, state.create_uncertain, None
            # Blank cells are never in ``values``: create sends every non-empty cell, update the
            # key plus the non-empty cells.
            result = self.client.call(self._path(call), values)
            state.attempts += result.attempts
            self._note_failure(result)
            if call is Action.CREATE:
                state.create_uncertain = state.create_uncertain or result.uncertain
            if result.kind != "business":
                return self._finish(job, call, result, state)
            switched_before, maybe_sent = state.switched, result.uncertain or state.maybe_sent
            call, state.switched = next_call(
                call, job.action, exists=self.client.is_exists(result),
                not_found=self.client.is_not_found(result), maybe_sent=maybe_sent,
                switched=state.switched)
            state.maybe_sent = False
            if call is None:
                state.hint = _EXISTS_HINT if maybe_sent and result.path == self._path(
                    Action.CREATE) else ""
                return self._failed(job, result, state), False, None
            state.notes.append(_SWITCH_NOTES[call] if state.switched != switched_before
                               else _LOST_CREATE_NOTE)
        return self._failed(job, result, state), state.create_uncertain, None

    def _note_failure(self, result) -> None:
        """Stop the run when the ERP stops answering, instead of failing every remaining row
        after its retries: those rows stay NOT_RUN and the same command resumes them."""
        with self._lock:
            self._failures_in_a_row = self._failures_in_a_row + 1 if result.kind == "failed" else 0
            give_up = self._failures_in_a_row == self.max_failures_in_a_row
        if give_up:
            status = getattr(result, "http_status", None) or 0
            if 300 <= status < 400:  # it answers, but elsewhere: no retry or resume helps
                text = (f"Every call was redirected ({self._failures_in_a_row} rows in a row "
                        f"failed; last: {result.message}).")
            else:
                text = (f"The ERP stopped answering ({self._failures_in_a_row} rows in a row "
                        f"failed after their retries; last: {result.message}). Check the server.")
            self._stop_on(ConnectionFailed(text))

    def _path(self, call: Action) -> str:
        return self.entity.create_path if call is Action.CREATE else self.entity.update_path

    def _unsendable_update(self, job: Job, call: Action, state: "_RowState") -> RowOutcome | None:
        """An update upsert or a lost create led to, that the row cannot make."""
        if call is not Action.UPDATE:
            return None
        missing = missing_key_fields(self.entity, job.row.values)
        if missing:
            return RowOutcome(job.row.excel_row, Status.FAILED, "CREATE", message=(
                f"The record exists already; to update it fill in {', '.join(missing)}."),
                issues=list(job.issues), attempts=state.attempts)
        if not has_update_fields(self.entity, job.row.values):
            return _skipped(job, "The record exists already and the row has nothing besides "
                                 "the key to change.")
        return None

    def _finish(self, job: Job, call: Action, result, state: "_RowState"):
        if result.kind != "ok":
            return self._failed(job, result, state), call is Action.CREATE and \
                state.create_uncertain, None
        status = Status.CREATED if call is Action.CREATE else Status.UPDATED
        record = stored_record(self.entity, result.record or {})
        key, sent = self.entity.key_of(record), self.entity.key_of(job.row.values)
        if "" in key:
            key = sent
        if not same_key(self.entity, key, sent):  # the ERP answered about another record
            return self._other_key(job, call, result, state, key, sent), \
                call is Action.CREATE, None
        outcome = RowOutcome(job.row.excel_row, status, call.value, result.http_status,
                             message=" ".join(state.notes), record=record,
                             issues=list(job.issues), attempts=state.attempts)
        self.known_keys.add(key)
        return outcome, False, (*self.scope, self.entity.name, key)

    def _other_key(self, job: Job, call: Action, result, state: "_RowState",
                   answered: tuple[str, ...], sent: tuple[str, ...]) -> RowOutcome:
        describe = self.entity.describe_key
        message = (f"The ERP answered {result.http_status} with the record {describe(answered)}, "
                   f"not {describe(sent)} that was sent: the {call.value.lower()} may have been "
                   f"applied under that other key. Check both records in the ERP before "
                   f"importing this row again.")
        return RowOutcome(job.row.excel_row, Status.FAILED, call.value, result.http_status,
                          "KEY_MISMATCH", " ".join([*state.notes, message]),
                          issues=list(job.issues), attempts=state.attempts)

    def _failed(self, job: Job, result, state: "_RowState") -> RowOutcome:
        call = "CREATE" if result.path == self.entity.create_path else "UPDATE"
        message = " ".join([*state.notes, result.message, state.hint]).strip()
        return RowOutcome(job.row.excel_row, Status.FAILED, call, result.http_status,
                          result.message_code, message, issues=list(job.issues),
                          attempts=state.attempts)


def same_key(entity: Entity, answered: tuple[str, ...], sent: tuple[str, ...]) -> bool:
    """The answer's key names the record sent: numbers as numbers (key_of), a date by its day
    (a server may add a time), text without regard to case or surrounding blanks; a key field
    the row left empty is the server's to fill (a create default)."""
    for name, a, b in zip(entity.key, answered, sent):
        a, b = a.strip().casefold(), b.strip().casefold()
        if not b:
            continue
        if entity.field(name).kind is Kind.DATE:
            a, b = a[:10], b[:10]
        if a != b:
            return False
    return True


_SWITCH_NOTES = {
    Action.UPDATE: "The record existed already, so it was updated.",
    Action.CREATE: "No record had this key, so it was created.",
}


_EXISTS_HINT = ("An earlier create of this row may have been applied without its answer arriving; "
                "if this message means the record exists, add its code to exists_codes or its "
                "wording to exists_patterns (importer.toml) and run the import again.")
_LOST_CREATE_NOTE = ("An earlier create of this row may have reached the ERP without its answer "
                     "arriving; the record exists, so it was updated to match the row.")


@dataclass
class _RowState:
    maybe_sent: bool = False  # a create may have been applied by an earlier session
    create_uncertain: bool = False  # a create of this session may have been applied
    switched: bool = False  # upsert's one switch is used
    attempts: int = 0
    notes: list[str] = field(default_factory=list)
    hint: str = ""  # what to do about the failure, after its message
