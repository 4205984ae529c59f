"""`revert_run()`: put back what a run changed, as far as the journal knows it.

For every row the run UPDATED, the fields it changed get back the values last known before the
run (what the ERP returned to the latest earlier run that created or updated that key on the same
server and data source). An END_DATE that was blank before is sent empty, so the line is open
again (close_previous ends lines the same way: importer.runs.closing). These update rows are written to a CSV file beside the run's input
(``<input>.revert-<N>.csv``) and imported from it with ``mode=update`` by the same runner as any
import: the revert is itself a journaled, resumable run with its results workbook, and
``dry_run`` previews it. The same file is written again for the same run, so running the revert
again resumes it.

Rows whose call may have been applied without its answer being journaled (in flight when the run
was killed, or given up on after a lost answer) are put back too when their earlier values are
known, else named as not revertible. A run that stopped while sending (killed) is refused unless
``force``: finishing it first (the same import again) is the safer order.

What cannot be put back is listed, not guessed: rows the run CREATED go to a workbook "to remove
in the ERP" (the API has no delete); an UPDATED row whose key no earlier run wrote (earlier values
unknown), or a field that was empty before (a blank cell is never sent), is not revertible. A
later run that created or updated one of the run's keys makes the revert refuse (BadOptions,
naming them), unless ``force``: reverting would undo that later run's values too.
"""
from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from importer import workbooks
from importer.checks.changes import ChangeRules, same_value
from importer.csvtext import protect
from importer.entities import Entity, get_entity
from importer.errors import BadOptions, OutputNotWritable
from importer.filenames import beside
from importer.humane import plural
from importer.journal.history import History
from importer.journal.lease import ensure_idle
from importer.journal.store import Journal
from importer.model import Row, RowOutcome, RunInfo, Status
from importer.runs.runner import ImportResult, run_import
from importer.settings import Settings

SHOWN = 10  # keys named in a refusal


@dataclass
class RevertPlan:
    """What reverting a run would do, decided from the journal alone."""

    run: RunInfo
    entity: Entity
    updates: list[dict[str, str]] = field(default_factory=list)  # key + values to put back
    created: list[dict[str, str]] = field(default_factory=list)  # records to remove by hand
    not_revertible: list[tuple[str, str]] = field(default_factory=list)  # (key, why)
    untouched: int = 0  # UPDATED rows whose values the run did not change
    later: list[tuple[int, str]] = field(default_factory=list)  # (later run, key) conflicts
    reopen: set[tuple[str, ...]] = field(default_factory=set)  # keys whose END_DATE goes blank
    maybe_applied: int = 0  # rows whose call may have been applied without a journaled answer
    unfinished: bool = False  # the run stopped while sending (killed): rows were in flight

    @property
    def scope(self) -> tuple[str, str]:
        return (self.run.server_url, self.run.data_source)


@dataclass
class RevertResult:
    plan: RevertPlan
    revert_file: Path | None  # the update rows imported (None when there was nothing to put back)
    removal_file: Path | None  # the created records to remove in the ERP
    result: ImportResult | None  # the revert run (None when nothing was sent or previewed)


def revert_paths(run: RunInfo, folder: Path | None = None) -> tuple[Path, Path]:
    """(the revert rows' CSV, the 'to remove in the ERP' workbook) for a run."""
    source = Path(run.input_path)
    where = folder or source.parent
    return (beside(source, f".revert-{run.run_id}.csv", where),
            beside(source, f".revert-{run.run_id}.to-remove.xlsx", where))


def find_run(journal: Journal, run_id: int) -> RunInfo:
    try:
        return journal.run(run_id)
    except KeyError:
        raise BadOptions(f"There is no run {run_id}: see the list with importer runs.") from None


