"""What a cell shows: one function from (stored value, number format code) to the shown text, the
same for .xlsx, .xlsm, .xls and .ods (their readers only find each cell's format code).

    shown = show(10.989, "0.00")  # Shown(text='10.99', number=Decimal('10.99'), held=10.989 ...)

Rendered the way LibreOffice and Excel display a cell (LibreOffice's "as shown" CSV export is the
oracle in the tests): numbers are first taken to 15 significant digits, then rounded half away
from zero to the format's decimals; thousands separators, percent, scaling commas, zero padding,
sections (positive;negative;zero;text, and [>=100] conditions), quoted and escaped literal text,
currency ([$€-407]), accounting spacing (_x is a space, *x fill is left out), scientific,
fractions, dates, clock times and durations ([h]:mm:ss, rounded). General shows 15 significant
digits, never an exponent. Where Excel and LibreOffice differ (which fraction a bounded
denominator shows, clock times rounded or cut, the point of '0.##' for a whole number, negative
durations), ``program`` decides (reading/program.py; reading/clock.py, reading/fractions.py). A
date or time that is negative or after 9999 shows ######## (kind "hashes"). Nothing here knows
about files or fields: reading/cells.py decides what each field kind receives.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from importer.reading import fractions
from importer.reading.clock import render_date, showable
from importer.reading.numfmt import Format, Section, parse
from importer.reading.program import EXCEL

__all__ = ["Shown", "show", "shown_text", "general", "to_serial"]

EPOCH = dt.datetime(1899, 12, 30)
_ISO_DURATION = re.compile(r"(-)?PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")
_BROKEN_DURATION = re.compile(r"-?PT?-\d+H\d*M?[\d.]*S?")


@dataclass(frozen=True)
class Shown:
    text: str  # what the cell shows (format spacing included)
    kind: str  # number | date | duration | general | text | literal | bool | hashes
    number: Decimal | None = None  # the number the text shows, in the shown scale (65.2 for 65.2%)
    held: Decimal | None = None  # the stored number (15 digits) in the same scale
    percent: bool = False
    currency: bool = False
    words: str = ""  # literal text the format adds, other than currency symbols, signs, spaces
    exact: bool = True  # False: the number shown has no decimal form (a fraction such as 1/3)

    @property
    def hides_digits(self) -> bool:
        """The format rounds or cuts the stored number: 10.989 shown as 10.99."""
        return self.number is not None and self.held is not None and self.number != self.held


# Enough digits for any double through 30 decimals and a few '%' (as fast as the default 28);
# a format that needs more (hundreds of '%' or scaling commas) is shown again with _MANY
_DIGITS = Context(prec=400, Emax=999_999_999, Emin=-999_999_999)
_MANY = Context(prec=100_000, Emax=999_999_999, Emin=-999_999_999)
HASHES = "#" * 8  # what a cell shows when its number cannot be a date or time


def shown_text(value: object, code: str | None, program: str | None = None) -> str:
    return show(value, code, program).text


def show(value: object, code: str | None, program: str | None = None) -> Shown:
    """The cell holding ``value`` (as the workbook reader gives it) with format ``code``, as
    ``program`` (reading/program.py: EXCEL, LIBREOFFICE, or None for a file that does not say,
    shown LibreOffice's way) shows it."""
    try:
        with localcontext(_DIGITS):
            return _show(value, code, program)
    except InvalidOperation:
        with localcontext(_MANY):
            return _show(value, code, program)


def _show(value: object, code: str | None, program: str | None) -> Shown:
    if value is None or value == "":
        return Shown("", "text")
    if value.__class__ is bool:
        return Shown("TRUE" if value else "FALSE", "bool")
    fmt = parse(code or "General")
    if isinstance(value, str):
        serial = _duration_text(value) if fmt.sections[0].kind in ("duration", "date") else None
        if serial is None and _BROKEN_DURATION.fullmatch(value.strip()) and \
                fmt.sections[0].kind == "duration":  # LibreOffice's 'PT-2147483648H' overflow
            return Shown(HASHES, "hashes")
        if serial is None:
            return _text(fmt, value)
        value = serial
    x = to_serial(value)
    if x is None:
        return Shown(str(value), "text")
    if not math.isfinite(x):
        return Shown(general(x), "text")
    section, auto_sign = _pick(fmt, x)
    if section.kind in ("date", "duration"):
        if not showable(section, x, program):
            return Shown(HASHES, "hashes", held=decimal15(x))
        return Shown(render_date(section, x, program), section.kind, held=decimal15(x))
    if section.kind in ("general", "text"):
        return _general_section(section, x, auto_sign)
    if section.kind == "literal":
        return Shown(section.literal_text, "literal", words=_words(section.literal_text))
    return _number(section, x, auto_sign, program)


@lru_cache(maxsize=4096)
def programs_differ(code: str) -> bool:
    """Whether Excel and LibreOffice can show a cell with this format differently: times,
    durations, bounded fractions, and a point with no '0' after it ('0.##')."""
    for section in parse(code or "General").sections:
        kinds = [k for k, _ in section.tokens]
        if section.kind in ("date", "duration") or "slash" in kinds and section.kind == "number":
            return True
        if "point" in kinds and section.kind == "number":
            after = section.tokens[kinds.index("point") + 1:]
            if not any(k == "digit" and v == "0" for k, v in after):
                return True
    return False


def to_serial(value: object) -> float | None:
    """A reader's value -> the spreadsheet's serial number (days since 1899-12-30)."""
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dt.datetime):
        delta = value.replace(tzinfo=None) - EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    if isinstance(value, dt.date):
        return float((value - EPOCH.date()).days)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second
                + value.microsecond / 1e6) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return None


