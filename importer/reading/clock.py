"""Dates, clock times and durations through a format section (y m d h s, AM/PM, [h]:mm:ss, .00).

LibreOffice's way (and for files that do not say which program saved them): a clock time keeps
its whole seconds (10.6 s shows 10) and rounds the fraction it shows without carrying
(10:10:10.127 with hh:mm:ss.00 shows 10:10:10.13, 10.96 with .0 shows 10.9). Excel's way: a clock
time is rounded to the seconds it shows, carrying (16:17:36.96 with h:mm:ss shows 16:17:37,
10.96 with .0 shows 11.0), and to the whole second when it shows no seconds; AM/PM is upper case
and A/P keeps the letters as written. Both: a duration ([h], [m], [s]) is rounded to the seconds
shown; month and day names are English; a date or time that is negative or after 9999 cannot
be shown (Excel fills the cell with #), nor can a duration of 8,000 years or more; a negative
duration shows with a minus sign in LibreOffice and cannot be shown in Excel. Used by
reading/display.py only.
"""
from __future__ import annotations

import datetime as dt
import math

from importer.reading.names import DATE_SEPARATORS, day_name, month_name
from importer.reading.numfmt import Section
from importer.reading.program import EXCEL

EPOCH = dt.date(1899, 12, 30)
LAST_SERIAL = 2958466  # 10000-01-01: the first serial no date or time format can show


def showable(section: Section, x: float, program: str | None) -> bool:
    """Whether a date, time or duration section can show x (else the cell shows ####)."""
    if abs(x) >= LAST_SERIAL:
        return False
    if x < 0:
        return section.kind == "duration" and program != EXCEL
    return True


def render_date(section: Section, x: float, program: str | None = None) -> str:
    tokens = _minutes_resolved(section.tokens)
    decimals = _second_decimals(tokens)
    unit = 10 ** decimals
    elapsed = any(k == "elapsed" for k, _ in tokens)
    if x < 0 and not elapsed:
        return "#" * 8  # a negative date or time cannot be shown
    seconds = abs(x) * 86400
    excel = program == EXCEL
    if elapsed:  # a duration is rounded to the precision shown
        ticks = math.floor(seconds * unit + 0.5)
        whole_seconds_all, fraction = divmod(ticks, unit)
    elif excel:  # rounded to the seconds shown (the whole second without them), carrying
        timed = any(k == "date" and v[0] in "hns" for k, v in tokens)
        ticks = math.floor(round(seconds * unit, 6) + 0.5) if timed else math.floor(
            round(seconds, 3)) * unit
        whole_seconds_all, fraction = divmod(ticks, unit)
    else:  # a clock time: whole seconds cut, the shown fraction rounded without carrying
        whole_seconds_all = math.floor(round(seconds, 3))  # float noise: 10.12 is not 10.1199
        dated = any(k == "date" and v[0] in "ymd" for k, v in tokens)
        timed = any(k == "date" and v[0] in "hns" for k, v in tokens)
        if dated and timed and not decimals and seconds % 86400 >= 86399.5:
            whole_seconds_all = math.floor(seconds) + 1  # half a second before midnight: next day
        fraction = min(math.floor((seconds - whole_seconds_all) * unit + 0.5), unit - 1) \
            if decimals else 0
        fraction = max(fraction, 0)
    days, whole_seconds = divmod(whole_seconds_all, 86400)
    seconds_total = whole_seconds_all + fraction / unit
    hour, rem = divmod(whole_seconds, 3600)
    minute, second = divmod(rem, 60)
    try:
        date = EPOCH + dt.timedelta(days=int(days))
    except OverflowError:
        if any(k == "date" and v[0] in "ymd" for k, v in tokens):
            return "#" * 8
        date = EPOCH  # a time of day only: the days do not show
    twelve = any(k == "ampm" for k, _ in tokens)
    out = ["-" if x < 0 else ""]
    skip_point = False
    for i, (kind, value) in enumerate(tokens):
        if skip_point and kind in ("point", "digit"):
            continue
        skip_point = False
        if kind == "lit":
            out.append(value)
        elif kind == "elapsed":
            unit_name = value[0]
            amount = {"h": seconds_total // 3600, "m": seconds_total // 60,
                      "s": seconds_total}[unit_name]
            out.append(str(int(amount)).rjust(len(value), "0"))
        elif kind == "date":
            out.append(_part(value, date, hour, minute, second, twelve, section.language))
        elif kind == "ampm":
            out.append(_am_pm(value, hour, excel))
        elif kind == "point" and _follows_seconds(tokens, i):
            if decimals:
                out.append("." + str(fraction).rjust(decimals, "0"))
            skip_point = True
        elif kind == "slash":
            out.append(DATE_SEPARATORS.get(section.language, "/"))
        elif kind in ("point", "comma", "percent"):
            out.append(value)
    return "".join(out)


def _minutes_resolved(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """'m' is minutes after an hour or before a second, else the month."""
    out = list(tokens)
    timed = [i for i, (k, v) in enumerate(out) if k in ("date", "elapsed")]
    for n, i in enumerate(timed):
        kind, value = out[i]
        if kind != "date" or value[0] != "m" or len(value) > 2:
            continue
        before = out[timed[n - 1]][1][0] if n > 0 else ""
        after = out[timed[n + 1]][1][0] if n + 1 < len(timed) else ""
        if before == "h" or after == "s":
            out[i] = ("date", "n" * len(value))  # minutes
    return out


def _second_decimals(tokens: list[tuple[str, str]]) -> int:
    for i, (kind, _) in enumerate(tokens):
        if kind == "point" and _follows_seconds(tokens, i):
            n = 0
            for k, v in tokens[i + 1:]:
                if k != "digit":
                    break
                n += 1
            return min(n, 9)  # Excel shows at most 3; more would be noise past a nanosecond
    return 0


def _follows_seconds(tokens: list[tuple[str, str]], i: int) -> bool:
    return i > 0 and tokens[i - 1][0] in ("date", "elapsed") and tokens[i - 1][1][0] == "s"


def _part(value: str, date: dt.date, hour: int, minute: int, second: int, twelve: bool,
          language: int) -> str:
    letter, n = value[0], len(value)
    if letter == "y":
        return f"{date.year % 100:02d}" if n <= 2 else str(date.year)
    if letter == "m":
        if n == 1:
            return str(date.month)
        if n == 2:
            return f"{date.month:02d}"
        name = month_name(language, date.month, n == 3)
        return name[0] if n == 5 else name
    if letter == "d":
        if n <= 2:
            return str(date.day).rjust(n, "0")
        return day_name(language, date.weekday(), n == 3)
    if letter == "h":
        h = (hour % 12 or 12) if twelve else hour
        return str(h).rjust(min(n, 2), "0")
    if letter == "n":
        return str(minute).rjust(min(n, 2), "0")
    if letter == "s":
        return str(second).rjust(min(n, 2), "0")
    return value


def _am_pm(value: str, hour: int, excel: bool) -> str:
    pm = hour >= 12
    if value.upper() == "A/P" and excel:  # the letter as the format writes it
        return value[2] if pm else value[0]
    if value.upper() == "A/P":
        text = "P" if pm else "A"
        return text if value[0].isupper() else text.lower()
    return "PM" if pm else "AM"  # Excel and LibreOffice alike, whatever the format's case
