"""The annotated sheets written column by column (workbooks.columnwise) hold exactly the cells the
row-by-row path writes: values, types, number formats, comments, fills, fonts and borders, on a
few thousand rows with errors, warnings, typed numbers and dates, changed cells, the outcome
block, the Issues and Summary sheets, and a sheet so wide that the outcomes go to a side sheet."""
from __future__ import annotations

import random

import openpyxl
import pytest

from importer.checks.changes import CellChange, Change, Known, RowChange
from importer.checks.validation import validate
from importer.model import RowOutcome, RunInfo, Status
from importer.reading import read_table
from importer.workbooks import annotated, write_results_workbook, write_validation_workbook
from test_workbooks_support import issue, make_table

ROWS = 3000
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "ITEM_DISC_PCT", "", "NOTES", "MY OWN COLUMN"]


def _value_rows(n: int) -> list[list]:
    rng = random.Random(29)
    rows = []
    for i in range(n):
        part = f"{i // 5:06d}" if i % 3 == 0 else f"PART-{i // 5:05d}"
        date = rng.choice(["2026-12-01", "2026-13-01", " 2027-01-15", "01/02/2027", ""])
        qty = rng.choice([1, 10, 50, "x", 100, 2.5, ""])
        price = rng.choice([10.5, 9, "12,50", "189.00", -1, 0.1 + 0.2, 1e16, "abc", 7])
        disc = rng.choice(["", 5, 2.5, "10%"])
        currency = rng.choice(["USD", "EUR", "usd", "XXX", ""])
        note = rng.choice(["", "", "=1+1", "  spaced  ", "line\nbreak", "<&>\"'", "\u00e9t\u00e9"])
        rows.append([part, rng.choice(["LP", "DL", ""]), date, qty, currency, price, disc,
                     "", note, rng.choice(["", "mine", 3])])
    return rows


@pytest.fixture(scope="module")
def price_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("streaming") / "march.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws.append(["March price list", None, "draft"])
    ws.append([])
    ws.append(HEADER)
    for row in _value_rows(ROWS):
        ws.append(row)
    wb.save(path)
    return path


def _both(monkeypatch, tmp_path, write) -> tuple:
    paths = []
    for columnwise in (False, True):
        monkeypatch.setattr(annotated, "COLUMNWISE", columnwise)
        out = tmp_path / f"{'columns' if columnwise else 'rows'}.xlsx"
        write(out)
        paths.append(out)
    return tuple(paths)


