"""Write the bad-input corpus beside this script and its manifest, expected.json.

    python tests/data/bad/make_corpus.py

Each file is small; the manifest gives, per file, the extra command-line options, the exact exit
code of `importer validate` and either a fragment of the one-sentence message (exit 2) or the
annotated cells ({"Sheet!A1": "code"}, exit 0/1). The same manifest serves `import --dry-run`.
Files marked "libreoffice" are written by headless LibreOffice (soffice) when it is installed;
without it they are skipped and the committed copies stay as they are.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
H = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "END_DATE", "CURR_CODE",
     "SO_UNIT_PRICE", "ITEM_DISC_PCT", "NOTES"]
GOOD = ["PUMP001", "LP", dt.date(2026, 12, 1), 1, dt.date(2027, 11, 30), "USD", 199.5, 0, "ok"]
ERRORS = ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
FIXED = dt.datetime(2026, 11, 1, 8, 0, 0)
MANIFEST: dict[str, dict] = {}


def expect(name: str, exit_code: int, what: str, message: str | None = None,
           cells: dict[str, str] | None = None, args: list[str] | None = None) -> None:
    entry = {"what": what, "args": args or [], "exit": exit_code}
    if message is not None:
        entry["message"] = message
    if cells is not None:
        entry["cells"] = cells
    MANIFEST[name] = entry


def xlsx(name: str, rows: list[list], sheet: str = "Prices", setup=None) -> Path:
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if setup:
        setup(wb, ws)
    path = HERE / name
    wb.save(path)
    _reproducible(path)
    return path


def _reproducible(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members:
            if name == "docProps/core.xml":
                import re
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2026-11-01T08:00:00Z", data)
            zf.writestr(zipfile.ZipInfo(name, FIXED.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)


def raw(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def broken_files() -> None:
    raw("empty.csv", b"")
    expect("empty.csv", 2, "a 0-byte CSV", "empty.csv is empty")
    raw("blank_lines.csv", b"\r\n  \r\n\r\n")
    expect("blank_lines.csv", 2, "a CSV of blank lines", "blank_lines.csv is empty")
    raw("binary.csv", bytes(range(256)) * 8)
    expect("binary.csv", 2, "binary bytes named .csv", "binary.csv is not a text (CSV) file")
    good = xlsx("_good.xlsx", [H, GOOD] * 1 + [GOOD[:1] + [f"P{i}"] + GOOD[2:] for i in range(300)])
    data = good.read_bytes()
    good.unlink()
    raw("truncated.xlsx", data[: len(data) // 2])
    expect("truncated.xlsx", 2, "the first half of a workbook", "truncated.xlsx is damaged or "
           "incomplete (it cannot be unzipped)")
    raw("zip_not_workbook.xlsx", _zip({"readme.txt": b"hello", "data/prices.csv": b"PART_ID\n"}))
    expect("zip_not_workbook.xlsx", 2, "a zip of other files named .xlsx",
           "is a ZIP archive but not an Excel or OpenDocument workbook")
    members = _members(xlsx("_ok.xlsx", [H, GOOD]))
    (HERE / "_ok.xlsx").unlink()
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c r='A1' t='s"
    raw("corrupt_sheet_xml.xlsx", _zip(members))
    expect("corrupt_sheet_xml.xlsx", 2, "a workbook whose sheet XML is cut off",
           "corrupt_sheet_xml.xlsx cannot be read")
    raw("csv_renamed.xlsx", b"PART_ID,PRICE_CODE\r\nPUMP001,LP\r\n")
    expect("csv_renamed.xlsx", 2, "CSV text saved with an .xlsx name",
           "csv_renamed.xlsx is not a .xlsx workbook")
    raw("web_page.xls", b"<html><body><table><tr><td>PART_ID</td></tr></table></body></html>")
    expect("web_page.xls", 2, "an HTML table named .xls, as some exports do",
           "web_page.xls is a web page, not a spreadsheet")
    raw("document.xlsx", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    expect("document.xlsx", 2, "a PDF named .xlsx", "document.xlsx is a PDF")
    raw("junk_ole.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"junk" * 200)
    expect("junk_ole.xls", 2, "an OLE header followed by junk", "junk_ole.xls cannot be read as "
           "a .xls workbook")
    raw("password.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        + "EncryptedInfo".encode("utf-16-le") + b"\x00" * 40
        + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 400)
    expect("password.xlsx", 2, "the container of a password-protected workbook (synthetic)",
           "password.xlsx is protected with a password")
    raw("utf16_no_bom.csv", "PART_ID\tPRICE_CODE\r\nPUMP001\tLP\r\n".encode("utf-16-le"))
    expect("utf16_no_bom.csv", 0, "UTF-16 text without a byte-order mark", cells={})
    raw("utf16_excel_unicode_text.csv", "PART_ID\tPRICE_CODE\tNOTES\r\n000417\tLP\tGröße\r\n"
        .encode("utf-16"))
    expect("utf16_excel_unicode_text.csv", 0, "Excel's 'Unicode Text' (UTF-16, BOM, tabs)",
           cells={})


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, FIXED.timetuple()[:6]), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def column_files() -> None:
    xlsx("empty_sheet.xlsx", [])
    expect("empty_sheet.xlsx", 2, "a workbook with nothing in it", "Sheet 'Prices' of "
           "empty_sheet.xlsx is empty")
    xlsx("header_only.xlsx", [H])
    expect("header_only.xlsx", 2, "a header and no rows", "has a header but no data rows")
    xlsx("no_header.xlsx", [["Price list"], ["pump", "list", 10]])
    expect("no_header.xlsx", 2, "no row of field names", "No header row found in the first 30 "
           "rows of sheet 'Prices' of no_header.xlsx")
    xlsx("wrong_entity.xlsx", [H, GOOD])
    expect("wrong_entity.xlsx", 2, "a price list checked as customer parts",
           "are Product Price fields, not Customer Part fields; use --entity product-price",
           args=["--entity", "customer-part"])
    xlsx("unknown_column.xlsx", [H[:2] + ["SO_UNIT_PRCE"], ["PUMP001", "LP", 1]])
    expect("unknown_column.xlsx", 2, "a column whose header is a typo of a field",
           "Column C 'SO_UNIT_PRCE' (closest field: SO_UNIT_PRICE)")
    xlsx("duplicate_columns.xlsx", [H[:2] + ["part id"], ["PUMP001", "LP", "PUMP002"]])
    expect("duplicate_columns.xlsx", 2, "PART_ID twice", "Columns A and C of sheet 'Prices' of "
           "duplicate_columns.xlsx are both PART_ID")
    xlsx("missing_required.xlsx", [["PART_ID", "SO_UNIT_PRICE"], ["PUMP001", 1]])
    expect("missing_required.xlsx", 2, "no PRICE_CODE column", "has no PRICE_CODE column")
    raw("ambiguous.csv", b"PART_ID,NOTES\r\nPUMP001,hello\r\n")
    expect("ambiguous.csv", 2, "columns both record types have", "say which with --entity")
    xlsx("other_sheet.xlsx", [H, GOOD])
    expect("other_sheet.xlsx", 2, "--sheet naming a sheet that is not there",
           "has no sheet 'January'; its sheets are 'Prices'", args=["--sheet", "January"])

    def merge(wb, ws):
        ws.merge_cells("A1:B1")
    xlsx("merged_header.xlsx", [["PART_ID", None, "PRICE_CODE"], ["PUMP001", "x", "LP"]],
         setup=merge)
    expect("merged_header.xlsx", 2, "a header cell merged over two columns with data under both",
           "Column B of sheet 'Prices' of merged_header.xlsx has values but no header")
    header = H + [f"EXTRA_{i}" for i in range(len(H) + 1, 1001)]
    xlsx("columns_1000.xlsx", [header, GOOD + [i for i in range(len(H) + 1, 1001)]])
    expect("columns_1000.xlsx", 2, "1,000 columns, 991 of them no field, with --strict-columns",
           "Columns J 'EXTRA_10' (closest field:", args=["--strict-columns"])


def cell_files() -> None:
    xlsx("title_rows.xlsx", [["Price list December 2026"], ["prepared by sales"], [], H, GOOD])
    expect("title_rows.xlsx", 0, "two title rows and a blank row above the header", cells={})

    def hide(wb, ws):
        ws.row_dimensions[3].hidden = True
    xlsx("hidden_rows.xlsx", [H, GOOD, ["PUMP002"] + GOOD[1:]], setup=hide)
    expect("hidden_rows.xlsx", 0, "a hidden data row (read, with a warning)",
           cells={"Prices!3": "hidden-row"})
    xlsx("excel_errors.xlsx", [H] + [[f"PUMP00{i + 1}", "LP", None, None, None, None, e]
                                     for i, e in enumerate(ERRORS)])
    expect("excel_errors.xlsx", 1, "every Excel error value as a cached result",
           cells={f"Prices!G{i + 2}": "excel-error" for i in range(len(ERRORS))})
    xlsx("formulas_without_values.xlsx", [H, ["PUMP001", "LP", "=DATE(2026,12,1)", "=10*10",
                                              None, None, "=D2*1.5"]])
    expect("formulas_without_values.xlsx", 1, "formulas a script wrote, never calculated",
           cells={"Prices!C2": "formula-without-value", "Prices!D2": "formula-without-value",
                  "Prices!G2": "formula-without-value"})
    xlsx("dates_out_of_range.xlsx", [H, ["PUMP001", "LP", "1899-12-31", 1, "10000-01-01"],
                                     ["PUMP002", "LP", "1850-06-01", 1, "31/12/2026"]])
    expect("dates_out_of_range.xlsx", 1, "dates before 1900 and after 9999 (as text: Excel "
           "cannot hold them as dates); 31/12/2026 proves the file's slash dates are day/month",
           cells={"Prices!C2": "invalid-date", "Prices!E2": "invalid-date",
                  "Prices!C3": "invalid-date"})
    xlsx("notes_32766.xlsx", [H, GOOD[:8] + ["n" * 32766]])
    expect("notes_32766.xlsx", 1, "NOTES one character too long", cells={"Prices!I2": "too-long"})
    xlsx("invalid_action.xlsx", [H + ["ACTION"], GOOD + ["DELETE"]])
    expect("invalid_action.xlsx", 1, "ACTION DELETE", cells={"Prices!J2": "invalid-action"})

    def million(wb, ws):
        for r in range(3, 20003):
            ws.cell(r, 1).number_format = "0.00"
        ws.cell(1048576, 12).number_format = "0.00"
    xlsx("million_formatted_rows.xlsx", [H, GOOD], setup=million)
    expect("million_formatted_rows.xlsx", 0, "dimension A1:L1048576: 20,000 formatted empty rows "
           "below the data and a formatted cell in the last row", cells={})
    raw("excel_errors_in.csv", b"PART_ID,PRICE_CODE,SO_UNIT_PRICE\r\nPUMP001,LP,#N/A\r\n"
        b"PUMP002,LP,#DIV/0!\r\n")
    expect("excel_errors_in.csv", 1, "a CSV saved from a sheet with error values",
           cells={"excel_errors_in!C2": "excel-error", "excel_errors_in!C3": "excel-error"})
    raw("semicolon_cp1252.csv", "PART_ID;PRICE_CODE;EFFECTIVE_DATE;NOTES\r\n"
        "000417;LP;12/1/2026;Preis in € für Müller\r\n".encode("cp1252"))
    expect("semicolon_cp1252.csv", 0, "Excel's German CSV: semicolons, Windows-1252; its only "
           "slash date could be either order (read month first, a warning on the file)",
           cells={"semicolon_cp1252": "dates-read-month-first"})
    raw("day_first.csv", b"\xef\xbb\xbfPART_ID,PRICE_CODE,EFFECTIVE_DATE,END_DATE\r\n"
        b"00123,LP,13/12/2026,31/12/2027\r\n")
    expect("day_first.csv", 0, "UTF-8 BOM CSV with day/month dates read with --day-first",
           cells={}, args=["--day-first"])
    raw("spaces_and_times.csv", b"PART_ID,PRICE_CODE,EFFECTIVE_DATE\r\n PUMP001 ,LP,"
        b"2026-12-01 14:30\r\n")
    expect("spaces_and_times.csv", 1, "spaces around an id (a warning) and a time of day in "
           "date text (an error: only a date can be sent)",
           cells={"spaces_and_times!A2": "whitespace-trimmed",
                  "spaces_and_times!C2": "date-with-time"})


def libreoffice_files() -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print("soffice not found: LibreOffice files left as they are")
        return
    csv = ("PART_ID,PRICE_CODE,EFFECTIVE_DATE,ORDER_QTY,SO_UNIT_PRICE,ITEM_DISC_PCT\n"
           "PUMP001,LP,2026-12-01,1,=0.1+0.2,5\n"
           "PUMP002,LP,2026-12-01,1,=1/0,=NA()\n")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "libreoffice.csv"
        src.write_text(csv)
        for fmt in ("xlsx", "ods", "xls"):
            subprocess.run([soffice, "--headless", "--convert-to", fmt, "--outdir", tmp, str(src)],
                           check=True, capture_output=True, timeout=180)
            shutil.copy(Path(tmp) / f"libreoffice.{fmt}", HERE / f"libreoffice.{fmt}")
    for fmt in ("xlsx", "ods", "xls"):
        expect(f"libreoffice.{fmt}", 1, f"written by LibreOffice from a CSV with formulas "
               f"(=0.1+0.2 is fine; =1/0 and =NA() are errors)",
               cells={"libreoffice!E3": "excel-error", "libreoffice!F3": "excel-error"})


def main() -> None:
    old = json.loads((HERE / "expected.json").read_text()) if (HERE / "expected.json").exists() else {}
    broken_files()
    column_files()
    cell_files()
    libreoffice_files()
    for name, entry in old.get("files", {}).items():  # kept when LibreOffice is missing
        if name.startswith("libreoffice.") and name not in MANIFEST and (HERE / name).exists():
            MANIFEST[name] = entry
    (HERE / "expected.json").write_text(json.dumps(
        {"about": "Per file: extra options, exit code of `importer validate`, and the message "
                  "fragment (exit 2) or the exact annotated cells {address: code} (exit 0/1).",
         "files": dict(sorted(MANIFEST.items()))}, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(MANIFEST)} files in {HERE}")


if __name__ == "__main__":
    main()
