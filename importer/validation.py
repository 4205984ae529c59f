"""Validation: a Table -> a Report of every problem of every row, found in one pass.

The checks are pandera schemas generated from the registry (each field's kind decides its checks),
validated lazily so all failures are collected at once, then mapped back to cells: sheet, Excel row,
column letter, field, value. Errors make a row invalid; warnings do not. Rows marked ACTION=SKIP are
not validated (they are never sent).
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field as _field
from typing import Callable, Protocol, Sequence

import numpy as np
import pandas as pd

from importer.changes import CHANGE_CODES
from importer.entities import FLAG_VALUES, Entity, Kind
from importer.model import Action, Issue, Report, Row, Severity, Table
from importer.pricerules import RULE_CODES
from importer.reading import READING_CODES, gc_paused
from importer.references import REFERENCE_CODES

log = logging.getLogger(__name__)

SCHEMA_CODES = {
    "missing-value": "A field required to create the record is empty.",
    "invalid-date": "A date field is not a real date (YYYY-MM-DD, years 1900-9999).",
    "not-a-number": "A number field holds something that is not a plain number.",
    "negative-number": "A quantity, price or percentage is below zero.",
    "percent-out-of-range": "A percentage is above 100.",
    "too-long": "A value is longer than the field holds (NOTES: 32,765 characters).",
    "invalid-flag": "A Y/N field holds something other than Y or N.",
    "end-before-start": "The end date is before the effective date.",
    "duplicate-key": "Two or more rows have the same record key (every row of the group).",
    "currency-code": "A currency code is not three capital letters (warning).",
    "price-rises-with-quantity": "A unit price is above the one at a smaller quantity break "
                                 "(warning).",
}
# Every issue code the reader and the validator produce, with a one-line description.
ISSUE_CODES: dict[str, str] = {**SCHEMA_CODES, **READING_CODES, **CHANGE_CODES,
                               **REFERENCE_CODES, **RULE_CODES}
WARNING_CODES = frozenset({"currency-code", "price-rises-with-quantity", "whitespace-trimmed",
                           "currency-removed", "dates-read-month-first", "columns-not-sent",
                           "time-ignored", "hidden-row", "part-not-found-before",
                           "customer-not-found-before", "obsolete-part"})


class CheckSet(Protocol):
    """Checks another module registers with a validation run (reference checks, a price list's
    own rules): pandera checks over the same frame, with their own codes and messages."""

    codes: dict[str, str]  # code -> one-line description

    def fields(self) -> tuple[str, ...]:
        """Fields the frame must hold even when blank or absent from the file."""

    def checks(self, table: Table, frame: pd.DataFrame) -> list[tuple[Severity, str, object]]:
        """(severity, field, pandera Check) triples; a Check's name is its issue code."""

    def message(self, code: str, row: int, field: str, value: str | None) -> str:
        """The one sentence an issue of this set says at a cell."""

NUMBER = r"-?(?:\d+(?:\.\d*)?|\.\d+)"
INTEGER = r"-?\d+"
DATE_TEXT = r"\d{4}-\d{2}-\d{2}"
_NUMBER, _INTEGER, _DATE_TEXT = re.compile(NUMBER), re.compile(INTEGER), re.compile(DATE_TEXT)
MIN_YEAR = 1900


@dataclass
class _Context:
    """What one validation run knows besides the frame: the entity and the cross-row findings."""

    entity: Entity
    frame: pd.DataFrame
    duplicates: dict[int, list[int]]  # excel row -> the rows sharing its key
    rises: dict[int, tuple[str, str, str, str]]  # excel row -> (price, qty, lower price, lower qty)
    values: dict[int, dict[str, str]]  # excel row -> the row's values (fast lookups for messages)
    # registered check sets: severity -> field -> pandera checks, and each code's owner
    extra: dict[Severity, dict[str, list]] = _field(default_factory=dict)
    owners: dict[str, CheckSet] = _field(default_factory=dict)  # a registered code -> its set


def validate(table: Table, on_progress: Callable[[str], None] | None = None,
             checks: Sequence[CheckSet] | None = None) -> Report:
    """Every issue of every row of the table (reading's included), sorted by cell. ``checks``
    are further check sets (see CheckSet); None means the entity's default rules
    (importer.pricerules), with no master data."""
    if checks is None:
        from importer.pricerules import default_checks

        checks = default_checks(table.entity)
    with gc_paused():  # many small objects and no cycles: see importer.reading.gc_paused
        return _validate(table, on_progress, checks)


