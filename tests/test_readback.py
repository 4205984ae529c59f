"""A file the tool wrote is input to the tool with no option: the template (both record types,
xlsx and csv, and the committed templates/), an export, the failed-rows, results and validation
workbooks. The tool's helper sheets (Fields, Summary, Issues, About) are marked in the workbook,
never taken for record sheets."""
from __future__ import annotations

import csv
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from importer.cli import main
from importer.model import HELPER_SHEETS_PROPERTY

ROOT = Path(__file__).resolve().parents[1]
ROWS = {
    "product-price": [{"PART_ID": "PUMP001", "PRICE_CODE": "LP", "EFFECTIVE_DATE": date(2026, 12, 1),
                       "ORDER_QTY": 1, "CURR_CODE": "USD", "SO_UNIT_PRICE": 189.5},
                      {"PART_ID": "000417", "PRICE_CODE": "LP",
                       "EFFECTIVE_DATE": date(2026, 12, 1), "ORDER_QTY": 100, "CURR_CODE": "USD",
                       "SO_UNIT_PRICE": 0.42}],
    "customer-part": [{"PART_ID": "PUMP001", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "AC-1",
                       "SO_DESC": "Small pump"},
                      {"PART_ID": "000417", "CUSTOMER_ID": "ACME", "CUST_PART_ID": "AC-2",
                       "QUOTE_UNIT_PRIC": 0.5}],
}


def run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def fill_xlsx(template: Path, entity: str, out: Path) -> Path:
    """The template's record sheet filled in with openpyxl, as an admin would in Excel."""
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for values in ROWS[entity]:
        ws.append([values.get(h) for h in header])
    wb.save(out)
    return out


def fill_csv(template: Path, entity: str, out: Path) -> Path:
    with template.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for values in ROWS[entity]:
            w.writerow([str(values.get(h, "")) for h in header])
    return out


@pytest.mark.parametrize("entity", ["product-price", "customer-part"])
def test_a_filled_template_validates_and_imports_into_the_sandbox_with_no_option(tmp_path,
                                                                                 entity):
    code, out = run("template", entity, "-o", tmp_path / "t.xlsx")
    assert code == 0, out
    filled = fill_xlsx(tmp_path / "t.xlsx", entity, tmp_path / "filled.xlsx")
    code, out = run("validate", filled)
    assert code == 0, out
    code, out = run("import", filled, "--sandbox", "--json")
    assert code == 0, out
    assert json.loads(out)["counts"] == {"CREATED": 2}
    code, out = run("template", entity, "--format", "csv", "-o", tmp_path / "t.csv")
    filled_csv = fill_csv(tmp_path / "t.csv", entity, tmp_path / "filled.csv")
    code, out = run("validate", filled_csv)
    assert code == 0, out


@pytest.mark.parametrize("entity", ["product-price", "customer-part"])
def test_the_committed_templates_filled_in_validate_with_no_option(tmp_path, entity):
    filled = fill_xlsx(ROOT / "templates" / f"{entity}.xlsx", entity, tmp_path / "f.xlsx")
    code, out = run("validate", filled)
    assert code == 0, out
    filled = fill_csv(ROOT / "templates" / f"{entity}.csv", entity, tmp_path / "f.csv")
    code, out = run("validate", filled)
    assert code == 0, out


def test_a_blank_template_says_it_has_no_rows_not_that_fields_is_ambiguous(tmp_path):
    run("template", "customer-part", "-o", tmp_path / "t.xlsx")
    code, out = run("validate", tmp_path / "t.xlsx")
    assert code == 2 and "no data rows" in out and "Fields" not in out, out


def test_an_unmarked_template_from_before_is_read_too(tmp_path):
    """A template written before the mark existed: its Fields sheet is recognised by name."""
    run("template", "product-price", "-o", tmp_path / "t.xlsx")
    filled = fill_xlsx(tmp_path / "t.xlsx", "product-price", tmp_path / "f.xlsx")
    old = tmp_path / "old.xlsx"
    with zipfile.ZipFile(filled) as src, zipfile.ZipFile(old, "w") as dst:
        for info in src.infolist():
            if info.filename != "docProps/custom.xml":
                dst.writestr(info, src.read(info.filename))
    code, out = run("validate", old)
    assert code == 0, out


def helper_mark(path: Path) -> list[str]:
    wb = load_workbook(path)
    return json.loads(next(p.value for p in wb.custom_doc_props.props
                           if p.name == HELPER_SHEETS_PROPERTY))


def test_results_failed_rows_and_validation_workbooks_read_back(tmp_path):
    code, _ = run("template", "product-price", "-o", tmp_path / "t.xlsx")
    rows = ROWS["product-price"] + [{"PART_ID": "NOPART", "PRICE_CODE": "LP",
                                     "EFFECTIVE_DATE": date(2026, 12, 1), "ORDER_QTY": 1,
                                     "SO_UNIT_PRICE": 5}]
    wb = load_workbook(tmp_path / "t.xlsx")
    header = [c.value for c in wb.worksheets[0][1]]
    for values in rows:
        wb.worksheets[0].append([values.get(h) for h in header])
    wb.save(tmp_path / "p.xlsx")
    journal = tmp_path / "j.sqlite3"
    run("validate", tmp_path / "p.xlsx")
    code, out = run("import", tmp_path / "p.xlsx", "--sandbox", "--journal", journal)
    assert code == 1, out  # NOPART: not in the sandbox's parts
    assert "Summary" in helper_mark(tmp_path / "p.results.xlsx")
    assert helper_mark(tmp_path / "p.failed.xlsx") == []
    for name in ("p.results.xlsx", "p.validation.xlsx"):
        code, out = run("validate", tmp_path / name, "-o", tmp_path / f"{name}.check.xlsx")
        assert code in (0, 1) and "Checked 3 rows" in out, out
        assert "Summary" not in out and "Issues" not in out, out
    code, out = run("validate", tmp_path / "p.failed.xlsx", "--json")
    data = json.loads(out)
    assert data["rows"] == 1 and data["not_read"] == [], data
    code, out = run("import", tmp_path / "p.results.xlsx", "--sandbox", "--journal", journal,
                    "--fresh", "--json")
    assert json.loads(out)["counts"] in ({"UPDATED": 2, "INVALID": 1}, {"UPDATED": 2, "FAILED": 1}), out
