"""Numbers and dates written as text, in the convention of the office that wrote the file.

Owns the text forms of numbers and dates (CSV cells, text cells of workbooks; real number and date
cells are exact already and never come here):

- numbers with a decimal comma or point, thousands separators ``.`` ``,`` space, no-break space,
  narrow no-break space and ``'`` (Swiss), a currency symbol or code before or after the number,
  and ``%`` after a percentage; the API gets a point, no grouping, the decimals as written
  (``1.245,50`` -> ``1245.50``);
- dates ``d.m.yyyy`` (always day first), ISO ``yyyy-mm-dd``, ``yyyy/mm/dd`` and slash dates
  ``a/b/yyyy`` in the file's order.

The convention is decided once per file from the values that prove it (`decide_decimal`,
`decide_date_order`): ``189,00`` and ``1.245,50`` prove a decimal comma, ``1,245.50`` a point,
``13/01/2026`` day-first slash dates. An option (`Conventions`) overrides the evidence. A value that
could be read two ways is never guessed: a file whose only number evidence is ``1,234`` is refused
with a sentence naming ``--decimal-comma`` / ``--decimal-point``, and cells that disagree with the
file's convention are errors. Pure functions over strings; `reading.localize.apply_conventions` applies them to a
sheet.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

COMMA, POINT = ",", "."
DAY_FIRST, MONTH_FIRST = "day-first", "month-first"
DECIMAL_NAMES = {COMMA: "decimal comma", POINT: "decimal point"}
DECIMAL_OPTION = {COMMA: "--decimal-comma", POINT: "--decimal-point"}
ORDER_OPTION = {DAY_FIRST: "--day-first", MONTH_FIRST: "--month-first"}
ORDER_NAMES = {DAY_FIRST: "day/month date", MONTH_FIRST: "month/day date"}

GROUPING = " \u00a0\u202f'\u2019"  # space, no-break space, narrow no-break space, ' and ’
SYMBOLS: dict[str, frozenset[str]] = {
    "€": frozenset({"EUR"}), "£": frozenset({"GBP"}), "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}), "₩": frozenset({"KRW"}), "₽": frozenset({"RUB"}),
    "₺": frozenset({"TRY"}), "₪": frozenset({"ILS"}), "zł": frozenset({"PLN"}),
    "Kč": frozenset({"CZK"}), "Fr.": frozenset({"CHF"}), "kr": frozenset({"SEK", "NOK", "DKK"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "ARS", "CLP", "COP"}),
    "US$": frozenset({"USD"}), "C$": frozenset({"CAD"}), "A$": frozenset({"AUD"}),
}
CODES = frozenset("""AED ARS AUD BGN BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR ILS
INR ISK JPY KRW KWD MAD MXN MYR NOK NZD PHP PKR PLN QAR RON RSD RUB SAR SEK SGD THB TRY TWD UAH
USD VND ZAR""".split())

_CURRENCY = "|".join(sorted((re.escape(s) for s in SYMBOLS), key=len, reverse=True)) + "|[A-Z]{3}"
_NUMBER_TEXT = re.compile(
    rf"(?P<s1>[-+\u2212]?)\s*(?P<c1>{_CURRENCY})?\s*(?P<s2>[-+\u2212]?)\s*"
    rf"(?P<body>[\d.,{GROUPING}]*\d[\d.,{GROUPING}]*|[.,]\d+)\s*(?P<c2>{_CURRENCY})?\s*(?P<pct>%)?")
_DIGITS = re.compile(r"\d+")

_TIME = r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_DOTTED = re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{2}|\d{4})" + _TIME)
_SLASHED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})" + _TIME)
_SHORT_ISO = re.compile(r"(\d{2})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True)
class Conventions:
    """What the options say; None: decided from the file's own values."""

    decimal: str | None = None  # COMMA or POINT
    date_order: str | None = None  # DAY_FIRST or MONTH_FIRST


# --- numbers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NumberText:
    """A text number taken apart: its value under each convention (None: not a number that way)."""

    comma: str | None  # the API string when the decimal separator is a comma
    point: str | None  # ... when it is a point
    currency: str = ""  # the symbol or code written with it ('' if none)
    percent: bool = False

    @property
    def proves(self) -> str | None:
        """COMMA or POINT when only one reading is a number."""
        if (self.comma is None) != (self.point is None):
            return COMMA if self.comma is not None else POINT
        return None

    @property
    def ambiguous(self) -> bool:
        return self.comma is not None and self.point is not None and self.comma != self.point

    def value(self, decimal: str) -> str | None:
        return self.comma if decimal == COMMA else self.point


