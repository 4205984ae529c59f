"""The rows to check as factorized columns, and the column-wise tests of validation.

Each field of the file becomes a `Column`: one integer code per row (-1 where the cell is blank)
and the distinct values the codes point at. Every test of a value (a plain number? a real
date? a known part?) runs once per distinct value and is mapped back to the rows with one numpy
take, and every check of a validation run reads the same codes (a price list repeats its
values a lot: a million rows hold a few thousand dates, quantities and prices). The cross-row
findings (comparable keys, duplicate keys, prices that rise with the quantity break) work on
integer group ids with numpy, not on sorted and grouped frames of text. Used by validation, the
price-list rules (periods) and the reference checks.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable, Iterable, Sequence

import numpy as np

from importer.entities import Entity
from importer.model import Frame

NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
INTEGER = r"-?\d+"
DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
_NUMBER, _INTEGER, _DATE_TEXT = re.compile(NUMBER), re.compile(INTEGER), re.compile(DATE_TEXT)
MIN_YEAR = 1900


LARGE = 250_000  # values from which pandas' hash table pays for importing pandas (0.16 s)


def _factorize(values: list, blank: str | None = None) -> tuple[np.ndarray, list]:
    """(a code per value, -1 for None and for ``blank`` ('' in a frame's column); the distinct
    values in order of first appearance). Up to LARGE values with dicts (as fast as
    pandas.factorize there, and validation is the only user of pandas: a command need not
    import it); beyond, pandas.factorize (faster on a million values with many distinct ones).
    Both give the same codes."""
    if len(values) > LARGE:
        import pandas as pd

        if not isinstance(values, np.ndarray):
            values = np.array(values + [None], dtype=object)[:-1]  # 1-d whatever the values
        codes, uniques = pd.factorize(values)
        uniques = list(uniques)
        codes = codes.astype(np.intp, copy=False)
        if blank is not None and blank in uniques:  # blank: -1, the later codes one lower
            j = uniques.index(blank)
            del uniques[j]
            codes = np.where(codes == j, -1, codes - (codes > j))
        return codes, uniques
    seen = dict.fromkeys(values)
    seen.pop(None, None)
    if blank is not None:
        seen.pop(blank, None)
    uniques = list(seen)
    ids = dict(zip(uniques, range(len(uniques))))
    ids[None] = -1
    if blank is not None:
        ids[blank] = -1
    return np.fromiter(map(ids.__getitem__, values), dtype=np.intp, count=len(values)), uniques


class Column:
    """One field of the rows: ``codes`` (one per row, -1 = blank) into ``uniques``."""

    __slots__ = ("name", "codes", "uniques", "_numbers")

    def __init__(self, name: str, codes: np.ndarray, uniques: list[str]) -> None:
        self.name, self.codes, self.uniques = name, codes, uniques
        self._numbers: np.ndarray | None = None

    @classmethod
    def of(cls, name: str, values: list, blank: str | None = None) -> "Column":
        """The column of ``values``; None and ``blank`` stand for a blank cell."""
        return cls(name, *_factorize(values, blank))

    @property
    def blank(self) -> np.ndarray:
        return self.codes < 0

    @property
    def given(self) -> np.ndarray:
        return self.codes >= 0

    def spread(self, per_unique: Iterable, blank, dtype=bool) -> np.ndarray:
        """A value per row from one per distinct value (and ``blank`` for blank cells)."""
        n = len(self.uniques)
        out = np.empty(n + 1, dtype=dtype)
        out[:n] = np.fromiter(per_unique, dtype=dtype, count=n)
        out[n] = blank  # code -1 takes the last element
        return out[self.codes]

    def per_value(self, test: Callable[[str], object], blank: bool = False) -> np.ndarray:
        """test() of each row's value, run once per distinct value; ``blank`` for blank cells."""
        return self.spread(map(test, self.uniques), blank)  # fromiter takes each as a bool

    def isin(self, ids) -> np.ndarray:
        """Whether each row's value is among ``ids`` (a set or dict); False where blank."""
        return self.per_value(ids.__contains__)

    def unique_numbers(self) -> np.ndarray:
        """Each distinct value as a float; NaN where it is not a plain number."""
        if self._numbers is None:
            self._numbers = np.fromiter(
                (float(u) if _NUMBER.fullmatch(u) else np.nan for u in self.uniques),
                dtype=float, count=len(self.uniques))
        return self._numbers

    def numbers(self, blank: float = np.nan) -> np.ndarray:
        """Each row's value as a float: NaN where not a plain number, ``blank`` where blank."""
        return np.append(self.unique_numbers(), blank)[self.codes]

    def ranks(self, extra: Sequence = ()) -> tuple[np.ndarray, list]:
        """(the rank of each distinct value, then of each of ``extra``, in sorted order; the
        sorted values): comparisons of text as integers."""
        values = sorted(set(self.uniques).union(extra))
        rank = {v: k for k, v in enumerate(values)}
        return np.fromiter(map(rank.__getitem__, [*self.uniques, *extra]), dtype=np.int64,
                           count=len(self.uniques) + len(extra)), values


class Columns:
    """The rows a validation run checks (ACTION=SKIP left out), column by column: ``frame``
    holds their values, ``excel_rows`` their numbers."""

    def __init__(self, frame: Frame, names: list[str]) -> None:
        self.frame = frame
        self.excel_rows = np.array(frame.excel_rows, dtype=np.int64)
        self.names = names
        n = len(frame)
        self._columns = {f: Column.of(f, frame.data[f], "") if f in frame.data else
                         Column(f, np.full(n, -1, dtype=np.intp), []) for f in names}
        self._positions: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> Column:
        return self._columns[name]

    def get(self, name: str) -> Column:
        """The column, or an all-blank one for a field the rows do not hold."""
        found = self._columns.get(name)
        if found is None:
            found = Column(name, np.full(len(self.frame), -1, dtype=np.intp), [])
        return found

    def position(self, excel_row: int) -> int:
        if self._positions is None:
            self._positions = {r: k for k, r in enumerate(self.frame.excel_rows)}
        return self._positions[excel_row]

    def values(self, excel_row: int) -> dict[str, str]:
        return self.frame.values_at(self.position(excel_row))

    def value(self, k: int, name: str | None) -> str | None:
        """Row ``k``'s value of field ``name``; None where blank."""
        column = self.frame.data.get(name) if name else None
        return (column[k] or None) if column is not None else None


def _date_ok(text: str) -> bool:
    if not _DATE_TEXT.fullmatch(text):
        return False
    try:
        return dt.date.fromisoformat(text).year >= MIN_YEAR
    except ValueError:
        return False


def _valid_or_false(value) -> bool:
    return isinstance(value, str) and _date_ok(value)


def combine(ids: list[np.ndarray]) -> np.ndarray:
    """One group id per row from several id columns (equal ids in every column = equal group
    id); compact, so any number of columns fits."""
    out = np.zeros(len(ids[0]) if ids else 0, dtype=np.int64)
    for col in ids:
        width = int(col.max()) + 1 if len(col) else 1
        out = np.unique(out * width + col, return_inverse=True)[1].astype(np.int64, copy=False)
    return out


def canonical_ids(entity: Entity, name: str, col: Column, blank: object) -> np.ndarray:
    """An id per row for a key field: numbers compared as numbers ('10.0' == '10', a plain
    number as its float), other text exactly; ``blank`` stands for a blank cell."""
    if not entity.field(name).numeric:
        return np.where(col.codes < 0, len(col.uniques), col.codes)  # text: its own codes
    forms = [float(u) if _NUMBER.fullmatch(u) else u for u in col.uniques] + [blank]
    table: dict = {}
    ids = np.fromiter(map(lambda v: table.setdefault(v, len(table)), forms), dtype=np.int64,
                      count=len(forms))
    return ids[col.codes]


class Keys:
    """The rows' record keys, comparable: numbers canonical ('10.0' == '10'), the server's
    defaults filled in; only rows with every field needed to create (``complete``)."""

    def __init__(self, entity: Entity, cols: Columns) -> None:
        self.entity = entity
        self.complete = np.ones(len(cols), dtype=bool)
        for name in entity.required_create:
            self.complete &= cols[name].given
        self.ids: dict[str, np.ndarray] = {}
        for name in entity.key:
            default = ("0" if name in entity.create_defaults else "") \
                if entity.field(name).numeric else ""
            blank = float(default) if default else ""
            self.ids[name] = canonical_ids(entity, name, cols.get(name), blank)

    @classmethod
    def of(cls, entity: Entity, cols: Columns) -> "Keys | None":
        if not all(k in cols for k in entity.required_create):
            return None
        return cls(entity, cols)

    def group(self, fields: list[str]) -> np.ndarray:
        return combine([self.ids[f] for f in fields])


def duplicate_groups(entity: Entity, keys: Keys | None,
                     cols: Columns) -> dict[int, list[int]]:
    """Excel row -> the rows (in file order) sharing its complete key, for keys given twice."""
    if keys is None or not keys.complete.any():
        return {}
    where = np.flatnonzero(keys.complete)
    gid = keys.group(list(entity.key))[where]
    counts = np.bincount(gid)
    twice = counts[gid] > 1
    if not twice.any():
        return {}
    where, gid = where[twice], gid[twice]
    order = np.argsort(gid, kind="stable")
    rows, gid = cols.excel_rows[where[order]].tolist(), gid[order]
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]]).tolist() + [len(rows)]
    groups: dict[int, list[int]] = {}
    for a, b in zip(starts, starts[1:]):
        members = rows[a:b]
        for r in members:
            groups[r] = members
    return dict(sorted(groups.items()))


def price_rises(entity: Entity, cols: Columns,
                keys: Keys | None) -> dict[int, tuple[str, str, str, str]]:
    """Rows whose unit price is higher than at the next smaller quantity break of the same group:
    excel row -> (price, qty, lower price, lower qty)."""
    price, qty = entity.unit_price_field, entity.quantity_break_field
    if keys is None or price not in cols or qty not in cols:
        return {}
    q, p = cols[qty].numbers(), cols[price].numbers()
    where = np.flatnonzero(keys.complete & ~np.isnan(q) & ~np.isnan(p))
    if len(where) < 2:
        return {}
    gid = keys.group([k for k in entity.key if k != qty])[where]
    q, p = q[where], p[where]
    order = np.lexsort((where, q, gid))  # by group, then quantity, then file order
    gid, q, p, where = gid[order], q[order], p[order], where[order]
    rising = np.flatnonzero((gid[1:] == gid[:-1]) & (p[1:] > p[:-1]) & (q[1:] > q[:-1]))
    out = {}
    for k in rising.tolist():
        r, lower = cols.frame.values_at(where[k + 1]), cols.frame.values_at(where[k])
        out[int(cols.excel_rows[where[k + 1]])] = (r[price], r[qty], lower[price], lower[qty])
    return out
