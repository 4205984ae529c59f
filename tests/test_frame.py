"""A table read from a file holds its rows column by column (model.Frame): validation and the
annotated workbook read the columns, and the rows as Row objects are the same either way."""
import csv
import subprocess
import sys
from datetime import datetime

import openpyxl

from importer.checks.validation import validate
from importer.model import Action, Frame, FrameRows, Row
from importer.reading import read_table
from importer.workbooks import write_validation_workbook

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE", "ACTION"]


def _csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


ROWS = [["P-1", "LP", "2026-01-01", "1", "10.5", ""],
        ["", "", "", "", "", ""],  # nothing to send: left out
        ["P-2", "LP", "2026-01-01", "", "abc", "skip"],
        ["P-3", "", "", "10", "7", "UPDATE"],
        ["P-4", "DL", "2026-02-30", "5", "8", "MAYBE"]]


def test_the_frame_gives_the_rows_reading_always_gave(tmp_path):
    table = read_table(_csv(tmp_path / "p.csv", ROWS), "product-price")
    frame = table.frame
    assert frame.excel_rows == [2, 4, 5, 6]
    assert frame.actions == [None, Action.SKIP, Action.UPDATE, None]
    rows = list(table.iter_rows())
    assert [r.excel_row for r in rows] == [2, 4, 5, 6]
    assert rows[0].values == {"PART_ID": "P-1", "PRICE_CODE": "LP",
                              "EFFECTIVE_DATE": "2026-01-01", "ORDER_QTY": "1",
                              "SO_UNIT_PRICE": "10.5"}
    assert rows[2].values == {"PART_ID": "P-3", "ORDER_QTY": "10", "SO_UNIT_PRICE": "7"}
    assert rows[2].cells == ["P-3", "", "", "10", "7", "UPDATE"]
    assert table.row_count == 4
    assert table._rows is None  # nothing asked for the list yet
    assert [(r.excel_row, r.values, r.cells, r.action) for r in table.rows] == \
        [(r.excel_row, r.values, r.cells, r.action) for r in rows]
    assert table._frame is None  # turned into the list for good
    again = table.frame  # made from the list
    assert again.excel_rows == frame.excel_rows and again.data == {
        f: v for f, v in frame.data.items() if any(v)}


def test_take_ascending_and_frame_rows():
    frame = Frame([5, 3, 9], [["a", "b", "c"], ["1", "", "3"]],
                  {"PART_ID": ["a", "b", "c"], "ORDER_QTY": ["1", "", "3"]})
    up = frame.ascending()
    assert up.excel_rows == [3, 5, 9] and up.shown == [["b", "a", "c"], ["", "1", "3"]]
    assert up.ascending() is up
    one = frame.take([2])
    assert one.excel_rows == [9] and one.data == {"PART_ID": ["c"], "ORDER_QTY": ["3"]}
    rows = FrameRows(up)
    assert len(rows) == 3 and rows[-1].values == {"PART_ID": "c", "ORDER_QTY": "3"}
    assert rows[0].values == {"PART_ID": "b"} and [r.excel_row for r in rows[1:]] == [5, 9]
    round_trip = Frame.of_rows([Row(3, {"PART_ID": "b"}, ["b"]),
                                Row(4, {"ORDER_QTY": "2"}, ["", "2"], Action.SKIP)], 2)
    assert round_trip.shown == [["b", ""], ["", "2"]]
    assert round_trip.data == {"PART_ID": ["b", ""], "ORDER_QTY": ["", "2"]}
    assert round_trip.actions == [None, Action.SKIP]


def test_validate_and_its_workbook_never_make_a_row_list(tmp_path):
    table = read_table(_csv(tmp_path / "p.csv", ROWS), "product-price")
    report = validate(table)
    out = write_validation_workbook(report, tmp_path / "out.xlsx")
    assert table._rows is None
    assert not [i for i in report.issues if i.row == 4 and i.code == "not-a-number"]
    assert ("invalid-action", 6) in {(i.code, i.row) for i in report.issues}
    assert ("invalid-date", 6) in {(i.code, i.row) for i in report.issues}
    ws = openpyxl.load_workbook(out).worksheets[0]
    assert [c.value for c in ws[2]][:5] == ["P-1", "LP", datetime(2026, 1, 1), 1, 10.5]
    assert [c.value for c in ws[5]][:5] == ["P-3", None, None, 10, 7]
    assert ws.cell(6, 1).value == "P-4"