def _duration_text(text: str) -> float | None:
    """An .ods duration as its reader gives it ('PT255H10M10S') -> days."""
    m = _ISO_DURATION.fullmatch(text.strip())
    if not m or not any(m.group(2, 3, 4)):
        return None
    seconds = int(m.group(2) or 0) * 3600 + int(m.group(3) or 0) * 60 + float(m.group(4) or 0)
    return (-seconds if m.group(1) else seconds) / 86400


def general(x: float | int) -> str:
    """A number as General shows it: 15 significant digits rounded, never an exponent."""
    if x.__class__ is int:
        return str(x)
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() and abs(x) < 2 ** 53:
        return str(int(x))  # every digit of a whole number that a double holds exactly
    text = repr(x)
    if "e" not in text and len(text) - (text[0] == "-") <= 16:
        return text  # at most 15 digits and the point: the shortest repr is already the text
    text = format(decimal15(x), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def decimal15(x: float | int) -> Decimal:
    """The number at the 15 significant digits a spreadsheet works with (1.005 stays 1.005)."""
    if x.__class__ is int:
        return Decimal(x)
    d = Decimal(repr(float(x)))
    if not d:
        return Decimal(0)
    return d.quantize(Decimal(1).scaleb(d.adjusted() - 14), ROUND_HALF_UP)


# --- sections ---------------------------------------------------------------------------------
def _pick(fmt: Format, x: float) -> tuple[Section, bool]:
    """The section that shows x, and whether a minus sign is added to it."""
    numeric = [s for s in fmt.sections[:3] if s.kind != "text"]
    if not numeric:  # only a text section ('@" units"'): a number shows as General
        return parse("General").sections[0], True
    if any(s.condition for s in numeric[:2]):
        for s in numeric[:2]:
            if s.condition and _holds(s.condition, x):
                return s, not _negative_range(s.condition)
        rest = [s for s in numeric if not s.condition]
        return (rest[0] if rest else numeric[-1]), True
    if len(numeric) == 1 or x > 0 or (x == 0 and len(numeric) == 2):
        return numeric[0], True
    if x < 0:
        return numeric[1], False
    return numeric[2], False


def _holds(condition: tuple[str, float], x: float) -> bool:
    op, bound = condition
    return {"<": x < bound, "<=": x <= bound, ">": x > bound, ">=": x >= bound,
            "=": x == bound, "<>": x != bound}[op]


def _negative_range(condition: tuple[str, float]) -> bool:
    return condition[0] in ("<", "<=") and condition[1] <= 0


def _text(fmt: Format, value: str) -> Shown:
    sections = fmt.sections
    section = sections[3] if len(sections) >= 4 else next(
        (s for s in sections if s.kind == "text"), None)
    if section is None:
        return Shown(value, "text")
    text = "".join(value if k in ("text", "general") else v for k, v in section.tokens
                   if k in ("text", "general", "lit"))
    return Shown(text, "text", words=_words(section.literal_text))


def _general_section(section: Section, x: float, auto_sign: bool) -> Shown:
    body = general(abs(x))
    sign = "-" if auto_sign and x < 0 else ""
    text = sign + "".join(body if k in ("general", "text") else v for k, v in section.tokens
                          if k in ("general", "text", "lit"))
    held = decimal15(x)
    return Shown(text, "number", held, held, words=_words(section.literal_text))


def _words(literal: str) -> str:
    """Literal text other than currency symbols, signs, brackets and spaces."""
    import unicodedata

    return "".join(ch for ch in literal if not (unicodedata.category(ch) == "Sc"
                                                or ch in " -+()"))


# --- numbers ----------------------------------------------------------------------------------
def _number(section: Section, x: float, auto_sign: bool, program: str | None) -> Shown:
    tokens = section.tokens
    digits = [i for i, (k, _) in enumerate(tokens) if k == "digit"]
    first = min([digits[0]] + [i for i, (k, _) in enumerate(tokens) if k == "point"])
    last = digits[-1]
    if any(k == "slash" for k, _ in tokens[first:last]) or (
            last + 1 < len(tokens) and tokens[last + 1][0] == "slash"):
        while last + 1 < len(tokens) and (tokens[last + 1][0] == "slash" or (
                tokens[last + 1][0] == "lit" and tokens[last + 1][1].isdigit())):
            last += 1
    point = next((i for i in range(first, last + 1) if tokens[i][0] == "point"), None)
    exp = next((i for i in range(first, last + 1) if tokens[i][0] == "exp"), None)
    slash = next((i for i in range(first, last + 1) if tokens[i][0] == "slash"), None)
    int_end = point if point is not None else (exp if exp is not None else last + 1)
    scale = _scaling_commas(tokens, last + 1, point)
    v = decimal15(abs(x)) * (100 ** section.percent) / (1000 ** scale)
    exact = True
    literal = section.literal_text
    if slash is not None:
        core, shown_abs, exact = fractions.render(
            tokens[first:last + 1], slash - first, v, float(v), program,
            lambda t, d: _fill_int(t, d, False))
        literal = "".join(val for k, val in tokens[:first] + tokens[last + 1:] if k == "lit")
    elif exp is not None:
        core, shown_abs = _scientific(tokens, first, int_end, point, exp, last, v)
    else:
        grouping = any(tokens[i][0] == "comma" for i in range(first, int_end)
                       if any(d > i for d in digits) and any(d < i for d in digits))
        frac = tokens[point + 1:last + 1] if point is not None else []
        core, shown_abs = _fixed(tokens[first:int_end], frac, v, grouping)
        if program == EXCEL and (point is not None or (
                last + 1 < len(tokens) and tokens[last + 1][0] == "point")) and "." not in core:
            core += "."  # Excel keeps the point of '0.##' for a whole number: '1.'
    sign = "-" if auto_sign and x < 0 and shown_abs != 0 else ""
    prefix = _literals(tokens[:first])
    suffix = _literals(tokens[last + 1:])
    negative = x < 0 and shown_abs != 0
    number = -shown_abs if negative else shown_abs
    held = decimal15(x) * (100 ** section.percent)
    return Shown(sign + prefix + core + suffix, "number", number.normalize() if number else
                 Decimal(0), held.normalize() if held else Decimal(0), section.percent > 0,
                 section.currency, _words(literal), exact)


def _literals(tokens: list[tuple[str, str]]) -> str:
    return "".join(v if k in ("lit",) else ("%" if k == "percent" else "") for k, v in tokens)


def _scaling_commas(tokens: list[tuple[str, str]], after: int, point: int | None) -> int:
    """Commas right after the last digit, or just before the point, each divide by 1,000
    ('#,##0,' shows 1,235 for 1234567; '0.0,,"M"' shows 123.5M for 123456789)."""
    n = 0
    i = after
    while i < len(tokens) and tokens[i][0] == "comma":
        n += 1
        i += 1
    i = (point if point is not None else 0) - 1
    while point is not None and i >= 0 and tokens[i][0] == "comma":
        n += 1
        i -= 1
    return n


def _fixed(int_tokens, frac_tokens, v: Decimal, grouping: bool) -> tuple[str, Decimal]:
    decimals = sum(1 for k, _ in frac_tokens if k == "digit")
    q = v.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    ip, _, fp = format(q, "f").partition(".")
    if any(k == "digit" for k, _ in int_tokens):
        text = _fill_int(int_tokens, "" if ip == "0" else ip, grouping)
    else:  # no integer placeholder ('.00'): the integer part still shows, 3.14 as 3.14
        text = ("" if ip == "0" else ip) + "".join(v for k, v in int_tokens if k == "lit")
    frac = _fill_frac(frac_tokens, fp)
    if frac:
        text += "." + frac
    return text, q


def _fill_int(tokens, digits: str, grouping: bool) -> str:
    places = [v for k, v in tokens if k == "digit"]
    if grouping:
        zeros = places.count("0")
        body = digits.rjust(zeros, "0")
        body = _group(body)
        body = body.rjust(len(places) + len(places) // 4, " ") if "?" in places else body
        return body + "".join(v for k, v in tokens if k == "lit")
    left = next((i for i, (k, _) in enumerate(tokens) if k == "digit"), len(tokens))
    rest = list(digits)
    out: list[str] = []
    for i in range(len(tokens) - 1, -1, -1):
        kind, value = tokens[i]
        if kind == "digit":
            if i == left and rest:
                out.append("".join(rest))
                rest = []
            elif rest:
                out.append(rest.pop())
            else:
                out.append({"0": "0", "?": " "}.get(value, ""))
        elif kind == "lit":
            out.append(value)
    return "".join(reversed(out))


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]) \
        if digits else ""