def _validate(table: Table, on_progress: Callable[[str], None] | None,
              checks: Sequence[CheckSet]) -> Report:
    import pandera.pandas as pa  # noqa: F401 - imported here: pandera is slow to import

    rows = [r for r in table.rows if r.action is not Action.SKIP]
    skipped = {r.excel_row for r in table.rows} - {r.excel_row for r in rows}
    frame = _frame(table, rows, {f for c in checks for f in c.fields()})
    _FACTORIZED.clear()
    try:
        keys = key_frame(table.entity, frame)
        values = {r.excel_row: r.values for r in rows}
        ctx = _Context(table.entity, frame, duplicate_groups(table.entity, keys),
                       price_rises(table.entity, frame, keys, values), values,
                       *_registered(checks, table, frame))
        found = _run(error_schema(ctx), ctx, table, Severity.ERROR)
        found += _run(warning_schema(ctx), ctx, table, Severity.WARNING)
    finally:
        _FACTORIZED.clear()
    reading = [i for i in table.issues if i.row not in skipped]
    spoiled = {(i.row, i.column) for i in reading if i.severity is Severity.ERROR}
    found = [i for i in found if (i.row, i.column) not in spoiled]
    issues = sorted(reading + found, key=_order)
    if on_progress:
        on_progress(f"validated {len(rows)} rows: {len(issues)} issues")
    log.info("validated %d rows of %s: %d issues", len(rows), table.path, len(issues))
    return Report(table=table, issues=issues)


def _order(issue: Issue) -> tuple:
    col = issue.column or ""
    return (issue.row or 0, len(col), col, issue.code)


def _registered(checks: Sequence[CheckSet], table: Table, frame: pd.DataFrame):
    extra: dict[Severity, dict[str, list]] = {Severity.ERROR: {}, Severity.WARNING: {}}
    owners: dict[str, CheckSet] = {}
    for check_set in checks:
        for severity, field, check in check_set.checks(table, frame):
            extra[severity].setdefault(field, []).append(check)
        owners.update({code: check_set for code in check_set.codes})
    return extra, owners


def _frame(table: Table, rows: list[Row], needed: set[str] = frozenset()) -> pd.DataFrame:
    """One column per field of the file, indexed by Excel row; optional all-blank columns left out
    (nothing to check there) unless a registered check needs them (absent ones are blank)."""
    names = list(table.fields) + [f for f in table.entity.field_names
                                  if f in needed and f not in table.fields]
    data = {f: [r.values.get(f) for r in rows] for f in names}
    required = set(table.entity.required_create) | set(needed)
    fields = [f for f, col in data.items() if f in required or any(v is not None for v in col)]
    data = {f: data[f] for f in fields}
    return pd.DataFrame(data, index=pd.Index([r.excel_row for r in rows], name="row"),
                        columns=fields, dtype=object)


# --- schemas -----------------------------------------------------------------------------------
def error_schema(ctx: _Context):
    import pandera.pandas as pa

    entity = ctx.entity
    columns = {}
    for name in ctx.frame.columns:
        f = entity.field(name)
        checks = _field_checks(f.kind, f.max_length) + ctx.extra[Severity.ERROR].get(name, [])
        columns[name] = pa.Column(object, nullable=name not in entity.required_create,
                                  checks=checks, required=False)
    checks = []
    if entity.start_date_field in ctx.frame and entity.end_date_field in ctx.frame:
        checks.append(pa.Check(lambda df: ~_end_before_start(ctx), name="end-before-start"))
    if ctx.duplicates:
        dup = pd.Series(ctx.frame.index.isin(list(ctx.duplicates)), index=ctx.frame.index)
        checks.append(pa.Check(lambda df: ~dup, name="duplicate-key"))
    return pa.DataFrameSchema(columns, checks=checks)


def _field_checks(kind: Kind, max_length: int | None) -> list:
    import pandera.pandas as pa

    def check(fn, code):
        return pa.Check(fn, name=code, ignore_na=True)

    out = []
    if kind is Kind.DATE:
        out.append(check(lambda s: per_value(s, _date_ok), "invalid-date"))
    if kind is Kind.INTEGER:
        out.append(check(lambda s: per_value(s, _INTEGER.fullmatch), "not-a-number"))
    elif kind.numeric:
        out.append(check(lambda s: per_value(s, _NUMBER.fullmatch), "not-a-number"))
    if kind.numeric:
        out.append(check(lambda s: ~(_numbers(s) < 0), "negative-number"))
    if kind is Kind.PERCENT:
        out.append(check(lambda s: ~(_numbers(s) > 100), "percent-out-of-range"))
    if kind is Kind.FLAG:
        out.append(check(lambda s: s.isin(FLAG_VALUES), "invalid-flag"))
    if max_length:
        out.append(check(lambda s: s.str.len() <= max_length, "too-long"))
    return out


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


def warning_schema(ctx: _Context):
    import pandera.pandas as pa

    columns = {}
    for name in ctx.frame.columns:
        checks = list(ctx.extra[Severity.WARNING].get(name, []))
        if ctx.entity.field(name).currency:
            checks.append(pa.Check(lambda s: s.str.fullmatch("[A-Z]{3}"), name="currency-code",
                                   ignore_na=True))
        if checks:
            columns[name] = pa.Column(object, nullable=True, checks=checks)
    checks = []
    if ctx.rises:
        rises = pd.Series(ctx.frame.index.isin(list(ctx.rises)), index=ctx.frame.index)
        checks.append(pa.Check(lambda df: ~rises, name="price-rises-with-quantity"))
    return pa.DataFrameSchema(columns, checks=checks)


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


