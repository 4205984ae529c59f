"""close_previous in a run: the END_DATE updates planned by importer.checks.closing become rows of
the run itself, after the file's last row, so they are shown (dry run and results workbook, each
with a note saying old -> new END_DATE), sent in the same run, journaled like any row, resumed,
and undone by `importer revert` (which puts the old END_DATE back, a blank one included).

They are sent after the file's rows, and only once the row whose new line supersedes the old one
was applied: a close whose new line failed is NOT_RUN (the old line stays in force) and is sent
when the run is resumed after the row is fixed.
"""
from __future__ import annotations

from importer.checks.closing import CLOSE_CODE, Close, plan_closes, superseding_row
from importer.model import Action, Issue, Row, Severity, Table
from importer.rules import PriceRules


def enabled(table: Table, rules_config: dict | None) -> bool:
    rules = PriceRules.for_entity(table.entity, rules_config)
    return bool(rules and rules.close_previous)


def add_close_rows(table: Table, invalid: set[int], records: list[dict[str, str]]
                   ) -> dict[int, Close]:
    """Plan the closes of a new run and append them to ``table``: Excel row -> its Close."""
    closes = plan_closes(table.entity, table.rows, records, invalid)
    out: dict[int, Close] = {}
    last = max((r.excel_row for r in table.rows), default=table.header_row)
    for n, close in enumerate(closes, start=last + 1):
        values = close.values(table.entity)
        table.rows.append(Row(n, values, _cells(table, values), Action.UPDATE))
        out[n] = close
    return out


def resumed_close_rows(table: Table, stored: list[Row], records: list[dict[str, str]]
                       ) -> dict[int, Close]:
    """A resumed run's close rows, as journaled (``stored``: the run's rows the file does not
    hold), appended to ``table`` and described again from the known records."""
    entity, start, end = table.entity, table.entity.start_date_field, table.entity.end_date_field
    known = {entity.key_of(r): r for r in records}
    out: dict[int, Close] = {}
    for row in stored:
        by_row = superseding_row(entity, row.values, table.rows) or 0
        by_start = next((r.values.get(start, "") for r in table.rows if r.excel_row == by_row),
                        "")
        line = known.get(entity.key_of(row.values), {})
        old_end = line.get(end) or ""
        key = {k: v for k, v in row.values.items() if k != end}
        out[row.excel_row] = Close(key, row.values.get(start, ""),
                                   "" if old_end == row.values.get(end) else old_end,
                                   row.values.get(end, ""), by_row, by_start)
        table.rows.append(row)
    return out


def close_issues(table: Table, closes: dict[int, Close]) -> list[Issue]:
    """A note at each close row's END_DATE (or row): what it changes and why."""
    end = table.entity.end_date_field
    column = table.column_of(end)
    return [Issue(CLOSE_CODE, close.message(table.entity), Severity.WARNING, table.sheet, row,
                  column.letter if column else None, end, close.new_end)
            for row, close in closes.items()]


def close_changes(changes: dict, closes: dict[int, Close], end: str) -> dict:
    """The change classes with each close row CHANGED in its END_DATE (old -> new), also when
    the file has no END_DATE column to compare."""
    from importer.checks.changes import CellChange, Change, RowChange

    out = dict(changes)
    for row, close in closes.items():
        known = changes[row].known if row in changes else None
        out[row] = RowChange(Change.CHANGED, (CellChange(end, close.old_end, close.new_end),),
                             known)
    return out


def _cells(table: Table, values: dict[str, str]) -> list[str]:
    return [Action.UPDATE.value if c.is_action else values.get(c.field, "") if c.field else ""
            for c in table.columns]
