"""What the cell shows in Excel is what is sent (issue #25): the cases where the display rule
differed from Excel itself. Each expected text is the text Excel shows, with where it is
documented; cells are written here with openpyxl (and LibreOffice for .xls), and a file says which
program saved it in its application property (docProps/app.xml)."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings, strategies as st

from importer.reading import read_table
from importer.reading.display import show
from importer.reading.numfmt import parse
from importer.reading.program import EXCEL, LIBREOFFICE, _appname, from_name
from importer.checks.validation import validate

ISSUE = "issue #25: Excel's own text, from the check against Excel's rendering"
KB182247 = "Microsoft KB 182247: a negative date or time shows ########"
TOO_LARGE = "Excel: 'dates and times that are negative or too large display as ####' (years 1900-9999)"
SSF_ODD = "SheetJS ssf test/oddities.json (Excel's text)"
SSF_FRAC = "SheetJS test/fraction.json (Excel's text; the issue's two examples are in it)"
HEADER = ["PART_ID", "PRICE_CODE", "NOTES", "SO_UNIT_PRICE", "EFFECTIVE_DATE"]


def saved_by(path: Path, application: str | None) -> Path:
    """The workbook as if ``application`` had saved it (None: no docProps/app.xml at all)."""
    with zipfile.ZipFile(path) as src:
        parts = {i.filename: src.read(i) for i in src.infolist()}
    if application is None:
        parts.pop("docProps/app.xml", None)
    else:
        parts["docProps/app.xml"] = re.sub(
            rb"<Application>[^<]*</Application>", f"<Application>{application}</Application>"
            .encode(), parts["docProps/app.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in parts.items():
            dst.writestr(name, body)
    return path


def workbook(path: Path, rows: list[tuple[list, dict[int, str]]],
             application: str | None = "Microsoft Excel") -> Path:
    """HEADER, then each row's values with {column index: number format}."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws.append(HEADER)
    for values, formats in rows:
        ws.append(values)
        for col, code in formats.items():
            ws.cell(ws.max_row, col + 1).number_format = code
    wb.save(path)
    return saved_by(path, application) if application != "openpyxl" else path


def by_row(table) -> dict[int, dict[str, str]]:
    return {r.excel_row: r.values for r in table.rows}


def issues(table) -> set[tuple[str, str, str]]:
    return {(i.address, i.code, i.severity.value) for i in table.issues}


