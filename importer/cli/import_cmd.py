"""`importer import FILE`: load a spreadsheet into the ERP (or the built-in sandbox)."""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table as RichTable

from importer.cli.change_options import ChangeFlags, change_lines, change_options
from importer.cli.common import (
    ConnectionOptions,
    ExitCodeError,
    connection_options,
    console,
    entity_choice,
    err_console,
    is_terminal,
    lenient_settings,
    masterdata_options,
    settings_from_options,
    translate_errors,
)
from importer.cli.reading_opts import ReadingFlags, reading_options
from importer.erp.gate import CONCURRENCY
from importer.errors import BadOptions
from importer.humane import duration, plural
from importer.model import MODES, Status
from importer.settings import AUTO, Settings

if TYPE_CHECKING:
    from importer.runs.multisheet import FileImport
    from importer.runs.runner import ImportResult

PLAIN_PROGRESS_EVERY = 5.0  # seconds between progress lines when not on a terminal


class WorkersType(click.ParamType):
    """--workers: a whole number from 1 to 64, or auto."""

    name = "workers"

    def convert(self, value, param, ctx):
        if isinstance(value, int) or str(value).strip().lower() == AUTO:
            return value if isinstance(value, int) else AUTO
        try:
            number = int(value)
        except ValueError:
            number = 0
        if not 1 <= number <= 64:
            self.fail(f"{value!r} is neither a number from 1 to 64 nor auto.", param, ctx)
        return number


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--entity", type=entity_choice(),
              help="Record type; by default it is recognised from the column headers.")
@click.option("--sheet", "sheets", multiple=True,
              help="Sheet to import; repeat it for several (default: every sheet whose header "
                   "names a record type, each its own run).")
@click.option("--mode", type=click.Choice(MODES, case_sensitive=False), default="upsert",
              show_default=True,
              help="create, update, or upsert (update a record this tool knows exists, else "
                   "create, switching once when the ERP says otherwise). An ACTION column "
                   "(CREATE, UPDATE, UPSERT, SKIP) overrides it per row.")
@click.option("--workers", type=WorkersType(), default=None, metavar="N|auto",
              help="Calls in parallel, 1-64, or auto: start low and find how many the ERP "
                   "serves well from its answer times and busy answers (default auto, or "
                   "workers in importer.toml).")
@click.option("--max-workers", type=click.IntRange(min=1, max=64), default=None,
              help="With --workers auto: never more calls in parallel than this (default 32).")
@click.option("--dry-run", is_flag=True,
              help="Validate and show the call each row would get; send nothing (no login).")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (default: in the user's data directory).")
@click.option("--fresh", is_flag=True,
              help="Start a new run instead of resuming the last run of this same file.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary, as JSON.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Results workbook to write (default: FILE's name + .results.xlsx).")
@click.option("--sandbox", "use_sandbox", is_flag=True,
              help="Import into the built-in sandbox server, started and stopped here: a "
                   "rehearsal that needs no ERP. It serves --parts/--customers (else the demo "
                   "data) and keeps its records between runs.")
@click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
              help="With --sandbox: keep the sandbox's records in this file (default: one per "
                   "data source in the user's data directory).")
@click.option("--sandbox-fresh", is_flag=True,
              help="With --sandbox: start the sandbox empty (its earlier records are deleted) "
                   "and start a new run.")
