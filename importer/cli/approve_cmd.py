"""`importer approve FILE`: accept a file's decisions (held rows) so that its next import sends them."""
from __future__ import annotations

import json
from pathlib import Path

import click

from importer.cli.common import (
    ConnectionOptions,
    connection_options,
    console,
    entity_choice,
    masterdata_options,
    translate_errors,
)
from importer.cli.reading_opts import ReadingFlags, reading_options
from importer.cli.target_opts import target_of
from importer.humane import plural
from importer.rules import DECISION_KINDS

SHOWN = 20  # accepted decisions listed one per line; the rest are counted


@click.command("approve")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--only", "only", multiple=True, type=click.Choice(DECISION_KINDS),
              help="Accept only decisions of this kind (repeatable; default: every kind).")
@click.option("--entity", type=entity_choice(), help="Record type (default: from the headers).")
@click.option("--sheet", "sheets", multiple=True, help="Sheet to approve (repeatable).")
@click.option("--max-price-change", type=click.FloatRange(min=0), metavar="PCT", default=None,
              help="The price-jump limit the import uses (default: max_price_change in "
                   "importer.toml, else 50).")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (default: in the user's data directory).")
@click.option("--sandbox", "use_sandbox", is_flag=True,
              help="Approve for the built-in sandbox rehearsal (import --sandbox).")
@click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
              help="With --sandbox: the sandbox database the rehearsal uses.")
@click.option("--json", "as_json", is_flag=True, help="Print only the summary, as JSON.")
@reading_options
@masterdata_options
@connection_options
@translate_errors
def command(file: Path, only, entity, sheets, max_price_change, journal, use_sandbox,
            sandbox_db, as_json, parts, customers, connection: ConnectionOptions,
            reading: ReadingFlags) -> None:
    """Accept the decisions of FILE for one server and data source: its held rows (a price
    moving more than --max-price-change, an overlapping validity period, a new price for an
    obsolete part) are sent by the next `importer import` of this same file with the same
    target options. Nothing is sent here.

    The journal records the file's content (SHA-256), the target, the rows and kinds accepted,
    your operating-system account and the time. A file changed afterwards is a new content: its
    decisions are asked again. Review them first with `importer import FILE --dry-run` (the
    results workbook's Decisions sheet).

    With [approval] required = true in importer.toml, this also approves the file's plan: the
    import then sends the file only when approved by someone other than the person importing,
    and only while the file and the records it was planned against are unchanged. Approving a
    file you prepared yourself is refused.

    Exit codes: 0 recorded; 1 refused (four eyes); 2 unusable file or options.
    """
    from importer.runs.approving import approve_file

    target = target_of(connection, journal, use_sandbox, sandbox_db)  # as reprice, remember
    settings = target.settings.replace(data_source=target.data_source, **(
        {"max_price_change": max_price_change} if max_price_change is not None else {}))
    server_name = target.server if use_sandbox else None
    if use_sandbox:
        parts = parts or settings.parts
        customers = customers or settings.customers
    done = approve_file(file, settings, server_name=server_name, entity=entity, sheets=sheets,
                        only=only, read_options=reading.options(connection.config_file),
                        parts=parts, customers=customers)
    if as_json:
        click.echo(json.dumps(done.to_dict(), indent=2))
        return
    where = "the built-in sandbox" if use_sandbox else f"{done.server} ({done.data_source})"
    for sheet in done.sheets:
        console.print(f"Sheet {sheet.sheet}: {plural(len(sheet.decisions), 'decision')}, "
                      f"{len(sheet.accepted)} accepted by {done.account} for {where}.",
                      soft_wrap=True, markup=False)
        for d in sheet.accepted[:SHOWN]:
            console.print(f"  {d.address} {d.kind}: {d.change_text}", soft_wrap=True,
                          markup=False)
        if len(sheet.accepted) > SHOWN:
            console.print(f"  ... and {len(sheet.accepted) - SHOWN} more (the dry run's "
                          "Decisions sheet lists every one).", soft_wrap=True, markup=False)
        if sheet.plan_approved:
            console.print(f"  Plan approved by {done.account}: someone else may now import it.",
                          soft_wrap=True, markup=False)
    if done.accepted:
        console.print(f"Next: import {file.name} again with the same options; the accepted rows "
                      "are sent then.", soft_wrap=True, markup=False)
