"""Spreadsheets from every office, written by LibreOffice itself, imported into a real sandbox.

The files are typed as numbers and dates with number formats, then saved by headless LibreOffice
with a German (de-DE) or a US (en-US) locale: a semicolon CSV in Windows-1252 as German Excel
saves it (``189,00``, ``1.245,50``, ``€ 9,99``, ``01.12.2026``), the same file as an xlsx of text
cells, and US / day-first CSVs. They are made once per session (LibreOffice is slow to start).
"""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, records

from importer.cli import main

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed; install libreoffice-calc")

DAY = dt.date(2026, 12, 1)
PRICE = "#,##0.00"
EURO = '"€ "#,##0.00'
# Saved as a CSV the way German Excel does: semicolons, double quotes, Windows-1252, German (1031).
GERMAN_CSV = "csv:Text - txt - csv (StarCalc):59,34,1,1,,1031"
US_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033"
# A German CSV opened with every column as text (2), then saved as xlsx: text cells throughout.
GERMAN_TEXT_IN = "CSV:59,34,1,1," + "/".join(f"{c}/2" for c in range(1, 9)) + ",1031"

# name -> (header, rows of (value, number format or None)); price codes are this file's own
SOURCES = {
    "de_prices": (["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE",
                   "SO_UNIT_PRICE"],
                  [[("PUMP001", None), ("DE-CSV", None), (DAY, "DD.MM.YYYY"), (1, "0"),
                    ("EUR", None), (189, PRICE)],
                   [("PUMP002", None), ("DE-CSV", None), (DAY, "DD.MM.YYYY"), (1000, "#,##0"),
                    ("EUR", None), (1245.5, PRICE)],
                   [("PUMP003", None), ("DE-CSV", None), (DAY, "DD.MM.YYYY"), (1, "0"),
                    ("EUR", None), (9.99, EURO)]]),
    "de_aliases": (["Part Number", "Price List", "Valid From", "Min Qty", "Unit Price",
                    "Currency"],
                   [[("PUMP004", None), ("DE-ALIAS", None), (DAY, "DD.MM.YYYY"), (1, "0"),
                     (88.1, PRICE), ("EUR", None)]]),
    "de_artikel": (["Artikelnummer", "Preisliste", "Gültig ab", "Menge", "Preis"],
                   [[("PUMP005", None), ("DE-ARTIKEL", None), (DAY, "DD.MM.YYYY"), (1, "0"),
                     (132.4, PRICE)]]),
    "de_helpers": (["PART_ID", "PART_DESC", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY",
                    "SO_UNIT_PRICE", "Margin %"],
                   [[("PUMP006", None), ("my own words", None), ("DE-HELPER", None),
                     (DAY, "DD.MM.YYYY"), (1, "0"), (74.95, PRICE), (0.125, "0.0%")]]),
    "de_typo": (["PART_ID", "PRICE_CODE", "SO_UNIT_PRCE"],
                [[("PUMP007", None), ("DE-TYPO", None), (97.3, PRICE)]]),
    "us_prices": (["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE", "ORDER_QTY",
                   "SO_UNIT_PRICE"],
                  [[("PUMP001", None), ("US-CSV", None), (DAY, "MM/DD/YYYY"),
                    (dt.date(2026, 12, 31), "MM/DD/YYYY"), (1, "0"), (1245.5, PRICE)],
                   [("PUMP002", None), ("US-CSV", None), (DAY, "MM/DD/YYYY"),
                    (dt.date(2026, 12, 31), "MM/DD/YYYY"), (1, "0"), (10, PRICE)]]),
    "us_ambiguous": (["PART_ID", "PRICE_CODE", "ORDER_QTY", "SO_UNIT_PRICE", "EFFECTIVE_DATE"],
                     [[("PUMP001", None), ("US-AMB", None), (1234, "#,##0"), (10, "0"),
                       ("2026-12-01", None)]]),
    "gb_dates": (["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"],
                 [[("PUMP001", None), ("GB-CSV", None), (dt.date(2026, 2, 1), "DD/MM/YYYY"),
                   (1, "0"), (10, "0")],
                  [("PUMP002", None), ("GB-CSV", None), (dt.date(2026, 1, 13), "DD/MM/YYYY"),
                   (1, "0"), (10, "0")]]),
}


def _source(path: Path, header: list[str], rows) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r, row in enumerate(rows, start=2):
        for c, (value, number_format) in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if number_format:
                cell.number_format = number_format
    wb.save(path)
    return path


def _profile(root: Path, locale: str) -> Path:
    """A LibreOffice user profile whose locale is ``locale`` (what Tools > Options sets)."""
    user = root / f"lo-{locale}" / "user"
    user.mkdir(parents=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/'
        '2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org'
        '/2001/XMLSchema-instance"><item oor:path="/org.openoffice.Setup/L10N"><prop oor:name='
        f'"ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item></oor:items>\n',
        encoding="utf-8")
    return user.parent


