"""Validation: a Table -> a Report of every problem of every row, found in one pass.

The rows become factorized columns (`importer.checks.columns.Columns`): each field's checks
(generated from the registry: its kind decides them) and the registered check sets' run once per
distinct value of a column and are mapped back to the rows, so a million rows cost what their few
thousand distinct values cost, plus one numpy take per check. Each check gives where it fails;
the failures become issues at their cells: sheet, Excel row, column letter, field, value,
sorted by cell. Errors make a row invalid; warnings do not. Rows marked ACTION=SKIP are not
validated (they are never sent).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Callable, Protocol, Sequence

import numpy as np

from importer.checks.codes import ISSUE_CODES, SCHEMA_CODES, WARNING_CODES  # noqa: F401
from importer.checks.columns import (
    _INTEGER,
    _NUMBER,
    Column,
    Columns,
    Keys,
    _date_ok,
    duplicate_groups,
    price_rises,
)
from importer.checks.messages import _target, message, report_as_dict  # noqa: F401
from importer.entities import FLAG_VALUES, Entity, Kind
from importer.model import Action, Frame, Issue, Report, Severity, Table
from importer.reading import gc_paused

log = logging.getLogger(__name__)


class CheckSet(Protocol):
    """Checks another module registers with a validation run (reference checks, a price list's
    own rules): column-wise tests over the same rows, with their own codes and messages."""

    codes: dict[str, str]  # code -> one-line description

    def fields(self) -> tuple[str, ...]:
        """Fields the rows must hold even when blank or absent from the file."""

    def checks(self, table: Table, cols: Columns) -> list[tuple[Severity, str, str, np.ndarray]]:
        """(severity, field, code, a bool per row of ``cols``: True where the check fails);
        a field the rows do not hold is not checked."""

    def message(self, code: str, row: int, field: str, value: str | None) -> str:
        """The one sentence an issue of this set says at a cell."""


class _RowValues:
    """excel row -> the row's values (what messages look up)."""

    def __init__(self, cols: Columns) -> None:
        self._cols = cols

    def __getitem__(self, row: int) -> dict[str, str]:
        return self._cols.values(row)


@dataclass
class _Context:
    """What one validation run knows besides the columns: the entity and the cross-row findings."""

    entity: Entity
    cols: Columns
    duplicates: dict[int, list[int]]  # excel row -> the rows sharing its key
    rises: dict[int, tuple[str, str, str, str]]  # excel row -> (price, qty, lower price, lower qty)
    values: _RowValues  # excel row -> the row's values (for messages)
    # registered check sets: severity -> field -> (code, where it fails), and each code's owner
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
    frame, skipped = table.frame, set()
    if frame.actions and Action.SKIP in frame.actions:
        keep = [k for k, a in enumerate(frame.actions) if a is not Action.SKIP]
        skipped = set(frame.excel_rows) - {frame.excel_rows[k] for k in keep}
        frame = frame.take(keep)
    cols = _columns(table, frame, {f for c in checks for f in c.fields()})
    keys = Keys.of(table.entity, cols)
    ctx = _Context(table.entity, cols, duplicate_groups(table.entity, keys, cols),
                   price_rises(table.entity, cols, keys), _RowValues(cols),
                   *_registered(checks, table, cols))
    found = _issues(_errors(ctx), ctx, table, Severity.ERROR)
    found += _issues(_warnings(ctx), ctx, table, Severity.WARNING)
    reading = [i for i in table.issues if i.row not in skipped]
    spoiled = {(i.row, i.column) for i in reading if i.severity is Severity.ERROR}
    found = [i for i in found if (i.row, i.column) not in spoiled]
    issues = sorted(reading + found, key=_order)
    if on_progress:
        on_progress(f"validated {len(frame)} rows: {len(issues)} issues")
    log.info("validated %d rows of %s: %d issues", len(frame), table.path, len(issues))
    return Report(table=table, issues=issues)


def _order(issue: Issue) -> tuple:
    col = issue.column or ""
    return (issue.row or 0, len(col), col, issue.code)


def _registered(checks: Sequence[CheckSet], table: Table, cols: Columns):
    extra: dict[Severity, dict[str, list]] = {Severity.ERROR: {}, Severity.WARNING: {}}
    owners: dict[str, CheckSet] = {}
    for check_set in checks:
        for severity, field, code, fails in check_set.checks(table, cols):
            extra[severity].setdefault(field, []).append((code, fails))
        owners.update({code: check_set for code in check_set.codes})
    return extra, owners


