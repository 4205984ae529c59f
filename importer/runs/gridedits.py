"""The page's edits to one sheet, as undoable steps: set any cell, apply a value to every cell of a
column holding the same text, find and replace in a column, fill down, skip a row.

    history = EditHistory()
    step = set_cells(table, [("F", 7)], "14,46", typing)       # -> Step (or BadOptions)
    history.push(step)                                         # one undoable step
    history.current.cells   # {(letter, row): text to write}   (corrections.write_corrected)
    history.current.skipped # rows not sent (the file has no ACTION column)
    history.undo(); history.redo()

Each operation is a plain function of the table as last read (its rows' displayed texts) and
returns a `Step`: the whole new state and a sentence naming it, so undo and redo are moves along a
list of states and every bulk fix is one step. A skipped row is written as ACTION=SKIP when the
sheet has that column; otherwise it is kept in the file as it was and marked SKIP when read
(`mark_skipped`), so it is never sent and its outcome says so.

What the typed text becomes in the file is `Typing.text_for`: a number field takes the number in
the file's own decimal convention (``14,46`` in a decimal-comma file; refused with a sentence
otherwise), an .xlsx gets a number cell when General shows exactly that number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from importer.entities import Kind
from importer.errors import BadOptions
from importer.model import Action, Table
from importer.reading import locale as lc
from importer.reading.header import sheet_picker
from importer.reading.limits import ReadLimits
from importer.reading.sources import load_grid

Cell = tuple[str, int]  # (column letter, excel row)
_GENERAL_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?\Z")
_NAMES = {lc.COMMA: "comma", lc.POINT: "point"}
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class EditState:
    """Every edit made so far: cell texts to write, and rows skipped without an ACTION column."""

    cells: dict[Cell, str] = field(default_factory=dict)
    skipped: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Step:
    state: EditState
    label: str  # "3 cells of PART_ID set to 000417"
    changed: int  # how many cells or rows the step changed


class EditHistory:
    """The states of one upload's edits; undo and redo move along them."""

    def __init__(self) -> None:
        self._states: list[tuple[EditState, str]] = [(EditState(), "")]
        self._at = 0

    @property
    def current(self) -> EditState:
        return self._states[self._at][0]

    def push(self, step: Step) -> None:
        del self._states[self._at + 1:]
        self._states.append((step.state, step.label))
        if len(self._states) > HISTORY_LIMIT:
            del self._states[1]
        self._at = len(self._states) - 1

    @property
    def undo_label(self) -> str | None:
        return self._states[self._at][1] if self._at > 0 else None

    @property
    def redo_label(self) -> str | None:
        return self._states[self._at + 1][1] if self._at + 1 < len(self._states) else None

    def undo(self) -> str:
        if self._at == 0:
            raise BadOptions("There is nothing to undo.")
        label = self._states[self._at][1]
        self._at -= 1
        return label

    def redo(self) -> str:
        if self._at + 1 >= len(self._states):
            raise BadOptions("There is nothing to redo.")
        self._at += 1
        return self._states[self._at][1]


# --- what a typed text becomes ---------------------------------------------------------------
@dataclass(frozen=True)
class Typing:
    """How typed text is written into this file: its format and decimal convention, and the
    kind of each column's field (None: not a field)."""

    file_format: str
    decimal: str | Callable[[], str]  # lc.COMMA or lc.POINT, or how to find it when needed
    kinds: dict[str, Kind | None]

    def _decimal(self) -> str:
        return self.decimal() if callable(self.decimal) else self.decimal

    def text_for(self, letter: str, typed: str) -> str:
        """The text to write for ``typed`` in column ``letter``; BadOptions (one sentence) for a
        number written the other way than the file writes its numbers."""
        kind = self.kinds.get(letter)
        text = typed.strip()
        if kind is None or not kind.numeric or not text:
            return typed
        parsed = lc.number_text(text)
        if parsed is None or parsed.currency:
            return typed  # not a plain number: the check says what is wrong with it
        decimal = lc.POINT if parsed.comma == parsed.point else self._decimal()
        value = parsed.value(decimal)
        if value is None:
            other = lc.POINT if decimal == lc.COMMA else lc.COMMA
            written = parsed.value(other) or text
            example = written.replace(".", ",") if decimal == lc.COMMA else written
            raise BadOptions(f"{text} is written with a decimal {_NAMES[other]}, but this file "
                             f"writes decimals with a {_NAMES[decimal]}: type {example}.")
        if self.file_format == "csv":
            return text  # in the file's own convention, read back as the same number
        if _GENERAL_NUMBER.match(value) and sum(ch.isdigit() for ch in value.lstrip("-0.")) <= 15:
            return value  # written as a number cell (corrections: a General number)
        return text


