"""`importer export ENTITY`: what this tool last saw of every record it created or updated."""
from __future__ import annotations

from pathlib import Path

import click

from importer.cli.common import (
    ConnectionOptions,
    connection_options,
    console,
    entity_choice,
    lenient_settings,
    settings_from_options,
    translate_errors,
)
from importer.entities import get_entity
from importer.errors import BadOptions
from importer.journal.store import Journal


def export_records(entity_name: str, server_url: str, data_source: str, journal_path: Path,
                   out: Path, fmt: str) -> tuple[int, "workbooks.Written"]:
    """Write the journal's latest record of every key to ``out`` (or the next free name when
    ``out`` was changed since the tool wrote it); returns the record count and where it went."""
    from importer import workbooks  # openpyxl only when writing

    entity = get_entity(entity_name)
    with Journal(journal_path) as journal:
        records = journal.latest_records(server_url, data_source, entity.name)
        written = workbooks.write_export(entity, records, out, fmt=fmt, record=journal)
    return len(records), written


@click.command("export")
@click.argument("entity", type=entity_choice())
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: ENTITY.export.xlsx, or .csv with --format csv).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None,
              help="xlsx (default) or csv; taken from -o's extension when not given.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file to read (default: in the user's data directory).")
@click.option("--sandbox", "use_sandbox", is_flag=True,
              help="The records of the built-in sandbox's rehearsals (import --sandbox).")
@click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
              help="With --sandbox: the sandbox database import --sandbox-db names.")
@connection_options
@translate_errors
def command(entity: str, out: Path | None, fmt: str | None, journal: Path | None,
            use_sandbox: bool, sandbox_db: Path | None, connection: ConnectionOptions) -> None:
    """Write the latest record of ENTITY this tool created or updated on the configured server
    and data source, in the template layout, ready to edit and import next month.

    This is what this tool has seen (the records the ERP returned to its imports), not a full
    download of the ERP: records made in the ERP itself or by other tools are not in it.
    Nothing is sent to the server and no password is needed.
    """
    fmt = fmt or (out.suffix.lstrip(".").lower() if out and out.suffix.lower() == ".csv"
                  else "xlsx")
    out = out or Path(f"{entity}.export.{fmt}")
    if sandbox_db and not use_sandbox:
        raise BadOptions("--sandbox-db only goes with --sandbox.")
    if use_sandbox:
        from importer.runs.checking import rehearsal_target

        settings = lenient_settings(connection, journal=journal)
        server, data_source = rehearsal_target(settings.data_source, sandbox_db)
        settings, where = settings.replace(url=server, data_source=data_source), \
            "the built-in sandbox"
    else:
        settings = settings_from_options(connection, journal=journal, password_needed=False)
        where = f"{settings.url} ({settings.data_source})"
    count, written = export_records(entity, settings.url, settings.data_source,
                                    settings.journal, out, fmt)
    if written.note:
        console.print(written.note, soft_wrap=True)
    console.print(f"Wrote {count} {get_entity(entity).label} records to {written.path}.",
                  soft_wrap=True)
    console.print(f"These are the records this tool created or updated on {where}, as the "
                  "ERP returned them; it is not a full download of the ERP.", soft_wrap=True)