@reading_options
@masterdata_options
@change_options
@connection_options
@translate_errors
def command(file: Path, entity, sheets, mode, workers, max_workers, dry_run, journal, fresh,
            as_json, out,
            use_sandbox, sandbox_db, sandbox_fresh, parts, customers,
            connection: ConnectionOptions, change_flags: ChangeFlags,
            reading: ReadingFlags) -> None:
    """Load FILE (xlsx, xlsm, xls, ods or csv) into the ERP and write a results workbook.

    Every sheet whose header names a record type is imported, each as its own run, all in one
    results workbook; every sheet is checked before any row is sent.

    Invalid rows are never sent; they are listed, with every other row's outcome, in
    FILE.results.xlsx, and every row not applied (FAILED, INVALID, NOT_RUN, HELD) comes back in
    FILE.failed.xlsx: importing that file alone sends exactly what is missing. A file you
    changed is never overwritten: the next free name (FILE.failed-2.xlsx) is used. Every
    outcome is kept in a journal: running the same command again after Ctrl-C, a crash or
    failures resumes the run. Rows already CREATED, UPDATED, SKIPPED or INVALID are not sent
    again; FAILED and NOT_RUN rows are. A file already imported completely is not sent again;
    use --fresh to start over.

    A row with a decision (a price moving more than --max-price-change, an overlapping
    validity period, a new price for an obsolete part; [decisions] hold in importer.toml) is
    HELD: not sent until `importer approve FILE` accepts it; the dry run's results workbook
    lists them on its Decisions sheet. With [approval] required = true nothing is sent until
    someone else approved the file.

    Exit codes: 0 every row applied; 1 some rows failed, were invalid, held or not sent;
    2 unusable file or options; 3 cannot connect or log in (nothing sent), or the ERP
    stopped answering during the run (run the same command again to resume).
    """
    from importer.runs.finishing import resume_hint
    from importer.runs.multisheet import import_file  # pandas & co. only when importing

    for flag, given in (("--sandbox-db", sandbox_db), ("--sandbox-fresh", sandbox_fresh)):
        if given and not use_sandbox:
            raise BadOptions(f"{flag} only goes with --sandbox.")
    options = reading.options(connection.config_file)
    master = lenient_settings(connection) if use_sandbox else None
    parts = parts or (master.parts if master else None)
    customers = customers or (master.customers if master else None)
    with _server(use_sandbox, sandbox_db, sandbox_fresh, parts, customers,
                 master.data_source if master else "", as_json) as (sandbox, sandbox_name):
        settings = _settings(connection, sandbox, dry_run, workers, journal, master,
                             max_workers)
        workers = workers or (settings.workers if settings else 4)
        with _progress_reporter(as_json) as on_progress:
            try:
                done = import_file(file, settings, entity=entity, sheets=sheets, mode=mode,
                                   workers=workers, dry_run=dry_run, journal_path=journal,
                                   fresh=fresh or sandbox_fresh, out=out, read_options=options,
                                   on_progress=on_progress, on_sheet=None if as_json else
                                   _announce, server_name=sandbox_name,
                                   limits=_limits(connection),
                                   rules=change_flags.rules(settings), parts=parts,
                                   customers=customers)
            except KeyboardInterrupt:
                raise ExitCodeError(f"Stopped at once. {resume_hint(fresh or sandbox_fresh)}",
                                    1) from None
    if as_json:
        click.echo(json.dumps(done.to_dict(), indent=2))
    else:
        _file_summary(done, sandbox is not None)
    click.get_current_context().exit(done.exit_code)


def _settings(connection: ConnectionOptions, sandbox, dry_run: bool, workers: int | None,
              journal: Path | None, master: Settings | None,
              max_workers: int | None) -> Settings | None:
    more = {"max_workers": max_workers} if max_workers else {}
    if sandbox is not None:  # the config file's [masterdata] and [rules.*] still apply
        return master.replace(url=sandbox.url, data_source=sandbox.data_source,
                              user=sandbox.user, password=sandbox.password,
                              journal=journal or master.journal,
                              workers=workers or master.workers, **more)
    if not dry_run:
        return settings_from_options(connection, workers=workers, journal=journal,
                                     max_workers=max_workers)
    try:  # a dry run logs in nowhere: without server settings every upsert row is a create
        return settings_from_options(connection, workers=workers, journal=journal,
                                     max_workers=max_workers, password_needed=False)
    except BadOptions:
        return lenient_settings(connection, workers=workers, journal=journal,
                                max_workers=max_workers)


def _limits(connection: ConnectionOptions):
    """[reading] limits from IMPORTER_* and the config file, also for --sandbox and dry runs."""
    from importer.reading import ReadLimits
    from importer.settings import reading_setting

    return ReadLimits(reading_setting("max_sheet_mb", connection.config_file))


