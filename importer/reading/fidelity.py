"""What each field receives from what a cell shows (reading/display.py), and the cell issues when
the two cannot agree.

- A free-text field (TEXT, ID, NOTES, flags, attachments) gets the shown text exactly: currency
  symbols, %, literal text, durations and booleans as shown.
- A number field gets the shown number ($1,146.44 -> 1146.44); a percent-formatted cell is an
  error there unless the field is a percent (65.2% of a price is not a price); a format that adds
  words (P00123, 10 kg) is an error naming the format.
- A date field keeps its ISO date; a duration there is an error.
- A date, time or duration in a number field is an error (20240115 under yyyymmdd is no price);
  a cell that shows ######## (a negative date, a date after 9999) is never sent: an error in a
  number, date or key field, a warning in free text.
- A fraction that has no decimal form (12 1/3) is an error in a number field.
- Cells are shown the way the program that saved the file shows them (reading/program.py); when
  the file does not say, LibreOffice's way, and a key or number field whose cell Excel would show
  otherwise gets a warning (an error in a key) naming both.
- When the format rounds or hides digits the shown value is sent with a warning naming both; in a
  key or a quantity field it is an error, since it would pick a different record.
- Digits that are not ASCII are converted with a warning in number fields and refused in keys; an
  id in scientific notation (1.23457E+11) is refused: Excel has already lost its digits.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from importer.entities import Kind
from importer.model import Severity
from importer.reading.display import HASHES, Shown, general, programs_differ, show
from importer.reading.numfmt import parse
from importer.reading.program import EXCEL

CODES = {
    "shows-rounded": "The cell's number format shows a different number than the cell holds.",
    "percent-format": "A percent-formatted cell in a number field that is not a percent.",
    "format-text": "The cell's number format adds text to a number field.",
    "duration-not-date": "A date field holds a duration ([h]:mm:ss), not a date.",
    "shows-nothing": "The cell's format hides its value (;;;): nothing is sent for it.",
    "shows-date": "A date, time or duration in a number field.",
    "shows-hashes": "The cell shows ######## (a negative date or time, or one after 9999).",
    "shows-fraction": "A fraction with no decimal form (12 1/3) in a number field.",
    "shows-differently": "Excel and LibreOffice show the cell differently and the file does not "
                         "say which program saved it.",
    "non-ascii-digits": "Digits that are not ASCII (full-width, Arabic-Indic, ...).",
    "scientific-id": "An id written in scientific notation (1.23457E+11): digits are lost.",
}
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+")
_TEXT_KINDS_WITH_IDS = (Kind.ID, Kind.TEXT)

Report = Callable[[int, str, str, Severity], None]  # (index, code, message, severity)


@dataclass(frozen=True)
class Target:
    """The field a column feeds: its name, kind, and whether it selects the record."""

    name: str | None
    kind: Kind | None
    strict: bool = False  # a key or a quantity field


def plain(number: Decimal) -> str:
    """A Decimal as the API's number text: no exponent, no trailing zeros (1.2E+3 -> 1200)."""
    if not number:
        return "0"
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def apply_formats(raw, formats: dict[int, str], first_row: int, target: Target,
                  shown: list[str], api: list[str], report: Report,
                  program: str | None = None) -> None:
    """Formatted cells of one column ({excel row: code}) -> shown and api texts, and issues;
    ``program`` saved the file (reading/program.py)."""
    if target.kind is Kind.DATE:  # dates keep their ISO rule: durations and #### matter there
        _dates(raw, formats, first_row, target, shown, api, report, program)
        return
    seen: dict = {}
    other = EXCEL if program is None and target.kind is not None and (
        target.kind.numeric or target.strict) else None
    excel_seen: dict = {}
    for row, code in formats.items():
        i = row - first_row
        if not 0 <= i < len(raw):
            continue
        v = raw[i]
        if v is None or v == "":
            continue
        key = (v.__class__, v, code)
        s = seen.get(key)
        if s is None:
            s = seen[key] = show(v, code, program)
        if v.__class__ is str and s.text == v:
            continue  # text in a number format shows as typed
        _one(i, v, s, code, target, shown, api, report)
        if other and api[i] and programs_differ(code):
            excel = excel_seen.get(key)
            if excel is None:
                excel = excel_seen[key] = show(v, code, other)
            if _differs(s, excel, target):
                _differently(i, s, excel, code, target, report)


