"""`importer reprice`: next month's price list from the last known prices, for review."""
from __future__ import annotations

from pathlib import Path

import click

from importer.cli.common import (ConnectionOptions, connection_options, console, entity_choice,
                                 translate_errors)
from importer.cli.target_opts import Target, target_options
from importer.entities import get_entity
from importer.humane import plural

SHOWN = 10  # lines left out, named one by one


@click.command("reprice")
@click.option("--entity", default="product-price", show_default=True, type=entity_choice(),
              help="Record type to reprice (customer-part changes QUOTE_UNIT_PRIC).")
@click.option("--percent", metavar="P", help="Change every price by P percent (4, -2.5).")
@click.option("--amount", metavar="X", help="Change every price by X (0.50, -1).")
@click.option("--round", "round_to", default="0.01", show_default=True, metavar="STEP|.99",
              help="Round the new price to the nearest multiple of STEP (0.01, 0.05), or .99: "
                   "the smallest price ending in .99 that is not below it.")
@click.option("--effective", metavar="YYYY-MM-DD",
              help="The date the new prices apply from (required for a price list; for "
                   "customer-part it fills DATE_LAST_QUOTE).")
@click.option("--price-code", "price_codes", multiple=True, metavar="CODE",
              help="Only lines with this PRICE_CODE (repeatable) [default: all].")
@click.option("--part", "parts", multiple=True, metavar="PART_ID",
              help="Only these parts (repeatable) [default: all].")
@click.option("--product-line", "product_lines", multiple=True, metavar="LINE",
              help="Only parts of this PRODUCT_LINE, as the ERP returned it (repeatable).")
@click.option("--customer", "customers", multiple=True, metavar="CUSTOMER_ID",
              help="Only this customer's records (customer-part; repeatable).")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Start from the rows of FILE (an export, last month's list) "
                                   "instead of the journal's last known records.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, .xlsx or .csv [default: ENTITY.reprice.xlsx].")
@connection_options
@target_options
@translate_errors
def command(entity: str, percent: str | None, amount: str | None, round_to: str,
            effective: str | None, price_codes, parts, product_lines, customers,
            source: Path | None, out: Path | None, connection: ConnectionOptions,
            target: Target) -> None:
    """Write next month's list for review: every price line of the target (the last record this
    tool created or updated on --url/--data-source, or the rows of --from FILE) with its price
    changed by --percent or --amount, rounded by --round, from --effective on.

    The file has the template's layout, so validate and import read it as any list, and beside
    each row the old price, the date it applied from and the change (helper columns: kept in
    the file, never sent). Nothing is sent to the ERP and no password is needed. Example:

        importer reprice --percent 4 --round 0.05 --effective 2027-01-01 --price-code LP -o b.xlsx
    """
    from importer.runs.reprice import parse_rule, reprice

    found = get_entity(entity)
    rule = parse_rule(percent, amount, round_to, effective, found, price_codes=price_codes,
                      parts=parts, product_lines=product_lines, customers=customers)
    out = out or Path(f"{found.name}.reprice.xlsx")
    options = None
    if source is not None:
        from importer.reading.options import read_options

        options = read_options(connection.config_file)
    result = reprice(found.name, rule, out, journal_path=target.journal, server=target.server,
                     data_source=target.data_source, source=source, read_options=options)
    done = result.repriced
    if result.note:
        console.print(result.note, soft_wrap=True)
    console.print(f"Wrote {plural(len(done.rows), 'row')} to {result.path} ({rule.describe()}), "
                  f"starting from {result.source}. Nothing was sent.", soft_wrap=True,
                  markup=False)
    if done.left_out:
        console.print(f"Left out {plural(len(done.left_out), 'line')}:", soft_wrap=True)
        for line, why in done.left_out[:SHOWN]:
            console.print(f"  {line}: {why}", soft_wrap=True, markup=False)
        if len(done.left_out) > SHOWN:
            console.print(f"  and {len(done.left_out) - SHOWN} more", soft_wrap=True)
    if not done.rows:
        console.print("No line matched: check --price-code, --part and --effective.",
                      soft_wrap=True)
    console.print(f"Next: review {result.path.name}, then importer validate {result.path.name} "
                  f"and importer import {result.path.name}.", soft_wrap=True, markup=False)
