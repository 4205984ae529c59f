"""The page's edits as a library (importer.runs.gridedits), the check view's filters and paging,
and the column-naming suggestions (importer.runs.columnguess), on files made here."""
from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import workbook_cells
from importer.checks.validation import validate
from importer.entities import get_entity
from importer.errors import BadOptions
from importer.reading import read_table
from importer.reading import locale as lc
from importer.runs import gridedits as ge
from importer.runs.columnguess import guess_fields
from importer.runs.columnmaps import header_samples, table_samples
from importer.runs.corrections import write_corrected
from importer.web import views
from importer.web.workspace import Workspace

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]


def book(path: Path, rows, header=HEADER) -> Path:
    wb = Workbook()
    for row in [header, *rows]:
        wb.active.append(row)
    wb.save(path)
    return path


def typing_of(table, decimal=lc.POINT) -> ge.Typing:
    return ge.Typing(table.file_format, decimal,
                     {c.letter: table.entity.field(c.field).kind if c.field else None
                      for c in table.columns})


def test_a_number_is_typed_in_the_files_convention_or_refused_with_a_sentence(tmp_path):
    table = read_table(book(tmp_path / "a.xlsx", [["P1", "W", "2026-12-01", "1", "EUR", 1.5]]))
    comma, point = typing_of(table, lc.COMMA), typing_of(table, lc.POINT)
    assert comma.text_for("F", "14,46") == "14.46"  # an .xlsx: a number cell
    assert point.text_for("F", "14.46") == "14.46"
    assert point.text_for("F", "40.00") == "40.00"  # not General: stays text, sent as typed
    assert comma.text_for("A", "14,46") == "14,46"  # an id is text as typed
    with pytest.raises(BadOptions, match=r"decimal comma, but this file writes decimals with "
                                         r"a point: type 14\.46"):
        point.text_for("F", "14,46")
    with pytest.raises(BadOptions, match="type 14,46"):
        comma.text_for("F", "14.46")
    csv_typing = ge.Typing("csv", lc.COMMA, comma.kinds)
    assert csv_typing.text_for("F", "14,46") == "14,46"  # a CSV keeps the file's own way


def test_the_files_decimal_convention_is_found_from_its_text_numbers(tmp_path):
    path = tmp_path / "k.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        writer.writerow(["P1", "W", "2026-12-01", "1", "EUR", "10,50"])
        writer.writerow(["P2", "W", "2026-12-01", "2", "EUR", "1.234,50"])
    table = read_table(path)
    assert ge.file_decimal(path, table, None) == lc.COMMA
    assert ge.file_decimal(path, table, lc.POINT) == lc.POINT  # the settings say
    plain = book(tmp_path / "p.xlsx", [["P1", "W", "2026-12-01", "1", "EUR", 10.5]])
    assert ge.file_decimal(plain, read_table(plain), None) == lc.POINT


def test_bulk_steps_undo_and_redo(tmp_path):
    rows = [[417 if n % 3 == 0 else f"P{n}", "W", "2026-12-01", str(n), "Euro" if n < 3 else
             "EUR", 1.5] for n in range(9)]
    table = read_table(book(tmp_path / "b.xlsx", rows))
    typing = typing_of(table)
    history = ge.EditHistory()
    step = ge.apply_to_same(table, history.current, "A", 2, "000417", typing)
    assert set(step.state.cells) == {("A", 2), ("A", 5), ("A", 8)} and step.changed == 3
    history.push(step)
    assert ge.find_matches(table, "E", "Euro") == [("E", 2), ("E", 3), ("E", 4)]
    history.push(ge.find_replace(table, history.current, "E", "Euro", "EUR", typing))
    assert history.current.cells[("E", 3)] == "EUR" and len(history.current.cells) == 6
    history.push(ge.fill_down(table, history.current, "D", 2, 4, typing))
    assert [history.current.cells[("D", r)] for r in (3, 4)] == ["0", "0"]
    history.push(ge.skip_rows(table, history.current, [7]))
    assert history.current.skipped == {7}
    assert history.undo().startswith("row 7") and history.current.skipped == frozenset()
    history.undo()
    history.undo()
    assert set(history.current.cells) == {("A", 2), ("A", 5), ("A", 8)}
    assert "replaced" in history.redo()
    history.push(ge.set_cells(table, history.current, [("F", 6)], "2", typing))
    assert history.redo_label is None  # a new step drops what could be redone
    history.undo(), history.undo(), history.undo()
    with pytest.raises(BadOptions, match="nothing to undo"):
        history.undo()
    with pytest.raises(BadOptions, match="is not in column E"):
        ge.find_replace(table, history.current, "E", "Dollar", "USD", typing)


def test_skip_writes_action_skip_when_the_file_has_an_action_column(tmp_path):
    source = book(tmp_path / "act.xlsx", [["P1", "W", "2026-12-01", "1", "EUR", 1.5, ""],
                                          ["P2", "W", "2026-12-01", "2", "EUR", 2.5, "CREATE"]],
                  HEADER + ["ACTION"])
    table = read_table(source)
    step = ge.skip_rows(table, ge.EditState(), [3])
    assert step.state.cells == {("G", 3): "SKIP"} and not step.state.skipped
    out = write_corrected(source, "xlsx", table.sheet, step.state.cells, {}, tmp_path / "o.xlsx")
    before, after = workbook_cells(source), workbook_cells(out)
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} == {
        (table.sheet, "G3")}
    again = read_table(out)
    assert [r.action.value if r.action else None for r in again.rows] == [None, "SKIP"]
    assert ge.skipped_rows(again, ge.EditState()) == {3}


