"""What a row would change: its class (NEW, CHANGED, UNCHANGED, NEW PRICE) and old -> new per cell.

Pure functions over a row's values and the last known record of its key (what the ERP returned the
last time this tool created or updated it on that server and data source; the API has no read
endpoint, so "last known", with the run and date it comes from). Nothing here reads a file or the
journal; ``importer.journal.history`` loads the known records and stores the classes.

- Values are compared by meaning: numbers as decimals (``189`` = ``189.00``), dates as dates, any
  other text exactly. Only the cells a row gives are compared (a blank cell is not sent).
- A key never seen is NEW, unless the entity has a start date in its key (a price line's
  EFFECTIVE_DATE) and a known record with the same key otherwise, the same currency and an earlier
  start date exists: the row is then a NEW PRICE, compared with the latest such record (the price
  it supersedes), cell by cell like a CHANGED row.
- The price-jump guard: a price field that moves by more than ``max_price_change`` percent against
  its last known value is a warning on that cell (``strict`` makes every warning an error).
"""
from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import operator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from functools import lru_cache
from typing import Iterable

from importer.entities import Entity, Kind
from importer.model import Issue, Report, Severity, Table

DEFAULT_MAX_PRICE_CHANGE = 50.0  # percent
CHANGE_CODES = {
    "price-jump": "A price moves by more than --max-price-change percent against its last known "
                  "value (warning).",
}
LARGEST_SHOWN = 10  # price changes listed on the Summary sheet


class Change(str, Enum):
    """A row's change class, against the last known record of its key."""

    NEW = "NEW"
    CHANGED = "CHANGED"
    UNCHANGED = "UNCHANGED"
    NEW_PRICE = "NEW PRICE"


CHANGE_MEANING = {
    Change.NEW: "No record with this key is known on this server and data source.",
    Change.CHANGED: "At least one given cell differs from the last known value (coloured, "
                    "with the old value in its comment).",
    Change.UNCHANGED: "Every given cell equals the last known value.",
    Change.NEW_PRICE: "A new price line that supersedes one with an earlier effective date; "
                      "compared with that one.",
}


@dataclass(frozen=True)
class ChangeRules:
    """How changes affect a run: skip UNCHANGED rows, the price-jump limit, warnings as errors."""

    skip_unchanged: bool = False
    max_price_change: float = DEFAULT_MAX_PRICE_CHANGE
    strict: bool = False
    hold: tuple[str, ...] | None = None  # decisions that hold a row (None: the settings')


@dataclass(slots=True)
class Known:
    """The last known record of one key: its values, the run that returned it and the date."""

    values: dict[str, str]
    run_id: int | None = None
    date: str = ""  # YYYY-MM-DD

    @property
    def source(self) -> str:
        """'run 3, 2026-11-24'."""
        return ", ".join(p for p in (f"run {self.run_id}" if self.run_id else "", self.date) if p)


@dataclass(frozen=True)
class CellChange:
    field: str
    old: str
    new: str
    percent: float | None = None  # for a price field whose old value is not zero


@dataclass(slots=True)
class RowChange:
    change: Change
    cells: tuple[CellChange, ...] = ()
    known: Known | None = None  # the record compared with (None for NEW)
    supersedes: str = ""  # NEW PRICE: the start date of the price it supersedes

    def to_list(self) -> list:
        """[class, run, date, supersedes, [[field, old, new, percent], ...]] (for the journal)."""
        known = self.known
        return [self.change.value, known.run_id if known else None, known.date if known else "",
                self.supersedes, [[c.field, c.old, c.new, c.percent] for c in self.cells]]

    @classmethod
    def from_list(cls, d: list) -> "RowChange":
        change, run_id, date, supersedes, cells = d
        known = Known({}, run_id, date) if run_id or date else None
        return cls(Change(change), tuple(CellChange(*c) for c in cells), known, supersedes)

    def note(self, cell: CellChange) -> str:
        """The comment on a changed cell: 'was 189.00 (run 3, 2026-11-24), +4.0%'."""
        source = self.known.source if self.known else "last known"
        where = f" in the price from {self.supersedes}" if self.supersedes else ""
        text = f"was {cell.old or '(empty)'}{where} ({source})"
        return text + (f", {cell.percent:+.1f}%" if cell.percent is not None else "")


# --- comparing values -------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def same_value(kind: Kind, a: str, b: str) -> bool:
    """Equal by meaning: numbers as decimals, dates as dates, other text exactly."""
    if a == b:
        return True
    if kind.numeric:
        x, y = _decimal(a), _decimal(b)
        return x is not None and x == y
    if kind is Kind.DATE:
        x, y = _date(a), _date(b)
        return x is not None and x == y
    return False


