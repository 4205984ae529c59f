"""Change classes and the price-jump guard as pure functions over plain values."""
from pathlib import Path

import pytest

from importer.checks.changes import (Change, Known, KnownIndex, classify_row, classify_table, guarded,
                              largest_price_changes, percent_change, price_fields, price_jumps,
                              same_value, skip_message)
from importer.entities import CUSTOMER_PART, PRODUCT_PRICE, Kind
from importer.model import Column, Issue, Report, Row, Severity, Table

FIELDS = ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "END_DATE", "NOTES")


def table(rows: list[dict[str, str]]) -> Table:
    columns = [Column(i, chr(65 + i), f, f) for i, f in enumerate(FIELDS)]
    return Table(Path("prices.csv"), "sha", "csv", "prices", PRODUCT_PRICE, 1, columns,
                 [Row(n, values, [values.get(f, "") for f in FIELDS])
                  for n, values in enumerate(rows, start=2)])


def line(part="PUMP001", date="2026-12-01", qty="1", price="189.00", **more) -> dict[str, str]:
    return {"PART_ID": part, "PRICE_CODE": "LP", "EFFECTIVE_DATE": date, "ORDER_QTY": qty,
            "CURR_CODE": "USD", "SO_UNIT_PRICE": price, **more}


@pytest.mark.parametrize("kind,a,b,same", [
    (Kind.DECIMAL, "189", "189.00", True),
    (Kind.DECIMAL, "189", "189.01", False),
    (Kind.DECIMAL, "1e3", "1000", True),
    (Kind.PERCENT, "5", "5.0", True),
    (Kind.DATE, "2026-12-01", "2026-12-01", True),
    (Kind.DATE, "2026-12-01", "2026-12-02", False),
    (Kind.TEXT, "USD", "usd", False),
    (Kind.ID, "000417", "417", False),
    (Kind.DECIMAL, "ten", "10", False),
])
def test_values_are_compared_by_meaning(kind, a, b, same):
    assert same_value(kind, a, b) is same


def test_a_number_written_differently_is_unchanged_and_a_new_price_is_changed():
    known = Known(line(price="189"), 3, "2026-11-24")
    assert classify_row(PRODUCT_PRICE, line(price="189.00"), known).change is Change.UNCHANGED
    change = classify_row(PRODUCT_PRICE, line(price="196.56"), known,
                          prices=price_fields(PRODUCT_PRICE))
    assert change.change is Change.CHANGED
    [cell] = change.cells
    assert (cell.field, cell.old, cell.new) == ("SO_UNIT_PRICE", "189", "196.56")
    assert cell.percent == pytest.approx(4.0)
    assert change.note(cell) == "was 189 (run 3, 2026-11-24), +4.0%"


def test_only_the_cells_a_row_gives_are_compared():
    known = Known(line(NOTES="old note", END_DATE="2027-01-31"), 1, "2026-11-01")
    row = line()  # no NOTES, no END_DATE: not sent, so not a change
    assert classify_row(PRODUCT_PRICE, row, known).change is Change.UNCHANGED
    change = classify_row(PRODUCT_PRICE, line(NOTES="new note"), known)
    assert [c.field for c in change.cells] == ["NOTES"]
    assert change.cells[0].percent is None  # not a price field


def test_a_key_never_seen_is_new_and_keys_match_by_meaning():
    known = [Known(line(qty="1000"), 1, "2026-11-01")]
    changes = classify_table(table([line(qty="1000.0"), line(part="PUMP002")]), known)
    assert changes[2].change is Change.UNCHANGED
    assert changes[3].change is Change.NEW and changes[3].known is None