# --- the display rule, Excel's way -------------------------------------------------------------
FRACTIONS = [  # (value, format, Excel's text): SSF_FRAC
    (1, "# ?/?", "1    "), (-1.2, "# ?/?", "-1 1/5"), (12.3, "# ?/?", "12 1/3"),
    (-12.34, "# ?/?", "-12 1/3"), (123.45, "# ?/?", "123 4/9"), (-123.456, "# ?/?", "-123 1/2"),
    (1234.567, "# ?/?", "1234 4/7"), (-1234.5678, "# ?/?", "-1234 4/7"),
    (12345.6789, "# ?/?", "12345 2/3"), (-12345.67891, "# ?/?", "-12345 2/3"),
    (1, "# ??/??", "1      "), (-1.2, "# ??/??", "-1  1/5 "), (12.3, "# ??/??", "12  3/10"),
    (-12.34, "# ??/??", "-12 17/50"), (123.45, "# ??/??", "123  9/20"),
    (-123.456, "# ??/??", "-123 26/57"), (1234.567, "# ??/??", "1234 55/97"),
    (-1234.5678, "# ??/??", "-1234 46/81"), (12345.6789, "# ??/??", "12345 55/81"),
    (-12345.67891, "# ??/??", "-12345 55/81"),
    (1, "# ???/???", "1        "), (-1.2, "# ???/???", "-1   1/5  "),
    (12.3, "# ???/???", "12   3/10 "), (-12.34, "# ???/???", "-12  17/50 "),
    (123.45, "# ???/???", "123   9/20 "), (-123.456, "# ???/???", "-123  57/125"),
    (1234.567, "# ???/???", "1234  55/97 "), (-1234.5678, "# ???/???", "-1234  67/118"),
    (12345.6789, "# ???/???", "12345  74/109"), (-12345.67891, "# ???/???", "-12345 573/844"),
    (1, "# ?/2", "1    "), (-1.2, "# ?/2", "-1    "), (12.3, "# ?/2", "12 1/2"),
    (-12.34, "# ?/2", "-12 1/2"), (123.45, "# ?/2", "123 1/2"), (-123.456, "# ?/2", "-123 1/2"),
    (1234.567, "# ?/2", "1234 1/2"), (12345.6789, "# ?/2", "12345 1/2"),
    (1, "# ?/4", "1    "), (-1.2, "# ?/4", "-1 1/4"), (12.3, "# ?/4", "12 1/4"),
    (-12.34, "# ?/4", "-12 1/4"), (123.45, "# ?/4", "123 2/4"), (-123.456, "# ?/4", "-123 2/4"),
    (1234.567, "# ?/4", "1234 2/4"), (12345.6789, "# ?/4", "12345 3/4"),
    (1, "# ?/8", "1    "), (-1.2, "# ?/8", "-1 2/8"), (12.3, "# ?/8", "12 2/8"),
    (-12.34, "# ?/8", "-12 3/8"), (123.45, "# ?/8", "123 4/8"), (-123.456, "# ?/8", "-123 4/8"),
    (1234.567, "# ?/8", "1234 5/8"), (12345.6789, "# ?/8", "12345 5/8"),
    (1, "# ??/16", "1      "), (-1.2, "# ??/16", "-1  3/16"), (12.3, "# ??/16", "12  5/16"),
    (-12.34, "# ??/16", "-12  5/16"), (123.45, "# ??/16", "123  7/16"),
    (-123.456, "# ??/16", "-123  7/16"), (1234.567, "# ??/16", "1234  9/16"),
    (12345.6789, "# ??/16", "12345 11/16"), (-12345.67891, "# ??/16", "-12345 11/16"),
    (1, "# ?/10", "1     "), (-1.2, "# ?/10", "-1 2/10"), (12.3, "# ?/10", "12 3/10"),
    (-123.456, "# ?/10", "-123 5/10"), (12345.6789, "# ?/10", "12345 7/10"),
    (1, "# ??/100", "1       "), (-1.2, "# ??/100", "-1 20/100"), (12.3, "# ??/100", "12 30/100"),
    (-12.34, "# ??/100", "-12 34/100"), (123.45, "# ??/100", "123 45/100"),
    (-123.456, "# ??/100", "-123 46/100"), (1234.567, "# ??/100", "1234 57/100"),
    (12345.6789, "# ??/100", "12345 68/100"), (-12345.67891, "# ??/100", "-12345 68/100"),
    (0.3, "# ?/?", " 2/7"), (1.3, "# ?/?", "1 1/3"), (2.3, "# ?/?", "2 2/7"),  # float rounding
    (0.123251512342345, "# ??/?????????", "  480894/3901729"),  # at most 7 digits
    (12.3456789, "??/??", "1000/81"), (0.00001, "??/??", " 0/1 "),  # SSF_ODD
    (12.3456789, "# ??/??", "12 28/81"),  # SSF_ODD
]


@pytest.mark.parametrize("value, code, text", FRACTIONS)
def test_fractions_are_the_ones_excel_picks(value, code, text):
    assert show(value, code, EXCEL).text == text


def test_libreoffice_keeps_the_closest_fraction():
    # LibreOffice 7.4 shows 12 2/7 and -123 31/68 (its "as shown" CSV export, checked by hand)
    assert show(12.3, "# ?/?", LIBREOFFICE).text == "12 2/7"
    assert show(-123.456, "# ??/??", LIBREOFFICE).text == "-123 31/68"


