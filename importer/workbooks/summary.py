"""The Summary sheet of a results workbook: what ran, against what, how long, and the counts."""
from __future__ import annotations

from typing import Sequence

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.series import DataPoint
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from importer.humane import describe_server, local_time, plural
from importer.humane import duration as human_duration
from importer.model import RunInfo, Session, Status
from importer.workbooks import styles as st
from importer.workbooks.changes import add_change_summary
from importer.workbooks.decisions import Review, role_lines

CENTER = Alignment(horizontal="center")

LEGEND = (
    (st.STRONG_RED, "Error cell: the comment on the cell says what to fix."),
    (st.AMBER, "Warning cell: sent as is; the comment explains the doubt."),
    (st.CHANGED, "Changed cell: differs from the last known value, which its comment gives."),
    (st.ERP_HEADER, "ERP:… columns: what the ERP returned for the row (ignored on re-import)."),
)


def run_facts(run: RunInfo, rows: int, counts: dict[Status, int], warnings: int = 0,
              sessions: Sequence[Session] = (),
              review: Review | None = None) -> list[tuple[str, object]]:
    """Label -> value lines of the Summary; times local with their zone, durations in words."""
    timed = [s.duration_seconds for s in sessions if s.duration_seconds is not None]
    duration = sum(timed) if timed else run.duration_seconds
    sent = sum(counts.get(s, 0) for s in (Status.CREATED, Status.UPDATED, Status.FAILED))
    return [
        ("Input file", run.input_path),
        ("SHA-256 of the input", run.input_sha256),
        ("Sheet", run.sheet),
        ("Entity", run.entity),
        ("Mode", run.mode + (" (dry run: nothing sent)" if run.dry_run else "")),
        ("Server URL", describe_server(run.server_url)),
        ("Data source", run.data_source),
        ("User", run.user),
        *role_lines(review),
        ("Run id", run.run_id),
        ("Started", local_time(run.started_at)),
        ("Finished", local_time(run.finished_at) or "did not finish (interrupted)"),
        ("Time taken" + (" (all sessions)" if len(sessions) > 1 else ""),
         human_duration(duration)),
        ("Rows in the file", rows),
        ("Warnings (amber cells)", warnings),
        ("Rows sent per second", round(sent / duration, 1) if duration else ""),
        ("Calls made to the ERP", run.calls),
    ]


def fill_summary(ws: Worksheet, run: RunInfo, rows: int, counts: dict[Status, int],
                 warnings: int = 0, changes: tuple = (None, None), top: int = 1,
                 title: str = "Import results", legend: bool = True,
                 notes: Sequence[str] = (), sessions: Sequence[Session] = (),
                 next_step: str = "", review: Review | None = None) -> int:
    """``changes``: (table, the rows' change classes or None). Written from row ``top`` (a
    section of a Summary covering several sheets, one under the other): the title, the next
    step, the run's facts, counts with a chart, the sessions (a resumed run has several), the
    notes, the legend and the change classes; returns the first row after it. ``notes``:
    sentences about the whole file (columns not sent, how dates were read)."""
    st.set_text(ws.cell(row=top, column=1), title).font = st.TITLE
    if next_step:
        st.set_text(ws.cell(row=top + 1, column=1), "What to do next").font = st.BOLD
        cell = st.set_text(ws.cell(row=top + 1, column=2), next_step)
        cell.font, cell.alignment = st.BOLD, Alignment(horizontal="left")
    facts = run_facts(run, rows, counts, warnings, sessions, review)
    for n, (label, value) in enumerate(facts, start=top + 3):
        st.set_text(ws.cell(row=n, column=1), label).font = st.BOLD
        st.set_value(ws.cell(row=n, column=2), value).alignment = Alignment(horizontal="left")
    table = top + len(facts) + 4
    _counts_table(ws, table, counts)
    _chart(ws, table, max(counts.values(), default=0), f"E{top + 2}")
    after = _notes(ws, _sessions(ws, table + len(Status) + 2, sessions) + 1, notes)
    if legend:
        add_legend(ws, after)
        after += len(LEGEND) + 3
    add_change_summary(ws, after, *changes)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["C"].width = 66
    st.print_wide(ws)
    return ws.max_row + 1