def number_text(text: str) -> NumberText | None:
    """Take apart a number written as text; None when the text is no number in any convention."""
    if text.isdigit():
        return NumberText(text, text)
    for sep in (POINT, COMMA):  # the common 12.50 / 12,50 without the pattern
        whole, found, fraction = text.partition(sep)
        if found and whole.isdigit() and fraction.isdigit():
            grouped = whole + fraction if len(fraction) == 3 and len(whole) <= 3 else None
            plain = whole + "." + fraction
            return NumberText(plain, grouped) if sep == COMMA else NumberText(grouped, plain)
    m = _NUMBER_TEXT.fullmatch(text.strip())
    if m is None or (m.group("s1") and m.group("s2")) or (m.group("c1") and m.group("c2")):
        return None
    currency = m.group("c1") or m.group("c2") or ""
    if currency and currency not in SYMBOLS and currency not in CODES:
        return None
    sign = "-" if (m.group("s1") or m.group("s2")) in ("-", "\u2212") else ""
    body = m.group("body").strip(GROUPING)
    comma, point = _digits(body, COMMA), _digits(body, POINT)
    if comma is None and point is None:
        return None
    return NumberText(comma and sign + comma, point and sign + point, currency,
                      bool(m.group("pct")))


def _digits(body: str, decimal: str) -> str | None:
    """'1.245,50' with a decimal comma -> '1245.50'; None when the body breaks the convention."""
    whole, sep, fraction = body.partition(decimal)
    if sep and not fraction.isdigit():
        return None
    if not whole:
        return "0." + fraction if sep else None
    if not whole.isdigit():
        separators = set(_DIGITS.sub("", whole))
        if len(separators) != 1 or separators & {decimal}:
            return None
        groups = whole.split(separators.pop())
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 and g.isdigit() for g in groups[1:])
                and groups[0].isdigit()):
            return None
        whole = "".join(groups)
    return whole + ("." + fraction if sep else "")


def currency_codes(currency: str) -> frozenset[str]:
    """The codes a symbol or code written with a number can stand for."""
    return SYMBOLS.get(currency, frozenset({currency}))


@dataclass(frozen=True)
class Evidence:
    """Where a file's cells prove or leave open a convention: (address, text) pairs."""

    proofs: dict[str, tuple[str, str]]  # convention -> the first cell proving it
    ambiguous: tuple[str, str] | None  # the first cell left open by the convention
    counts: dict[str, int]  # convention -> how many cells prove it


TIED = "tied"  # decide(): as many cells prove one convention as the other


def decide(evidence: Evidence, chosen: str | None, default: str) -> str | None:
    """The file's convention: the option's, else the one most cells prove (TIED when two are
    proven equally often), else ``default`` when nothing is left open; None when only ambiguous
    cells would decide it."""
    if chosen:
        return chosen
    counts = sorted(((n, k) for k, n in evidence.counts.items() if n), reverse=True)
    if counts:
        return TIED if len(counts) > 1 and counts[0][0] == counts[1][0] else counts[0][1]
    return None if evidence.ambiguous else default


def tied_message(text: str, evidence: Evidence, names: dict[str, str],
                 options: dict[str, str]) -> str:
    (a, cell_a), (b, cell_b) = sorted(evidence.proofs.items())
    return (f"{text!r}: this file has as many cells with a {names[a]} (like {cell_a[1]!r} at "
            f"{cell_a[0]}) as with a {names[b]} (like {cell_b[1]!r} at {cell_b[0]}); "
            f"write them all one way, or say which with {options[a]} or {options[b]}.")


def ambiguous_numbers_sentence(where: str, address: str, text: str, parsed: NumberText) -> str:
    return (f"Numbers in {where} such as {text!r} at {address} can be read two ways "
            f"({parsed.comma} or {parsed.point}) and no value in the file says which is meant; "
            f"say how the file writes decimals with --decimal-comma or --decimal-point "
            f"(or decimal = \"comma\" / \"point\" under [reading] in importer.toml).")


def number_convention_message(text: str, decimal: str, proof: tuple[str, str] | None) -> str:
    other = COMMA if decimal == POINT else POINT
    because = (f"the file's other numbers (like {proof[1]!r} at {proof[0]}) use a "
               f"{DECIMAL_NAMES[decimal]}" if proof else
               f"{DECIMAL_OPTION[decimal]} says the file uses a {DECIMAL_NAMES[decimal]}")
    return (f"{text!r} is written with a {DECIMAL_NAMES[other]}, but {because}; write it the same "
            f"way as the rest of the file, or give {DECIMAL_OPTION[other]} if the whole file "
            f"uses a {DECIMAL_NAMES[other]}.")


