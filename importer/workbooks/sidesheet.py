"""Outcomes that cannot follow the data: when the input's columns reach so far right (near XFD)
that the tool's columns and the ERP's block would not fit on the data sheet, they go to a sheet
of their own, one line per data row keyed by its Excel row number. The choice depends only on
the table's width, so it is the same before sending, after it and when `report` renders again.
"""
from __future__ import annotations

from typing import Callable

from openpyxl.utils import get_column_letter

from importer.workbooks import styles as st
from importer.workbooks.fastsheet import FastWorkbook, StreamedSheet
from importer.workbooks.sheets import safe_title

MAX_COLUMNS = 16384  # A .. XFD
ROW_HEADER = "ROW"


def outcomes_fit(first_appended: int, count: int) -> bool:
    """Whether ``count`` tool columns fit to the right of the data, starting at first_appended."""
    return first_appended + count <= MAX_COLUMNS


def add_outcome_sheet(fw: FastWorkbook, data_title: str, headers: list[str], rows: list[int],
                      paint: Callable, colours: dict[str, str | None]) -> str:
    """A sheet 'DATA results': ROW (the data sheet's row number) then the tool's columns;
    ``rows``: the data sheet's Excel rows, ``paint``: an Excel row's paint."""
    title = safe_title(f"{data_title} results", {data_title})
    ws = fw.add_sheet(title, helper=True)
    head = fw.style(font=st.WHITE_BOLD, fill=st.fill(st.TOOL_HEADER))
    all_headers = [ROW_HEADER, *headers]
    for col, header in enumerate(all_headers):
        ws.column_dimensions[get_column_letter(col + 1)].width = (
            60 if header == "MESSAGE" else st.width_for([header], maximum=40))
    ws.freeze_panes = "B2"
    st.print_wide(ws, 1)
    status_style = {k: fw.style(fill=st.fill(c), font=st.BOLD) for k, c in colours.items() if c}

    def stream():
        yield 1, [(i, h, head) for i, h in enumerate(all_headers)]
        for n, row in enumerate(rows, start=2):
            painted = paint(row)
            values = [row, *painted.appended, *painted.block]
            cells = [(i, v, 0) for i, v in enumerate(values)]
            if len(cells) > 1:
                cells[1] = (1, values[1], status_style.get(painted.status, 0))
            yield n, cells

    fw.stream(StreamedSheet(ws, stream, max_col=len(all_headers) - 1, last_row=len(rows) + 1,
                            notes=[]))
    return title