def plan_revert(journal_path: Path, run_id: int) -> RevertPlan:
    """Decide, from the journal, what reverting run ``run_id`` puts back and what it cannot."""
    with Journal(journal_path) as journal:
        run = find_run(journal, run_id)
        if run.dry_run:
            raise BadOptions(f"Run {run_id} was a dry run: it changed nothing to revert.")
        ensure_idle(journal, run_id)  # a living process still sends it: not even with --force
        table = journal.load_table(run_id)
        outcomes = journal.outcomes(run_id)
        maybe, in_flight = journal.maybe_sent(run_id), journal.in_flight(run_id)
    entity = get_entity(run.entity)
    plan = RevertPlan(run, entity, unfinished=run.finished_at is None or bool(in_flight))
    updated: dict[tuple[str, ...], Row] = {}
    uncertain: dict[tuple[str, ...], Row] = {}  # in flight or unanswered when the run stopped
    for row in table.rows:
        outcome = outcomes.get(row.excel_row)
        if outcome is None or not outcome.status.applied:
            if row.excel_row in maybe:
                uncertain[entity.key_of(row.values)] = row
            continue
        key = _key(entity, row, outcome)
        if outcome.status is Status.CREATED:
            plan.created.append(outcome.record or dict(row.values))
        else:
            updated[key] = row
    plan.maybe_applied = len(uncertain)
    with History(journal_path) as history:
        before = {key: record for _run, _date, key, record in
                  history.applied(plan.scope, entity, [*updated, *uncertain], before=run_id)}
        _unknown_uncertain(plan, uncertain, before)
        _put_back(plan, {**{k: r for k, r in uncertain.items() if k in before}, **updated},
                  before)
        touched = [*updated, *uncertain] + [entity.key_of(r) for r in plan.created]
        plan.later = [(later, entity.describe_key(key)) for later, _d, key, _r in history.applied(
            plan.scope, entity, touched, after=run_id, exclude_sha=_sha(revert_csv(plan)))]
    return plan


def _unknown_uncertain(plan: RevertPlan, uncertain: dict[tuple[str, ...], Row],
                       before: dict[tuple[str, ...], dict]) -> None:
    """Rows that may have been applied, whose earlier values no earlier run recorded: named."""
    for key in uncertain:
        if key not in before:
            plan.not_revertible.append((plan.entity.describe_key(key), (
                f"run {plan.run.run_id} may have created or changed it (its answer never "
                f"arrived) and no earlier run of this tool wrote it: check it in the ERP")))


def check_unfinished(plan: RevertPlan, force: bool) -> None:
    """Refuse to revert a run that stopped while sending (killed), unless ``force``."""
    if not plan.unfinished or force:
        return
    run = plan.run.run_id
    maybe = (f" ({plural(plan.maybe_applied, 'row')} may have been applied without the answer "
             f"being journaled)") if plan.maybe_applied else ""
    raise BadOptions(
        f"Run {run} did not finish: it stopped while sending{maybe}. Finish it first by "
        f"running the same import again, then revert it; or add --force to revert it as it "
        f"stands: rows that may have been applied are put back too where their earlier values "
        f"are known, and named where not.")


def _key(entity: Entity, row: Row, outcome: RowOutcome) -> tuple[str, ...]:
    key = entity.key_of(outcome.record or {})
    return entity.key_of(row.values) if "" in key else key


def _put_back(plan: RevertPlan, updated: dict[tuple[str, ...], Row],
              before: dict[tuple[str, ...], dict]) -> None:
    entity = plan.entity
    for key, row in updated.items():
        earlier = before.get(key)
        name = entity.describe_key(key)
        if earlier is None:
            plan.not_revertible.append((name, "earlier values unknown: no earlier run of this "
                                              "tool wrote this record"))
            continue
        values, blank = dict(zip(entity.key, key)), []
        for field_name, sent in row.values.items():
            if field_name in entity.key or not entity.has_field(field_name):
                continue
            old = str(earlier.get(field_name) or "")
            if same_value(entity.field(field_name).kind, old, sent):
                continue
            if old:
                values[field_name] = old
            elif field_name == entity.end_date_field:  # an open line: reopened with ''
                values[field_name] = ""
                plan.reopen.add(key)
            else:
                blank.append(field_name)
        if blank:
            plan.not_revertible.append((name, f"{', '.join(blank)} was empty before the run; "
                                              "a blank cell cannot be sent, clear it in the ERP"))
        if len(values) > len(entity.key):
            plan.updates.append(values)
        elif not blank:
            plan.untouched += 1


def revert_csv(plan: RevertPlan) -> bytes:
    """The revert rows as CSV: the key and every field put back, in documented order."""
    names = {n for values in plan.updates for n in values}
    header = [n for n in plan.entity.field_names if n in names]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([protect(values.get(n, "")) for n in header] for values in plan.updates)
    return buffer.getvalue().encode("utf-8")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_later_runs(plan: RevertPlan, force: bool) -> None:
    """Refuse when a later run wrote one of the run's keys, unless ``force``."""
    if not plan.later or force:
        return
    runs = sorted({r for r, _ in plan.later})
    keys = list(dict.fromkeys(k for _, k in plan.later))
    more = f" and {len(keys) - SHOWN} more" if len(keys) > SHOWN else ""
    raise BadOptions(
        f"Run {plan.run.run_id} cannot be reverted safely: later run"
        f"{'s' * (len(runs) > 1)} {', '.join(map(str, runs))} changed the same records "
        f"({'; '.join(keys[:SHOWN])}{more}). Revert the later runs first, or add --force to "
        f"put back the values from before run {plan.run.run_id} anyway.")


