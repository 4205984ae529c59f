"""Results you can read where you look: numbers and dates are typed cells that show the sent text
(checked through LibreOffice's own CSV rendering), panes frozen right of the key, empty input
columns collapsed, FAILED and INVALID rows in clearly different colours."""
from __future__ import annotations

import csv
from dataclasses import replace

import openpyxl
import pytest

from importer.entities import CUSTOMER_PART
from importer.model import Report, RowOutcome, Status
from importer.workbooks import (write_failed_workbook, write_results_workbook,
                                write_validation_workbook)
from importer.workbooks import styles as st
from test_libreoffice import SOFFICE, convert  # noqa: F401  (the fixture)
from test_workbooks_results import RUN
from test_workbooks_support import issue, make_table

ROWS = [
    ["000417", "LP", "2026-03-01", "100", "USD", "10.5", "a note"],  # 4 CREATED
    ["4711", "LP", "2026-03-01", "2.25", "USD", "189.00", ""],  # 5 NOT_RUN
]
RETURNED = {"PART_ID": "000417", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-03-01",
            "ORDER_QTY": "100", "END_DATE": "2029-12-31", "SO_UNIT_PRICE": "10.5"}
OUTCOMES = {4: RowOutcome(4, Status.CREATED, "CREATE", 200, record=RETURNED)}


AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true"  # cells as shown


def _csv(path, convert) -> list[list[str]]:
    with convert(path, AS_SHOWN).open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_results_numbers_and_dates_are_typed_cells_that_show_the_sent_text(tmp_path):
    out = tmp_path / "r.xlsx"
    write_results_workbook(make_table(ROWS), RUN, OUTCOMES, out)
    ws = openpyxl.load_workbook(out)["Prices"]
    assert ws["A4"].value == "000417" and ws["A4"].data_type == "s"  # an id stays text
    assert ws["C4"].is_date and ws["C4"].number_format == "yyyy-mm-dd"
    assert (ws["D4"].value, ws["D4"].number_format) == (100, "0")
    assert (ws["F4"].value, ws["F4"].number_format) == (10.5, "0.0")
    assert (ws["D5"].value, ws["D5"].number_format) == (2.25, "0.00")
    assert (ws["F5"].value, ws["F5"].number_format) == (189, "0.00")  # shows 189.00, a number
    erp = {c.value: c.column_letter for c in ws[3] if c.value}
    end = ws[f"{erp['ERP:END_DATE']}4"]
    assert end.is_date and end.number_format == "yyyy-mm-dd"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_typed_cells_render_the_sent_text_in_libreoffice(tmp_path, convert):  # noqa: F811
    table = make_table(ROWS)
    results, failed, checked = tmp_path / "r.xlsx", tmp_path / "f.xlsx", tmp_path / "v.xlsx"
    write_results_workbook(table, RUN, OUTCOMES, results)
    write_failed_workbook(table, OUTCOMES, failed)
    write_validation_workbook(Report(table, []), checked)
    for path, first in ((results, 3), (checked, 3), (failed, 1)):
        rows = _csv(path, convert)
        shown = [r[:6] for r in rows[first:first + 2]] if path != failed else [
            [r[0], r[1], r[2], r[3], r[5], r[6]] for r in rows[first:first + 1]]
        assert ["000417", "LP", "2026-03-01", "100", "USD", "10.5"] in shown or \
            ["4711", "LP", "2026-03-01", "2.25", "USD", "189.00"] in shown, (path, shown)
        if path != failed:
            assert shown == [["000417", "LP", "2026-03-01", "100", "USD", "10.5"],
                             ["4711", "LP", "2026-03-01", "2.25", "USD", "189.00"]]
    failed_ws = openpyxl.load_workbook(failed).worksheets[0]
    assert (failed_ws["D2"].value, failed_ws["D2"].number_format) == (2.25, "0.00")
    assert failed_ws["C2"].is_date


def _customer_parts(tmp_path):
    headers = list(CUSTOMER_PART.field_names)
    rows = []
    for n in range(4):
        cells = [""] * len(headers)
        cells[0], cells[1], cells[2] = f"PUMP00{n}", "ABCCORP", f"CP-{n}"
        cells[headers.index("SO_DESC")] = "a pump"
        rows.append(cells)
    rows[3][1] = ""  # INVALID: CUSTOMER_ID missing
    table = make_table(rows, headers=headers, header_row=1, title_rows=(), entity=CUSTOMER_PART,
                       sheet="Parts")
    missing = issue("missing-cell", "CUSTOMER_ID is required.", row=5, column="B",
                    field="CUSTOMER_ID", sheet="Parts")
    outcomes = {2: RowOutcome(2, Status.CREATED, "CREATE", 200),
                3: RowOutcome(3, Status.FAILED, "CREATE", 400, "X", "refused"),
                4: RowOutcome(4, Status.CREATED, "CREATE", 200),
                5: RowOutcome(5, Status.INVALID, issues=[missing])}
    out = tmp_path / "cp.results.xlsx"
    write_results_workbook(table, replace(RUN, entity="customer-part"), outcomes, out)
    return headers, openpyxl.load_workbook(out)["Parts"]


def test_freeze_right_of_the_key_and_empty_columns_collapsed(tmp_path):
    headers, ws = _customer_parts(tmp_path)
    assert ws.freeze_panes == "D2"  # below the header, right of PART_ID, CUSTOMER_ID, CUST_PART_ID
    used = {"PART_ID", "CUSTOMER_ID", "CUST_PART_ID", "SO_DESC"}
    for n, name in enumerate(headers, start=1):
        letter = openpyxl.utils.get_column_letter(n)
        dims = ws.column_dimensions
        group = next((d for d in dims.values() if d.min <= n <= d.max and d.outline_level), None)
        if name in used:
            assert group is None, name
        else:
            assert group is not None and group.hidden, (name, letter)
    status = openpyxl.utils.get_column_letter(len(headers) + 1)
    assert ws[f"{status}1"].value == "STATUS" and not ws.column_dimensions[status].hidden
    assert ws.sheet_format.outlineLevelCol == 1


def test_failed_and_invalid_rows_have_clearly_different_colours(tmp_path):
    _, ws = _customer_parts(tmp_path)
    failed, invalid = ws["D3"].fill.fgColor.rgb[-6:], ws["D5"].fill.fgColor.rgb[-6:]
    assert failed == st.STATUS_COLOURS[Status.FAILED] and invalid == st.STATUS_COLOURS[
        Status.INVALID]
    red = [int(failed[i:i + 2], 16) for i in (0, 2, 4)]
    other = [int(invalid[i:i + 2], 16) for i in (0, 2, 4)]
    assert sum(abs(a - b) for a, b in zip(red, other)) > 60  # not two shades of pink
    assert ws["B5"].fill.fgColor.rgb.endswith(st.STRONG_RED)  # the bad cell itself stays red
    assert len(set(st.CHART_COLOURS.values())) == len(Status) and "FFFFFF" not in \
        st.CHART_COLOURS.values()
