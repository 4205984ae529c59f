"""Column-wise tests of a validation frame: plain numbers and ISO dates, each distinct value tested
once (price lists repeat values a lot), and the cross-row findings (comparable keys, duplicate
keys, prices that rise with the quantity break). Pure functions of pandas columns; used by
validation and by the price-list rules (periods)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import numpy as np
import pandas as pd

from importer.entities import Entity

NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
INTEGER = r"-?\d+"
DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
_NUMBER, _INTEGER, _DATE_TEXT = re.compile(NUMBER), re.compile(INTEGER), re.compile(DATE_TEXT)
MIN_YEAR = 1900


_FACTORIZED: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}


def _factorize(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize, remembered during one validate() call: several checks read each column."""
    key = (s.name, len(s), s.hasnans)
    found = _FACTORIZED.get(key) if s.name is not None else None
    if found is None:
        found = pd.factorize(s, use_na_sentinel=False)
        if s.name is not None:
            _FACTORIZED[key] = found
    return found


def per_value(s: pd.Series, test: Callable[[str], object]) -> pd.Series:
    """test() applied once per distinct value (price lists repeat values a lot)."""
    codes, uniques = _factorize(s)
    results = np.fromiter((bool(test(u)) for u in uniques), dtype=bool, count=len(uniques))
    return pd.Series(results[codes], index=s.index)


def _numbers(s: pd.Series) -> pd.Series:
    """The plain numbers of a column as floats; NaN where the text is not a plain number."""
    codes, uniques = _factorize(s)
    values = np.fromiter((float(u) if isinstance(u, str) and _NUMBER.fullmatch(u) else np.nan
                          for u in uniques), dtype=float, count=len(uniques))
    return pd.Series(values[codes], index=s.index)


_DATE_CACHE: dict[str, bool] = {}


def _date_ok(text: str) -> bool:
    ok = _DATE_CACHE.get(text)
    if ok is None:
        ok = _is_date(text)
        if len(_DATE_CACHE) < 100_000:
            _DATE_CACHE[text] = ok
    return ok


def _is_date(text: str) -> bool:
    if not _DATE_TEXT.fullmatch(text):
        return False
    try:
        return dt.date.fromisoformat(text).year >= MIN_YEAR
    except ValueError:
        return False


def _valid_or_false(value) -> bool:
    return isinstance(value, str) and _date_ok(value)


def key_frame(entity: Entity, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The key columns, comparable: numbers canonical ('10.0' == '10'), server defaults filled."""
    if not all(k in frame for k in entity.required_create):
        return None
    keys = pd.DataFrame(index=frame.index)
    for name in entity.key:
        col = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)
        if entity.field(name).numeric:
            default = "0" if name in entity.create_defaults else ""
            nums = _numbers(col.fillna(default))
            col = nums.astype(object).where(nums.notna(), col)
        keys[name] = col.fillna("")
    complete = frame[list(entity.required_create)].notna().all(axis=1)
    return keys[complete]


def duplicate_groups(entity: Entity, keys: pd.DataFrame | None) -> dict[int, list[int]]:
    if keys is None or keys.empty:
        return {}
    dup = keys[keys.duplicated(keep=False)]
    groups: dict[int, list[int]] = {}
    for _, members in dup.groupby(list(entity.key), sort=False).groups.items():
        rows = [int(r) for r in members]
        for r in rows:
            groups[r] = rows
    return groups


def price_rises(entity: Entity, frame: pd.DataFrame, keys: pd.DataFrame | None,
                values: dict[int, dict[str, str]]) -> dict[int, tuple[str, str, str, str]]:
    """Rows whose unit price is higher than at the next smaller quantity break of the same group."""
    price, qty = entity.unit_price_field, entity.quantity_break_field
    if keys is None or price not in frame or qty not in frame:
        return {}
    group = [k for k in entity.key if k != qty]
    data = keys[group].assign(_q=_numbers(frame[qty]), _p=_numbers(frame[price]))
    data = data.dropna(subset=["_q", "_p"]).sort_values(group + ["_q"], kind="stable")
    by = data.groupby(group, sort=False)
    data = data.assign(_pq=by["_q"].shift(), _pp=by["_p"].shift(),
                       _row=data.index)
    rising = data[(data["_p"] > data["_pp"]) & (data["_q"] > data["_pq"])]
    prev_row = data["_row"].groupby([data[g] for g in group], sort=False).shift()
    lower = {int(r): int(prev_row[r]) for r in rising.index}
    return {r: (values[r][price], values[r][qty], values[p][price], values[p][qty])
            for r, p in lower.items()}


