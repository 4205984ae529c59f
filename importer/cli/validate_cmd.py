"""`importer validate FILE`: check a spreadsheet cell by cell, without any network call."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table as RichTable

from importer.checks.changes import counts as change_counts
from importer.cli.change_options import ChangeFlags, change_lines, guard_options
from importer.cli.common import (
    ConnectionOptions,
    ExitCodeError,
    connection_options,
    console,
    entity_choice,
    err_console,
    lenient_settings,
    masterdata_options,
    translate_errors,
)
from importer.cli.reading_opts import ReadingFlags, reading_options
from importer.errors import EXIT_OK, EXIT_ROWS_FAILED, EXIT_UNUSABLE
from importer.filenames import beside
from importer.humane import plural
from importer.model import Report

SHOWN_ISSUES = 10


def default_output(path: Path) -> Path:
    return beside(path, ".validation.xlsx")


@click.command("validate")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--entity", type=entity_choice(), help="Record type [default: detected from the "
              "column names].")
@click.option("--sheet", "sheets", multiple=True, help="Sheet to read; repeat it for several "
              "[default: every sheet whose header names a record type].")
@reading_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Annotated workbook to write [default: FILE's name + .validation.xlsx, beside "
                   "it].")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a "
              "summary.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal to compare with and to read what the ERP confirmed or refused "
                   "(default: IMPORTER_JOURNAL, journal in importer.toml, or the user's data "
                   "directory).")
@click.option("--sandbox", "use_sandbox", is_flag=True,
              help="Check for an import into the built-in sandbox (import --sandbox): ids against "
                   "the master data it serves (--parts/--customers, else its demo data) and "
                   "changes against what earlier rehearsals left in it. Nothing is started.")
@click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
              help="With --sandbox: the sandbox database import --sandbox-db names.")
@masterdata_options
@guard_options
@connection_options
@translate_errors
def command(file: Path, entity: str | None, sheets: tuple[str, ...], output: Path | None,
            as_json: bool, journal: Path | None, use_sandbox: bool, sandbox_db: Path | None,
            parts: Path | None, customers: Path | None,
            connection: ConnectionOptions, change_flags: ChangeFlags,
            reading: ReadingFlags) -> None:
    """Check FILE cell by cell and write an annotated copy: error cells red with the message as a
    comment, warnings amber, and an Issues sheet. Nothing is sent anywhere and nobody logs in.
    Every sheet whose header names a record type is checked (--sheet or --entity narrow it), all
    in one workbook. --config names the config file whose [reading], [columns], [masterdata] and
    [rules.*] apply.

    PART_ID and CUSTOMER_ID are checked against --parts/--customers (or [masterdata] in
    importer.toml) and against what the journal learned from the server named by --url and
    --data-source (or IMPORTER_URL, or importer.toml): ids the ERP answered as not found are
    warned about. Wrong ids get the likely right one in their message.

    When a journal and a server (url and data source) are known, every row is also classed NEW,
    CHANGED, UNCHANGED or NEW PRICE against the last known records (a CHANGE column; changed
    cells blue with the old value in a comment) and big price moves are warned about.

    With --sandbox the file is checked as `import --sandbox` checks it: against the sandbox's
    master data and its last known records. validate, import --dry-run and import give the same
    issues at the same cells for the same file and target.

    Exit code 0: no errors (warnings allowed); 1: some rows have errors; 2: the file cannot be used.
    """
    from importer.errors import BadOptions
    from importer.reading import ReadLimits
    from importer.runs.checking import build_checks, rehearsal_target
    from importer.runs.sheetplan import validate_file
    from importer.runs.valuefixes import with_learned
    from importer.settings import reading_setting

    config_file = connection.config_file
    limits = ReadLimits(reading_setting("max_sheet_mb", config_file))
    settings = lenient_settings(connection, journal=journal)  # flags > IMPORTER_* > toml
    if sandbox_db and not use_sandbox:
        raise BadOptions("--sandbox-db only goes with --sandbox.")
    if use_sandbox:  # the facts of the rehearsal sandbox import --sandbox sends to
        server, data_source = rehearsal_target(settings.data_source, sandbox_db)
        settings = settings.replace(url=server, data_source=data_source)

    def checks_for(table):  # importer.runs.checking: master data and a price list's own rules
        return build_checks(table.entity, settings, parts=parts, customers=customers,
                            strict=change_flags.strict)

    checked = validate_file(file, entity=entity, sheets=sheets, limits=limits,
                            read_options=with_learned(reading.options(config_file),
                                                      settings.journal,
                                                      (settings.url, settings.data_source)),
                            checks_for=checks_for)  # reads (or refuses) before pandas loads
    from importer.journal.history import check_against_journal
    from importer.journal.store import Journal
    from importer.workbooks import write_validation_workbook

    compared = [check_against_journal(r, settings.journal, (settings.url, settings.data_source),
                                      change_flags.rules(settings)) for r in checked.reports]
    checked.reports = [report for report, _ in compared]
    changes = [found for _, found in compared]
    out = output or default_output(file)
    if out.resolve() == file.resolve():
        raise ExitCodeError(f"The annotated workbook would overwrite {file.name}; choose another "
                            "name with -o.", EXIT_UNUSABLE)
    with Journal(settings.journal) as j:  # remembers what it wrote, to keep your edits
        written = write_validation_workbook(checked.reports, out, changes, record=j)  # or exit 2
    out = written.path
    counts = [{c.value: n for c, n in change_counts(found).items()} if found is not None
              else None for found in changes]
    if as_json:
        data = _as_json(checked, out, counts)
        if written.note:
            data["notes"] = [written.note]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        if written.note:
            console.print(written.note, soft_wrap=True)
        for report, classes in zip(checked.reports, counts):
            show_summary(report)
            for line in change_lines(classes):
                console.print(line)
        for skipped in checked.plan.not_read:
            console.print(skipped.sentence[0].upper() + skipped.sentence[1:] + ".",
                          soft_wrap=True)
        console.print(f"Annotated workbook: {out}", soft_wrap=True)
        if not checked.ok:
            err_console.print("Correct the cells marked red and run validate again; rows with "
                              "errors are never sent.")
    raise SystemExit(EXIT_OK if checked.ok else EXIT_ROWS_FAILED)


def _as_json(checked, out: Path, counts: list[dict | None]) -> dict:
    """The report(s) with the workbook and, where known, each sheet's change classes."""
    data = {**checked.to_dict(), "workbook": str(out)}
    for entry, classes in zip(data.get("sheets", [data]), counts):
        if classes is not None:
            entry["changes"] = classes
    return data