def _dates(raw, formats: dict[int, str], first_row: int, target: Target, shown: list[str],
           api: list[str], report: Report, program: str | None) -> None:
    """A date field: a duration or a cell showing #### is an error; dates keep their ISO text."""
    kinds = {c: {s.kind for s in parse(c).sections} for c in set(formats.values())}
    if not any("duration" in k for k in kinds.values()) and all(
            t is str or t is type(None) or issubclass(t, dt.date) for t in set(map(type, raw))):
        return  # a date format shows dates and texts as they are: only a number could differ
    for row, code in formats.items():
        i = row - first_row
        if not 0 <= i < len(raw) or not kinds[code] & {"date", "duration"}:
            continue
        v = raw[i]
        if v is None or v == "" or ("duration" not in kinds[code] and (
                v.__class__ is str or isinstance(v, dt.date))):
            continue
        s = show(v, code, program)
        if s.kind in ("duration", "hashes"):
            _one(i, v, s, code, target, shown, api, report)


def _one(i: int, v, s: Shown, code: str, target: Target, shown: list[str], api: list[str],
         report: Report) -> None:
    field = target.name or "This column"
    if s.kind == "hashes":
        _hashes(i, v, s, code, field, target, shown, api, report)
        return
    if target.kind is Kind.DATE:
        if s.kind == "duration":
            report(i, "duration-not-date", f"{field} shows {s.text.strip()} (format {code}), a "
                   "duration, not a date; type the date as YYYY-MM-DD.", Severity.ERROR)
        return
    shown[i] = s.text
    api[i] = s.text.strip()
    if not api[i]:
        held = general(v) if isinstance(v, (int, float)) else str(v)
        report(i, "shows-nothing", f"{field} shows nothing (format {code}) but holds {held}; "
               "nothing is sent: change the format if the value is meant to be sent.",
               Severity.ERROR if target.strict else Severity.WARNING)
        return
    if target.kind is not None and target.kind.numeric:
        if s.kind in ("date", "duration"):
            api[i] = ""
            what = "a duration" if s.kind == "duration" else "a date or time"
            report(i, "shows-date", f"{field} shows {s.text.strip()} (format {code}), {what}; "
                   f"{field} takes a number, so nothing is sent: type the number, or change "
                   "the cell's format to a number format.", Severity.ERROR)
            return
        if s.kind != "number":
            if s.kind in ("literal", "bool", "text"):
                report(i, "format-text", f"{field} shows {api[i]!r} (format {code}), which is "
                       "not a number; type the number, or change the cell's format to a "
                       "number format.", Severity.ERROR)
            return
        if s.percent and target.kind is not Kind.PERCENT:
            report(i, "percent-format", f"{field} shows {api[i]} (format {code}), a percentage "
                   f"of {field}, which is not a {field}; type the value itself or remove the "
                   "percent format.", Severity.ERROR)
            return
        if s.words:
            report(i, "format-text", f"{field} shows {api[i]!r} (format {code}), which adds "
                   f"text to the number; remove {s.words!r} from the format or type the "
                   "number alone.", Severity.ERROR)
            return
        if not s.exact:
            api[i] = ""
            report(i, "shows-fraction", f"{field} shows {s.text.strip()} (format {code}), a "
                   "fraction with no decimal form, so no number can be sent as shown; type the "
                   "number with its decimals, or use a fixed denominator such as # ??/100.",
                   Severity.ERROR)
            return
        api[i] = plain(s.number)
    if s.hides_digits:
        _rounded(i, s, code, field, target, api[i], report)


