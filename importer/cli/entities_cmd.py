"""`importer entities`: what the tool knows about each record type."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table as RichTable

from importer.checks.pricerules import RULE_ENTITIES
from importer.cli.common import ConnectionOptions, console, lenient_settings, translate_errors
from importer.entities import ENTITIES


def entities_as_data(rules_config: dict | None = None,
                     value_maps: dict[str, list[dict]] | None = None) -> list[dict]:
    from importer.checks.pricerules import entity_rules_data

    rules = entity_rules_data(rules_config)
    value_maps = value_maps or {}
    return [
        {
            "entity": e.name,
            "label": e.label,
            "program": e.program,
            "key": list(e.key),
            "required_create": list(e.required_create),
            "required_update": list(e.required_update) + ["(at least one other field)"],
            "create": e.create_path,
            "update": e.update_path,
            "update_documented": e.update_documented,
            "fields": len(e.fields),
            "response_fields": len(e.response_fields),
            "rules": rules[e.name],
            "value_maps": value_maps.get(e.name, []),
        }
        for e in ENTITIES.values()
    ]


def aliases_as_data() -> list[dict]:
    return [{"entity": e.name, "field": f, "aliases": list(names)}
            for e in ENTITIES.values() for f, names in e.aliases().items()]


@click.command("entities")
@click.option("--aliases", "show_aliases", is_flag=True,
              help="List the headers read as each field besides its own name (Part Number is "
                   "PART_ID, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file whose [rules.*] to show instead of ./importer.toml or the "
                   "user's importer.toml.")
@translate_errors
def command(show_aliases: bool, as_json: bool, config_file: Path | None) -> None:
    """List the record types the tool can load, with their key, required fields, endpoints and
    the rules a file of each is checked by (as configured under [rules.ENTITY]), and the value
    maps its files are read with: [values.ENTITY.FIELD] of importer.toml, and the fixes accepted
    with importer remember for the server and data source of importer.toml / IMPORTER_*."""
    if show_aliases:
        _aliases(as_json)
        return
    from importer.runs.valuefixes import saved_maps

    settings = lenient_settings(ConnectionOptions(config_file=config_file))
    data = entities_as_data(settings.rules, saved_maps(
        config_file, settings.journal, (settings.url, settings.data_source)))
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = RichTable(title="Record types", show_lines=True)
    for col in ("Entity", "Key (finds the record)", "Required to create", "Endpoints"):
        table.add_column(col, overflow="fold")
    for d in data:
        update = d["update"] + ("" if d["update_documented"] else " (from older docs)")
        table.add_row(
            f"{d['entity']}\n{d['label']} ({d['program']})\n{d['fields']} fields",
            ", ".join(d["key"]),
            ", ".join(d["required_create"]),
            f"create: {d['create']}\nupdate: {update}",
        )
    console.print(table)
    for d in data:
        where = (f" (set under [rules.{d['entity']}] in importer.toml)"
                 if d["entity"] in RULE_ENTITIES else "")
        console.print(f"Rules of {d['entity']}{where}:", soft_wrap=True, markup=False)
        for rule in d["rules"]:
            console.print(f"  - {rule}", soft_wrap=True, markup=False)
        if d["value_maps"]:
            console.print(f"Values read as others in {d['entity']} files:", soft_wrap=True,
                          markup=False)
        for m in d["value_maps"]:
            console.print(f"  - {m['field']}: {m['written']} -> {m['meant']} ({m['from']})",
                          soft_wrap=True, markup=False)
    console.print("Update needs the key plus at least one other field. "
                  "Make a template with: importer template ENTITY")


def _aliases(as_json: bool) -> None:
    data = aliases_as_data()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    table = RichTable(title="Headers read as fields", show_lines=False)
    for col in ("Entity", "Field", "Also read from these headers"):
        table.add_column(col, overflow="fold")
    for d in data:
        table.add_row(d["entity"], d["field"], ", ".join(d["aliases"]))
    console.print(table)
    console.print("Case, spaces, hyphens, underscores and punctuation do not count. A header "
                  "two fields share (Quantity in a Customer Part file) must be renamed or "
                  "mapped. Save your own names in importer.toml, e.g. [columns.product-price] "
                  "\"Artikelnummer\" = \"PART_ID\", or give --map \"Artikelnummer=PART_ID\".",
                  markup=False)
