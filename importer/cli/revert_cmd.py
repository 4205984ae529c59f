"""`importer revert RUN_ID`: put back the values a run changed; list what cannot be put back."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import click

from importer.cli.common import (
    ConnectionOptions,
    connection_options,
    console,
    lenient_settings,
    masterdata_options,
    settings_from_options,
    translate_errors,
)
from importer.errors import EXIT_OK
from importer.humane import plural

SHOWN = 20  # not-revertible rows listed on the terminal


@click.command("revert")
@click.argument("run_id", type=int)
@click.option("--dry-run", is_flag=True,
              help="Show what would be put back (a results workbook with old -> new on every "
                   "cell); send nothing.")
@click.option("--force", is_flag=True,
              help="Revert even though a later run changed some of the same records (their "
                   "values from before RUN_ID are put back too).")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write the revert rows, their results and the records to remove "
                   "(default: beside the run's input file).")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (default: IMPORTER_JOURNAL, journal in importer.toml, or the "
                   "user's data directory).")
@click.option("--workers", type=click.IntRange(min=1, max=64), default=None,
              help="Calls in parallel (default: workers in importer.toml, else auto).")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary, as JSON.")
@masterdata_options
@connection_options
@translate_errors
def command(run_id: int, dry_run: bool, force: bool, folder: Path | None, journal: Path | None,
            workers: int | None, as_json: bool, parts: Path | None, customers: Path | None,
            connection: ConnectionOptions) -> None:
    """Put back, with update calls, the values the records had before run RUN_ID, for every
    field that run changed on the rows it UPDATED.

    The ERP's API has no delete: the rows RUN_ID CREATED are written to a workbook to remove
    them in the ERP by hand. Rows whose earlier values this tool never saw are listed as not
    revertible. When a later run changed the same records the revert is refused (exit 2,
    naming them) unless --force. The revert is itself a run: journaled, resumable by running
    the same command again, with its own results workbook (see importer runs / report).
    The server and data source default to the run's own. A rehearsal run (import --sandbox)
    is reverted in that sandbox, started again here; give it the same --parts/--customers as
    the rehearsal had (or [masterdata] in importer.toml).
    """
    from importer.runs.reports import open_journal
    from importer.runs.revert import find_run, revert_run

    with open_journal(journal) as j:
        path, run = j.path, find_run(j, run_id)
    if run.server_url.startswith("sandbox:"):
        from importer.runs.rehearsal import rehearsal_of

        master = lenient_settings(connection, journal=path)
        with rehearsal_of(run.server_url, run.data_source, parts=parts or master.parts,
                          customers=customers or master.customers) as sb:
            settings = master.replace(url=sb.url, data_source=sb.data_source, user=sb.user,
                                      password=sb.password, workers=workers or master.workers)
            done = revert_run(path, run_id, settings, dry_run=dry_run, force=force,
                              folder=folder, workers=workers or settings.workers,
                              server_name=run.server_url)
    else:
        connection = replace(connection, url=connection.url or run.server_url,
                             data_source=connection.data_source or run.data_source)
        settings = settings_from_options(connection, password_needed=not dry_run,
                                         workers=workers, journal=path)
        done = revert_run(path, run_id, settings, dry_run=dry_run, force=force, folder=folder,
                          workers=workers or settings.workers)
    if as_json:
        click.echo(json.dumps(_as_dict(done), indent=2))
    else:
        _summary(done)
    code = done.result.exit_code if done.result else EXIT_OK
    click.get_current_context().exit(code)


def _as_dict(done) -> dict:
    plan = done.plan
    return {"run_id": plan.run.run_id, "put_back": len(plan.updates),
            "created": len(plan.created), "untouched": plan.untouched,
            "not_revertible": [{"key": k, "why": w} for k, w in plan.not_revertible],
            "later_runs": sorted({r for r, _ in plan.later}),
            "revert_file": str(done.revert_file) if done.revert_file else None,
            "to_remove": str(done.removal_file) if done.removal_file else None,
            "revert_run": done.result.to_dict() if done.result else None}


def _summary(done) -> None:
    plan, result = done.plan, done.result
    verb = "would put back" if result and result.run.dry_run else "puts back"
    console.print(f"Revert of run {plan.run.run_id} ({Path(plan.run.input_path).name}): {verb} "
                  f"the earlier values of {len(plan.updates)} records.", soft_wrap=True)
    if plan.later:
        console.print(f"[yellow]--force: later runs {sorted({r for r, _ in plan.later})} had "
                      f"changed some of these records too.[/yellow]", soft_wrap=True)
    if result is not None:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(result.counts.items()))
        console.print(f"Revert run {result.run.run_id}: {counts}. Results: {result.results_path}",
                      soft_wrap=True)
        if result.message:
            console.print(f"[yellow]{result.message}[/yellow]", soft_wrap=True)
    elif not plan.updates:
        console.print("Nothing to put back with update calls.")
    if plan.untouched:
        console.print(f"{plan.untouched} updated rows changed no value: nothing to put back.")
    if done.removal_file:
        n = len(plan.created)
        console.print(f"{plural(n, 'record')} {'was' if n == 1 else 'were'} created by run "
                      f"{plan.run.run_id}: the "
                      f"API cannot delete them; remove them in the ERP (list: "
                      f"{done.removal_file}).", soft_wrap=True)
    if plan.not_revertible:
        console.print(f"Not revertible ({len(plan.not_revertible)}):")
        for key, why in plan.not_revertible[:SHOWN]:
            console.print(f"  {key}: {why}", soft_wrap=True)
        if len(plan.not_revertible) > SHOWN:
            console.print(f"  ... and {len(plan.not_revertible) - SHOWN} more (see --json).")
