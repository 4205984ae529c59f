"""Text numbers and dates in the file's own convention, and saved column names (plain files;
the LibreOffice-written ones are in test_locale_files.py)."""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import isolate_from_user
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.cli import main
from importer.entities import ENTITIES
from importer.errors import BadOptions, UnusableFile
from importer.reading import ReadOptions, read_table
from importer.reading.locale import (COMMA, DAY_FIRST, MONTH_FIRST, POINT, date_text,
                                     number_text)
from importer.reading.options import read_options
from test_reading_sheets import write_xlsx

NBSP, NNBSP = "\u00a0", "\u202f"
GROUPS = {COMMA: [".", " ", NBSP, NNBSP, ""], POINT: [",", " ", NBSP, NNBSP, "'", ""]}


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)


def csv_file(path: Path, header: str, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


def values(table, field: str) -> list[str | None]:
    return [r.values.get(field) for r in table.rows]


def issues(table) -> set[tuple[str, str]]:
    return {(i.address, i.code) for i in table.issues}


# --- rendering in a convention and reading back ---------------------------------------------
def render(number: Decimal, places: int, decimal: str, group: str, currency: str = "") -> str:
    whole, _, fraction = f"{abs(number):.{places}f}".partition(".")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    text = group.join([whole, *groups]) + (decimal + fraction if places else "")
    text = ("-" if number < 0 else "") + text
    return {"": text, "pre": f"€ {text}", "post": f"{text} EUR", "tight": f"${text}"}[currency]


numbers = st.decimals(min_value=Decimal("-99999999"), max_value=Decimal("99999999"),
                      allow_nan=False, allow_infinity=False, places=4)


@settings(max_examples=300)
@given(numbers, st.integers(0, 4), st.sampled_from([COMMA, POINT]), st.data(),
       st.sampled_from(["", "pre", "post", "tight"]))
def test_any_decimal_rendered_in_any_convention_reads_back_as_the_same_api_string(
        number, places, decimal, data, currency):
    group = data.draw(st.sampled_from(GROUPS[decimal]))
    api = f"{number:.{places}f}"
    parsed = number_text(render(number, places, decimal, group, currency))
    assert parsed is not None and parsed.value(decimal) == api
    assert parsed.proves in (decimal, None)  # never proves the other convention


@settings(max_examples=300)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31)), st.booleans())
def test_any_date_rendered_in_any_form_reads_back_as_the_same_iso_date(day, padded):
    d, m, y = (f"{day.day:02d}", f"{day.month:02d}", f"{day.year}") if padded else (
        str(day.day), str(day.month), str(day.year))
    iso = day.isoformat()
    for text, order in [(f"{d}.{m}.{y}", MONTH_FIRST), (f"{d}.{m}.{y}", DAY_FIRST),
                        (iso, MONTH_FIRST), (f"{y}/{m}/{d}", DAY_FIRST),
                        (f"{m}/{d}/{y}", MONTH_FIRST), (f"{d}/{m}/{y}", DAY_FIRST),
                        (f"{d}.{m}.{y} 00:00", DAY_FIRST)]:
        assert date_text(text).value(order) == iso, text


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(numbers, st.integers(0, 3)), min_size=1, max_size=8),
       st.sampled_from([COMMA, POINT]), st.data())
def test_a_csv_column_rendered_in_one_convention_is_read_back_exactly(cells, decimal, data):
    group = data.draw(st.sampled_from(GROUPS[decimal]))
    texts = [render(abs(n), p, decimal, group) for n, p in cells]
    with tempfile.TemporaryDirectory() as tmp:
        path = csv_file(Path(tmp) / "p.csv", "PART_ID;PRICE_CODE;SO_UNIT_PRICE",
                        *[f"P{i};LP;{t}" for i, t in enumerate(texts)])
        option = ReadOptions(decimal=decimal)
        table = read_table(path, options=option)
    assert values(table, "SO_UNIT_PRICE") == [f"{abs(n):.{p}f}" for n, p in cells]
    assert not table.issues


# --- deciding a file's convention ------------------------------------------------------------
def test_a_file_mixing_conventions_is_an_error_at_the_cells_that_disagree(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID;PRICE_CODE;ORDER_QTY;SO_UNIT_PRICE",
                    "A;LP;1;189,00", "B;LP;1;1.245,50", "C;LP;1.000;1,245.50", "D;LP;2;12")
    table = read_table(path)
    assert values(table, "SO_UNIT_PRICE") == ["189.00", "1245.50", "1,245.50", "12"]
    assert values(table, "ORDER_QTY")[2] == "1000"
    (issue,) = table.issues
    assert (issue.address, issue.code) == ("p!D4", "number-convention")
    assert "like '189,00' at D2" in issue.message and "--decimal-point" in issue.message


