"""Cells keep their type: a number is a number cell, a date a date cell, each with a number format
that shows exactly the text that was sent (10.5 shows 10.5, 2026-03-01 shows 2026-03-01), so
Excel does not flag "number stored as text" and sums and filters work. Used by the results,
validation, failed-rows and export workbooks.

Only fields whose kind is a number (integer, decimal, percent) or a date are typed, and only text
in a canonical form: ``-?digits[.digits]`` without a leading zero (an id such as 000417 stays
text, and id fields are never typed), at most 15 significant digits (what a cell holds exactly),
and ISO dates from 1900-03-01 on (Excel's serial numbers are off before that).

A number with trailing zeros after the point (189.00) is a number cell formatted ``0.00``: it
shows 189.00 and holds 189, so sums, sorting and filters work and Excel flags no "number stored
as text"; importing the workbook again sends the same number (``TRAILING_ZEROS_READ_BACK``;
numbers compare as numbers, importer.checks.changes).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Iterable

from importer.entities import Entity, Kind

DATE_FORMAT = "yyyy-mm-dd"
MAX_DECIMALS = 15
NUMBER_FORMATS = ("0",) + tuple("0." + "0" * n for n in range(1, MAX_DECIMALS + 1))
FORMATS = NUMBER_FORMATS + (DATE_FORMAT,)  # every format a typed cell can get
TRAILING_ZEROS_READ_BACK = True

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.([0-9]+))?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 in its 1900 date system
_FIRST_DATE = date(1900, 3, 1)

Typed = tuple[object, str]  # (cell value, number format)


def typed(text: str, kind: Kind | None) -> Typed | None:
    """The typed cell for ``text`` in a field of ``kind``, or None to keep it as text."""
    if not text or kind is None:
        return None
    if kind is Kind.DATE:
        return _date(text)
    if kind.numeric:
        return _number(text)
    return None


def _number(text: str) -> Typed | None:
    match = _NUMBER.fullmatch(text)
    if match is None:
        return None
    decimals = match.group(1) or ""
    if len(text.replace("-", "").replace(".", "").lstrip("0")) > 15:
        return None
    if decimals.endswith("0") and not TRAILING_ZEROS_READ_BACK:
        return None
    if not decimals:
        value = int(text)
        return (value, NUMBER_FORMATS[0]) if value or text == "0" else None  # not '-0'
    return float(text), NUMBER_FORMATS[len(decimals)]


def _date(text: str) -> Typed | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError:
        return None
    if day < _FIRST_DATE:
        return None
    return day.toordinal() - _EPOCH, DATE_FORMAT


def kinds_of(entity: Entity, names: Iterable[str | None]) -> list[Kind | None]:
    """The kind of each named field (None for a name that is not a typed field)."""
    known = {f.name: f.kind for f in entity.fields}
    out = []
    for name in names:
        kind = known.get(name) if name else None
        out.append(kind if kind is Kind.DATE or (kind is not None and kind.numeric) else None)
    return out


class TypedCache:
    """typed() remembered per kind and text: a sheet repeats the same few values a lot."""

    def __init__(self) -> None:
        self._seen: dict[Kind, dict[str, Typed | None]] = {}

    def get(self, text: str, kind: Kind) -> Typed | None:
        seen = self._seen.get(kind)
        if seen is None:
            seen = self._seen[kind] = {}
        found = seen.get(text, _MISSING)
        if found is _MISSING:
            if len(seen) > 500_000:
                seen.clear()
            found = seen[text] = typed(text, kind)
        return found


_MISSING = object()
