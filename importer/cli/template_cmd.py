"""`importer template ENTITY`: a blank template to fill in."""
from __future__ import annotations

from pathlib import Path

import click

from importer.cli.common import (ConnectionOptions, ExitCodeError, console, entity_choice,
                                 lenient_settings, translate_errors)
from importer.entities import get_entity
from importer.errors import EXIT_UNUSABLE


def format_of(output: Path | None) -> str:
    return "csv" if output is not None and output.suffix.lower() == ".csv" else "xlsx"


@click.command("template")
@click.argument("entity", type=entity_choice())
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default=None,
              help="xlsx (formatted, with a Fields sheet; the default) or csv (header line only); "
                   "taken from -o's extension when not given.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write it [default: ENTITY-template.xlsx in the current folder].")
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@translate_errors
def command(entity: str, fmt: str | None, output: Path | None, force: bool) -> None:
    """Write a blank template for ENTITY: the field names in documented order, required columns
    marked, id columns formatted as text so leading zeros stay."""
    from importer.workbooks import write_template  # openpyxl only when writing

    found = get_entity(entity)
    fmt = fmt or format_of(output)
    path = output or Path(f"{found.name}-template.{fmt}")
    if path.suffix.lower() in (".xlsx", ".csv") and path.suffix.lower() != f".{fmt}":
        raise ExitCodeError(f"{path.name} ends in {path.suffix} but the format is {fmt}; "
                            f"name the file .{fmt} or pass --format {path.suffix[1:].lower()}.",
                            EXIT_UNUSABLE)
    if path.exists() and not force:
        raise ExitCodeError(f"{path} already exists; choose another name with -o or add --force "
                            "to overwrite it.", EXIT_UNUSABLE)
    rules = lenient_settings(ConnectionOptions()).rules  # [rules.*] of importer.toml
    write_template(found, path, fmt, rules)  # OutputNotWritable: one sentence, exit 2
    console.print(f"Wrote the {found.label} template to {path}. Required columns are highlighted; "
                  "the Fields sheet explains every column." if fmt == "xlsx" else
                  f"Wrote the {found.label} CSV header to {path}.")
