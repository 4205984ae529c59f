"""Cell values -> the strings a person sees, in the API's form.

Numbers are written as Excel shows them in General format (at most 15 significant digits, no binary
artifacts, whole numbers without '.0', never an exponent); dates become YYYY-MM-DD; text is kept as
is (only trimmed). Nothing here knows about files or sheets.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

SIGNIFICANT_DIGITS = 15

_ISO = re.compile(  # 2026-10-01, 2026/10/01, with an optional time of day and zone
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_SLASHED = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?"
)


def format_number(x: float | int) -> str:
    """A number as Excel's General format shows it, without the exponent: 4711.0 -> '4711'."""
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = format(x, f".{SIGNIFICANT_DIGITS}g")
    if "e" in text:
        text = format(Decimal(text), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_datetime(value: dt.datetime) -> str:
    if value.time() == dt.time(0, 0):
        return value.date().isoformat()
    return value.isoformat(sep=" ", timespec="seconds")


def display(value: object) -> str:
    """Any cell value from the workbook reader as the person sees it ('' for a blank cell)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, int)):
        return format_number(value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def date_value(value: object, day_first: bool = False) -> tuple[str, bool]:
    """A cell of a date column -> (API string, whether a time of day was dropped).

    Date cells and date text (ISO, m/d/yyyy or with ``day_first`` d/m/yyyy) become YYYY-MM-DD.
    Anything else comes back as displayed, for validation to report as an invalid date.
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.time() != dt.time(0, 0)
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, str):
        return date_text(value.strip(), day_first)
    return display(value), False


def date_text(text: str, day_first: bool = False) -> tuple[str, bool]:
    """Date text -> (YYYY-MM-DD, time dropped); text that is no real date comes back as is."""
    m = _ISO.fullmatch(text)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        clock = m.group(4, 5, 6)
    else:
        m = _SLASHED.fullmatch(text)
        if not m:
            return text, False
        first, second, year = m.group(1), m.group(2), m.group(3)
        month, day = (second, first) if day_first else (first, second)
        hour = m.group(4)
        if hour and m.group(7) and m.group(7).lower() == "am" and int(hour) == 12:
            hour = "0"  # 12:00 AM is midnight
        clock = (hour, m.group(5), m.group(6))
    try:
        date = dt.date(int(year), int(month), int(day))
    except ValueError:
        return text, False
    has_time = any(part and int(part) for part in clock)
    return date.isoformat(), has_time
