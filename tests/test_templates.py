"""Templates: what an admin sees when opening the blank file, and that templates/ is up to date."""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from importer.cli import main
from importer.entities import ENTITIES, Kind
from importer.workbooks import write_template

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_template_header_lists_fields_in_documented_order(tmp_path, name):
    entity = ENTITIES[name]
    path = write_template(entity, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in ws[1]] == list(entity.field_names)
    assert ws.max_row == 1
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_id_columns_are_text_and_date_columns_show_iso_dates(tmp_path, name):
    entity = ENTITIES[name]
    ws = openpyxl.load_workbook(write_template(entity, tmp_path / "t.xlsx")).worksheets[0]
    for col, f in enumerate(entity.fields, start=1):
        fmt = ws.column_dimensions[openpyxl.utils.get_column_letter(col)].number_format
        if f.kind is Kind.ID:
            assert fmt == "@", f.name
        elif f.kind is Kind.DATE:
            assert fmt == "yyyy-mm-dd", f.name
        else:
            assert fmt == "General", f.name


def test_required_columns_are_bold_and_highlighted(tmp_path):
    entity = ENTITIES["product-price"]
    ws = openpyxl.load_workbook(write_template(entity, tmp_path / "t.xlsx")).worksheets[0]
    header = {c.value: c for c in ws[1]}
    for name in entity.required_create:
        assert header[name].font.b and header[name].fill.fgColor.rgb.endswith("FFD966")
    assert not header["NOTES"].font.b and header["NOTES"].fill.fill_type is None
    assert header["EFFECTIVE_DATE"].font.b  # a key field, needed to update


def test_fields_sheet_explains_every_column(tmp_path):
    entity = ENTITIES["product-price"]
    wb = openpyxl.load_workbook(write_template(entity, tmp_path / "t.xlsx"))
    rows = list(wb["Fields"].iter_rows(min_row=1, max_col=5, values_only=True))
    assert rows[0] == ("field", "kind", "required when", "description", "example")
    by_field = {r[0]: r for r in rows[1:] if r[0]}
    assert list(by_field) == list(entity.field_names)
    assert by_field["PART_ID"][1:3] == ("id", "create, update (key)")
    assert by_field["ORDER_QTY"][2].startswith("update (key)")
    assert by_field["NOTES"][2] is None and by_field["NOTES"][1] == "long_text"
    legend = [c.value for c in wb["Fields"]["G"] if c.value]
    assert "Required to create" in legend


def test_data_validation_guards_dates_numbers_percentages_and_flags(tmp_path):
    pp = openpyxl.load_workbook(write_template("product-price", tmp_path / "p.xlsx")).worksheets[0]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in pp.data_validations.dataValidation}
    assert rules["C2"].type == "date"
    assert (rules["D2"].type, rules["D2"].operator, rules["D2"].formula1) == (
        "decimal", "greaterThanOrEqual", "0")
    assert (rules["H2"].formula1, rules["H2"].formula2) == ("0", "100")
    cp = openpyxl.load_workbook(write_template("customer-part", tmp_path / "c.xlsx")).worksheets[0]
    flags = [dv for dv in cp.data_validations.dataValidation if dv.type == "list"]
    assert flags and all(dv.formula1 == '"Y,N"' for dv in flags)


def test_csv_template_is_the_header_line_with_a_bom(tmp_path):
    path = write_template("customer-part", tmp_path / "c.csv", fmt="csv").path
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").strip() == ",".join(ENTITIES["customer-part"].field_names)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # docProps/core.xml holds the save time, nothing else differs
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_committed_templates_are_what_the_generator_writes_now(tmp_path, name):
    fresh_xlsx = write_template(name, tmp_path / f"{name}.xlsx")
    assert _members(TEMPLATES / f"{name}.xlsx") == _members(fresh_xlsx), (
        f"templates/{name}.xlsx is stale: run importer template {name} -o templates/{name}.xlsx "
        "--force")
    fresh_csv = write_template(name, tmp_path / f"{name}.csv", fmt="csv").path
    assert (TEMPLATES / f"{name}.csv").read_bytes() == fresh_csv.read_bytes()


def test_template_command_writes_default_name_and_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["template", "product-price"])
    assert first.exit_code == 0, first.output
    assert Path("product-price-template.xlsx").exists()
    again = runner.invoke(main, ["template", "product-price"])
    assert again.exit_code == 2
    assert "already exists" in again.output and "--force" in again.output
    assert runner.invoke(main, ["template", "product-price", "--force"]).exit_code == 0
    csv_run = runner.invoke(main, ["template", "customer-part", "--format", "csv", "-o", "x.csv"])
    assert csv_run.exit_code == 0 and Path("x.csv").read_text("utf-8-sig").startswith("PART_ID,")


def test_template_format_follows_the_file_name_and_a_mismatch_is_refused(tmp_path):
    runner = CliRunner()
    done = runner.invoke(main, ["template", "product-price", "-o", str(tmp_path / "p.csv")])
    assert done.exit_code == 0
    assert (tmp_path / "p.csv").read_text("utf-8-sig").startswith("PART_ID,PRICE_CODE,")
    clash = runner.invoke(main, ["template", "product-price", "--format", "xlsx", "-o",
                                 str(tmp_path / "q.csv")])
    assert clash.exit_code == 2 and "--format csv" in clash.output
    assert not (tmp_path / "q.csv").exists()