def test_as_many_commas_as_points_is_an_error_at_each_of_them(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID;PRICE_CODE;SO_UNIT_PRICE",
                    "A;LP;1,5", "B;LP;2.5", "C;LP;3")
    table = read_table(path)
    assert issues(table) == {("p!C2", "number-convention"), ("p!C3", "number-convention")}
    assert values(table, "SO_UNIT_PRICE")[2] == "3"
    assert "--decimal-comma or --decimal-point" in table.issues[0].message


def test_swiss_and_no_break_space_thousands_and_percent_with_a_decimal_comma(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID;PRICE_CODE;ORDER_QTY;SO_UNIT_PRICE;ITEM_DISC_PCT",
                    f"A;LP;1{NBSP}000;1{NNBSP}245,50;5,5 %", "B;LP;1'000;2.245,5;10 %")
    table = read_table(path)
    assert values(table, "ORDER_QTY") == ["1000", "1000"]
    assert values(table, "SO_UNIT_PRICE") == ["1245.50", "2245.5"]
    assert values(table, "ITEM_DISC_PCT") == ["5.5", "10"]


def test_real_number_cells_are_not_read_as_text(tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [["PART_ID", "PRICE_CODE", "ORDER_QTY", "SO_UNIT_PRICE"],
                                            ["A", "LP", 1.234, "189,00"]])
    table = read_table(path)
    assert (values(table, "ORDER_QTY"), values(table, "SO_UNIT_PRICE")) == (["1.234"],
                                                                             ["189.00"])


def test_currency_against_the_rows_currency_code(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID,PRICE_CODE,CURR_CODE,SO_UNIT_PRICE",
                    "A,LP,USD,9.99 USD", "B,LP,EUR,$9.99", "C,LP,,£9.99", "D,LP,CAD,$1.50")
    table = read_table(path)
    assert issues(table) == {("p!D2", "currency-removed"), ("p!D3", "currency-mismatch"),
                             ("p!D4", "currency-removed"), ("p!D5", "currency-removed")}
    mismatch = next(i for i in table.issues if i.code == "currency-mismatch")
    assert mismatch.message == ("'$9.99' is in $, but this row's CURR_CODE is EUR; correct the "
                                "currency or the price.")
    assert values(table, "SO_UNIT_PRICE") == ["9.99", "9.99", "9.99", "1.50"]


def test_all_ambiguous_slash_dates_are_read_month_first_with_one_warning(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID,PRICE_CODE,EFFECTIVE_DATE,END_DATE",
                    "A,LP,03/04/2026,12/31/2026", "B,LP,03/04/2026,05/06/2026")
    assert values(read_table(path), "EFFECTIVE_DATE") == ["2026-03-04"] * 2  # proven by 12/31
    path = csv_file(tmp_path / "q.csv", "PART_ID,PRICE_CODE,EFFECTIVE_DATE,END_DATE",
                    "A,LP,03/04/2026,05/06/2026", "B,LP,03/04/2026,05/06/2026")
    table = read_table(path)
    assert values(table, "END_DATE") == ["2026-05-06"] * 2
    (notice,) = table.issues
    assert (notice.code, notice.row, notice.severity.value) == ("dates-read-month-first", None,
                                                                "warning")
    assert "03/04/2026 at C2" in notice.message and "--day-first" in notice.message
    assert values(read_table(path, day_first=True), "END_DATE") == ["2026-06-05"] * 2


def test_two_digit_years_and_times_of_day_are_errors_naming_the_cell(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID;PRICE_CODE;EFFECTIVE_DATE;END_DATE",
                    "A;LP;01.12.26;31.12.2026 00:00", "B;LP;1/2/26;2026-12-31 14:30")
    table = read_table(path)
    assert issues(table) == {("p!C2", "two-digit-year"), ("p!C3", "two-digit-year"),
                             ("p!D3", "date-with-time")}
    assert values(table, "END_DATE")[0] == "2026-12-31"
    by_cell = {i.address: i.message for i in table.issues}
    assert "four digits" in by_cell["p!C2"] and "14:30" in by_cell["p!D3"]


def test_a_slash_date_against_the_option_suggests_the_other_option(tmp_path):
    path = csv_file(tmp_path / "p.csv", "PART_ID,PRICE_CODE,EFFECTIVE_DATE", "A,LP,12/31/2026")
    (issue,) = read_table(path, day_first=True).issues
    assert issue.code == "date-order" and "--month-first" in issue.message


# --- saved column names ----------------------------------------------------------------------
def test_a_header_two_fields_share_is_refused_naming_the_cell(tmp_path):
    path = csv_file(tmp_path / "c.csv", "Part Number,Customer,Customer Part Number,Quantity",
                    "PUMP001,ABCCORP,X-1,5")
    with pytest.raises(UnusableFile, match=r"The header D1 'Quantity' of sheet 'c' of c.csv "
                                           r"could be SO_ORDER_QTY or QUOTE_QTY"):
        read_table(path)
    options = ReadOptions(columns={"*": {"Quantity": "QUOTE_QTY"}})
    assert read_table(path, options=options).rows[0].values["QUOTE_QTY"] == "5"