def file_decimal(path: Path, table: Table, chosen: str | None,
                 limits: ReadLimits | None = None) -> str:
    """The decimal separator the file's text numbers use (``chosen`` when the settings say),
    as the reader decides it: the convention most number cells prove, else a point."""
    if chosen:
        return chosen
    numeric = [c.index for c in table.columns
               if c.field and table.entity.field(c.field).kind.numeric]
    if not numeric:
        return lc.POINT
    grid = load_grid(Path(path), sheet_picker(Path(path), table.sheet, None), limits)
    counts = {lc.COMMA: 0, lc.POINT: 0}
    seen: dict[str, str | None] = {}
    for row in grid.rows[table.header_row:]:
        for i in numeric:
            value = row[i] if i < len(row) else None
            if value.__class__ is not str or not value or value.isdigit():
                continue
            if value not in seen:
                parsed = lc.number_text(value.strip())
                seen[value] = parsed.proves if parsed else None
            if seen[value]:
                counts[seen[value]] += 1
    return lc.COMMA if counts[lc.COMMA] > counts[lc.POINT] else lc.POINT


# --- the operations ----------------------------------------------------------------------------
def _column(table: Table, letter: str):
    column = next((c for c in table.columns if c.letter == letter), None)
    if column is None:
        raise BadOptions(f"There is no column {letter} in this sheet.")
    return column


def _position(table: Table, letter: str) -> int:
    return next(k for k, c in enumerate(table.columns) if c.letter == letter)


def _name(table: Table, letter: str) -> str:
    column = _column(table, letter)
    return column.field or column.header or letter


def _with_cells(state: EditState, cells: dict[Cell, str]) -> EditState:
    return EditState({**state.cells, **cells}, state.skipped)


def set_cells(table: Table, state: EditState, cells: list[Cell], typed: str,
              typing: Typing) -> Step:
    """Every cell in ``cells`` set to ``typed`` (as `Typing.text_for` writes it)."""
    rows = {r.excel_row for r in table.rows}
    for letter, row in cells:
        _column(table, letter)
        if row not in rows:
            raise BadOptions(f"There is no data cell {letter}{row} in this sheet.")
    if not cells:
        raise BadOptions("No cell was chosen.")
    written = {(letter, row): typing.text_for(letter, typed) for letter, row in cells}
    letter, row = cells[0]
    label = (f"{letter}{row} set to {typed!r}" if len(cells) == 1 else
             f"{len(cells)} cells of {_name(table, letter)} set to {typed!r}")
    return Step(_with_cells(state, written), label, len(cells))


def same_value_cells(table: Table, letter: str, row: int) -> list[Cell]:
    """The cells of column ``letter`` showing the same text as ``letter``+``row`` (that one
    first): where "apply to every row with this value" writes."""
    k = _position(table, _column(table, letter).letter)
    source = next((r for r in table.rows if r.excel_row == row), None)
    if source is None:
        raise BadOptions(f"There is no data cell {letter}{row} in this sheet.")
    text = source.cells[k]
    return [(letter, row)] + [(letter, r.excel_row) for r in table.rows
                              if r.cells[k] == text and r.excel_row != row]


def apply_to_same(table: Table, state: EditState, letter: str, row: int, typed: str,
                  typing: Typing) -> Step:
    cells = same_value_cells(table, letter, row)
    old = next(r.cells[_position(table, letter)] for r in table.rows if r.excel_row == row)
    step = set_cells(table, state, cells, typed, typing)
    return Step(step.state, f"{_name(table, letter)} {old!r} -> {typed!r} in {len(cells)} "
                f"row{'s' if len(cells) != 1 else ''}", len(cells))