@pytest.mark.parametrize("value, code, text, where", [
    (3.14, ".00", "3.14", ISSUE), (1234.5, '"$".00', "$1234.50", ISSUE),
    (0.14, ".00", ".14", SSF_ODD + ": '#.##' shows '.' for 0, no integer digit"),
    (3.14159, "$#.00", "$3.14", SSF_ODD),
    (1.5, "0." + "0" * 30, "1." + "5" + "0" * 29, "Excel allows 30 decimals, 15 digits are kept"),
    (123456789.125, "#,##0." + "0" * 25, "123,456,789." + "125" + "0" * 22,
     "Excel allows 30 decimals, 15 digits are kept"),
    ("abc", "0;-0;0;General", "abc", SSF_ODD + ": a text section 'General' shows the text"),
    ("foo", "[Red]General ;[Blue]General\\ ;[Green]Generalp;[Yellow]General'", "foo'", SSF_ODD),
    ("abc", "0;-0;0;@", "abc", SSF_ODD + ": '\"foo\";\"bar\";@' shows the text"),
    (dt.time(16, 17, 36, 960000), "h:mm:ss", "16:17:37", ISSUE),
    (0.70707, "hh:mm:ss.000", "16:58:10.848", SSF_ODD),
    (0.7, "hh:mm AM/PM", "04:48 PM", SSF_ODD), (0.5, "hh:mm:ss am/pm", "12:00:00 PM", SSF_ODD),
    (0.7, "A/P", "P", SSF_ODD),
    (1, "0.##", "1.", ISSUE), (1, "#0.#", "1.", SSF_ODD), (0, "#.##", ".", SSF_ODD),
    (1.1, "0.##", "1.1", SSF_ODD), (1.007, "0.##", "1.01", SSF_ODD),
    (-1, "yy", "########", KB182247), (-0.25, "h:mm", "########", KB182247),
    (-1.5, "m/d/yyyy", "########", KB182247), (-0.5, "[h]:mm:ss", "########", KB182247),
    (2958466, "yyyy", "########", TOO_LARGE), (1e9, "[h]:mm:ss", "########", TOO_LARGE),
    (dt.date(2024, 1, 15), "yyyymmdd", "20240115", ISSUE),
])
def test_the_display_rule_shows_what_excel_shows(value, code, text, where):
    assert show(value, code, EXCEL).text == text, where


def test_where_excel_and_libreoffice_differ_a_libreoffice_file_keeps_libreoffice_s_text():
    # LibreOffice 7.4 "as shown" CSV export of the same cells (tests/test_fidelity_corpus.py
    # holds these for files LibreOffice saved)
    assert show(dt.time(16, 17, 36, 960000), "h:mm:ss", LIBREOFFICE).text == "16:17:36"
    assert show(1, "0.##", LIBREOFFICE).text == "1"
    assert show(dt.time(18, 0), "h:mm am/pm", LIBREOFFICE).text == "6:00 PM"
    assert show(-0.5, "[h]:mm:ss", LIBREOFFICE).text == "-12:00:00"


CODES = st.text(alphabet=list('0#?.,%E+-/@;"\\_*[]$hHmMsSdDyYAaPp:<>=1 2eGgnral(xX)'),
                max_size=40)
VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-10 ** 20, 10 ** 20),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.times(), st.dates(min_value=dt.date(1900, 1, 1)),
    st.timedeltas(), st.text(max_size=10), st.booleans(), st.sampled_from(["PT-2147483648H",
                                                                            "-PT12H00M00S"]))


@given(CODES, VALUES, st.sampled_from([EXCEL, LIBREOFFICE, None]))
@example("0/", 0.0, LIBREOFFICE)  # found by this test: a denominator of no digits
@example("[H", -2.0806633505350878e+303, LIBREOFFICE)  # ... a negative duration past any float
@example("ss." + "0" * 400, 0.5, EXCEL)
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_no_format_the_parser_accepts_makes_show_raise(code, value, program):
    try:
        parse(code)
    except Exception:  # noqa: BLE001 - only codes the grammar accepts
        assume(False)
    shown = show(value, code, program)
    assert isinstance(shown.text, str)


@pytest.mark.parametrize("code", ["0." + "0" * 30, "#,##0." + "0" * 30 + "%", "0.0" * 40,
                                  "0" * 300 + "." + "0" * 30, "0%%%%%%%%%%%%%%%%%%%%",
                                  "# " + "%" * 200 + "?/?", "0.0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,"])
@pytest.mark.parametrize("value", [1e308, -1.7976931348623157e308, 5e-324, 0.1, 123456.789])
def test_many_decimals_and_huge_numbers_never_raise(code, value):
    assert show(value, code, EXCEL).text


# --- which program saved the file ------------------------------------------------------------
@pytest.mark.parametrize("name, program", [
    ("Microsoft Excel", EXCEL), ("Microsoft Macintosh Excel", None),
    ("LibreOffice/7.4.7.2$Linux_X86_64 LibreOffice_project/40$Build-2", LIBREOFFICE),
    ("Microsoft Excel Compatible / Openpyxl 3.1.5", None), ("", None), (None, None),
    ("MicrosoftOffice/16.0 MicrosoftExcel/CalculationVersion-10000", EXCEL),
    ("OpenOffice.org/3.2$Win32", LIBREOFFICE),
])
def test_the_application_property_names_the_program(name, program):
    assert from_name(name) == program