def test_two_headers_naming_one_field_are_refused_naming_both_cells(tmp_path):
    path = csv_file(tmp_path / "p.csv", "Part Number,PRICE_CODE,PART_ID", "A,LP,B")
    with pytest.raises(UnusableFile, match=r"are both PART_ID; delete one of them \(header "
                                           r"cells A1 'Part Number' and C1 'PART_ID'\)"):
        read_table(path)


def test_many_helper_columns_are_listed_with_a_count(tmp_path):
    header = "PART_ID,PRICE_CODE," + ",".join(f"Spalte {n}" for n in range(1, 16))
    path = csv_file(tmp_path / "p.csv", header, "A,LP," + ",".join(["x"] * 15))
    (notice,) = read_table(path).issues
    assert notice.message.startswith("Not sent: C Spalte 1, D Spalte 2, ")
    assert "L Spalte 10 and 5 more (no Product Price fields;" in notice.message


def test_map_option_and_config_tables(tmp_path):
    path = csv_file(tmp_path / "p.csv", "Teil,PRICE_CODE,Kosten", "A,LP,3")
    (tmp_path / "importer.toml").write_text('[reading]\ndecimal = "comma"\n[columns]\n'
                                            'ignore = ["Kosten"]\n[columns.product-price]\n'
                                            '"Teil" = "part_id"\n', encoding="utf-8")
    options = read_options()
    assert (options.decimal, options.columns, options.ignore) == (
        COMMA, {"product-price": {"Teil": "PART_ID"}}, ("Kosten",))
    table = read_table(path, options=options)
    assert table.rows[0].values == {"PART_ID": "A", "PRICE_CODE": "LP"} and not table.issues
    mapped = read_options(maps=("Kosten=SO_UNIT_PRICE",))
    assert read_table(path, options=mapped).rows[0].values["SO_UNIT_PRICE"] == "3"
    with pytest.raises(BadOptions, match="--map \"Kosten=PRICE\": PRICE is no Product Price"):
        read_table(path, options=read_options(maps=("Kosten=PRICE",)))
    with pytest.raises(BadOptions, match="is not HEADER=FIELD"):
        read_options(maps=("Kosten",))


@pytest.mark.parametrize("toml,fragment", [
    ('[columns.product-prices]\n"A" = "PART_ID"\n', "Did you mean 'product-price'?"),
    ('[columns.product-price]\n"A" = "PART_IDD"\n', "which is no Product Price field. Did you "
                                                    "mean 'PART_ID'?"),
    ('[reading]\ndecimal = "komma"\n', "use \"comma\" or \"point\""),
    ('[reading]\ndate_order = "ymd"\n', "use \"day-first\" or \"month-first\""),
    ('[columns]\nignore = "PART_DESC"\n', "write a list of column headers"),
])
def test_unusable_reading_settings_are_one_sentence(tmp_path, toml, fragment):
    (tmp_path / "importer.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(BadOptions, match=fragment.replace("(", r"\(").replace("?", r"\?")):
        read_options()


def test_reading_settings_do_not_disturb_connection_settings(tmp_path):
    from importer.settings import load_settings

    (tmp_path / "importer.toml").write_text(
        '[connection]\nurl = "http://x"\ndata_source = "D"\nuser = "U"\npassword = "p"\n'
        '[reading]\ndecimal = "point"\n[columns.customer-part]\n"Kunde" = "CUSTOMER_ID"\n',
        encoding="utf-8")
    (tmp_path / "importer.toml").chmod(0o600)
    assert load_settings().url == "http://x"


def test_every_key_and_required_field_has_english_aliases_none_shadowing_a_field():
    from importer.reading.fieldnames import header_key

    for entity in ENTITIES.values():
        aliases = entity.aliases()
        assert all(f in aliases for f in (*entity.key, *entity.required_create)), entity.name
        names = {header_key(f): f for f in entity.field_names}
        for field, headers in aliases.items():
            assert all(names.get(header_key(h), field) == field for h in headers), field


def test_entities_aliases_lists_them():
    result = CliRunner().invoke(main, ["entities", "--aliases", "--json"])
    assert result.exit_code == 0
    data = {(d["entity"], d["field"]): d["aliases"] for d in json.loads(result.output)}
    assert "Unit Price" in data[("product-price", "SO_UNIT_PRICE")]
    assert "Customer Part Number" in data[("customer-part", "CUST_PART_ID")]
    shown = CliRunner().invoke(main, ["entities", "--aliases"])
    assert "SO_UNIT_PRICE" in shown.output and "[columns.product-price]" in shown.output