def _counts_table(ws: Worksheet, top: int, counts: dict[Status, int]) -> None:
    for col, header in enumerate(("Status", "Rows", "Meaning"), start=1):
        cell = st.set_text(ws.cell(row=top, column=col), header)
        cell.font, cell.fill = st.WHITE_BOLD, st.fill(st.HEADER)
    for n, status in enumerate(Status, start=top + 1):
        cell = st.set_text(ws.cell(row=n, column=1), status.value)
        cell.font, cell.fill = st.BOLD, st.fill(st.STATUS_COLOURS[status])
        ws.cell(row=n, column=2, value=counts.get(status, 0)).alignment = CENTER
        st.set_text(ws.cell(row=n, column=3), st.STATUS_MEANING[status])


def nice_step(largest: int) -> int:
    """An axis step giving about five whole-number ticks (1, 2, 5, 10, 20, 50, ...)."""
    step = 1
    while largest / step > 6:
        for factor in (2, 5 / 2, 2):
            step = round(step * factor)
            if largest / step <= 6:
                break
    return step


def _chart(ws: Worksheet, top: int, largest: int, anchor: str = "E3") -> None:
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", "Rows by status", None
    chart.y_axis.title, chart.x_axis.title = "Rows", None
    chart.y_axis.majorGridlines = None
    chart.y_axis.majorUnit = nice_step(largest)
    chart.y_axis.scaling.min = 0
    chart.x_axis.scaling.orientation = "maxMin"  # CREATED at the top, as in the table
    chart.height, chart.width = 7.5, 14
    chart.y_axis.crosses = "max"  # with the categories reversed, this keeps the axis at the bottom
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False,
                                     showLegendKey=False, showPercent=False)
    data = Reference(ws, min_col=2, min_row=top, max_row=top + len(Status))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(Status)))
    series = chart.series[0]
    for index, status in enumerate(Status):
        point = DataPoint(idx=index)
        point.graphicalProperties.solidFill = st.CHART_COLOURS[status]
        point.graphicalProperties.line.solidFill = "808080"
        series.dPt.append(point)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    ws.add_chart(chart, anchor)


def _notes(ws: Worksheet, top: int, notes: Sequence[str]) -> int:
    """The notes from row ``top`` down; returns the next free row (after a blank one)."""
    if not notes:
        return top
    st.set_text(ws.cell(row=top, column=1), "About the file").font = st.BOLD
    for n, note in enumerate(notes, start=top + 1):
        cell = st.set_text(ws.cell(row=n, column=1), note)
        cell.alignment = st.WRAP_TOP
        ws.merge_cells(start_row=n, start_column=1, end_row=n, end_column=3)
        ws.row_dimensions[n].height = 15 * (len(note) // 95 + 1)
    return top + len(notes) + 2


def session_line(number: int, session: Session) -> str:
    """'2026-12-01 10:02:03 CET, 3 min 2 s: 56 rows sent, 60 calls'."""
    took = human_duration(session.duration_seconds) or "did not finish"
    return (f"{local_time(session.started_at)}, {took}: {plural(session.rows_sent, 'row')} sent, "
            f"{plural(session.calls, 'call')}")


def _sessions(ws: Worksheet, top: int, sessions: Sequence[Session]) -> int:
    """The run's sessions, one line each; returns the next free row."""
    if not sessions:
        return top
    st.set_text(ws.cell(row=top, column=1), "Sessions of this run").font = st.BOLD
    for n, session in enumerate(sessions, start=1):
        st.set_text(ws.cell(row=top + n, column=1), f"Session {n}")
        st.set_text(ws.cell(row=top + n, column=2), session_line(n, session))
    return top + len(sessions) + 2


def add_legend(ws: Worksheet, top: int) -> None:
    """The colours of the data sheets, from row ``top`` down."""
    st.set_text(ws.cell(row=top, column=1), "Colours on the data sheet").font = st.BOLD
    for n, (colour, text) in enumerate(LEGEND, start=top + 1):
        ws.cell(row=n, column=1).fill = st.fill(colour)
        st.set_text(ws.cell(row=n, column=2), text)
    st.set_text(ws.cell(row=top + len(LEGEND) + 1, column=2),
                "Each row is coloured by its STATUS (see the table above).")
