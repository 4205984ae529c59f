"""What an import leaves behind and the one thing to do next.

After the rows are sent and journaled: the failed-rows workbook (every row not applied) is written,
or, when nothing is left to fix, the run's earlier failed-rows files that are unchanged since are
removed; then the results workbook, whose Summary carries the same next step the terminal prints.
Files go through workbooks.outputs, so a file the person changed is never overwritten.
`next_step` is a pure function of the run's state, shared by `importer report`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from importer import workbooks
from importer.errors import ImporterError
from importer.humane import plural
from importer.journal.store import Journal
from importer.model import RowOutcome, RunInfo, Status, Table
from importer.workbooks.failed import unapplied
from importer.workbooks.outputs import remove_stale

RESUME_HINT = "Run the same command again to resume: rows already applied are not sent again."
FRESH_RESUME_HINT = ("Run the same command again without --fresh to resume (--fresh would start "
                     "over): rows already applied are not sent again.")
RETRY_BUTTON = "Retry the failed and unsent rows"  # the page's button that resumes a run


def resume_hint(fresh: bool = False) -> str:
    """How to resume, exactly: a run started with --fresh is resumed by the command without it
    (with it, every row would be sent again)."""
    return FRESH_RESUME_HINT if fresh else RESUME_HINT


@dataclass
class Left:
    """The files an import left and what they say about the run."""

    results: Path
    failed: Path | None
    removed: list[Path] = field(default_factory=list)  # stale failed-rows files deleted
    notes: list[str] = field(default_factory=list)  # a file kept and another name written, ...
    message: str = ""  # what to do next ('' when nothing)


def next_step(counts: dict[str, int], dry_run: bool, failed: Path | None,
              stopped: str = "", fresh: bool = False) -> str:
    """The one instruction after a run. ``stopped`` is why the run stopped early ('' if it
    did not); ``failed`` is the failed-rows workbook written for it; ``fresh``: this session
    was started with --fresh."""
    not_run = 0 if dry_run else counts.get(Status.NOT_RUN.value, 0)
    if stopped or not_run:
        where = (f" ({failed.name} holds the same {plural(unapplied_of(counts), 'row')}: "
                 "importing it instead does the same.)") if failed else ""
        return f"{stopped + ' ' if stopped else ''}{resume_hint(fresh)}{where}"
    bad = counts.get(Status.FAILED.value, 0) + counts.get(Status.INVALID.value, 0)
    held = held_step(counts.get(Status.HELD.value, 0), dry_run)
    if not bad:
        return held.lstrip()
    if dry_run:
        invalid = counts.get(Status.INVALID.value, 0)
        return (f"{plural(invalid, 'row')} would not be sent: fix the red cells in the input "
                "(their comments say how) and run the dry run again." + held)
    target = failed.name if failed else "the input"
    return (f"{plural(bad, 'row')} not applied: fix {'it' if bad == 1 else 'them'} in {target} "
            "(its REASON column says why) and import that file." + held)


def held_step(held: int, dry_run: bool) -> str:
    """What to do about held rows ('' when none), a sentence starting with a space."""
    if not held:
        return ""
    verb = "would be" if dry_run else ("is" if held == 1 else "are")
    return (f" {plural(held, 'row')} {verb} held until {'its' if held == 1 else 'their'} "
            "decisions are accepted (the Decisions sheet of the results lists them): accept "
            "with importer approve and the same file and options, then import it again.")


def unapplied_of(counts: dict[str, int]) -> int:
    return sum(counts.get(s.value, 0)
               for s in (Status.FAILED, Status.INVALID, Status.NOT_RUN, Status.HELD))


def stop_reason(fatal: ImporterError | None, interrupted: bool) -> str:
    if fatal is not None:
        return str(fatal)
    return "Stopped before every row was sent." if interrupted else ""


def leave_files(journal: Journal, table: Table, run: RunInfo, outcomes: dict[int, RowOutcome],
                counts: dict[str, int], results_wanted: Path, failed_wanted: Path,
                stopped: str = "", changes=None, review=None, fresh: bool = False) -> Left:
    """Write the failed-rows (or remove stale ones) and results workbooks of a run;
    ``review`` (workbooks.decisions.Review): its decisions and who prepared, approved, sent;
    ``fresh``: the session was started with --fresh (the next step then says to leave it out)."""
    notes: list[str] = []
    failed, removed = None, []
    if not run.dry_run and unapplied(outcomes, run.dry_run):  # a dry run leaves no file to fix
        written = workbooks.write_failed_workbook(table, outcomes, failed_wanted,
                                                  dry_run=run.dry_run, record=journal,
                                                  run_id=run.run_id)
        failed = written.path
        notes += [written.note] if written.note else []
    elif not run.dry_run:
        removed = remove_stale(journal, run.run_id, "failed")
        notes += [f"Removed {p.name}: every row of this run is applied, nothing is left to fix."
                  for p in removed]
    message = next_step(counts, run.dry_run, failed, stopped, fresh)
    step = message or (DRY_DONE if run.dry_run else DONE)
    written = workbooks.write_results_workbook(table, run, outcomes, results_wanted, changes,
                                               sessions=journal.sessions(run.run_id),
                                               next_step=step, record=journal, run_id=run.run_id,
                                               review=review)
    notes += [written.note] if written.note else []
    return Left(written.path, failed, removed, notes, message)


DONE = "Nothing to do: every row is applied or skipped."
DRY_DONE = ("Dry run: nothing was sent. Run the same command without --dry-run to send the "
            "rows.")

