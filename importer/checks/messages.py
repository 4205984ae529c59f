"""What validation says: the one sentence an issue of the schema's own checks shows at its cell,
the cell a row-wide check points at, and a report as plain data (`validate --json`)."""
from __future__ import annotations

import re

from importer.checks.codes import ISSUE_CODES
from importer.checks.columns import DATE_TEXT, MIN_YEAR, NUMBER
from importer.entities import Entity, Kind
from importer.model import Report


def _target(entity: Entity, code: str, column: str) -> str:
    """The field a check's issue is shown on (row-wide checks point at one cell)."""
    if code == "end-before-start":
        return entity.end_date_field
    if code == "duplicate-key":
        return entity.key[0]
    if code == "price-rises-with-quantity":
        return entity.unit_price_field
    return column


def message(ctx, code: str, row: int, field: str, value: str | None) -> str:
    entity = ctx.entity
    if code == "missing-value":
        return f"{field} is required to create a {entity.label}; fill it in."
    if code == "invalid-date":
        return _date_message(field, value or "")
    if code == "not-a-number":
        whole = "a whole number" if entity.field(field).kind is Kind.INTEGER else "a number"
        return (f"{field} must be {whole} written with digits and a decimal point (like 10 or "
                f"10.5), not {value!r}.")
    if code == "negative-number":
        return f"{field} must not be negative ({value}); correct it."
    if code == "percent-out-of-range":
        return f"{field} is a percentage and must be at most 100, not {value}."
    if code == "too-long":
        return (f"{field} has {len(value or ''):,} characters but holds at most "
                f"{entity.field(field).max_length:,}; shorten it.")
    if code == "invalid-flag":
        return f"{field} must be Y or N, not {value!r}."
    if code == "end-before-start":
        start = ctx.values[row][entity.start_date_field]
        return (f"{field} {value} is before {entity.start_date_field} {start}; correct one of "
                "them.")
    if code == "duplicate-key":
        others = ", ".join(str(r) for r in ctx.duplicates[row] if r != row)
        key = "/".join(ctx.values[row].get(k, "") for k in entity.key)
        return (f"Rows {row} and {others} have the same key {key} "
                f"({' + '.join(entity.key)}); keep only one of them.")
    if code == "currency-code":
        return f"{field} {value!r} is not a three-letter currency code such as USD or EUR."
    if code == "price-rises-with-quantity":
        price, qty, lower_price, lower_qty = ctx.rises[row]
        return (f"{field} {price} at quantity {qty} is higher than {lower_price} at the smaller "
                f"quantity {lower_qty} for the same part, price code and date; check the breaks.")
    return ISSUE_CODES[code]


def _date_message(field: str, value: str) -> str:
    if re.fullmatch(NUMBER, value):
        return (f"{field} holds the number {value}, not a date; format the cell as a date or "
                "type the date as YYYY-MM-DD.")
    if re.fullmatch(DATE_TEXT, value) and value[:4] < str(MIN_YEAR):
        return f"{field} {value} is before the year {MIN_YEAR}; correct the year."
    from importer.reading.locale import invalid_date_hint

    return (f"{field} {value!r} is not a valid date; use a date cell, YYYY-MM-DD or DD.MM.YYYY."
            + invalid_date_hint(value))


def report_as_dict(report: Report) -> dict:
    """The report as plain data (what `importer validate --json` prints)."""
    table = report.table
    return {
        "file": str(table.path), "sheet": table.sheet, "entity": table.entity.name,
        "format": table.file_format, "header_row": table.header_row, "rows": table.row_count,
        "ok": report.ok, "errors": len(report.errors), "warnings": len(report.warnings),
        "invalid_rows": sorted(report.invalid_rows), "counts": report.counts_by_code(),
        "issues": [{**i.to_dict(), "address": i.address} for i in report.issues],
    }