@contextlib.contextmanager
def _server(use_sandbox: bool, db: Path | None, fresh: bool, parts, customers,
            data_source: str, quiet: bool):
    if not use_sandbox:
        yield None, None
        return
    from importer.runs.rehearsal import rehearsal
    from importer.sandbox.demo import DEMO_DATA_SOURCE

    data_source = data_source or DEMO_DATA_SOURCE
    with rehearsal(data_source, db, fresh=fresh, parts=parts, customers=customers) as (sb, name):
        if not quiet:
            data = ", ".join(f"{what} from {Path(f).name}" for what, f in
                             (("parts", parts), ("customers", customers)) if f) or "demo data"
            state = "started empty" if fresh else "records kept between runs"
            err_console.print(f"Importing into the built-in sandbox at {sb.url} "
                              f"({data}; {state} in {sb.db_path}), not into a real ERP.",
                              soft_wrap=True, markup=False)
        yield sb, name


@contextlib.contextmanager
def _progress_reporter(quiet: bool):
    """A rich progress bar on a terminal, a plain line every few seconds otherwise. The rate is
    rows done per second since sending started, as in the summary."""
    if quiet:
        yield None
    elif is_terminal():
        with Progress(TextColumn("Importing"),
                      BarColumn(complete_style="cyan", finished_style="green"),
                      MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]} rows/s{task.fields[parallel]}"),
                      TimeRemainingColumn(), console=console, transient=True) as progress:
            task = progress.add_task("import", total=None, rate="-", parallel="")
            clock = _Clock()

            def update(done: int, total: int, counts: dict) -> None:
                progress.update(task, completed=done, total=total, rate=clock.rate(done),
                                parallel=_parallel(counts))

            yield update
    else:
        yield _plain_progress()


class _Clock:
    """Rows per second since the first progress call (when sending started)."""

    def __init__(self) -> None:
        self.started: float | None = None

    def rate(self, done: int) -> str:
        now = time.monotonic()
        self.started = self.started if self.started is not None else now
        elapsed = now - self.started
        return f"{done / elapsed:,.0f}" if elapsed > 0.5 else "-"


def _plain_progress():
    state = {"last": time.monotonic()}
    clock = _Clock()

    def update(done: int, total: int, counts: dict) -> None:
        now = time.monotonic()
        if done < state.get("done", 0):  # the next sheet of a workbook: counted from its start
            state["final"] = False
            clock.started = None
        state["done"] = done
        rate = clock.rate(done)
        if now - state["last"] < PLAIN_PROGRESS_EVERY and done < total:
            return
        if done == total and state.get("final"):
            return
        state["last"], state["final"] = now, done == total
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != CONCURRENCY)
        parallel = _parallel(counts)
        speed = f" ({rate} rows/s{parallel})" if rate != "-" else \
            (f" ({parallel[2:]})" if parallel else "")
        click.echo(f"{done}/{total} rows done{speed}{': ' + shown if shown else ''}")

    return update


def _parallel(counts: dict) -> str:
    """', 6 calls in parallel' with --workers auto (the limiter's current limit), else ''."""
    limit = counts.get(CONCURRENCY)
    return f", {limit} calls in parallel" if limit is not None else ""


def _workers_line(result: "ImportResult") -> str | None:
    c = result.concurrency
    if not c:
        return None
    return (f"Workers: auto, {c['min']:g} to {c['max']:g} calls in parallel "
            f"(time-weighted mean {c['mean']:.1f})")


def _sent_line(result: "ImportResult") -> str:
    if result.run.dry_run:
        return (f"Dry run: nothing was sent ({duration(result.seconds)}); the CALL_MADE column of "
                f"the results workbook shows the call each row would get.")
    skipped = ""
    if result.counts.get("SKIPPED") and result.rows_sent:
        skipped = " (skipped rows need no call)"
    return (f"{plural(result.rows_sent, 'row')} done in {duration(result.send_seconds)} "
            f"({result.rows_per_second:,.1f} rows/s), {plural(result.calls, 'call')} made"
            f"{skipped}; {duration(result.seconds)} in all.")