def find_matches(table: Table, letter: str, find: str, whole: bool = False) -> list[Cell]:
    """The cells of column ``letter`` whose shown text holds ``find`` (or is it, ``whole``)."""
    if not find:
        raise BadOptions("Type the text to find.")
    k = _position(table, _column(table, letter).letter)
    return [(letter, r.excel_row) for r in table.rows
            if (r.cells[k] == find if whole else find in r.cells[k])]


def find_replace(table: Table, state: EditState, letter: str, find: str, replace: str,
                 typing: Typing, whole: bool = False) -> Step:
    """Every ``find`` in column ``letter`` replaced by ``replace``: one step."""
    k = _position(table, _column(table, letter).letter)
    matches = find_matches(table, letter, find, whole)
    if not matches:
        raise BadOptions(f"{find!r} is not in column {letter} ({_name(table, letter)}).")
    shown = {r.excel_row: r.cells[k] for r in table.rows}
    written = {(letter, row): typing.text_for(letter, replace if whole else
                                              shown[row].replace(find, replace))
               for letter, row in matches}
    return Step(_with_cells(state, written),
                f"{find!r} replaced by {replace!r} in {len(matches)} cell"
                f"{'s' if len(matches) != 1 else ''} of {_name(table, letter)}", len(matches))


def fill_down(table: Table, state: EditState, letter: str, first: int, last: int,
              typing: Typing) -> Step:
    """The text of ``letter``+``first`` written into the column's rows after it up to ``last``."""
    k = _position(table, _column(table, letter).letter)
    first, last = min(first, last), max(first, last)
    source = next((r for r in table.rows if r.excel_row == first), None)
    if source is None:
        raise BadOptions(f"There is no data cell {letter}{first} in this sheet.")
    targets = [(letter, r.excel_row) for r in table.rows if first < r.excel_row <= last]
    if not targets:
        raise BadOptions("Choose the cells to fill: the first one holds the value, "
                         "the ones below it get it (Shift and the arrow keys).")
    written = {cell: typing.text_for(letter, source.cells[k]) for cell in targets}
    return Step(_with_cells(state, written), f"{letter}{first} filled down to {letter}{last}",
                len(targets))


def skip_rows(table: Table, state: EditState, rows: list[int], skip: bool = True) -> Step:
    """Rows marked not to be sent (or sent again, ``skip=False``): ACTION=SKIP written when the
    sheet has an ACTION column, else the rows are kept as they are and left out."""
    known = {r.excel_row for r in table.rows}
    missing = [r for r in rows if r not in known]
    if not rows:
        raise BadOptions("No row was chosen.")
    if missing:
        raise BadOptions(f"There is no data row {missing[0]} in this sheet.")
    action = next((c for c in table.columns if c.is_action), None)
    verb = "skipped" if skip else "sent again"
    label = f"row {rows[0]} {verb}" if len(rows) == 1 else f"{len(rows)} rows {verb}"
    if action is not None:  # blank: the row gets the run's mode
        cells = {**state.cells, **{(action.letter, row): Action.SKIP.value if skip else ""
                                   for row in rows}}
        return Step(EditState(cells, state.skipped), label, len(rows))
    skipped = state.skipped | set(rows) if skip else state.skipped - set(rows)
    return Step(EditState(state.cells, frozenset(skipped)), label, len(rows))


def skipped_rows(table: Table, state: EditState) -> set[int]:
    """Rows not sent: those skipped here, and those whose ACTION cell is SKIP."""
    return set(state.skipped) | {r.excel_row for r in table.rows if r.action is Action.SKIP}


def mark_skipped(table: Table, rows) -> Table:
    """The rows skipped on the page read as ACTION=SKIP: not checked, never sent."""
    wanted = set(rows or ())
    if wanted:
        for row in table.rows:
            if row.excel_row in wanted:
                row.action = Action.SKIP
    return table