def price_fields(entity: Entity) -> frozenset[str]:
    """The fields the price-jump guard watches: the unit price and other numeric price fields."""
    return frozenset(f.name for f in entity.fields
                     if f.unit_price or (f.numeric and "PRIC" in f.name))


def percent_change(old: str, new: str) -> float | None:
    x, y = _decimal(old), _decimal(new)
    if x is None or y is None or x == 0:
        return None
    return float((y - x) / abs(x) * 100)


@lru_cache(maxsize=65536)
def _norm_number(text: str) -> str:
    """A numeric key value as compared: by value ('1000.0' is '1000')."""
    if text.isdigit() and (text[0] != "0" or text == "0"):
        return text
    value = _decimal(text)
    return format(value.normalize(), "f") if value is not None else text


# --- classifying --------------------------------------------------------------------------------
class KnownIndex:
    """The known records of one entity, found by key (by meaning) and, for a price line, by the
    key without its start date (the prices a new line may supersede; indexed when first asked).

    A key is first looked up as spelled (an index built at C speed: the ERP's records and the
    rows nearly always spell a number the same way); only a key not found so is normalized and
    looked up by meaning, in an index built when first needed."""

    def __init__(self, entity: Entity, known: Iterable[Known]) -> None:
        self.entity = entity
        self._numeric = [i for i, k in enumerate(entity.key) if entity.field(k).kind.numeric]
        self._whole = operator.itemgetter(*entity.key)
        start = entity.start_date_field
        self._start = entity.key.index(start) if start in entity.key else None
        self._currency = next((f.name for f in entity.fields if f.currency), None)
        self._known = known if isinstance(known, list) else list(known)
        self._by_key: dict[tuple[str, ...], Known] | None = None
        try:
            spelled = list(map(self._whole, map(operator.attrgetter("values"), self._known)))
        except KeyError:  # a record without a key field: by meaning only
            spelled = None
        if spelled is not None and len(entity.key) == 1:
            spelled = [(k,) for k in spelled]
        self.by_spelling: dict[tuple[str, ...], Known] = (
            dict(zip(spelled, self._known)) if spelled is not None else self.by_key)
        self._lines: dict[tuple[str, ...], list[tuple[str, Known]]] | None = None

    @property
    def empty(self) -> bool:
        """Whether no record is known."""
        return not self._known

    @property
    def by_key(self) -> dict[tuple[str, ...], Known]:
        """Normalized key -> its known record (the last one wins, as in the journal)."""
        if self._by_key is None:
            key = self.key
            self._by_key = {key(item.values): item for item in self._known}
        return self._by_key

    def find(self, values: dict[str, str]) -> Known | None:
        """The known record of the row's key (by meaning)."""
        try:
            spelled = self._whole(values)
        except KeyError:
            return self.by_key.get(self.key(values))
        found = self.by_spelling.get(spelled if isinstance(spelled, tuple) else (spelled,))
        if found is None and self._numeric:
            return self.by_key.get(self.key(values))
        return found

    def key(self, values: dict[str, str]) -> tuple[str, ...]:
        try:
            key = self._whole(values)
        except KeyError:  # a key field not given
            key = tuple(values.get(name, "") for name in self.entity.key)
        if not isinstance(key, tuple):
            key = (key,)
        if not self._numeric:
            return key
        out = list(key)
        for i in self._numeric:
            out[i] = _norm_number(out[i] or "")
        return tuple(out)

    def _line(self, key: tuple[str, ...]) -> tuple[str, ...]:
        return key[:self._start] + key[self._start + 1:]

    def _price_lines(self) -> dict[tuple[str, ...], list[tuple[str, Known]]]:
        if self._lines is None:
            lines: dict[tuple[str, ...], list[tuple[str, Known]]] = {}
            for key, item in self.by_key.items():
                if key[self._start]:
                    lines.setdefault(self._line(key), []).append((key[self._start], item))
            self._lines = {k: sorted(v, key=lambda p: p[0]) for k, v in lines.items()}
        return self._lines

    def superseded(self, key: tuple[str, ...], values: dict[str, str]) -> Known | None:
        """The latest known price line with an earlier start date (and the row's currency)."""
        if self._start is None or not key[self._start]:
            return None
        candidates = self._price_lines().get(self._line(key))
        if not candidates:
            return None
        currency = values.get(self._currency, "") if self._currency else ""
        end = bisect.bisect_left([d for d, _ in candidates], key[self._start])
        for _date_text, item in reversed(candidates[:end]):
            if not currency or item.values.get(self._currency, "") == currency:
                return item
        return None


_NEW = RowChange(Change.NEW)


def _compared(entity: Entity) -> dict[str, Kind]:
    """The fields a row's cells are compared on (every field but the key), with their kinds."""
    return {f.name: f.kind for f in entity.fields if f.name not in entity.key}