_STYLE = {"CREATED": "green", "UPDATED": "green", "SKIPPED": "cyan", "FAILED": "red",
          "INVALID": "magenta", "NOT_RUN": "yellow", "HELD": "dark_orange"}


def _announce(table) -> None:
    console.print(f"Sheet {table.sheet}: {table.row_count} rows of {table.entity.label}",
                  soft_wrap=True)


def _file_summary(done: "FileImport", sandbox: bool) -> None:
    """Each sheet's summary; the sheets not read; the file's workbooks once."""
    several = len(done.sheets) > 1
    for result in done.sheets:
        _summary(result, sandbox, files=not several)
    for skipped in done.not_read:
        console.print(skipped.sentence[0].upper() + skipped.sentence[1:] + ".", soft_wrap=True)
    if several:
        console.print(f"Results of every sheet: {done.results_path}", soft_wrap=True)
        if done.failed_path:
            console.print(f"Rows to fix and import again: {done.failed_path}", soft_wrap=True)


HELD_SHOWN = 10  # held decisions listed in the summary; the Decisions sheet has every one


def _held_lines(result: "ImportResult") -> list[str]:
    """'Held: b!G3 price-jump 101.00 -> 1010.00 (+900.0%)', one line per held decision."""
    held = [d for d in result.decisions if d["held"]]
    lines = []
    for d in held[:HELD_SHOWN]:
        change = f"{d['old']} -> {d['new']}" if d["old"] else d["new"]
        percent = f" ({d['percent']:+.1f}%)" if d["percent"] is not None else ""
        lines.append(f"Held: {escape(d['cell'])} {d['kind']} {escape(change)}{percent}")
    if len(held) > HELD_SHOWN:
        lines.append(f"... and {len(held) - HELD_SHOWN} more held (the Decisions sheet of the "
                     "results lists every one).")
    return lines


def _summary(result: "ImportResult", sandbox: bool, files: bool = True) -> None:
    run = result.run
    if result.already_complete:
        for note in result.notes:
            console.print(note, soft_wrap=True)
        console.print(f"[green]{result.message}[/green]", soft_wrap=True)
        if result.results_path:
            console.print(f"Results: {result.results_path}", soft_wrap=True)
        return
    title = "[bold]Dry run[/bold] (nothing sent)" if run.dry_run else f"[bold]Run {run.run_id}[/bold]"
    console.print(f"{title}: {run.entity} from "
                  f"{Path(run.input_path).name}" + ("" if files else f", sheet {run.sheet}")
                  + f", mode {run.mode}", soft_wrap=True)
    table = RichTable(show_header=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Rows", justify="right", no_wrap=True)
    for status in Status:
        if result.counts.get(status.value):
            style = _STYLE[status.value]
            table.add_row(f"[{style}]{status.value}[/{style}]", str(result.counts[status.value]))
    console.print(table)
    target = "the built-in sandbox" if sandbox else f"{run.server_url} ({run.data_source})"
    lines = [f"Server: {target}" if run.server_url else "Server: none (dry run)",
             _sent_line(result)]
    if _workers_line(result):
        lines.append(_workers_line(result))
    if result.resumed:
        lines.append(f"Resumed run {run.run_id}: {plural(result.already_done, 'row')} "
                     f"{'was' if result.already_done == 1 else 'were'} already done and not "
                     "sent again.")
    lines.extend(f"Note: {escape(notice)}" for notice in result.notices)
    if result.warnings:
        lines.append(f"{plural(result.warnings, 'warning')}: see the amber cells of the results "
                     "workbook.")
    lines += change_lines(result.changes)
    lines += _held_lines(result)
    if result.people:
        lines.append("Four eyes: " + "; ".join(
            f"{role} by {', '.join(names)}" for role, names in result.people.items() if names))
    lines += result.notes
    if files:
        lines.append(f"Results: {result.results_path}")
        if result.failed_path:
            lines.append(f"Rows not applied: {result.failed_path}")
    for line in lines:
        console.print(line, soft_wrap=True)
    if result.message:
        console.print(f"[yellow]Next: {result.message}[/yellow]", soft_wrap=True)