def test_an_xls_property_set_names_its_application():
    """A SummaryInformation stream as Excel writes it: codepage 1252, PIDSI_APPNAME."""
    name = b"Microsoft Excel\x00"
    props = [(1, struct.pack("<IH2x", 2, 1252)),
             (0x12, struct.pack("<II", 0x1E, len(name)) + name)]
    table, body, at = b"", b"", 8 + 8 * len(props)
    for pid, value in props:
        table += struct.pack("<II", pid, at + len(body))
        body += value
    section = struct.pack("<II", 8 + len(table) + len(body), len(props)) + table + body
    head = struct.pack("<HHI16sI", 0xFFFE, 0, 0x00020006, bytes(16), 1)
    stream = head + bytes(16) + struct.pack("<I", len(head) + 20) + section
    assert _appname(stream) == "Microsoft Excel"


# --- through files: what each field receives --------------------------------------------------
def test_a_date_in_a_number_field_is_an_error_at_its_cell_and_nothing_is_sent(tmp_path):
    path = workbook(tmp_path / "p.xlsx", [
        (["A1", "LP", None, dt.datetime(2024, 1, 15)], {3: "yyyymmdd"}),  # 20240115 as a price
        (["A2", "LP", None, dt.time(0, 0, 2)], {3: "ss"}),  # 02
        (["A3", "LP", None, dt.timedelta(days=2)], {3: "[h][m]"}),  # 002880 in the issue
        (["A4", "LP", None, 9.5], {3: "0.00"})])
    table = read_table(path, "product-price")
    assert issues(table) == {("Prices!D2", "shows-date", "error"),
                             ("Prices!D3", "shows-date", "error"),
                             ("Prices!D4", "shows-date", "error")}
    assert all("SO_UNIT_PRICE" not in by_row(table)[r] for r in (2, 3, 4))
    assert by_row(table)[5]["SO_UNIT_PRICE"] == "9.5"
    message = next(i.message for i in table.issues if i.address == "Prices!D2")
    assert "shows 20240115" in message and "takes a number, so nothing is sent" in message


@pytest.mark.parametrize("application", ["Microsoft Excel", "LibreOffice/7.4", "openpyxl"])
def test_a_negative_date_shows_hashes_and_is_never_sent(tmp_path, application):
    path = workbook(tmp_path / "p.xlsx", [
        (["A1", "LP", -1, 5], {2: "yy"}),  # the reader hands -1 over as midnight: '99' was sent
        (["A2", "LP", -0.25, 5], {2: "h:mm"}),  # ... as 18:00
        (["A3", "LP", None, -1.5], {3: "m/d/yyyy"}),
        ([-2, "LP", None, 5], {0: "yyyy-mm-dd"}),
        (["A5", "LP", None, 5, -3], {4: "yyyy-mm-dd"})], application)
    table = read_table(path, "product-price")
    assert {(a, c, s) for a, c, s in issues(table) if c == "shows-hashes"} == {
        ("Prices!C2", "shows-hashes", "warning"), ("Prices!C3", "shows-hashes", "warning"),
        ("Prices!D4", "shows-hashes", "error"), ("Prices!A5", "shows-hashes", "error"),
        ("Prices!E6", "shows-hashes", "error")}
    rows = by_row(table)
    assert "NOTES" not in rows[2] and "NOTES" not in rows[3]
    assert "SO_UNIT_PRICE" not in rows[4] and "PART_ID" not in rows[5]
    assert "EFFECTIVE_DATE" not in rows[6]
    assert [c for c in table.rows[0].cells[:3]] == ["A1", "LP", "########"]


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_negative_date_in_an_xls_file_shows_hashes_too(tmp_path):
    source = workbook(tmp_path / "p.xlsx", [(["A1", "LP", -1, 5], {2: "yy"}),
                                            (["A2", "LP", None, -0.25], {3: "h:mm"})])
    table = read_table(_libreoffice(source, "xls", tmp_path / "x"), "product-price")
    assert {(a, c) for a, c, _ in issues(table)} == {("Prices!C2", "shows-hashes"),
                                                     ("Prices!D3", "shows-hashes")}
    assert "NOTES" not in by_row(table)[2] and "SO_UNIT_PRICE" not in by_row(table)[3]