def test_a_row_skipped_without_an_action_column_is_not_checked(tmp_path):
    source = book(tmp_path / "s.xlsx", [["P1", "W", "2026-12-01", "ten", "EUR", 1.5],
                                        ["P2", "W", "2026-12-01", "2", "EUR", 2.5]])
    assert validate(read_table(source)).invalid_rows == {2}
    assert validate(ge.mark_skipped(read_table(source), {2})).invalid_rows == set()


def test_check_view_filters_pages_and_lists_every_issue(tmp_path):
    rows = [[f"P{n}", "W", "2026-12-01", "ten" if n % 50 == 0 else str(n + 1), "EURO", 1.5]
            for n in range(1200)]
    report = validate(read_table(book(tmp_path / "many.xlsx", rows)))
    assert len(report.errors) == 24 and len(report.warnings) >= 1200
    errors = views.check_view(report, views.GridQuery(show="errors"))
    assert errors["matching_rows"] == 24 and errors["pages"] == 1
    assert [r["excel_row"] for r in errors["rows"]][:2] == [2, 52]
    every = views.check_view(report, views.GridQuery(row=900))
    assert every["pages"] == 12 and every["page"] == 9
    assert any(r["excel_row"] == 900 for r in every["rows"])
    assert every["issues_total"] == len([i for i in report.issues if i.row])
    last = views.check_view(report, views.GridQuery(issue_page=999))
    assert last["issue_page"] == last["issue_pages"] > 5 and last["issues"]  # not cut at 500
    one_code = views.check_view(report, views.GridQuery(code=report.errors[0].code))
    assert one_code["matching_rows"] == 24
    column = views.check_view(report, views.GridQuery(column="D"))
    assert column["matching_rows"] == 24
    warned = views.check_view(report, views.GridQuery(show="warnings"))
    assert warned["matching_rows"] == 1200 - 24
    assert views.GridQuery(page=3, show="errors").link(page=4) == "?page=4&show=errors"


def test_column_suggestions_from_headers_and_values(tmp_path):
    german = ["Artikelnummer", "Preisliste", "Gültig ab", "Menge", "Währung", "Preis",
              "Bemerkung"]
    path = book(tmp_path / "de.xlsx", [["PUMP001", "WEB", "01.12.2026", 1, "EUR", "10,50", "a"],
                                       ["PUMP002", "WEB", "01.12.2026", 10, "EUR", "9,80", "b"]],
                german)
    _, headers, samples = header_samples(path)
    assert samples["A"] == ["PUMP001", "PUMP002"] and samples["D"] == ["1", "10"]
    assert guess_fields(get_entity("product-price"), headers, samples) == {
        "A": "PART_ID", "B": "PRICE_CODE", "C": "EFFECTIVE_DATE", "D": "ORDER_QTY",
        "E": "CURR_CODE", "F": "SO_UNIT_PRICE", "G": "NOTES"}
    by_values = guess_fields(get_entity("product-price"),
                             [("A", "Spalte 1"), ("B", "Spalte 2"), ("C", "Spalte 3")],
                             {"A": ["2026-12-01", "2026-12-02"], "B": ["USD", "EUR"],
                              "C": ["12.50", "3.99"]})
    assert by_values == {"A": "EFFECTIVE_DATE", "B": "CURR_CODE", "C": "SO_UNIT_PRICE"}
    assert guess_fields(get_entity("product-price"), [("A", "Unit Pric")], {})["A"] == \
        "SO_UNIT_PRICE"  # a typo of an alias
    english = book(tmp_path / "en.xlsx", [["PUMP001", "", "2026-12-01", 1, "EUR", 10.5],
                                          ["PUMP002", "WEB", "2026-12-02", 10, "EUR", 9.8],
                                          ["PUMP003", "WEB", "2026-12-03", 20, "EUR", 9.7]])
    assert table_samples(read_table(english)) == header_samples(english)[1:]  # read once
    loaded = load_workbook(path)
    assert loaded.active["A1"].value == "Artikelnummer"  # the file is only read


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_row_of_an_ods_file_is_skipped_though_its_cells_cannot_be_edited(tmp_path):
    source = book(tmp_path / "list.xlsx", [["PUMP001", "W", "2026-12-01", "ten", "EUR", 1.5],
                                           ["PUMP002", "W", "2026-12-01", "2", "EUR", 2.5]])
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                           "--headless", "--convert-to", "ods", "--outdir", str(tmp_path),
                           str(source)], capture_output=True, text=True, timeout=180)
    ods = tmp_path / "list.ods"
    assert done.returncode == 0 and ods.exists(), done.stderr
    workspace = Workspace(tmp_path, tmp_path / "journal.sqlite3")
    try:
        upload = workspace.add_upload("list.ods", ods.read_bytes())
        assert upload.report.invalid_rows == {2}
        with pytest.raises(BadOptions, match="cannot be corrected on this page"):
            workspace.change(upload, "set", {"letter": "D", "row": 2, "value": "10"})
        workspace.change(upload, "skip", {"row": 2})
        assert upload.report.invalid_rows == set() and upload.current == upload.original
        result, outcomes, _ = workspace.preview(upload, None)
        assert {r: o.status.value for r, o in outcomes.items()} == {2: "SKIPPED", 3: "NOT_RUN"}
        workspace.change(upload, "undo", {})
        assert upload.report.invalid_rows == {2}
    finally:
        workspace.close()
