"""Runs in the journal, for any front end: which journal, open it, re-render a run's results.

The CLI (`importer report`, `importer runs`) and the web page call these; none of them prints.
"""
from __future__ import annotations

from pathlib import Path

from importer import workbooks
from importer.errors import BadOptions
from importer.journal.history import History
from importer.journal.store import Journal
from importer.model import RunInfo
from importer.runs.finishing import next_step
from importer.runs.runner import default_results_path
from importer.settings import (
    default_journal_path,
    find_config_file,
    read_config_file,
    read_environment,
)


def journal_path(given: Path | None) -> Path:
    """--journal > IMPORTER_JOURNAL > importer.toml's journal > the default location."""
    if given:
        return given
    found = read_environment().get("journal")
    if found is None:
        config = find_config_file()
        found = read_config_file(config).get("journal") if config else None
    return found or default_journal_path()


def people(journal: Journal, runs: list[RunInfo]) -> dict[int, dict[str, list[str]]]:
    """Run id -> {'prepared': [...], 'approved': [...], 'sent': [...]}: the OS accounts the
    journal's approvals table names for each run's content and target (importer.journal.approvals)."""
    from importer.journal.approvals import Approvals, Target

    approvals = Approvals(journal)
    return {r.run_id: approvals.roles(
        Target(r.server_url, r.data_source, r.entity, r.sheet, r.input_sha256),
        None if r.dry_run else r.run_id) for r in runs}


def open_journal(given: Path | None) -> Journal:
    path = journal_path(given)
    if not path.is_file():
        raise BadOptions(f"No journal at {path}: no import has run with it yet (or pass "
                         f"--journal PATH).")
    return Journal(path)


def render_report(journal: Journal, run_id: int | None,
                  out: Path | None) -> tuple[RunInfo, workbooks.Written]:
    """Re-render a run's results workbook from the journal alone (the input file may be gone)."""
    run_id = run_id if run_id is not None else journal.last_run_id(dry_runs=False)
    if run_id is None:
        raise BadOptions("The journal holds no runs yet: run importer import first.")
    try:
        run = journal.run(run_id)
    except KeyError:
        raise BadOptions(f"There is no run {run_id}: see the list with importer runs.") from None
    table = journal.load_table(run_id)
    out = out or default_results_path(Path(run.input_path))
    with History(journal.path) as history:
        changes = history.load_changes(run_id)
    failed = [Path(p) for p in journal.outputs_of(run_id, "failed") if Path(p).exists()]
    step = next_step(run.counts, run.dry_run, failed[-1] if failed else None)
    outcomes = journal.outcomes(run_id)
    written = workbooks.write_results_workbook(
        table, run, outcomes, out, changes, sessions=journal.sessions(run_id),
        next_step=step, record=journal, run_id=run_id,
        review=stored_review(journal, run, table, outcomes, changes))
    return run, written


def stored_review(journal: Journal, run: RunInfo, table, outcomes, changes):
    """The run's decisions as the journal holds them: those of its HELD rows and of rows whose
    decisions were accepted, with who prepared, approved and sent."""
    from importer.checks.decisions import find_decisions
    from importer.journal.approvals import Approvals, Target
    from importer.model import Report, Status
    from importer.workbooks.decisions import Review

    target = Target(run.server_url, run.data_source, run.entity, run.sheet, run.input_sha256)
    held = frozenset(r for r, o in outcomes.items() if o.status is Status.HELD)
    accepted = Approvals(journal).accepted(target)
    issues = [i for o in outcomes.values() for i in o.issues]
    found = find_decisions(Report(table, issues), changes)
    decisions = {r: [d for d in ds if r in held or d.kind in accepted.get(r, ())]
                 for r, ds in found.items()}
    return Review({r: ds for r, ds in decisions.items() if ds}, held,
                  people(journal, [run])[run.run_id])
