"""`write_validation_workbook`: the person's sheet, every problem marked; an Issues sheet."""
from __future__ import annotations

from operator import attrgetter
from pathlib import Path
from typing import Sequence

from importer.model import VALIDATION_COLUMNS, Issue, Report, Severity
from importer.workbooks import annotated, columnwise, styles as st
from importer.workbooks.annotated import Layout, Painted, add_annotated_sheet, issue_text
from importer.workbooks.changes import (
    CHANGE_COLUMN,
    CHANGE_NOTE,
    changed_cells,
    with_change_column,
    with_change_value,
)
from importer.workbooks.fastsheet import (
    LETTERS,
    FastWorkbook,
    StreamedSheet,
    hyperlink_xml,
    internal_location,
)
from importer.workbooks.columnwise import fragment
from importer.workbooks.sheets import safe_title
from importer.workbooks.xmltext import escape_attr

VALID, WARNING, INVALID = "VALID", "WARNING", "INVALID"
STATUS_NOTE = ("VALID: no problem found.\nWARNING: will be sent as is; check the amber cells.\n"
               "INVALID: will not be sent; fix the red cells (their comments say how).")
ISSUE_HEADERS = ("sheet", "cell", "row", "column", "field", "value", "severity", "code", "message")
ISSUE_WIDTHS = (14, 9, 7, 8, 18, 24, 9, 24, 90)


def row_status(issues: list[Issue]) -> str:
    if any(i.severity is Severity.ERROR for i in issues):
        return INVALID
    return WARNING if issues else VALID


def write_validation_workbook(report: Report | Sequence[Report], out: Path,
                              changes=None) -> Path:
    """Write the annotated copy of the checked sheet and the list of issues to ``out``; with the
    rows' change classes (importer.checks.changes) a CHANGE column and the changed cells marked. For
    several reports (a sheet each, in their order), ``changes`` is a sequence of one per report
    (or None), and one Issues sheet lists every sheet's issues."""
    if isinstance(report, Report):
        reports, classes = [report], [changes]
    else:
        reports = list(report)
        classes = list(changes) if changes is not None else [None] * len(reports)
    fw = FastWorkbook()
    titles: dict[str, str] = {}
    for each, each_changes in zip(reports, classes):
        titles[each.table.sheet] = add_validation_sheet(fw, each, set(titles.values()),
                                                        each_changes)
    issues = [i for each in reports for i in each.issues]
    first = titles[reports[0].table.sheet]
    add_issues_sheet(fw, first, issues, safe_title("Issues", set(titles.values())), titles)
    fw.save(Path(out))
    return Path(out)


def add_validation_sheet(fw: FastWorkbook, report: Report, taken: set[str],
                         changes=None) -> str:
    """Add the annotated copy of ``report``'s sheet; returns its title (not one in ``taken``)."""
    table = report.table
    by_row = report.issues_by_row()
    layout = Layout(table, with_change_column(VALIDATION_COLUMNS, changes),
                    status_colours=st.VALIDATION_COLOURS,
                    header_notes={VALIDATION_COLUMNS[0]: STATUS_NOTE, CHANGE_COLUMN: CHANGE_NOTE})

    clean = Painted(VALID, (VALID, ""))  # a row without issues (most of them), made once

    def paint(excel_row: int) -> Painted:
        issues = by_row.get(excel_row)
        if not issues and changes is None:
            return clean
        issues = issues or []
        status = row_status(issues)
        return Painted(status, with_change_value((status, issue_text(issues)), changes,
                                                 excel_row))

    return add_annotated_sheet(fw, safe_title(table.sheet, taken), layout, paint, report.issues,
                               changed_cells(table, changes)).title