def test_a_million_cells_fit_a_memory_ceiling(tmp_path):
    """validate of 100,000 rows (a child process): the rows held as columns, not as dicts."""
    rows = [[f"P-{k}", "LP", "2026-01-01", str(1 + k % 4), f"{k % 997}.5", ""]
            for k in range(100_000)]
    path = _csv(tmp_path / "big.csv", rows)
    code = ("import resource, subprocess, sys;"
            "subprocess.run([sys.executable, '-c', 'import sys; from importer.cli import main;"
            " sys.argv[0] = \"importer\"; main()', 'validate', sys.argv[1], '-o', sys.argv[2]],"
            " check=True, capture_output=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")
    peak = int(subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "o.xlsx")],
                              check=True, capture_output=True, text=True).stdout)
    assert peak < 145, peak  # 121 MB measured (156 with a dict per row and the CSV as row lists)


def test_the_journal_texts_of_the_rows_are_json_dumps_of_each_row(tmp_path):
    import json

    from importer.journal.jsontext import row_texts

    rows = ROWS + [["Ünïcode \"quoted\" ✓", "LP", "2026-01-01", "1", "1", "create"]]
    table = read_table(_csv(tmp_path / "p.csv", rows), "product-price")
    got = list(zip(*row_texts(table)))
    want = [(r.excel_row, json.dumps(r.cells), json.dumps(r.values),
             r.action.value if r.action else None) for r in table.iter_rows()]
    assert got == want and len(got) == 5
    listed = read_table(_csv(tmp_path / "p.csv", rows), "product-price")
    listed.rows[0].values.pop("ORDER_QTY")  # an edited row: the texts follow the list
    assert list(zip(*row_texts(listed)))[0][2] == json.dumps(listed.rows[0].values)


def test_a_column_read_in_chunks_shares_its_repeated_texts_and_keeps_numbers_apart():
    from importer.reading.sources import as_columns

    rows = [(True, "LP" + ""), (1, "".join(["L", "P"])), (1.0, "LP"), ("1", "DL")] * 3
    _head, (flags, codes) = as_columns(iter(rows), shared=True)
    assert [type(v) for v in flags[:4]] == [bool, int, float, str]  # 1, 1.0, True not merged
    assert all(c is codes[0] for c in codes if c == "LP")  # one string for every 'LP'
    assert codes == ["LP", "LP", "LP", "DL"] * 3


def test_the_styled_cells_of_a_column_as_two_arrays():
    from importer.reading.formats import RowCodes

    codes = RowCodes()
    codes.add(3, "0.00")
    codes.add(9, "yyyy-mm-dd")
    assert dict(codes.items()) == {3: "0.00", 9: "yyyy-mm-dd"} == codes
    assert codes[9] == "yyyy-mm-dd" and codes.get(4) is None and len(codes) == 2
    assert list(codes) == [3, 9] and set(codes.values()) == {"0.00", "yyyy-mm-dd"}


def test_a_csv_read_in_chunks_splits_lines_as_a_text_file_would(tmp_path):
    """The lines come from the text itself (not io.StringIO): the same rows, quoted line
    breaks and lone carriage returns included, and a chunk boundary in the middle."""
    import io

    from importer.reading import sources

    text = ('PART_ID,NOTES\r\n"P-1","two\r\nlines"\r\nP-2,x\u2028y\rP-3,"a\rb"\n\nP-4,\r\n'
            + "\r\n".join(f"P-{k},n{k % 3}" for k in range(5, 45)))
    path = tmp_path / "lines.csv"
    path.write_bytes(text.encode())
    old_chunk = sources.CHUNK_ROWS
    sources.CHUNK_ROWS = 7
    try:
        got = list(sources.iter_csv_rows(path, path.read_bytes(), sources.Marks()))
        grid = sources.load_grid(path, lambda names, visible: names[0], columns=True)
    finally:
        sources.CHUNK_ROWS = old_chunk
    want = list(csv.reader(io.StringIO(text, newline="")))
    assert got == want and len(want) == 46
    assert [list(r) for r in zip(*grid.columns)] == [r + [""] * (2 - len(r)) for r in want]