def test_a_billion_days_under_a_duration_format_no_longer_refuses_the_sheet(tmp_path):
    path = workbook(tmp_path / "p.xlsx", [(["A1", "LP", 1e9, 5], {2: "[h]:mm:ss"}),
                                          (["A2", "LP", 1.5, 5], {2: "[h]:mm:ss"})])
    table = read_table(path, "product-price")
    assert issues(table) == {("Prices!C2", "shows-hashes", "warning")}
    assert by_row(table)[3]["NOTES"] == "36:00:00"


def _libreoffice(source: Path, target: str, outdir: Path) -> Path:
    profile = outdir.parent / "lo-profile"
    done = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--norestore", "--convert-to", target, "--outdir", str(outdir),
                           str(source)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return outdir / f"{source.stem}.{target}"


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("target", ["xls", "ods"])
def test_a_billion_days_saved_by_libreoffice_no_longer_refuses_the_sheet(tmp_path, target):
    source = workbook(tmp_path / "p.xlsx", [
        (["A1", "LP", 1e9, 5.5, dt.datetime(2026, 3, 1)], {2: "[h]:mm:ss", 4: "yyyy-mm-dd"}),
        (["A2", "LP", "note", 10, dt.datetime(2026, 4, 1)], {4: "yyyy-mm-dd"}),
        (["A3", "LP", "x", 0.25, None], {3: "h:mm"})])
    table = read_table(_libreoffice(source, target, tmp_path / "x"), "product-price")
    assert issues(table) == {("Prices!C2", "shows-hashes", "warning"),
                             ("Prices!D4", "shows-date", "error")}
    assert by_row(table) == {
        2: {"PART_ID": "A1", "PRICE_CODE": "LP", "SO_UNIT_PRICE": "5.5",
            "EFFECTIVE_DATE": "2026-03-01"},
        3: {"PART_ID": "A2", "PRICE_CODE": "LP", "NOTES": "note", "SO_UNIT_PRICE": "10",
            "EFFECTIVE_DATE": "2026-04-01"},
        4: {"PART_ID": "A3", "PRICE_CODE": "LP", "NOTES": "x"}}


def test_negative_dates_are_found_whatever_the_cell_markup():
    from importer.reading.scan import _negative_dates

    styles = {1: "yyyy-mm-dd", 2: "0.00"}
    plain = (b'<row r="2"><c r="C2" s="1" t="n"><f>A1-5</f><v>-1.5</v></c>'
             b'<c r="D2" s="2"><v>-3</v></c><c r="E2" s="1"><v>7</v></c></row>')
    other = b'<x:row r="2"><x:c s="1" r="C2"><x:v>-1.5</x:v></x:c></x:row>'
    assert _negative_dates(plain, styles, False) == {(2, 2): -1.5}
    assert _negative_dates(other, styles, True) == {(2, 2): -1.5}


def test_free_text_gets_excel_s_text_in_a_file_excel_saved(tmp_path):
    rows = [(["A1", "LP", 3.14, 5], {2: ".00"}), (["A2", "LP", 1234.5, 5], {2: '"$".00'}),
            (["A3", "LP", dt.time(16, 17, 36, 960000), 5], {2: "h:mm:ss"}),
            (["A4", "LP", 1, 5], {2: "0.##"}), (["A5", "LP", 12.3, 5], {2: "# ?/?"}),
            (["A6", "LP", -123.456, 5], {2: "# ??/??"}), (["A7", "LP", "abc", 5],
                                                           {2: "0;-0;0;General"}),
            (["A8", "LP", 1.5, 5], {2: "0." + "0" * 30})]
    excel = by_row(read_table(workbook(tmp_path / "e.xlsx", rows), "product-price"))
    assert [excel[r]["NOTES"] for r in range(2, 10)] == [
        "3.14", "$1234.50", "16:17:37", "1.", "12 1/3", "-123 26/57", "abc",
        "1.5" + "0" * 29]
    libre = by_row(read_table(workbook(tmp_path / "l.xlsx", rows, "LibreOffice/7.4"),
                              "product-price"))
    assert [libre[r]["NOTES"] for r in (4, 5, 6, 7)] == ["16:17:36", "1", "12 2/7", "-123 31/68"]


