"""A sheet in the template's layout (header in row 1, the entity's fields in documented order),
holding rows: used by the failed-rows workbook and the export."""
from __future__ import annotations

from typing import Sequence

from openpyxl.worksheet.worksheet import Worksheet

from importer.entities import Entity
from importer.model import Severity
from importer.workbooks import styles as st
from importer.workbooks.annotated import comment_list
from importer.workbooks.fastsheet import LETTERS, FastWorkbook, StreamedSheet
from importer.workbooks.templates import TEXT_FORMAT, fill_data_sheet
from importer.workbooks.typed import FORMATS, TypedCache, kinds_of

Notes = dict[tuple[int, int], tuple[Severity, str]]  # (Excel row, 0-based column) -> severity, text


def add_template_sheet(fw: FastWorkbook, entity: Entity, extra: Sequence[str],
                       rows: list[list[str]], notes: Notes | None = None,
                       title: str | None = None) -> Worksheet:
    """The template's data sheet (formats, validations, marked headers) with ``rows`` from row 2;
    numbers and dates of number and date fields become typed cells (workbooks.typed), every
    other value text. ``notes`` mark cells red (error) or amber with a comment."""
    notes = notes or {}
    ws = fw.add_sheet(title or entity.label)
    fill_data_sheet(ws, entity, tuple(extra))
    headers = list(entity.field_names) + list(extra)
    header_styles = [ws.cell(row=1, column=i + 1).style_id for i in range(len(headers))]
    last = len(headers) - 1
    ws.auto_filter.ref = f"A1:{LETTERS[last]}{len(rows) + 1}"
    text = fw.style(number_format=TEXT_FORMAT)
    marked = {Severity.ERROR: fw.style(fill=st.fill(st.STRONG_RED), font=st.ERROR_FONT,
                                       number_format=TEXT_FORMAT),
              Severity.WARNING: fw.style(fill=st.fill(st.AMBER), number_format=TEXT_FORMAT)}
    for i, header in enumerate(extra, start=len(entity.fields)):
        ws.column_dimensions[LETTERS[i]].width = 60 if i == last else max(12, len(header) + 4)

    formats = {fmt: fw.style(number_format=fmt) for fmt in FORMATS}
    warned = {fmt: fw.style(fill=st.fill(st.AMBER), number_format=fmt) for fmt in FORMATS}
    kinds = [(i, kind) for i, kind in enumerate(kinds_of(entity, headers)) if kind]
    cache = TypedCache()

    def typed_cells(n: int, cells: list) -> list:
        """Number and date cells typed; a warned one too (amber), an error cell stays as typed
        by the person (text)."""
        for i, kind in kinds:
            note = notes.get((n, i))
            if i < len(cells) and cells[i][1] and (note is None or note[0] is Severity.WARNING):
                found = cache.get(cells[i][1], kind)
                if found:
                    cells[i] = (i, found[0], (formats if note is None else warned)[found[1]])
        return cells

    def stream():
        yield 1, [(i, h, s) for i, (h, s) in enumerate(zip(headers, header_styles))]
        for n, values in enumerate(rows, start=2):
            cells = [(i, v, marked[notes[(n, i)][0]] if (n, i) in notes else text)
                     for i, v in enumerate(values)]
            yield n, [c for c in typed_cells(n, cells) if c[1] != "" or (n, c[0]) in notes]

    fw.stream(StreamedSheet(ws, stream, max_col=last, last_row=len(rows) + 1,
                            notes=comment_list(notes)))
    return ws