def test_a_later_effective_date_supersedes_the_latest_earlier_price_line():
    known = [Known(line(date="2026-06-01", price="100"), 1, "2026-05-20"),
             Known(line(date="2026-12-01", price="150"), 2, "2026-11-24"),
             Known(line(date="2027-06-01", price="999"), 4, "2027-05-20"),  # later: not it
             Known(line(date="2026-11-01", price="5", CURR_CODE="EUR"), 2, "2026-11-24")]
    changes = classify_table(table([line(date="2027-01-01", price="270"),
                                    line(date="2027-01-01", price="150", CURR_CODE="EUR")]), known)
    first = changes[2]
    assert first.change is Change.NEW_PRICE and first.supersedes == "2026-12-01"
    [cell] = first.cells
    assert (cell.old, cell.new, round(cell.percent)) == ("150", "270", 80)
    assert first.note(cell) == "was 150 in the price from 2026-12-01 (run 2, 2026-11-24), +80.0%"
    assert changes[3].change is Change.NEW_PRICE and changes[3].cells[0].old == "5"


def test_no_earlier_line_of_the_same_currency_is_plain_new():
    known = [Known(line(date="2026-12-01", CURR_CODE="EUR"), 2, "2026-11-24"),
             Known(line(date="2027-02-01"), 2, "2026-11-24")]
    changes = classify_table(table([line(date="2027-01-01")]), known)
    assert changes[2].change is Change.NEW


def test_customer_parts_have_no_new_price_class():
    index = KnownIndex(CUSTOMER_PART, [Known({"PART_ID": "P", "CUSTOMER_ID": "C",
                                              "CUST_PART_ID": "X", "SO_DESC": "a"}, 1, "d")])
    key = index.key({"PART_ID": "P", "CUSTOMER_ID": "C", "CUST_PART_ID": "Y"})
    assert index.superseded(key, {}) is None
    assert price_fields(CUSTOMER_PART) == {"QUOTE_UNIT_PRIC", "LAST_SO_PRICE"}


def test_a_price_typo_is_a_warning_on_its_cell_and_an_error_when_strict():
    t = table([line(price="999"), line(part="PUMP002", price="10.49")])
    known = [Known(line(price="9.99"), 7, "2026-11-24"),
             Known(line(part="PUMP002", price="9.99"), 7, "2026-11-24")]
    changes = classify_table(t, known)
    [jump] = price_jumps(t, changes, 50)
    assert (jump.code, jump.row, jump.column, jump.severity) == ("price-jump", 2, "F",
                                                                  Severity.WARNING)
    assert "9.99 -> 999" in jump.message and "run 7" in jump.message
    other = Issue("currency-code", "odd", Severity.WARNING, row=3)
    lenient = guarded(Report(t, [other]), [jump], strict=False)
    assert lenient.invalid_rows == set()
    assert guarded(Report(t, [other]), [jump], strict=True).invalid_rows == {2, 3}
    assert price_jumps(t, changes, 10000) == []


def test_the_largest_price_changes_come_first_by_size():
    t = table([line(price="100"), line(part="PUMP002", price="50"), line(part="PUMP003",
                                                                        price="101")])
    known = [Known(line(price="200")), Known(line(part="PUMP002", price="10")),
             Known(line(part="PUMP003", price="100"))]
    ranked = largest_price_changes(classify_table(t, known), 2)
    assert [(row, round(c.percent)) for row, c in ranked] == [(3, 400), (2, -50)]


def test_a_zero_old_price_has_no_percent():
    assert percent_change("0", "5") is None
    assert percent_change("10", "15") == pytest.approx(50.0)


def test_skipped_message_names_the_run():
    change = classify_row(PRODUCT_PRICE, line(), Known(line(), 3, "2026-11-24"))
    assert skip_message(change).startswith("Unchanged since run 3 (2026-11-24)")


def test_a_journal_from_before_run_ids_gets_the_column(tmp_path):
    import sqlite3

    from importer.journal.store import Journal

    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE known_keys (server_url TEXT NOT NULL, data_source TEXT NOT NULL, "
               "entity TEXT NOT NULL, key TEXT NOT NULL, record TEXT NOT NULL, "
               "updated_at TEXT NOT NULL, PRIMARY KEY (server_url, data_source, entity, key)) "
               "WITHOUT ROWID")
    db.close()
    with Journal(path):
        pass
    with Journal(path):  # a second open finds it there
        pass
    columns = [r[1] for r in sqlite3.connect(path).execute("PRAGMA table_info(known_keys)")]
    assert columns[-2:] == ["run_id", "fields"]