def revert_run(journal_path: Path, run_id: int, settings: Settings | None, *,
               dry_run: bool = False, force: bool = False, folder: Path | None = None,
               workers: int = 4, on_progress=None, stop_event=None,
               server_name: str | None = None) -> RevertResult:
    """Revert run ``run_id`` (see the module docstring). ``settings`` must name the run's server
    and data source (None only for a dry run); ``server_name`` is the journal's name for that
    server when it is not its URL (a sandbox kept in a file). Raises BadOptions (exit 2) on a
    refusal."""
    plan = plan_revert(journal_path, run_id)
    check_unfinished(plan, force)
    check_later_runs(plan, force)
    if settings is not None and (server_name or settings.url,
                                 settings.data_source) != plan.scope:
        raise BadOptions(f"Run {run_id} was against {plan.run.server_url} "
                         f"({plan.run.data_source}): pass --url {plan.run.server_url} "
                         f"--data-source {plan.run.data_source} to revert it.")
    revert_file, removal_file = revert_paths(plan.run, folder)
    for path in (revert_file, removal_file):
        workbooks.check_writable(path)
    removal = None
    if plan.created:
        removal = workbooks.write_removal_workbook(plan.entity, run_id, plan.created,
                                                   removal_file).path
    if not plan.updates:
        return RevertResult(plan, None, removal, None)
    _write_bytes(revert_file, revert_csv(plan))
    if not plan.reopen:
        result = run_import(revert_file, settings, entity=plan.entity, mode="update",
                            workers=workers, dry_run=dry_run, journal_path=journal_path,
                            on_progress=on_progress, stop_event=stop_event,
                            server_name=plan.run.server_url,
                            rules=ChangeRules(hold=()))  # earlier values, chosen: not held
    else:
        result = _import_reopening(plan, revert_file, settings, workers=workers,
                                   dry_run=dry_run, journal_path=journal_path,
                                   on_progress=on_progress, stop_event=stop_event)
    return RevertResult(plan, revert_file, removal, result)


def _import_reopening(plan: RevertPlan, revert_file: Path, settings: Settings | None,
                      **options) -> ImportResult:
    """The revert rows imported like run_import does, except that an END_DATE that was blank
    before the run is sent empty (a blank cell is otherwise never sent): the line is open
    again, as it was."""
    from importer.checks.validation import validate
    from importer.reading import read_table
    from importer.runs.checking import build_checks
    from importer.runs.runner import check_options, import_table, journal_file

    check_options("update", options["workers"], settings, options["dry_run"])
    entity, end = plan.entity, plan.entity.end_date_field
    table = read_table(revert_file.absolute(), entity=entity)
    report = validate(table, checks=build_checks(
        entity, settings, journal_path=journal_file(options["journal_path"], settings),
        server=plan.run.server_url, mode="update"))
    for row in table.rows:  # after the checks: '' is no date, but here it means "no end"
        if entity.key_of(row.values) in plan.reopen and end not in row.values:
            row.values[end] = ""
    return import_table(table, report, settings, mode="update",
                        server_name=plan.run.server_url, rules=ChangeRules(hold=()), **options)


def write_removal_list(journal_path: Path, run_id: int, folder: Path) -> Path:
    """The records run ``run_id`` created, to remove in the ERP by hand (what `revert` writes
    as <input>.revert-N.to-remove.xlsx), written to ``folder`` (for the page's download)."""
    plan = plan_revert(journal_path, run_id)
    if not plan.created:
        raise BadOptions(f"Run {run_id} created no record: there is nothing to remove.")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"run-{run_id}.to-remove.xlsx"
    return workbooks.write_removal_workbook(plan.entity, run_id, plan.created, out).path


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        workbooks.check_writable(path)
        raise OutputNotWritable(f"Cannot write {path} ({exc.strerror or exc}); choose "
                                          "another folder with --folder.") from None