def add_issues_sheet(fw: FastWorkbook, data_title: str, issues: list[Issue], title: str,
                     titles: dict[str, str] | None = None) -> None:
    """One row per issue (file-level ones first), each with a link to its cell: on the data
    sheet ``titles[issue.sheet]`` when given (several sheets), else on ``data_title``."""
    titles = titles or {}
    ws = fw.add_sheet(title, helper=True)
    for i, width in enumerate(ISSUE_WIDTHS):
        ws.column_dimensions[LETTERS[i]].width = width
    ws.freeze_panes = "A2"
    st.print_wide(ws, 1)
    rank = {sheet: n for n, sheet in enumerate(titles)}
    ordered = sorted(issues, key=lambda i: (i.row is not None, rank.get(i.sheet, 0), i.row or 0,
                                            i.column or ""))
    ws.auto_filter.ref = f"A1:{LETTERS[len(ISSUE_HEADERS) - 1]}{len(ordered) + 1}"
    header = fw.style(font=st.WHITE_BOLD, fill=st.fill(st.HEADER))
    link = fw.style(font=st.LINK)
    centre = fw.style(alignment=st.CENTER)
    error = fw.style(fill=st.fill(st.STRONG_RED))
    warning = fw.style(fill=st.fill(st.AMBER))
    links: list[str] = []

    def rows():
        yield 1, [(i, h, header) for i, h in enumerate(ISSUE_HEADERS)]
        for n, issue in enumerate(ordered, start=2):
            cell = "" if issue.row is None else (
                f"{issue.column}{issue.row}" if issue.column else f"row {issue.row}")
            if issue.row is not None:
                target = f"{issue.column or 'A'}{issue.row}"
                where = titles.get(issue.sheet, data_title)
                links.append(hyperlink_xml(f"B{n}", internal_location(where, target)))
            severity = error if issue.severity is Severity.ERROR else warning
            yield n, [(0, issue.sheet or data_title, 0), (1, cell, link if cell else 0),
                      (2, issue.row, centre), (3, issue.column, centre), (4, issue.field, 0),
                      (5, issue.value, 0), (6, issue.severity.value, severity),
                      (7, issue.code, 0), (8, issue.message, 0)]

    def xml():
        """The same rows as ``rows``, column by column (workbooks.columnwise.Grid)."""
        grid = columnwise.Grid(len(ISSUE_HEADERS))
        link_attr = fragment("x", link).split(" t=", 1)[0]  # '" s="N"' before the text
        yield grid.xml([1], [([h], header) for h in ISSUE_HEADERS])
        for start in range(0, len(ordered), columnwise.CHUNK):
            chunk = ordered[start:start + columnwise.CHUNK]
            numbers = range(start + 2, start + 2 + len(chunk))
            rows_of = list(map(attrgetter("row"), chunk))
            columns_of = list(map(attrgetter("column"), chunk))
            cells = ["" if r is None else f"{c}{r}" if c else f"row {r}"
                     for r, c in zip(rows_of, columns_of)]
            cell_frags = [fragment(cell, link if cell else 0) if cell.__class__ is not str
                          or len(cell) > 20 or not cell.isascii() or not cell.isalnum()
                          else f'{link_attr} t="inlineStr"><is><t>{cell}</t></is></c>'
                          for cell in cells]
            yield grid.xml(numbers, [
                ([i.sheet or data_title for i in chunk], 0),
                (cell_frags, columnwise.RAW),
                (columnwise.number_fragments(rows_of, centre), columnwise.RAW),
                (columns_of, centre),
                (list(map(attrgetter("field"), chunk)), 0),
                (list(map(attrgetter("value"), chunk)), 0),
                ([i.severity.value for i in chunk],
                 [error if i.severity is Severity.ERROR else warning for i in chunk]),
                (list(map(attrgetter("code"), chunk)), 0),
                (list(map(attrgetter("message"), chunk)), 0)])

    def hyperlinks():
        """The same links as ``rows`` makes, made while they are written."""
        places: dict[tuple, str] = {}  # (sheet, column) -> the escaped "'title'!C" of a link
        for n, issue in enumerate(ordered, start=2):
            if issue.row is not None:
                place = places.get((issue.sheet, issue.column))
                if place is None:
                    where = titles.get(issue.sheet, data_title)
                    place = places[issue.sheet, issue.column] = escape_attr(
                        internal_location(where, issue.column or "A"))
                location = f"{place}{issue.row}"  # a row number needs no escaping
                yield f'<hyperlink ref="B{n}" location="{location}" display="{location}"/>'

    fast = annotated.COLUMNWISE
    fw.stream(StreamedSheet(ws, rows, max_col=len(ISSUE_HEADERS) - 1, last_row=len(ordered) + 1,
                            hyperlinks=hyperlinks if fast else links,
                            xml=xml if fast else None))