def _columns(table: Table, frame: Frame, needed: set[str] = frozenset()) -> Columns:
    """One column per field of the file; optional all-blank columns left out (nothing to check
    there) unless a registered check needs them (absent ones are blank)."""
    names = list(table.fields) + [f for f in table.entity.field_names
                                  if f in needed and f not in table.fields]
    given = {f for f, values in frame.data.items() if any(values)}
    required = set(table.entity.required_create) | set(needed)
    return Columns(frame, [f for f in names if f in required or f in given])


# --- the checks: (code, field, where it fails) -------------------------------------------------
def _errors(ctx: _Context):
    """The error checks, column by column in the file's order, then the row-wide ones."""
    entity, cols = ctx.entity, ctx.cols
    for name in cols.names:
        col = cols[name]
        if name in entity.required_create:
            yield "missing-value", name, col.blank
        f = entity.field(name)
        for code, fails in _field_checks(col, f.kind, f.max_length):
            yield code, name, fails
        for code, fails in ctx.extra[Severity.ERROR].get(name, []):
            yield code, name, fails
    start, end = entity.start_date_field, entity.end_date_field
    if start in cols and end in cols:
        yield "end-before-start", None, _end_before_start(cols[start], cols[end])
    if ctx.duplicates:
        yield "duplicate-key", None, np.isin(cols.excel_rows, list(ctx.duplicates))


def _field_checks(col: Column, kind: Kind, max_length: int | None):
    """(code, where it fails) of a field's own checks; a blank cell fails none of them."""
    if kind is Kind.DATE:
        yield "invalid-date", col.per_value(_date_ok) ^ col.given
    if kind is Kind.INTEGER:
        yield "not-a-number", col.per_value(_INTEGER.fullmatch) ^ col.given
    elif kind.numeric:
        yield "not-a-number", col.per_value(_NUMBER.fullmatch) ^ col.given
    if kind.numeric:
        yield "negative-number", col.spread(col.unique_numbers() < 0, False)
    if kind is Kind.PERCENT:
        yield "percent-out-of-range", col.spread(col.unique_numbers() > 100, False)
    if kind is Kind.FLAG:
        yield "invalid-flag", col.per_value(FLAG_VALUES.__contains__) ^ col.given
    if max_length:
        yield "too-long", col.per_value(lambda u: len(u) > max_length)


def _end_before_start(start: Column, end: Column) -> np.ndarray:
    """Rows whose end date is before their start date (both real dates)."""
    both = start.per_value(_date_ok) & end.per_value(_date_ok)
    out = np.zeros(len(both), dtype=bool)
    if both.any():
        start_rank, texts = start.ranks(end.uniques)
        end_rank = start_rank[len(start.uniques):]
        where = np.flatnonzero(both)
        out[where] = end_rank[end.codes[where]] < start_rank[start.codes[where]]
    return out


def _warnings(ctx: _Context):
    entity, cols = ctx.entity, ctx.cols
    for name in cols.names:
        yield from ((code, name, fails) for code, fails in
                    ctx.extra[Severity.WARNING].get(name, []))
        if entity.field(name).currency:
            col = cols[name]
            yield "currency-code", name, col.per_value(_CURRENCY.fullmatch) ^ col.given
    if ctx.rises:
        yield "price-rises-with-quantity", None, np.isin(cols.excel_rows, list(ctx.rises))


_CURRENCY = __import__("re").compile("[A-Z]{3}")


# --- failures -> issues ------------------------------------------------------------------------
def _issues(failures, ctx: _Context, table: Table, severity: Severity) -> list[Issue]:
    out: list[Issue] = []
    seen: set[tuple[str, int, str]] = set()
    letters = {c.field: c.letter for c in table.columns if c.field}
    cols = ctx.cols
    for code, column, fails in failures:
        where = np.flatnonzero(fails)
        if not len(where):
            continue
        if code not in ISSUE_CODES and code not in ctx.owners:
            log.warning("unexpected check %s on %s", code, column)
            continue
        field = _target(ctx.entity, code, column)
        owner = ctx.owners.get(code)
        for row, k in zip(cols.excel_rows[where].tolist(), where.tolist()):
            if (code, row, field) in seen:
                continue
            seen.add((code, row, field))
            value = cols.value(k, field)
            text = (owner.message(code, row, field, value) if owner is not None
                    else message(ctx, code, row, field, value))
            out.append(Issue(code, text, severity, table.sheet, row, letters.get(field), field,
                             value))
    return out