def _end_before_start(ctx: _Context) -> pd.Series:
    start = ctx.frame[ctx.entity.start_date_field]
    end = ctx.frame[ctx.entity.end_date_field]
    both = per_value(start, _valid_or_false) & per_value(end, _valid_or_false)
    return both & (end.where(both, "") < start.where(both, ""))


def _valid_or_false(value) -> bool:
    return isinstance(value, str) and _date_ok(value)


# --- cross-row findings ------------------------------------------------------------------------
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


# --- failures -> issues ------------------------------------------------------------------------
def _run(schema, ctx: _Context, table: Table, severity: Severity) -> list[Issue]:
    import pandera.pandas as pa

    try:
        schema.validate(ctx.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    cases = cases[cases["index"].notna()]
    out: list[Issue] = []
    seen: set[tuple[str, int, str]] = set()
    letters = {c.field: c.letter for c in table.columns if c.field}
    for check, column, row in zip(cases["check"].tolist(), cases["column"].tolist(),
                                  cases["index"].tolist()):
        code = "missing-value" if check == "not_nullable" else str(check)
        if code not in ISSUE_CODES and code not in ctx.owners:
            log.warning("unexpected schema failure %s on %s", check, column)
            continue
        row = int(row)
        field = _target(ctx.entity, code, column)
        if (code, row, field) in seen:
            continue
        seen.add((code, row, field))
        value = ctx.values[row].get(field)
        owner = ctx.owners.get(code)
        text = (owner.message(code, row, field, value) if owner is not None
                else message(ctx, code, row, field, value))
        out.append(Issue(code, text, severity, table.sheet, row, letters.get(field), field,
                         value))
    return out


def _target(entity: Entity, code: str, column: str) -> str:
    """The field a check's issue is shown on (row-wide checks point at one cell)."""
    if code == "end-before-start":
        return entity.end_date_field
    if code == "duplicate-key":
        return entity.key[0]
    if code == "price-rises-with-quantity":
        return entity.unit_price_field
    return column


def message(ctx: _Context, code: str, row: int, field: str, value: str | None) -> str:
    entity = ctx.entity
    if code == "missing-value":
        return f"{field} is required to create a {entity.label}; fill it in."
    if code == "invalid-date":
        return _date_message(field, value or "")
    if code == "not-a-number":
        whole = "a whole number" if entity.field(field).kind is Kind.INTEGER else "a number"
        return (f"{field} must be {whole} written with digits and a decimal point (like 10 or "
                f"10.5), not {value!r}.")
    if code == "negative-number":
        return f"{field} must not be negative ({value}); correct it."
    if code == "percent-out-of-range":
        return f"{field} is a percentage and must be at most 100, not {value}."
    if code == "too-long":
        return (f"{field} has {len(value or ''):,} characters but holds at most "
                f"{entity.field(field).max_length:,}; shorten it.")
    if code == "invalid-flag":
        return f"{field} must be Y or N, not {value!r}."
    if code == "end-before-start":
        start = ctx.values[row][entity.start_date_field]
        return (f"{field} {value} is before {entity.start_date_field} {start}; correct one of "
                "them.")
    if code == "duplicate-key":
        others = ", ".join(str(r) for r in ctx.duplicates[row] if r != row)
        key = "/".join(ctx.values[row].get(k, "") for k in entity.key)
        return (f"Rows {row} and {others} have the same key {key} "
                f"({' + '.join(entity.key)}); keep only one of them.")
    if code == "currency-code":
        return f"{field} {value!r} is not a three-letter currency code such as USD or EUR."
    if code == "price-rises-with-quantity":
        price, qty, lower_price, lower_qty = ctx.rises[row]
        return (f"{field} {price} at quantity {qty} is higher than {lower_price} at the smaller "
                f"quantity {lower_qty} for the same part, price code and date; check the breaks.")
    return ISSUE_CODES[code]


def _date_message(field: str, value: str) -> str:
    if re.fullmatch(NUMBER, value):
        return (f"{field} holds the number {value}, not a date; format the cell as a date or "
                "type the date as YYYY-MM-DD.")
    if re.fullmatch(DATE_TEXT, value) and value[:4] < str(MIN_YEAR):
        return f"{field} {value} is before the year {MIN_YEAR}; correct the year."
    from importer.reading.locale import invalid_date_hint

    return (f"{field} {value!r} is not a valid date; use a date cell, YYYY-MM-DD or DD.MM.YYYY."
            + invalid_date_hint(value))


def report_as_dict(report: Report) -> dict:
    """The report as plain data (what `importer validate --json` prints)."""
    table = report.table
    return {
        "file": str(table.path), "sheet": table.sheet, "entity": table.entity.name,
        "format": table.file_format, "header_row": table.header_row, "rows": len(table.rows),
        "ok": report.ok, "errors": len(report.errors), "warnings": len(report.warnings),
        "invalid_rows": sorted(report.invalid_rows), "counts": report.counts_by_code(),
        "issues": [{**i.to_dict(), "address": i.address} for i in report.issues],
    }
