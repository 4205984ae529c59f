"""Closing the previous period (``close_previous``): which known price lines a file's new lines
supersede, and the END_DATE update each then gets. Pure functions of rows and records.

A row that creates a price line (its key is not a known record) starting on D supersedes the
latest known line of the same PART_ID, PRICE_CODE, ORDER_QTY (as a number, blank = 0) and currency
that starts before D, when that line is open (blank END_DATE) or ends on or after D: it is closed
on the day before D. Several new lines superseding one line: the earliest D closes it. A known
line the file itself names (same key) is left to the file. Only the ERP's lines are closed, never
a row of the file (the admin's file is not edited).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from importer.entities import Entity, canonical_number
from importer.model import Row

CLOSE_CODE = "closes-previous-period"


@dataclass(frozen=True)
class Close:
    """One END_DATE update: the superseded line's key and new end, and why."""

    key: dict[str, str]  # the superseded line's key fields and currency
    start: str  # its EFFECTIVE_DATE
    old_end: str  # '' when it was open
    new_end: str  # the day before ``by_start``
    by_row: int  # the Excel row of the new line
    by_start: str

    def values(self, entity: Entity) -> dict[str, str]:
        """What the update sends: the key and the new END_DATE."""
        return {**self.key, entity.end_date_field: self.new_end}

    def message(self, entity: Entity) -> str:
        end = entity.end_date_field
        line = entity.describe_key(tuple(self.key.get(k, "") for k in entity.key))
        return (f"Added by close_previous: ends the price line {line} on {self.new_end} "
                f"({end} {self.old_end or '(open)'} -> {self.new_end}), the day before row "
                f"{self.by_row} starts the new price on {self.by_start}.")


def _line(entity: Entity, values: dict[str, str]) -> tuple[str, ...]:
    currency = next((f.name for f in entity.fields if f.currency), None)
    parts = []
    for name in entity.key:
        if name == entity.start_date_field:
            continue
        text = values.get(name) or ""
        parts.append(canonical_number(text or "0") if entity.field(name).numeric else text)
    return tuple(parts) + ((values.get(currency) or "",) if currency else ())


def _named(entity: Entity) -> tuple[str, ...]:
    currency = next((f.name for f in entity.fields if f.currency), None)
    return entity.key + ((currency,) if currency else ())


def _day_before(day: str) -> str | None:
    try:
        return (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    except ValueError:
        return None


def plan_closes(entity: Entity, rows: Iterable[Row], records: list[dict[str, str]],
                skip: set[int] = frozenset()) -> list[Close]:
    """The END_DATE updates the rows (but those in ``skip``: invalid ones) call for."""
    start, end = entity.start_date_field, entity.end_date_field
    if not (start and end):
        return []
    known = {entity.key_of(r): r for r in records if r.get(start)}
    lines: dict[tuple[str, ...], list[dict[str, str]]] = {}
    for record in known.values():
        lines.setdefault(_line(entity, record), []).append(record)
    rows = [r for r in rows if r.excel_row not in skip]
    named = {entity.key_of(r.values) for r in rows}
    wanted: dict[tuple[str, ...], Close] = {}
    for row in rows:
        day = row.values.get(start) or ""
        key = entity.key_of(row.values)
        before = _day_before(day)
        if before is None or key in known:
            continue
        earlier = [r for r in lines.get(_line(entity, row.values), ()) if r[start] < day]
        if not earlier:
            continue
        line = max(earlier, key=lambda r: r[start])
        line_key = entity.key_of(line)
        old_end = line.get(end) or ""
        if line_key in named or (old_end and old_end < day):
            continue
        found = wanted.get(line_key)
        if found is None or day < found.by_start:
            wanted[line_key] = Close({k: str(line.get(k) or "") for k in _named(entity)
                                      if line.get(k)},
                                     line[start], old_end, before, row.excel_row, day)
    return sorted(wanted.values(), key=lambda c: (c.by_row, tuple(c.key.values())))


def superseding_row(entity: Entity, values: dict[str, str], rows: Iterable[Row]) -> int | None:
    """The row whose new line a close update (``values``: key + END_DATE) was made for: same
    line, starting the day after the new END_DATE (to find it again when a run resumes)."""
    start, end = entity.start_date_field, entity.end_date_field
    line = _line(entity, values)
    for row in rows:
        day = row.values.get(start) or ""
        if _day_before(day) == values.get(end) and _line(entity, row.values) == line:
            return row.excel_row
    return None
