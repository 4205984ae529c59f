"""The workbooks open in a real spreadsheet program: headless LibreOffice converts them.

Skipped (with the reason printed) only when LibreOffice is not installed; `.ci/run` installs it.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from importer.entities import PRODUCT_PRICE, Kind
from importer.model import Report
from importer.workbooks import write_results_workbook, write_template, write_validation_workbook
from test_workbooks_results import OUTCOMES, ROWS, RUN
from test_workbooks_support import make_table
from test_workbooks_validation import ISSUES, ROWS as VALIDATION_ROWS

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; install libreoffice-calc")


@pytest.fixture(scope="module")
def convert(tmp_path_factory):
    profile = tmp_path_factory.mktemp("lo-profile")

    def run(path: Path, target: str) -> Path:
        outdir = path.parent / f"converted-{target}"
        outdir.mkdir(exist_ok=True)
        done = subprocess.run(
            [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(outdir), str(path)],
            capture_output=True, text=True, timeout=180)
        result = outdir / f"{path.stem}.{target.split(':')[0]}"
        assert done.returncode == 0 and result.exists(), done.stdout + done.stderr
        return result

    return run


def test_results_workbook_opens_in_libreoffice_with_every_row(tmp_path, convert):
    out = tmp_path / "march.results.xlsx"
    write_results_workbook(make_table(ROWS), RUN, OUTCOMES, out)
    converted = convert(out, "csv")
    with converted.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][0] == "March price list"
    assert rows[2][:2] == ["PART_ID", "PRICE_CODE"] and rows[2][7] == "STATUS"
    assert [r[7] for r in rows[3:9]] == ["CREATED", "UPDATED", "FAILED", "INVALID", "SKIPPED",
                                        "NOT_RUN"]
    assert rows[3][0] == "00123" and rows[4][6] == "=1+1"  # text stays text, no formula result


def test_results_workbook_prints_to_pdf(tmp_path, convert):
    out = tmp_path / "march.results.xlsx"
    write_results_workbook(make_table(ROWS), RUN, OUTCOMES, out)
    pdf = convert(out, "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        print("pdftotext (poppler-utils) missing: PDF text not checked")
        return
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    for word in ("CREATED", "NOT_RUN", "Import results", "Rows by status", "ERP:PART_DESC"):
        assert word in text


def test_validation_workbook_opens_in_libreoffice(tmp_path, convert):
    out = tmp_path / "march.validation.xlsx"
    write_validation_workbook(Report(make_table(VALIDATION_ROWS), ISSUES), out)
    with convert(out, "csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert [r[7] for r in rows[3:6]] == ["VALID", "INVALID", "WARNING"]


def test_cell_comments_survive_in_libreoffice(tmp_path, convert):
    out = tmp_path / "march.validation.xlsx"
    write_validation_workbook(Report(make_table(VALIDATION_ROWS), ISSUES), out)
    content = zipfile.ZipFile(convert(out, "ods")).read("content.xml").decode("utf-8")
    assert content.count("<office:annotation") == 4  # three cells and the STATUS header
    assert "EFFECTIVE_DATE 2026-13-01 is not a date; write it as YYYY-MM-DD." in content


NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
      "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"}


def _column_formats(ods: Path) -> list[str]:
    """Each column's default number format in LibreOffice's reading: 'text', 'date' or 'other'."""
    root = ElementTree.fromstring(zipfile.ZipFile(ods).read("content.xml"))
    q = lambda ns, name: f"{{{NS[ns]}}}{name}"  # noqa: E731
    kinds = {s.get(q("style", "name")): "text" for s in root.iter(q("number", "text-style"))}
    kinds.update({s.get(q("style", "name")): "date" for s in root.iter(q("number", "date-style"))})
    cell_styles = {s.get(q("style", "name")): kinds.get(s.get(q("style", "data-style-name")),
                                                        "other")
                   for s in root.iter(q("style", "style"))}
    sheet = next(root.iter(q("table", "table")))
    out = []
    for col in sheet.iter(q("table", "table-column")):
        repeat = int(col.get(q("table", "number-columns-repeated"), "1"))
        out += [cell_styles.get(col.get(q("table", "default-cell-style-name")), "other")] * repeat
    return out


def test_template_id_columns_are_text_and_dates_iso_in_libreoffice(tmp_path, convert):
    ods = convert(write_template(PRODUCT_PRICE, tmp_path / "t.xlsx").path, "ods")
    formats = _column_formats(ods)
    for i, f in enumerate(PRODUCT_PRICE.fields):
        expected = {Kind.ID: "text", Kind.DATE: "date"}.get(f.kind, "other")
        assert formats[i] == expected, f.name
