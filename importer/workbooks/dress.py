"""Where the person looks on an annotated data sheet: panes frozen below the header and right of
the key columns, and input columns empty in every row grouped and collapsed (an outline), so the
tool's STATUS and MESSAGE columns follow the used columns on screen while every cell keeps its
address. A column holding a marked cell is never collapsed (its message would be hidden)."""
from __future__ import annotations

from typing import Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importer.model import Column, Frame, Table

MAX_FROZEN = 6  # key columns further right than this would freeze most of a screen: rows only


def freeze_column(table: Table, columns: Sequence[Column]) -> int:
    """0-based index of the first column right of the key columns (0 = freeze rows only)."""
    keys = [c.index for c in columns if c.field in table.entity.key]
    last = max(keys, default=-1)
    return last + 1 if 0 <= last < MAX_FROZEN else 0


def freeze(ws: Worksheet, table: Table, columns: Sequence[Column]) -> None:
    col = freeze_column(table, columns)
    ws.freeze_panes = f"{get_column_letter(col + 1)}{table.header_row + 1}"


def empty_columns(table: Table, columns: Sequence[Column], frame: Frame,
                  marked: set[int]) -> list[int]:
    """0-based indexes of the input columns blank in every row and holding no marked cell."""
    position = {c.index: i for i, c in enumerate(table.columns)}
    used = set()
    for c in columns:
        if c.field:
            if any(frame.data.get(c.field, ())):
                used.add(c.index)
        else:
            p = position[c.index]
            if p < len(frame.shown) and any(map(str.strip, map(str, frame.shown[p]))):
                used.add(c.index)
    return sorted(c.index for c in columns if c.index not in used and c.index not in marked)


def collapse(ws: Worksheet, indexes: list[int]) -> None:
    """Group each run of adjacent columns (outline level 1) and collapse it."""
    if not indexes:
        return
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    for run in runs:
        first, last = get_column_letter(run[0] + 1), get_column_letter(run[-1] + 1)
        ws.column_dimensions.group(first, last, hidden=True, outline_level=1)
        ws.column_dimensions[get_column_letter(run[-1] + 2)].collapsed = True
    ws.column_dimensions.max_outline = 1  # openpyxl writes sheetFormatPr from it before <cols>
    ws.sheet_properties.outlinePr.summaryRight = True