def _cells(path) -> dict:
    """Every cell's content and look, and each sheet's own properties."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        out[(ws.title, "sheet")] = (ws.freeze_panes, ws.auto_filter.ref, ws.max_row, ws.max_column,
                                    {k: d.width for k, d in ws.column_dimensions.items()},
                                    sorted((h.ref, h.location) for h in ws._hyperlinks))
        for c in list(ws._cells.values()):  # the cells the file holds (a wide sheet: few)
            if c.value is None and not c.has_style and c.comment is None:
                continue  # an empty cell without a style: left out or written empty
            out[(ws.title, c.coordinate)] = (
                c.value, c.data_type, c.number_format, c.comment.text if c.comment else None,
                c.fill.fill_type, c.fill.fgColor.rgb, c.font.b, c.font.color and c.font.color.rgb,
                c.border.left.style, c.alignment.horizontal,
                c.hyperlink.location if c.hyperlink else None)
    return out


def _assert_same(rows_path, columns_path) -> None:
    expected, got = _cells(rows_path), _cells(columns_path)
    assert len(expected) > ROWS  # the comparison covers the data
    differing = [k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k)]
    assert not differing, [(k, expected.get(k), got.get(k)) for k in sorted(differing)[:5]]


def test_validation_workbook_is_the_same_cell_by_cell(price_file, monkeypatch, tmp_path):
    report = validate(read_table(price_file))
    assert report.issues and any(i.severity.value == "warning" for i in report.issues)
    rows, columns = _both(monkeypatch, tmp_path,
                          lambda out: write_validation_workbook(report, out))
    _assert_same(rows, columns)
    cells = _cells(columns)
    assert any(v[1] == "d" and v[2] == "yyyy-mm-dd" for v in cells.values())  # typed dates
    assert any(v[1] == "n" and v[2] == "0.0" for v in cells.values())  # typed numbers
    assert any(v[3] for v in cells.values())  # comments


def _changes(table) -> dict[int, RowChange]:
    known = Known({"SO_UNIT_PRICE": "8"}, run_id=3, date="2026-11-24")
    out = {}
    for n, row in enumerate(table.rows):
        kind = (Change.NEW, Change.CHANGED, Change.UNCHANGED, Change.NEW_PRICE)[n % 4]
        cells = ((CellChange("SO_UNIT_PRICE", "8", row.values.get("SO_UNIT_PRICE", ""), 12.5),)
                 if kind is Change.CHANGED else ())
        out[row.excel_row] = RowChange(kind, cells, None if kind is Change.NEW else known)
    return out


def test_validation_workbook_with_change_classes_is_the_same(price_file, monkeypatch, tmp_path):
    report = validate(read_table(price_file))
    changes = _changes(report.table)
    rows, columns = _both(monkeypatch, tmp_path,
                          lambda out: write_validation_workbook(report, out, changes))
    _assert_same(rows, columns)


def _outcomes(table) -> dict[int, RowOutcome]:
    statuses = [Status.CREATED, Status.UPDATED, Status.FAILED, Status.INVALID, Status.SKIPPED,
                Status.UNCHANGED if hasattr(Status, "UNCHANGED") else Status.SKIPPED, None]
    out = {}
    for n, row in enumerate(table.rows):
        status = statuses[n % len(statuses)]
        if status is None:
            continue  # NOT_RUN
        record = None
        if status in (Status.CREATED, Status.UPDATED):
            record = {**row.values, "PART_DESC": f"Pump {n % 40}", "DATE_MODIFIED": "2026-11-24",
                      "SO_UNIT_PRICE": row.values.get("SO_UNIT_PRICE", "") + ("0" if n % 2 else ""),
                      "ORDER_QTY": n % 7, "ITEM_DISC_PCT": 2.5 if n % 5 else True}
        issues = []
        if status is Status.INVALID:
            issues = [issue("invalid-date", "not a date", row=row.excel_row, column="C",
                            field="EFFECTIVE_DATE", value="x")]
        elif n % 11 == 0:
            issues = [issue("odd", "odd currency", row=row.excel_row, column="E", warning=True)]
        out[row.excel_row] = RowOutcome(
            row.excel_row, status, "CREATE" if status is Status.CREATED else "UPDATE",
            400 if status is Status.FAILED else 200, "E_X" if status is Status.FAILED else "",
            "Refused." if status is Status.FAILED else "", record=record, issues=issues)
    return out


RUN = RunInfo(run_id=7, entity="product-price", mode="upsert", input_path="/data/march.xlsx",
              input_sha256="ab" * 32, sheet="Prices", server_url="http://127.0.0.1:9999",
              data_source="DEMO", user="APIUSER", started_at="2026-11-24T10:00:00+00:00",
              finished_at="2026-11-24T10:00:04+00:00", calls=3)


@pytest.mark.parametrize("classified", [False, True])
def test_results_workbook_is_the_same_cell_by_cell(price_file, monkeypatch, tmp_path, classified):
    table = read_table(price_file)
    outcomes = _outcomes(table)
    changes = _changes(table) if classified else None
    rows, columns = _both(monkeypatch, tmp_path, lambda out: write_results_workbook(
        table, RUN, outcomes, out, changes))
    _assert_same(rows, columns)
    names = openpyxl.load_workbook(columns).sheetnames
    assert "Summary" in names and "Issues" in names


def test_a_sheet_too_wide_for_the_outcomes_is_the_same(monkeypatch, tmp_path):
    headers = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "SO_UNIT_PRICE"]
    values = [[f"P{n}", "LP", "2026-12-01" if n % 4 else "2026-13-01", str(n % 9 + 0.5)]
              for n in range(2000)]
    table = make_table(values, headers=headers, start_col=16380)
    report = validate(table)
    outcomes = _outcomes(table)
    rows, columns = _both(monkeypatch, tmp_path, lambda out: write_results_workbook(
        table, RUN, outcomes, out))
    _assert_same(rows, columns)
    assert "Prices results" in openpyxl.load_workbook(columns).sheetnames
    rows, columns = _both(monkeypatch, tmp_path,
                          lambda out: write_validation_workbook(report, out))
    _assert_same(rows, columns)


def test_marked_cells_are_written_column_by_column(price_file, monkeypatch, tmp_path):
    """A cell with a comment (an error, a warning, a changed value) in a data column does not
    send its row to the row-by-row path: only a mark where no data column is does."""
    report = validate(read_table(price_file))
    marked = {i.row for i in report.issues if i.row is not None and i.column}
    assert len(marked) > ROWS // 2
    slow = []
    row_cells = annotated._row_cells

    def spy(layout, row, *args):
        slow.append(row.excel_row)
        return row_cells(layout, row, *args)

    monkeypatch.setattr(annotated, "_row_cells", spy)
    write_validation_workbook(report, tmp_path / "v.xlsx", _changes(report.table))
    known = {c.index for c in report.table.columns}
    outside = {i.row for i in report.issues if i.row is not None and i.column
               and openpyxl.utils.column_index_from_string(i.column) - 1 not in known}
    assert set(slow) == outside


def _old_comments_xml(notes):
    """The comments part as written before texts were escaped once (the reference)."""
    from importer.workbooks.comments import _COMMENTS_HEAD, _COMMENTS_TAIL
    from importer.workbooks.xmltext import escape_text, letters

    yield _COMMENTS_HEAD
    for row, col, text in notes:
        yield (f'<comment ref="{letters(col)}{row}" authorId="0" shapeId="0"><text><t '
               f'xml:space="preserve">{escape_text(text)}</t></text></comment>')
    yield _COMMENTS_TAIL


def _old_vml_xml(notes):
    """The comments' VML as written before boxes were sized once per text (the reference)."""
    from importer.workbooks.comments import _VML_SHAPE, _VML_SHAPETYPE, FIRST_SHAPE
    from importer.workbooks.styles import comment_size

    blocks = ",".join(str(b) for b in range(1, (FIRST_SHAPE + len(notes)) // 1024 + 1))
    yield ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
           'xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel">'
           f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{blocks}"/></o:shapelayout>'
           + _VML_SHAPETYPE)
    for n, (row, col, text) in enumerate(notes, start=1):
        width, height = comment_size(text)
        yield _VML_SHAPE.format(id=FIRST_SHAPE + n, w=round(width * 0.75),
                                h=round(height * 0.75), z=n, row=row - 1, col=col)
    yield "</xml>"


def test_comments_and_their_boxes_are_the_same_bytes():
    from importer.workbooks.comments import comments_xml, vml_xml

    texts = ["PART_ID 000417 is not a known part.", "a < b & c\r\n" * 40, " spaced ", "\x07bell",
             "x" * 3000, "\u00e9t\u00e9\nline"]
    notes = [(row, row % 7 + (row % 3) * 20, texts[row % len(texts)]) for row in range(2, 2600)]
    assert "".join(comments_xml(notes)) == "".join(_old_comments_xml(notes))
    assert "".join(vml_xml(notes)) == "".join(_old_vml_xml(notes))
