"""Applying the file's number and date convention (reading/locale.py) to the cells of one sheet.

Only cells that hold text are touched: real number and date cells were converted exactly before.
Each distinct text is taken apart once; the file's decimal separator and slash-date order are then
decided from all of them together, and each cell gets its API string or an issue:

- ``number-convention`` / ``date-order`` (errors): a cell written the other way than the file;
- ``two-digit-year`` / ``date-with-time`` (errors): a date that cannot be sent as written;
- ``currency-removed`` (warning) and ``currency-mismatch`` (error, against the row's currency field).

A file whose numbers can only be read two ways raises UnusableFile; slash dates that are all
ambiguous are read month first, with one notice saying so.
"""
from __future__ import annotations

from collections import Counter

from importer.entities import Entity, Kind
from importer.errors import UnusableFile
from importer.model import Column, Issue, Severity
from importer.reading import locale as lc
from importer.reading.cells import ConvertedColumn

LOCALE_CODES = {
    "number-convention": "A number is written with the other decimal separator than the rest of "
                         "the file (or than --decimal-comma / --decimal-point says).",
    "date-order": "A slash date can only be read in the other order than the file's other slash "
                  "dates (or than --day-first / --month-first says).",
    "two-digit-year": "A date has a two-digit year; write four digits.",
    "date-with-time": "A date written as text has a time of day other than midnight.",
    "currency-removed": "A currency symbol or code written with a number was removed (warning).",
    "currency-mismatch": "A currency written with a number is not the row's currency code.",
    "dates-read-month-first": "The file's slash dates could be read either way and were read "
                              "month first (warning, once per file).",
}
LOCALE_WARNINGS = frozenset({"currency-removed", "dates-read-month-first"})


class _Cells:
    """The text cells of one kind (numbers or dates) by column: each distinct text is taken apart
    once and its value written to every cell that holds it (a price list repeats values a lot)."""

    def __init__(self, parse) -> None:
        self.parse = parse  # number_text or date_text
        self.parsed: dict[str, object] = {}
        self.groups: list[tuple[int, str]] = []  # (column k, text), each distinct text once
        self.texts: dict[int, list[str]] = {}  # column k -> its text cells ('' elsewhere)
        self.values: dict[int, dict[str, str]] = {}  # column k -> text -> API string
        self._rows: dict[int, dict[str, list[int]]] = {}

    def add_column(self, k: int, raw, api: list[str], skip_digits: bool) -> None:
        if set(map(type, raw)) <= _TEXT:  # a CSV: every cell is text
            texts = list(api)
        else:
            texts = [a if v.__class__ is str else "" for v, a in zip(raw, api)]
        self.texts[k], self.values[k] = texts, {}
        for text in dict.fromkeys(texts):  # in order of first appearance, at C speed
            if not text or (skip_digits and text.isdigit()):
                continue  # blank, or the same in every convention
            if text not in self.parsed:
                self.parsed[text] = self.parse(text)
            self.groups.append((k, text))

    def rows(self, k: int, text: str) -> list[int]:
        """The cells of column k holding text (indexed once per column, when first asked)."""
        index = self._rows.get(k)
        if index is None:
            index = self._rows[k] = {}
            for i, t in enumerate(self.texts[k]):
                if t:
                    index.setdefault(t, []).append(i)
        return index[text]

    def write(self, api_of) -> None:
        """Every column's texts -> their API strings (``api_of(k)`` is the column's list)."""
        for k, values in self.values.items():
            changed = {t: v for t, v in values.items() if v != t}  # most texts are sent as written
            if changed:
                api = api_of(k)
                api[:] = map(changed.get, self.texts[k], api)  # a text cell's api is its text

    def evidence(self, address) -> lc.Evidence:
        kind_of: dict[int, dict[str, str]] = {}  # column -> text -> convention or AMBIGUOUS
        for k, text in self.groups:
            p = self.parsed[text]
            if p is None or not (p.proves or p.ambiguous):
                continue
            kind_of.setdefault(k, {})[text] = p.proves or _AMBIGUOUS
        counts = self._counts(kind_of)
        first: dict[str, tuple[int, int, str]] = {}  # convention -> (row, column, text)
        for k, kinds in kind_of.items():
            wanted = set(kinds.values())
            for i, t in enumerate(self.texts[k]):
                found = kinds.get(t) if t else None
                if found in wanted:
                    wanted.discard(found)
                    if found not in first or (i, k) < first[found][:2]:
                        first[found] = (i, k, t)
                    if not wanted:
                        break
        cells = {c: (address(k, i), t) for c, (i, k, t) in first.items()}
        return lc.Evidence({c: v for c, v in cells.items() if c != _AMBIGUOUS},
                           cells.get(_AMBIGUOUS), counts)

    def _counts(self, kind_of: dict[int, dict[str, str]]) -> dict[str, int]:
        """Cells proving each convention. Only how many decides between two proven ones: with
        one, any number above zero says the same, so the cells are counted only then."""
        proven = {c for kinds in kind_of.values() for c in kinds.values() if c != _AMBIGUOUS}
        if len(proven) <= 1:
            return dict.fromkeys(proven, 1)
        counts: dict[str, int] = {}
        for k, kinds in kind_of.items():
            for text, n in Counter(self.texts[k]).items():
                found = kinds.get(text) if text else None
                if found is not None and found != _AMBIGUOUS:
                    counts[found] = counts.get(found, 0) + n
        return counts