def test_fractions_in_number_fields(tmp_path):
    path = workbook(tmp_path / "p.xlsx", [
        (["A1", "LP", None, 2.25], {3: "?/8"}), (["A2", "LP", None, 2.25], {3: "# ?/2"}),
        (["A3", "LP", None, 2.3], {3: "# ??/16"}), (["A4", "LP", None, 2.37], {3: "# ??/100"}),
        (["A5", "LP", None, 12.3], {3: "# ?/?"}), (["A6", "LP", None, 2.5], {3: "# ?/?"})])
    table = read_table(path, "product-price")
    rows = by_row(table)
    assert [rows[r].get("SO_UNIT_PRICE") for r in range(2, 8)] == [
        "2.25", "2.5", "2.3125", "2.37", None, "2.5"]
    assert issues(table) == {("Prices!D3", "shows-rounded", "warning"),  # 2.25 shows 2 1/2
                             ("Prices!D4", "shows-rounded", "warning"),  # 2.3 shows 2 5/16
                             ("Prices!D6", "shows-fraction", "error")}  # 12 1/3 has no decimals


def test_a_file_that_does_not_say_is_read_libreoffice_s_way_and_keys_excel_differs_on_are_errors(
        tmp_path):
    path = workbook(tmp_path / "p.xlsx", [
        ([dt.time(16, 17, 36, 960000), "LP", dt.time(16, 17, 36, 960000), 5],
         {0: "h:mm:ss", 2: "h:mm:ss"}),
        (["A2", "LP", None, 1], {3: "0.##"})], application=None)
    table = read_table(path, "product-price")
    assert by_row(table)[2]["NOTES"] == "16:17:36"
    assert issues(table) == {("Prices!A2", "shows-differently", "error")}
    message = next(i.message for i in table.issues)
    assert "'16:17:36' in LibreOffice but '16:17:37' in Excel" in message
    assert by_row(table)[3]["SO_UNIT_PRICE"] == "1"


def test_validate_reports_the_date_in_a_number_field_at_its_cell(tmp_path):
    path = workbook(tmp_path / "p.xlsx", [
        (["PUMP001", "LP", None, dt.datetime(2024, 1, 15), dt.datetime(2026, 1, 1)],
         {3: "yyyymmdd"})])
    report = validate(read_table(path, "product-price"))
    assert ("Prices!D2", "shows-date", "error") in {
        (i.address, i.code, i.severity.value) for i in report.issues}


# --- validate and import: the date in a price is an error at its cell, nothing sent ------------
PASSWORD = "Pw-S3cret-xyzzy"


@pytest.fixture
def erp(sandbox_factory, tmp_path, monkeypatch):
    from conftest import isolate_from_user

    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return sandbox_factory(users={"APIUSER": PASSWORD})


def _price_list(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws.append(["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"])
    ws.append(["PUMP001", "LP", "2026-03-01", 1, 10.5])
    ws.append(["PUMP001", "LP", "2026-03-01", 5, dt.datetime(2024, 1, 15)])
    ws["E3"].number_format = "yyyymmdd"  # shows 20240115; it was sent as the price 20240115
    wb.save(path)
    return saved_by(path, "Microsoft Excel")


def test_validate_and_import_stop_the_date_shown_as_a_price_at_its_cell(erp, tmp_path):
    import json

    from click.testing import CliRunner
    from conftest import records, stats

    from importer.cli import main

    path = _price_list(tmp_path / "prices.xlsx")
    checked = CliRunner().invoke(main, ["validate", str(path)])
    assert checked.exit_code == 1
    assert "Prices!E3" in checked.output and "shows-date" in checked.output
    result = CliRunner().invoke(
        main, ["import", str(path), "--json", "--url", erp.url, "--data-source", erp.data_source,
               "--user", erp.user, "--journal", str(tmp_path / "j")],
        env={"IMPORTER_PASSWORD": PASSWORD}, catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["counts"] == {"CREATED": 1, "INVALID": 1}
    held = [(r["ORDER_QTY"], r["SO_UNIT_PRICE"]) for r in records(erp.url, "product-price")
            if r["PART_ID"] == "PUMP001" and r["PRICE_CODE"] == "LP"]
    assert held == [("1", "10.5")]
    assert sum(stats(erp.url)["calls"].get("/api/product-price-create", {}).values()) == 1