def _hashes(i: int, v, s: Shown, code: str, field: str, target: Target, shown: list[str],
            api: list[str], report: Report) -> None:
    """A cell that shows ########: its number cannot be a date or time."""
    shown[i], api[i] = HASHES, ""
    held = plain(s.held) if s.held is not None else str(v)
    error = target.strict or (target.kind is not None and (target.kind.numeric
                                                           or target.kind is Kind.DATE))
    report(i, "shows-hashes", f"{field} shows {HASHES} (format {code}): Excel cannot show "
           f"{held} as a date or time (it is negative, or past the year 9999), so nothing is "
           "sent: type the value you mean, or change the cell's format.",
           Severity.ERROR if error else Severity.WARNING)


def _differs(s: Shown, excel: Shown, target: Target) -> bool:
    if target.kind is not None and target.kind.numeric and s.kind == excel.kind == "number":
        return s.number != excel.number or s.exact != excel.exact
    return s.text.strip() != excel.text.strip()


def _differently(i: int, s: Shown, excel: Shown, code: str, target: Target,
                 report: Report) -> None:
    field = target.name or "This column"
    report(i, "shows-differently", f"{field} shows {s.text.strip()!r} in LibreOffice but "
           f"{excel.text.strip()!r} in Excel (format {code}), and the file does not say which "
           f"program saved it; {s.text.strip()!r} is read: open the file in the program you "
           "use and save it, or change the cell's format.",
           Severity.ERROR if target.strict else Severity.WARNING)


def _rounded(i: int, s: Shown, code: str, field: str, target: Target, sent: str,
             report: Report) -> None:
    held = plain(s.held) + ("%" if s.percent else "")
    text = s.text.strip()
    if target.strict:
        report(i, "shows-rounded", f"{field} shows {text} but holds {held} (format {code}); "
               "in a key or quantity field that picks a different record: type the value you "
               "mean, or widen the format to show every digit.", Severity.ERROR)
    else:
        report(i, "shows-rounded", f"{field} shows {text}, holds {held}; {sent} sent.",
               Severity.WARNING)


def check_texts(api: list[str], target: Target, report: Report,
                distinct: set[str] | None = None) -> None:
    """Non-ASCII digits and ids in scientific notation, in the values a column sends
    (``distinct``: their set, when the caller has it)."""
    kind = target.kind
    if distinct is None:
        distinct = set(api)  # each test once per distinct value; cells looked up only on a find
    joined = "".join(distinct)  # one C-level look at all of them before any one by one
    if ((kind is not None and kind.numeric) or target.strict) and not joined.isascii():
        odd = {v for v in distinct if not v.isascii()}
        for i in [i for i, v in enumerate(api) if v in odd] if odd else ():
            _non_ascii(i, api, target, report)
    if kind in _TEXT_KINDS_WITH_IDS and ("E" in joined or "e" in joined):
        odd = {v for v in distinct if v[:1].isdigit() and ("E" in v or "e" in v)}
        for i in [i for i, v in enumerate(api) if v in odd] if odd else ():
            if _SCIENTIFIC.fullmatch(api[i]):
                report(i, "scientific-id", f"{target.name} {api[i]!r} is in scientific "
                       "notation, so its digits are already lost (Excel does this to long "
                       "numbers in CSV files); format the column as Text in the source "
                       "workbook, type the full id again, and export again.", Severity.ERROR)


def _non_ascii(i: int, api: list[str], target: Target, report: Report) -> None:
    value = api[i]
    converted = ascii_digits(value)
    if converted == value or not any(ch.isdecimal() and not ch.isascii() for ch in value):
        return
    if target.strict:
        report(i, "non-ascii-digits", f"{target.name} {value!r} has digits that are not ASCII "
               f"({converted!r} is meant?); retype it with the digits 0-9.", Severity.ERROR)
        return
    api[i] = converted
    report(i, "non-ascii-digits", f"{target.name} {value!r} is written with digits that are "
           f"not ASCII; {converted} sent.", Severity.WARNING)


def ascii_digits(text: str) -> str:
    """Full-width and other Unicode digits (and full-width signs) -> ASCII: '９.９９' -> '9.99'."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
                   for ch in text)
