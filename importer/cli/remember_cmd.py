"""`importer remember FIELD WRITTEN MEANT`: accept a fix for one server and data source."""
from __future__ import annotations

import json

import click

from importer.cli.common import ConnectionOptions, connection_options, console, translate_errors
from importer.cli.target_opts import Target, target_options


@click.command("remember")
@click.argument("field", required=False)
@click.argument("written", required=False)
@click.argument("meant", required=False)
@click.option("--entity", default="*", show_default=True, metavar="ENTITY",
              help="Record type the fix is for; * is every record type with FIELD.")
@click.option("--forget", is_flag=True, help="Forget the fix of WRITTEN in FIELD (MEANT not "
                                             "needed).")
@click.option("--list", "show", is_flag=True, help="List the fixes accepted for the server.")
@click.option("--json", "as_json", is_flag=True, help="With --list: print JSON.")
@connection_options
@target_options
@translate_errors
def command(field: str | None, written: str | None, meant: str | None, entity: str,
            forget: bool, show: bool, as_json: bool, connection: ConnectionOptions,
            target: Target) -> None:
    """Accept a fix: in FIELD, WRITTEN means MEANT on this server and data source, e.g.

        importer remember PART_ID 417 000417 --url https://erp.example.com --data-source LIVE

    after validate suggested it. Every later file read for the same server and data source
    (validate, import, import --dry-run) gets MEANT in such cells, with a warning at each
    ("417 read as 000417: a fix accepted ..."); another server or data source never does. Values
    meaning the same everywhere belong in importer.toml instead: [values.product-price.CURR_CODE]
    Euro = "EUR". Nothing is sent and no password is needed.
    """
    from importer.errors import BadOptions
    from importer.runs.valuefixes import forget_fix, learned_fixes, remember_fix

    where = f"{target.server} ({target.data_source})"
    if show:
        fixes = learned_fixes(target.journal, target.scope)
        if as_json:
            click.echo(json.dumps([f.to_dict() for f in fixes], indent=2))
            return
        if not fixes:
            console.print(f"No fixes accepted for {where}.", soft_wrap=True, markup=False)
        for f in fixes:
            console.print(f"{f.entity} {f.field}: {f.written} -> {f.meant} (accepted "
                          f"{f.accepted_at[:10]}{' by ' + f.accepted_by if f.accepted_by else ''})",
                          soft_wrap=True, markup=False)
        return
    if not field or not written or (not meant and not forget):
        raise BadOptions("Give FIELD, the value as written and the value meant, e.g. importer "
                         "remember PART_ID 417 000417 (or --list, or --forget FIELD WRITTEN).")
    if forget:
        gone = forget_fix(target.journal, target.scope, field, written, entity)
        console.print(f"Forgot {field} {written} on {where}." if gone else
                      f"No fix of {field} {written} was kept for {where} (--list shows them).",
                      soft_wrap=True, markup=False)
        return
    fix = remember_fix(target.journal, target.scope, field, written, meant, entity)
    console.print(f"From now on {fix.field} {fix.written} is read as {fix.meant} in files for "
                  f"{where}, with a warning at each cell. --forget undoes it.", soft_wrap=True,
                  markup=False)
