"""`importer report` (re-render a run's results workbook) and `importer runs` (list runs)."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from rich import box
from rich.markup import escape
from rich.table import Table as RichTable

from importer.cli.common import console, translate_errors
from importer.errors import BadOptions
from importer.humane import local_time
from importer.journal.lease import Holder, clock, in_progress
from importer.model import RunInfo

_JOURNAL = click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
                        help="Journal file (default: IMPORTER_JOURNAL, journal in "
                             "importer.toml, or the user's data directory).")


@click.command("report")
@click.argument("run_id", type=int, required=False)
@click.option("--last", is_flag=True, help="The most recent run.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to write (default: the input's name + .results.xlsx).")
@_JOURNAL
@translate_errors
def command(run_id: int | None, last: bool, out: Path | None, journal: Path | None) -> None:
    """Write the results workbook of run RUN_ID (or --last) again, from the journal alone."""
    if (run_id is None) == (not last):
        raise BadOptions("Give a run number or --last (see importer runs).")
    from importer.runs.reports import open_journal, render_report  # openpyxl, pandas: when run

    with open_journal(journal) as j:
        run, written = render_report(j, run_id, out)
    if written.note:
        console.print(written.note, soft_wrap=True)
    console.print(f"Results of run {run.run_id} ({Path(run.input_path).name}): {written.path}",
                  soft_wrap=True)


def _run_dict(run: RunInfo, holder: Holder | None, roles: dict[str, list[str]]) -> dict:
    return {"run_id": run.run_id, "started_at": run.started_at, "finished_at": run.finished_at,
            "input": run.input_path, "sheet": run.sheet, "entity": run.entity,
            "mode": run.mode, "dry_run": run.dry_run, "server_url": run.server_url,
            "data_source": run.data_source, "user": run.user, "calls": run.calls,
            "counts": run.counts, "in_progress": _holder_dict(holder),
            "prepared_by": roles.get("prepared", []), "approved_by": roles.get("approved", []),
            "sent_by": roles.get("sent", [])}


def _people(run: RunInfo, roles: dict[str, list[str]]) -> str:
    """'ERP user APIUSER' and, when known, 'prepared alice', 'approved bob', 'sent alice'."""
    lines = [f"{label} {', '.join(roles[key])}" for key, label in (
        ("prepared", "prepared"), ("approved", "approved"), ("sent", "sent"))
        if roles.get(key)]
    return "\n".join([f"ERP user {run.user}" if run.user else "", *lines]).strip()


def _holder_dict(holder: Holder | None) -> dict | None:
    if holder is None:
        return None
    return {"host": holder.owner.host, "pid": holder.owner.pid, "since": _iso(holder.since),
            "heartbeat": _iso(holder.heartbeat)}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).astimezone().isoformat(timespec="seconds")


def _status(run: RunInfo, holder: Holder | None) -> str:
    if holder is not None:
        return (f"in progress: process {holder.owner.pid} {holder.owner.where()} since "
                f"{clock(holder.since)}, last heartbeat {clock(holder.heartbeat, seconds=True)}")
    return "\n".join(f"{k} {v}" for k, v in sorted(run.counts.items())) or "(unfinished)"


@click.command("runs")
@_JOURNAL
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@translate_errors
def runs_command(journal: Path | None, as_json: bool) -> None:
    """List the runs in the journal, newest first: when, file, entity and rows per status, or
    the process importing a run right now (with its last heartbeat); who prepared, approved and
    sent each (operating-system accounts) beside the ERP user."""
    from importer.runs.rehearsal import describe_server
    from importer.runs.reports import open_journal, people

    with open_journal(journal) as j:
        runs, busy = j.runs(dry_runs=False), in_progress(j)
        roles = people(j, runs)
    if as_json:
        click.echo(json.dumps([_run_dict(r, busy.get(r.run_id), roles[r.run_id])
                               for r in runs], indent=2))
        return
    table = RichTable(title="Runs (newest first)", box=box.SIMPLE_HEAD, pad_edge=False,
                      collapse_padding=True)
    for col in ("Run", "Started", "Entity, mode"):  # whole words, never split
        table.add_column(col, no_wrap=True, justify="right" if col == "Run" else "left")
    table.add_column("Rows", min_width=11)  # a status and its count fit on one line
    table.add_column("File and server", overflow="fold", min_width=14)
    table.add_column("People", overflow="fold", min_width=12)
    for r in runs:
        server = f"{describe_server(r.server_url)} {r.data_source}".strip() or "-"
        table.add_row(str(r.run_id), local_time(r.started_at, seconds=False)[:16],
                      f"{r.entity}\n{r.mode}" + ("\n(dry run)" if r.dry_run else ""),
                      _status(r, busy.get(r.run_id)),
                      f"{Path(r.input_path).name}\n[dim]{server}[/dim]",
                      escape(_people(r, roles[r.run_id])))
    console.print(table)
