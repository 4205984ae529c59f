"""`importer history PART_ID`: every run that created or changed a part's prices (or customer part
numbers), from the journal."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich import box
from rich.markup import escape
from rich.table import Table as RichTable

from importer.cli.common import console, translate_errors
from importer.humane import local_time


@click.command("history")
@click.argument("part_id")
@click.option("--price-code", help="Only price lines of this PRICE_CODE (e.g. LP).")
@click.option("--customer", help="Only customer part numbers of this CUSTOMER_ID.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (default: IMPORTER_JOURNAL, journal in importer.toml, or the "
                   "user's data directory).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@translate_errors
def command(part_id: str, price_code: str | None, customer: str | None, journal: Path | None,
            as_json: bool) -> None:
    """List every run that created or changed a record of PART_ID, oldest first: when, which
    run and file, the operating-system account that ran it and the ERP user, old -> new per
    field, who approved it, and which revert run put it back. Only what this tool sent is
    known (the journal), not changes made in the ERP by hand."""
    from importer.journal.history import key_history
    from importer.runs.reports import open_journal

    with open_journal(journal) as j:
        events = key_history(j, part_id, price_code, customer)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in events], indent=2))
        return
    if not events:
        console.print(f"No run of this journal created or changed a record of {part_id}"
                      + (f" with PRICE_CODE {price_code}" if price_code else "")
                      + (f" for customer {customer}" if customer else "") + ".",
                      soft_wrap=True, markup=False)
        return
    table = RichTable(title=f"History of {part_id}", box=box.SIMPLE_HEAD, pad_edge=False)
    for col in ("When", "Run", "Record", "Change", "Who"):
        table.add_column(col, overflow="fold")
    for e in events:
        what = "\n".join(f"{f}: {o} -> {n}" if o else f"{f}: {n}" for f, o, n in e.fields)
        notes = [f"revert of run {e.revert_of}"] if e.revert_of else []
        notes += [f"reverted by run {e.reverted_by}"] if e.reverted_by else []
        who = [f"sent by {', '.join(e.accounts) or 'unknown'}", f"ERP user {e.erp_user}"]
        who += [f"approved by {', '.join(e.approved_by)}"] if e.approved_by else []
        table.add_row(local_time(e.at, seconds=False), f"{e.run_id}\n{e.input_name}",
                      f"{'/'.join(e.key)}\n{e.status}", escape("\n".join([what, *notes])),
                      escape("\n".join(who)))
    console.print(table)