def classify_row(entity: Entity, values: dict[str, str], known: Known | None,
                 superseded: Known | None = None, prices: frozenset[str] = frozenset(),
                 compared: dict[str, Kind] | None = None) -> RowChange:
    """The row's class and its changed cells (see the module docstring)."""
    if known is None and superseded is None:
        return _NEW
    target = (known or superseded).values
    kinds = compared if compared is not None else _compared(entity)
    cells = []
    for name, new in values.items():
        kind = kinds.get(name)
        if kind is None:
            continue
        old = target.get(name) or ""  # None: the record had no such field
        if old != new and not same_value(kind, old, new):
            cells.append(CellChange(name, old, new,
                                    percent_change(old, new) if name in prices else None))
    if known is None:
        start = superseded.values.get(entity.start_date_field or "", "")
        return RowChange(Change.NEW_PRICE, tuple(cells), superseded, start)
    return RowChange(Change.CHANGED if cells else Change.UNCHANGED, tuple(cells), known)


def classify_table(table: Table, known: Iterable[Known]) -> dict[int, RowChange]:
    """Excel row -> its RowChange, for every row of the table."""
    entity = table.entity
    index = known if isinstance(known, KnownIndex) else KnownIndex(entity, known)
    if index.empty:  # nothing known (a first import): every row is new
        return dict.fromkeys(table.excel_rows, _NEW)
    prices, compared = price_fields(entity), _compared(entity)
    names = [n for n in table.fields if n in compared]  # the cells this table can give
    given = operator.itemgetter(*names) if names else (lambda values: ())
    find, key_of = index.find, index.key
    out: dict[int, RowChange] = {}
    unchanged = Change.UNCHANGED
    for row in table.iter_rows():
        values = row.values
        found = find(values)
        if found is not None:  # the common case first: every given cell equal as text
            target = found.values
            try:
                same = given(values) == given(target)
            except KeyError:  # a cell not given (blank) or a field the record lacks
                same = all(values.get(n) in (None, target.get(n, "")) for n in names)
            if same:
                out[row.excel_row] = RowChange(unchanged, (), found)
                continue
        superseded = None if found else index.superseded(key_of(values), values)
        out[row.excel_row] = classify_row(entity, values, found, superseded, prices, compared)
    return out


def counts(changes: dict[int, RowChange]) -> dict[Change, int]:
    out = {c: 0 for c in Change}
    for change in changes.values():
        out[change.change] += 1
    return out


def largest_price_changes(changes: dict[int, RowChange], n: int = LARGEST_SHOWN
                          ) -> list[tuple[int, CellChange]]:
    """The n largest price changes in percent (by size, up or down): (Excel row, cell)."""
    found = [(row, cell) for row, change in changes.items() for cell in change.cells
             if cell.percent is not None]
    return sorted(found, key=lambda p: (-abs(p[1].percent), p[0]))[:n]


# --- the price-jump guard -------------------------------------------------------------------
def price_jumps(table: Table, changes: dict[int, RowChange], max_change: float) -> list[Issue]:
    """A warning on every price cell that moves by more than ``max_change`` percent."""
    letters = {c.field: c.letter for c in table.columns if c.field}
    out = []
    for row, change in changes.items():
        for cell in change.cells:
            if cell.percent is None or abs(cell.percent) <= max_change:
                continue
            out.append(Issue(
                "price-jump",
                f"{cell.field} changes by {cell.percent:+.1f}% ({cell.old} -> {cell.new}) "
                f"against the last known value ({change.known.source if change.known else ''}); "
                f"check it. The limit is --max-price-change {max_change:g}.",
                Severity.WARNING, table.sheet, row, letters.get(cell.field), cell.field,
                cell.new))
    return out


def guarded(report: Report, extra: list[Issue], strict: bool) -> Report:
    """The report with the guard's issues added; with ``strict`` every warning is an error."""
    issues = list(report.issues) + extra
    if strict:
        issues = [dataclasses.replace(i, severity=Severity.ERROR)
                  if i.severity is Severity.WARNING else i for i in issues]
    return Report(report.table, issues)


def unchanged_rows(changes: dict[int, RowChange]) -> dict[int, RowChange]:
    return {row: c for row, c in changes.items() if c.change is Change.UNCHANGED}


def skip_message(change: RowChange) -> str:
    """The SKIPPED row's message: 'Unchanged since run 3 (2026-11-24): not sent ...'."""
    known = change.known
    since = f"run {known.run_id}" if known and known.run_id else "the last known record"
    when = f" ({known.date})" if known and known.date else ""
    return f"Unchanged since {since}{when}: not sent (--skip-unchanged)."


__all__ = ["Change", "ChangeRules", "CellChange", "Known", "KnownIndex", "RowChange",
           "classify_row", "classify_table", "counts", "guarded", "largest_price_changes",
           "price_jumps", "same_value", "skip_message"]
