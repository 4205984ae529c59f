"""Cell values -> the strings a person sees, in the API's form.

Numbers are written as Excel shows them in General format (at most 15 significant digits, no binary
artifacts, whole numbers without '.0', never an exponent); dates become YYYY-MM-DD; text is kept as
is (only trimmed). Nothing here knows about files or sheets.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

SIGNIFICANT_DIGITS = 15

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


def date_value(value: object) -> tuple[str, bool]:
    """A date cell -> (YYYY-MM-DD, whether a time of day was dropped); anything else as displayed
    (date text is read by reading/localize.py, which knows the file's date order)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), value.time() != dt.time(0, 0)
    if isinstance(value, dt.date):
        return value.isoformat(), False
    return display(value), False
