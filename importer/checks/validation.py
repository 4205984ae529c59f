"""Validation: a Table -> a Report of every problem of every row, found in one pass.

The checks are pandera schemas generated from the registry (each field's kind decides its checks),
validated lazily so all failures are collected at once, then mapped back to cells: sheet, Excel row,
column letter, field, value. Errors make a row invalid; warnings do not. Rows marked ACTION=SKIP are
not validated (they are never sent).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field as _field
from itertools import repeat
from typing import Callable, Protocol, Sequence

import pandas as pd

from importer.checks.codes import ISSUE_CODES, SCHEMA_CODES, WARNING_CODES  # noqa: F401
from importer.checks.columns import (
    _FACTORIZED,
    _INTEGER,
    _NUMBER,
    _date_ok,
    _numbers,
    _valid_or_false,
    duplicate_groups,
    key_frame,
    per_value,
    price_rises,
)
from importer.checks.messages import _target, message, report_as_dict  # noqa: F401
from importer.entities import FLAG_VALUES, Entity, Kind
from importer.model import Action, Issue, Report, Row, Severity, Table
from importer.reading import gc_paused

log = logging.getLogger(__name__)


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
    (importer.checks.pricerules), with no master data."""
    if checks is None:
        from importer.checks.pricerules import default_checks

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
    values = [r.values for r in rows]
    data = {f: list(map(dict.get, values, repeat(f))) for f in names}  # C-level, per column
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


def _end_before_start(ctx: _Context) -> pd.Series:
    start = ctx.frame[ctx.entity.start_date_field]
    end = ctx.frame[ctx.entity.end_date_field]
    both = per_value(start, _valid_or_false) & per_value(end, _valid_or_false)
    return both & (end.where(both, "") < start.where(both, ""))


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