def _fill_frac(tokens, digits: str) -> str:
    places = [v for k, v in tokens if k == "digit"]
    shown = list(digits)
    for i in range(len(places) - 1, -1, -1):
        if shown[i] != "0" or places[i] == "0":
            break
        shown[i] = " " if places[i] == "?" else ""
    out, j = [], 0
    for kind, value in tokens:
        if kind == "digit":
            out.append(shown[j])
            j += 1
        elif kind == "lit":
            out.append(value)
    return "".join(out).rstrip("") if any(shown) else ""


def _scientific(tokens, first, int_end, point, exp, last, v: Decimal) -> tuple[str, Decimal]:
    int_tokens = tokens[first:int_end]
    places = [val for k, val in int_tokens if k == "digit"]
    frac_tokens = tokens[point + 1:exp] if point is not None else []
    decimals = sum(1 for k, _ in frac_tokens if k == "digit")
    width = max(1, len(places))
    engineering = width > 1 and "#" in places
    e = 0
    if v:
        e = v.adjusted()
        e = e - (e % width) if engineering else e - (width - 1)
    m = v.scaleb(-e).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if v and m >= Decimal(10) ** width:
        e += width if engineering else 1
        m = v.scaleb(-e).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    ip, _, fp = format(m, "f").partition(".")
    text = _fill_int(int_tokens, "" if ip == "0" and "0" not in places else ip, False)
    frac = _fill_frac(frac_tokens, fp)
    if frac:
        text += "." + frac
    exp_places = [val for k, val in tokens[exp + 1:last + 1] if k == "digit"]
    sign = "-" if e < 0 else ("+" if tokens[exp][1] == "+" else "")
    text += "E" + sign + str(abs(e)).rjust(exp_places.count("0"), "0")
    return text, m.scaleb(e)