_AMBIGUOUS = "ambiguous"
_TEXT = frozenset({str})


class _Sheet:
    """The columns of one sheet being localized, and how to name their cells."""

    def __init__(self, entity: Entity, columns: list[Column], converted: list[ConvertedColumn],
                 first_row: int, sheet: str, where: str) -> None:
        self.entity, self.columns, self.converted = entity, columns, converted
        self.first_row, self.sheet, self.where = first_row, sheet, where
        self.kinds = [entity.field(c.field).kind if c.field else None for c in columns]
        self.currency_col = next((k for k, c in enumerate(columns)
                                  if c.field and entity.field(c.field).currency), None)

    def address(self, k: int, i: int) -> str:
        return f"{self.columns[k].letter}{self.first_row + i}"

    def issue(self, k: int, i: int, code: str, message: str, value: str,
              severity: Severity = Severity.ERROR) -> None:
        column = self.columns[k]
        self.converted[k].issues.append(Issue(code, message, severity, self.sheet,
                                              self.first_row + i, column.letter, column.field,
                                              value))


def apply_conventions(entity: Entity, columns: list[Column], raws: list[tuple],
                      converted: list[ConvertedColumn], conventions: lc.Conventions,
                      first_row: int, sheet: str, where: str) -> list[Issue]:
    """Rewrite the API strings of text numbers and dates in place and add their issues; returns
    the file-level issues. ``raws[k]`` and ``converted[k]`` belong to ``columns[k]``."""
    s = _Sheet(entity, columns, converted, first_row, sheet, where)
    numbers, dates = _Cells(lc.number_text), _Cells(lc.date_text)
    for k, kind in enumerate(s.kinds):
        if kind is not None and kind.numeric:
            numbers.add_column(k, raws[k], converted[k].api, skip_digits=True)
        elif kind is Kind.DATE:
            dates.add_column(k, raws[k], converted[k].api, skip_digits=False)
    if numbers.groups:
        _numbers(s, numbers, conventions.decimal)
    return _dates(s, dates, conventions.date_order) if dates.groups else []


def _numbers(s: _Sheet, cells: _Cells, chosen: str | None) -> None:
    evidence = cells.evidence(s.address)
    decimal = lc.decide(evidence, chosen, lc.POINT)
    if decimal is None:
        at, text = evidence.ambiguous
        raise UnusableFile(lc.ambiguous_numbers_sentence(s.where, at, text, cells.parsed[text]))
    proof = None if chosen else evidence.proofs.get(decimal)
    for k, text in cells.groups:
        parsed = cells.parsed[text]
        if parsed is None or (parsed.percent and s.kinds[k] is not Kind.PERCENT):
            continue  # not a number: validation says so
        if decimal == lc.TIED and (parsed.proves or parsed.ambiguous):
            value, message = None, lc.tied_message(text, evidence, lc.DECIMAL_NAMES,
                                                   lc.DECIMAL_OPTION)
        else:
            value = parsed.point if decimal == lc.TIED else parsed.value(decimal)
            message = "" if value is not None else lc.number_convention_message(text, decimal,
                                                                                proof)
        if value is not None:
            cells.values[k][text] = value
        if message or parsed.currency:
            for i in cells.rows(k, text):
                if message:
                    s.issue(k, i, "number-convention", message, text)
                else:
                    _currency(s, k, i, text, parsed.currency, value)
    cells.write(lambda k: s.converted[k].api)


def _currency(s: _Sheet, k: int, i: int, text: str, currency: str, value: str) -> None:
    given = s.converted[s.currency_col].api[i].upper() if s.currency_col is not None else ""
    codes = lc.currency_codes(currency)
    if given and given not in codes:
        field = s.columns[s.currency_col].field
        named = next(iter(codes)) if len(codes) == 1 else currency
        s.issue(k, i, "currency-mismatch", f"{text!r} is in {named}, but this row's {field} "
                f"is {given}; correct the currency or the price.", text)
    else:
        s.issue(k, i, "currency-removed", f"The currency {currency!r} was removed from "
                f"{text!r}; {value} is sent.", text, Severity.WARNING)


def _dates(s: _Sheet, cells: _Cells, chosen: str | None) -> list[Issue]:
    evidence = cells.evidence(s.address)
    order = lc.decide(evidence, chosen, lc.MONTH_FIRST)
    notices = []
    if order is None:
        order = lc.MONTH_FIRST
        at, text = evidence.ambiguous
        notices.append(Issue("dates-read-month-first", lc.ambiguous_dates_notice(
            s.where, at, text, cells.parsed[text]), Severity.WARNING, s.sheet))
    proof = None if chosen else evidence.proofs.get(order)
    for k, text in cells.groups:
        parsed = cells.parsed[text]
        if parsed is None:
            continue  # no date form: validation says so
        code, value = "date-order", None
        if parsed.problem:
            code, message = parsed.problem, lc.date_problem_message(text, parsed)
        elif order == lc.TIED and (parsed.proves or parsed.ambiguous):
            message = lc.tied_message(text, evidence, lc.ORDER_NAMES, lc.ORDER_OPTION)
        else:
            value = parsed.day_first if order == lc.TIED else parsed.value(order)
            message = "" if value is not None or not parsed.proves else \
                lc.date_order_message(text, order, proof, parsed)
        if message:
            for i in cells.rows(k, text):
                s.issue(k, i, code, message, text)
        elif value is not None:
            cells.values[k][text] = value
    cells.write(lambda k: s.converted[k].api)
    return notices
