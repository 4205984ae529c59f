"""Which call each row gets: pure functions of the row, its ACTION, the mode and what the journal
knows, tested with plain values; and the work items (`Job`) the pool applies.


- A row's ACTION cell (CREATE, UPDATE, UPSERT, SKIP) overrides the run's mode.
- ``upsert`` calls update when the journal knows the key (this tool created or updated it on
  this server and data source before) and create otherwise, and switches once: create answered
  RECORD_EXISTS -> update; update answered RECORD_NOT_FOUND -> create.
- Update sends the key plus only the non-empty cells. A row with nothing besides the key is not
  sent: with ACTION/mode UPDATE it is INVALID ("nothing to update"); when upsert finds the record
  exists it is SKIPPED (the ERP already holds a record with that key and there is nothing to
  change). Update needs every key field; a row without them is not sent to update either.
- A create that may have reached the server before its answer was lost (the client's
  ``uncertain``, or a row that was in flight when an earlier session died) and is then answered
  RECORD_EXISTS is applied with update, in every mode, so the ERP ends holding the row's values and
  no row is created twice.

"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

from importer.entities import Entity
from importer.errors import ImporterError
from importer.model import Action, Issue, Row, RowOutcome, Status

MAX_CALLS_PER_ROW = 5  # create -> update -> create ... is bounded well below this
ProgressCallback = Callable[[int, int, dict], None]  # (done, total, counts per status)


# --- decisions ---------------------------------------------------------------------------------
def resolve_action(row_action: Action | None, mode: str) -> Action:
    """The row's ACTION cell when given, else the run's mode."""
    return row_action or _mode_action(mode)


@functools.lru_cache(maxsize=None)
def _mode_action(mode: str) -> Action:
    return Action(mode.upper())


def first_call(action: Action, key_complete: bool, key_known: bool) -> Action:
    """CREATE, UPDATE or SKIP: the first call a row gets."""
    if action is Action.UPSERT:
        return Action.UPDATE if key_complete and key_known else Action.CREATE
    return action


def missing_key_fields(entity: Entity, values: dict[str, str]) -> list[str]:
    return [k for k in entity.key if not values.get(k)]


def has_update_fields(entity: Entity, values: dict[str, str]) -> bool:
    """Update needs at least one field besides the key. A row read from a file holds only its
    non-empty cells; an empty value is one the tool itself sends to clear a field (a revert
    reopening an END_DATE it had set, importer.runs.revert)."""
    return any(k not in entity.key for k in values)


def next_call(call: Action, action: Action, *, exists: bool, not_found: bool, maybe_sent: bool,
              switched: bool) -> tuple[Action | None, bool]:
    """After a business error: (the next call or None when the row failed, whether it switches).

    A create that may have been applied and now hears RECORD_EXISTS updates (any mode, does not
    use up upsert's one switch). Upsert switches once between create and update.
    """
    if call is Action.CREATE and exists and maybe_sent:
        return Action.UPDATE, switched
    if action is Action.UPSERT and not switched:
        if call is Action.CREATE and exists:
            return Action.UPDATE, True
        if call is Action.UPDATE and not_found:
            return Action.CREATE, True
    return None, switched


def keys_collide(entity: Entity, a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Could two rows' keys name the same record? A blank key field the server fills in on
    create (e.g. EFFECTIVE_DATE, ORDER_QTY) matches anything."""
    for name, x, y in zip(entity.key, a, b):
        if x != y and not (name in entity.create_defaults and "" in (x, y)):
            return False
    return True


def dry_run_outcome(entity: Entity, job: "Job", key_known: bool) -> RowOutcome:
    """What a dry run reports for a valid row: the call it would make, nothing sent."""
    call = first_call(job.action, not _missing(entity, job), key_known)
    refused = _refuse_update(entity, job, call)
    if refused is not None:
        return refused
    if call is Action.SKIP:
        return _skipped(job)
    return RowOutcome(job.row.excel_row, Status.NOT_RUN, f"{call.value} (dry run)",
                      message=f"Dry run: would call {call.value.lower()}; nothing was sent.",
                      issues=list(job.issues))


# --- work items ------------------------------------------------------------------------------
@dataclass
class Job:
    """One valid row to apply."""

    row: Row
    action: Action  # resolved: the ACTION cell or the mode
    maybe_sent: bool = False  # an earlier session may have applied its create
    issues: list[Issue] = field(default_factory=list)  # warnings, carried into the outcome


@dataclass
class DispatchResult:
    outcomes: dict[int, RowOutcome]
    interrupted: bool = False  # Ctrl-C or the stop event: some rows were not sent
    fatal: ImporterError | None = None  # e.g. the credentials stopped working mid-run


def _missing(entity: Entity, job: Job) -> list[str]:
    return missing_key_fields(entity, job.row.values)


def _skipped(job: Job, message: str = "ACTION is SKIP: not sent.") -> RowOutcome:
    return RowOutcome(job.row.excel_row, Status.SKIPPED, "", message=message,
                      issues=list(job.issues))


def _refuse_update(entity: Entity, job: Job, call: Action) -> RowOutcome | None:
    """A row sent to update (by its ACTION or the mode) that update cannot take: INVALID."""
    if call is not Action.UPDATE or job.action is not Action.UPDATE:
        return None
    missing = _missing(entity, job)
    if missing:
        text = (f"Update needs the whole key: fill in {', '.join(missing)} "
                f"(or use CREATE).")
        return _invalid(job, "missing-key-for-update", text, missing[0])
    if not has_update_fields(entity, job.row.values):
        text = (f"Nothing to update: fill in at least one field besides the key "
                f"({', '.join(entity.key)}), or use CREATE.")
        return _invalid(job, "nothing-to-update", text, None)
    return None


def _invalid(job: Job, code: str, text: str, field_name: str | None) -> RowOutcome:
    issue = Issue(code, text, row=job.row.excel_row, field=field_name)
    return RowOutcome(job.row.excel_row, Status.INVALID, "", message=text,
                      issues=[issue, *job.issues])


