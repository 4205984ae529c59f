"""What the workbooks show of change classes: the CHANGE column, the changed cells' comments and
the Summary's counts per class with the largest price changes."""
from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from importer.checks.changes import CHANGE_MEANING, Change, RowChange, counts, largest_price_changes
from importer.model import CHANGE_COLUMN, Table
from importer.workbooks import styles as st

CHANGE_NOTE = "\n".join(f"{c.value}: {m}" for c, m in CHANGE_MEANING.items()) + (
    "\nCompared with the last known record: what the ERP returned the last time this tool "
    "created or updated the key (run and date in each blue cell's comment).")
CHANGE_COLOURS = {Change.NEW: st.GREEN, Change.CHANGED: st.CHANGED, Change.UNCHANGED: st.GREY,
                  Change.NEW_PRICE: st.CHANGED}


def with_change_column(columns: tuple[str, ...], changes) -> tuple[str, ...]:
    """The tool's columns with CHANGE second (after STATUS) when the rows were classified."""
    return columns if changes is None else (columns[0], CHANGE_COLUMN, *columns[1:])


def with_change_value(values: tuple, changes: dict[int, RowChange] | None, row: int) -> tuple:
    if changes is None:
        return values
    change = changes.get(row)
    return (values[0], change.change.value if change else "", *values[1:])


def changed_cells(table: Table, changes: dict[int, RowChange] | None
                  ) -> dict[tuple[int, int], str]:
    """(Excel row, 0-based column) -> 'was 189.00 (run 3, 2026-11-24)' for every changed cell."""
    if not changes:
        return {}
    columns = {c.field: c.index for c in table.columns if c.field}
    return {(row, columns[cell.field]): change.note(cell)
            for row, change in changes.items() for cell in change.cells if cell.field in columns}


def add_change_summary(ws: Worksheet, top: int, table: Table,
                       changes: dict[int, RowChange] | None) -> None:
    """Counts per change class, then the ten largest price changes, from row ``top`` down."""
    if changes is None:
        return
    st.set_text(ws.cell(row=top, column=1),
                "What changes, against the last known records").font = st.BOLD
    _header(ws, top + 1, ("Change", "Rows", "Meaning"))
    found = counts(changes)
    for n, change in enumerate(Change, start=top + 2):
        cell = st.set_text(ws.cell(row=n, column=1), change.value)
        cell.font, cell.fill = st.BOLD, st.fill(CHANGE_COLOURS[change])
        ws.cell(row=n, column=2, value=found[change]).alignment = st.CENTER
        st.set_text(ws.cell(row=n, column=3), CHANGE_MEANING[change])
    top += len(Change) + 3
    largest = largest_price_changes(changes)
    st.set_text(ws.cell(row=top, column=1),
                f"Largest price changes ({len(largest)} shown)" if largest
                else "Largest price changes: none").font = st.BOLD
    if not largest:
        return
    _header(ws, top + 1, ("Cell", "Change", "Old -> new (record key)"))
    letters = {c.field: c.letter for c in table.columns if c.field}
    values = table.values_of({row for row, _cell in largest})
    for n, (row, cell) in enumerate(largest, start=top + 2):
        st.set_text(ws.cell(row=n, column=1), f"{letters.get(cell.field, '')}{row} {cell.field}")
        st.set_text(ws.cell(row=n, column=2), f"{cell.percent:+.1f}%").alignment = st.CENTER
        key = table.entity.describe_key(table.entity.key_of(values.get(row, {})))
        st.set_text(ws.cell(row=n, column=3), f"{cell.old} -> {cell.new} ({key})")


def _header(ws: Worksheet, row: int, names: tuple[str, ...]) -> None:
    for col, name in enumerate(names, start=1):
        cell = st.set_text(ws.cell(row=row, column=col), name)
        cell.font, cell.fill = st.WHITE_BOLD, st.fill(st.HEADER)