def _soffice(profile: Path, outdir: Path, target: str, files: list[Path],
             infilter: str | None = None) -> None:
    args = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    args += [f"--infilter={infilter}"] if infilter else []
    done = subprocess.run([*args, "--convert-to", target, "--outdir", str(outdir),
                           *map(str, files)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="session")
def office_files(tmp_path_factory) -> dict[str, Path]:
    """name -> the file LibreOffice wrote: de_*.csv (German), de_prices_text.xlsx, us_*.csv."""
    root = tmp_path_factory.mktemp("office")
    src, out = root / "src", root / "out"
    src.mkdir()
    made = {name: _source(src / f"{name}.xlsx", *spec) for name, spec in SOURCES.items()}
    german, us = _profile(root, "de-DE"), _profile(root, "en-US")
    _soffice(german, out, GERMAN_CSV, [p for n, p in made.items() if n.startswith("de_")])
    _soffice(us, out, US_CSV, [p for n, p in made.items() if not n.startswith("de_")])
    text_dir = root / "text"
    _soffice(german, text_dir, "xlsx", [out / "de_prices.csv"], infilter=GERMAN_TEXT_IN)
    files = {name: out / f"{name}.csv" for name in SOURCES}
    files["de_prices_text"] = (text_dir / "de_prices.xlsx").rename(text_dir / "de_prices_text.xlsx")
    return files


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def copy(files: dict[str, Path], name: str, tmp_path: Path) -> Path:
    """The file in this test's folder, so its results and failed-rows workbooks land there."""
    return Path(shutil.copy(files[name], tmp_path / files[name].name))


def validate(path: Path, *args: str):
    return CliRunner().invoke(main, ["validate", str(path), "--json", *args],
                              catch_exceptions=False)


def import_into(sandbox, path: Path, *args: str):
    return CliRunner().invoke(main, [
        "import", str(path), "--url", sandbox.url, "--data-source", sandbox.data_source,
        "--user", sandbox.user, "--journal", str(path.parent / "journal.sqlite"), *args],
        env={"IMPORTER_PASSWORD": sandbox.password}, catch_exceptions=False)


def held(sandbox, price_code: str) -> dict[str, dict]:
    """PART_ID -> the record the sandbox holds for that price code."""
    return {r["PART_ID"]: r for r in records(sandbox.url, "product-price")
            if r["PRICE_CODE"] == price_code}


def test_libreoffice_wrote_german_excel_style_text(office_files):
    text = office_files["de_prices"].read_bytes().decode("cp1252")
    assert "189,00" in text and "1.245,50" in text and "€ 9,99" in text and "01.12.2026" in text
    assert ";" in text and "\x80".encode("latin-1") in office_files["de_prices"].read_bytes()
    us = office_files["us_prices"].read_text(encoding="utf-8")
    assert "1,245.50" in us and "12/31/2026" in us


def test_german_csv_validates_with_no_option_and_reaches_the_sandbox_as_api_numbers(
        office_files, tmp_path, sandbox):
    path = copy(office_files, "de_prices", tmp_path)
    checked = validate(path)
    assert checked.exit_code == 0, checked.output
    result = import_into(sandbox, path)
    assert result.exit_code == 0, result.output
    got = held(sandbox, "DE-CSV")
    assert {p: (r["SO_UNIT_PRICE"], r["ORDER_QTY"], r["EFFECTIVE_DATE"]) for p, r in got.items()} \
        == {"PUMP001": ("189.00", "1", "2026-12-01"), "PUMP002": ("1245.50", "1000", "2026-12-01"),
            "PUMP003": ("9.99", "1", "2026-12-01")}
    assert re.search(r"\b1 warnings?\b", result.output), result.output
    ws = openpyxl.load_workbook(tmp_path / "de_prices.results.xlsx")["de_prices"]
    assert ws["F4"].comment is not None and "currency '€' was removed" in ws["F4"].comment.text


def test_german_xlsx_of_text_cells_is_read_the_same_way(office_files, tmp_path):
    from importer.reading import read_table

    table = read_table(copy(office_files, "de_prices_text", tmp_path))
    assert [(r.values["SO_UNIT_PRICE"], r.values["ORDER_QTY"], r.values["EFFECTIVE_DATE"])
            for r in table.rows] == [("189.00", "1", "2026-12-01"),
                                     ("1245.50", "1000", "2026-12-01"),
                                     ("9.99", "1", "2026-12-01")]
    assert [(i.address, i.code) for i in table.issues] == [("de_prices!F4",
                                                           "currency-removed")]


def test_german_values_with_decimal_point_are_errors_at_their_cells(office_files, tmp_path):
    result = validate(copy(office_files, "de_prices", tmp_path), "--decimal-point")
    assert result.exit_code == 1
    report = json.loads(result.output)
    flagged = {(i["address"], i["code"]) for i in report["issues"]}
    assert {("de_prices!F2", "number-convention"), ("de_prices!F3", "number-convention"),
            ("de_prices!F4", "number-convention")} <= flagged
    assert all("--decimal-comma" in i["message"] for i in report["issues"]
               if i["code"] == "number-convention")


def test_a_file_whose_only_number_is_1_234_is_refused_naming_the_options(office_files,
                                                                         tmp_path):
    result = validate(copy(office_files, "us_ambiguous", tmp_path))
    assert result.exit_code == 2
    assert "'1,234' at C2 can be read two ways (1.234 or 1234)" in result.output
    assert "--decimal-comma" in result.output and "--decimal-point" in result.output
    assert validate(copy(office_files, "us_ambiguous", tmp_path), "--decimal-point"
                    ).exit_code == 0


def test_us_csv_reaches_the_sandbox_as_api_numbers_and_dates(office_files, tmp_path, sandbox):
    result = import_into(sandbox, copy(office_files, "us_prices", tmp_path))
    assert result.exit_code == 0, result.output
    got = held(sandbox, "US-CSV")
    assert (got["PUMP001"]["SO_UNIT_PRICE"], got["PUMP001"]["END_DATE"],
            got["PUMP001"]["EFFECTIVE_DATE"]) == ("1245.50", "2026-12-31", "2026-12-01")
    assert got["PUMP002"]["SO_UNIT_PRICE"] == "10.00"


def test_one_day_above_12_makes_every_slash_date_of_the_file_day_first(office_files, tmp_path,
                                                                       sandbox):
    path = copy(office_files, "gb_dates", tmp_path)
    assert "01/02/2026" in path.read_text(encoding="utf-8")
    result = import_into(sandbox, path)
    assert result.exit_code == 0, result.output
    got = held(sandbox, "GB-CSV")
    assert (got["PUMP001"]["EFFECTIVE_DATE"], got["PUMP002"]["EFFECTIVE_DATE"]) == (
        "2026-02-01", "2026-01-13")
    assert "month first" not in result.output
    forced = validate(path, "--month-first")
    assert forced.exit_code == 1 and "'13/01/2026' can only be day/month" in forced.output


def test_common_english_headers_import_with_no_option(office_files, tmp_path, sandbox):
    result = import_into(sandbox, copy(office_files, "de_aliases", tmp_path))
    assert result.exit_code == 0, result.output
    record = held(sandbox, "DE-ALIAS")["PUMP004"]
    assert (record["SO_UNIT_PRICE"], record["EFFECTIVE_DATE"], record["CURR_CODE"]) == (
        "88.10", "2026-12-01", "EUR")


def test_own_headers_import_after_a_columns_entry_in_importer_toml(office_files, tmp_path,
                                                                   sandbox):
    path = copy(office_files, "de_artikel", tmp_path)
    refused = import_into(sandbox, path)
    assert refused.exit_code == 2 and "Artikelnummer" not in held(sandbox, "DE-ARTIKEL")
    (tmp_path / "importer.toml").write_text(
        '[columns.product-price]\n"Artikelnummer" = "PART_ID"\n"Preisliste" = "PRICE_CODE"\n'
        '"Gültig ab" = "EFFECTIVE_DATE"\n"Menge" = "ORDER_QTY"\n"Preis" = "SO_UNIT_PRICE"\n',
        encoding="utf-8")
    result = import_into(sandbox, path)
    assert result.exit_code == 0, result.output
    assert held(sandbox, "DE-ARTIKEL")["PUMP005"]["SO_UNIT_PRICE"] == "132.40"


def test_helper_columns_are_not_sent_but_listed_and_kept(office_files, tmp_path, sandbox):
    path = copy(office_files, "de_helpers", tmp_path)
    assert "12,5%" in path.read_bytes().decode("cp1252")
    result = import_into(sandbox, path)
    assert result.exit_code == 0, result.output  # an unknown field would fail at the sandbox
    assert "Not sent: B PART_DESC, G Margin %" in " ".join(result.output.split())
    record = held(sandbox, "DE-HELPER")["PUMP006"]
    assert record["PART_DESC"] == "Gear pump 12 cc" and record["SO_UNIT_PRICE"] == "74.95"
    wb = openpyxl.load_workbook(tmp_path / "de_helpers.results.xlsx")
    data = wb["de_helpers"]
    assert (data["B1"].value, data["B2"].value, data["G1"].value, data["G2"].value) == (
        "PART_DESC", "my own words", "Margin %", "12,5%")
    summary = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert any(str(v).startswith("Not sent: B PART_DESC, G Margin %") for v in summary)


def test_strict_columns_refuses_helper_columns_and_ignore_silences_them(office_files, tmp_path,
                                                                        sandbox):
    path = copy(office_files, "de_helpers", tmp_path)
    strict = validate(path, "--strict-columns")
    assert strict.exit_code == 2 and "PART_DESC" in strict.output
    (tmp_path / "importer.toml").write_text('[columns]\nignore = ["PART_DESC", "margin %"]\n',
                                            encoding="utf-8")
    quiet = validate(path)
    assert quiet.exit_code == 0 and "columns-not-sent" not in quiet.output


def test_a_misspelled_price_column_is_an_error_naming_the_field(office_files, tmp_path):
    result = validate(copy(office_files, "de_typo", tmp_path))
    assert result.exit_code == 2
    assert "Column C 'SO_UNIT_PRCE' (closest field: SO_UNIT_PRICE)" in result.output
