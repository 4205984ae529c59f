"""Whatever a person or the ERP put in a cell comes back as the same text, never as a formula."""
from __future__ import annotations

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.model import Report, RowOutcome, Status
from importer.workbooks import write_results_workbook, write_validation_workbook
from importer.workbooks.sheets import safe_title
from importer.workbooks.styles import clean_text
from importer.workbooks.summary import nice_step
from test_workbooks_results import RUN
from test_workbooks_support import make_table

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(user=TEXT, server=TEXT)
def test_any_text_from_the_user_or_the_erp_comes_back_as_the_same_text(tmp_path, user, server):
    table = make_table([["00123", "LP", "", "", "", "", user]], header_row=1, title_rows=())
    outcome = RowOutcome(2, Status.CREATED, "CREATE", 200, record={"PART_DESC": server})
    out = tmp_path / "r.xlsx"
    write_results_workbook(table, RUN, {2: outcome}, out)
    ws = openpyxl.load_workbook(out)["Prices"]
    for ref, sent in (("G2", user), ("M2", server)):
        assert ws[ref].value == clean_text(sent) and ws[ref].data_type == "s"


def test_formula_injection_strings_stay_literal_text(tmp_path):
    evil = ["=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://x\")"]
    table = make_table([[e, "LP", "", "", "", "", e] for e in evil], header_row=1, title_rows=())
    outcomes = {n: RowOutcome(n, Status.FAILED, "CREATE", 400, "X", e)
                for n, e in enumerate(evil, start=2)}
    out = tmp_path / "r.xlsx"
    write_results_workbook(table, RUN, outcomes, out)
    ws = openpyxl.load_workbook(out)["Prices"]
    for n, e in enumerate(evil, start=2):
        for ref in (f"A{n}", f"G{n}", f"L{n}"):
            assert ws[ref].value == e and ws[ref].data_type == "s", ref


def test_control_characters_show_as_visible_symbols():
    assert clean_text("A\x00B\x07C\x1f") == "A\u2400B\u2407C\u241f"
    assert clean_text("tab\tline\nreturn\r") == "tab\tline\nreturn\r"
    assert clean_text("x" * 40000).endswith("\u2026") and len(clean_text("x" * 40000)) == 32767


def test_sheet_names_are_valid_and_never_clash_with_the_tools_sheets(tmp_path):
    assert safe_title("march [final]: v2?") == "march _final__ v2_"
    assert len(safe_title("a" * 50)) == 31
    assert safe_title("Summary", {"summary"}) == "Summary (2)"
    table = make_table([["00123", "LP", "", "", "", "", ""]], sheet="Summary")
    out = tmp_path / "r.xlsx"
    write_results_workbook(table, RUN, {}, out)
    assert openpyxl.load_workbook(out).sheetnames == ["Summary", "Summary (2)"]
    write_validation_workbook(Report(make_table([["1"] * 7], sheet="Issues"), []), out)
    assert openpyxl.load_workbook(out).sheetnames == ["Issues", "Issues (2)"]


def test_status_chart_axis_steps_are_whole_numbers():
    assert [nice_step(n) for n in (0, 3, 7, 12, 30, 100, 95000)] == [1, 1, 2, 2, 5, 20, 20000]