def show_summary(report: Report) -> None:
    from importer.checks.validation import ISSUE_CODES

    table = report.table
    errors, warnings = len(report.errors), len(report.warnings)
    console.print(f"Checked {plural(table.row_count, 'row')} of {table.entity.label} in sheet "
                  f"{table.sheet!r} of {table.path.name}: {errors} error{'s' * (errors != 1)} in "
                  f"{len(report.invalid_rows)} row{'s' * (len(report.invalid_rows) != 1)}, "
                  f"{warnings} warning{'s' * (warnings != 1)}.")
    counts = report.counts_by_code()
    if counts:
        summary = RichTable(show_header=True, header_style="bold", box=None)
        for col in ("Issue", "Count", "Meaning"):
            summary.add_column(col, no_wrap=col != "Meaning")
        for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            summary.add_row(code, str(n), ISSUE_CODES.get(code, ""))
        console.print(summary)
        first = RichTable(show_header=True, header_style="bold", box=None)
        for col in ("Cell", "Severity", "Issue", "Message"):  # words wrap, never split
            first.add_column(col, no_wrap=col != "Message")
        for issue in report.issues[:SHOWN_ISSUES]:
            first.add_row(escape(issue.address), issue.severity.value, issue.code,
                          escape(issue.message))
        console.print(first)
        if len(report.issues) > SHOWN_ISSUES:
            console.print(f"... and {len(report.issues) - SHOWN_ISSUES} more: see the Issues "
                          "sheet of the annotated workbook.")