# --- dates --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DateText:
    """A date written as text: how it reads in each order, and what stops it being sent."""

    day_first: str | None  # YYYY-MM-DD when read day/month (dotted and ISO dates: both the same)
    month_first: str | None
    slashed: bool = False  # a/b/yyyy: its order comes from the file
    problem: str = ""  # 'two-digit-year' or 'date-with-time'; '' when fine
    clock: str = ""  # the time of day written with it

    @property
    def proves(self) -> str | None:
        if self.slashed and (self.day_first is None) != (self.month_first is None):
            return DAY_FIRST if self.day_first is not None else MONTH_FIRST
        return None

    @property
    def ambiguous(self) -> bool:
        return self.slashed and None not in (self.day_first, self.month_first) \
            and self.day_first != self.month_first

    def value(self, order: str) -> str | None:
        return self.day_first if order == DAY_FIRST else self.month_first


def date_text(text: str) -> DateText | None:
    """Take apart a date written as text; None when it is no date form this module knows."""
    text = text.strip()
    m = _ISO.fullmatch(text)
    if m:
        iso = _iso(m.group(1), m.group(2), m.group(3))
        return _with_time(DateText(iso, iso), m.groups()[3:])
    for pattern, slashed in ((_DOTTED, False), (_SLASHED, True)):
        m = pattern.fullmatch(text)
        if m:
            a, b, year = m.group(1), m.group(2), m.group(3)
            if len(year) == 2:
                return DateText(None, None, slashed, "two-digit-year")
            found = DateText(_iso(year, b, a), _iso(year, a, b) if slashed else _iso(year, b, a),
                             slashed)
            return _with_time(found, m.groups()[3:])
    if _SHORT_ISO.fullmatch(text):
        return DateText(None, None, False, "two-digit-year")
    return None


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _with_time(found: DateText, clock: tuple) -> DateText:
    hour, minute, second, half = clock
    if hour is None:
        return found
    h = int(hour) % 12 + (12 if half and half.lower() == "pm" else 0) if half else int(hour)
    if h or int(minute) or (second and int(second)):
        written = f"{hour}:{minute}" + (f":{second}" if second else "") + (f" {half}" if half else "")
        return DateText(found.day_first, found.month_first, found.slashed, "date-with-time",
                        written)
    return found


def ambiguous_dates_notice(where: str, address: str, text: str, parsed: DateText) -> str:
    return (f"Slash dates in {where} such as {text} at {address} could be month/day or day/month "
            f"and none says which; they were read month first ({text} is {parsed.month_first}). "
            f"If they are day/month, run again with --day-first (or date_order = \"day-first\" "
            f"under [reading] in importer.toml).")


def date_order_message(text: str, order: str, proof: tuple[str, str] | None,
                       parsed: DateText) -> str:
    other = DAY_FIRST if order == MONTH_FIRST else MONTH_FIRST
    words = {DAY_FIRST: "day/month", MONTH_FIRST: "month/day"}
    because = (f"the file's other slash dates (like {proof[1]} at {proof[0]}) are {words[order]}"
               if proof else f"{ORDER_OPTION[order]} says the dates are {words[order]}")
    return (f"{text!r} can only be {words[other]} ({parsed.value(other)}), but {because}; write "
            f"it as {parsed.value(other)} (YYYY-MM-DD), or give {ORDER_OPTION[other]} if every "
            f"slash date of the file is {words[other]}.")


def date_problem_message(text: str, parsed: DateText) -> str:
    if parsed.problem == "two-digit-year":
        return (f"{text!r} has a two-digit year, which could be any century; write the year "
                f"with four digits (or the date as YYYY-MM-DD).")
    return (f"{text!r} has the time of day {parsed.clock}, but only a date can be sent; remove "
            f"the time (or type the date as YYYY-MM-DD).")


def invalid_date_hint(text: str) -> str:
    """The option that would help a date text the reader could not read ('' if none would)."""
    m = _SLASHED.fullmatch(text.strip())
    if m and len(m.group(3)) == 4:
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            return " It reads as day/month: use --day-first if every slash date is day/month."
        if b > 12 >= a:
            return (" It reads as month/day: use --month-first if every slash date is "
                    "month/day.")
    return ""
