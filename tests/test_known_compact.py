"""The compact copies of known records (importer/journal/compact.py): written with every record,
read for classifying, and journals from before them still classify the same (read from the JSON,
then migrated on their first open)."""
import json
import sqlite3
from pathlib import Path

from importer.checks.changes import CellChange, Change, RowChange, classify_table
from importer.entities import PRODUCT_PRICE
from importer.journal import compact
from importer.journal.history import History, run_changes
from importer.journal.store import Journal
from importer.model import Column, Row, RowOutcome, Status, Table

SCOPE = ("http://erp", "DEMO")
FIELDS = ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "NOTES")


def line(part: str, price: str, qty: str = "1", notes: str = "n") -> dict[str, str]:
    return {"PART_ID": part, "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2026-12-01",
            "ORDER_QTY": qty, "CURR_CODE": "USD", "SO_UNIT_PRICE": price, "NOTES": notes}


def table(rows: list[dict[str, str]]) -> Table:
    columns = [Column(i, chr(65 + i), f, f) for i, f in enumerate(FIELDS)]
    return Table(Path("prices.csv"), "sha", "csv", "prices", PRODUCT_PRICE, 1, columns,
                 [Row(n, v, [v.get(f, "") for f in FIELDS]) for n, v in enumerate(rows, 2)])


def remember(path: Path, records: list[dict]) -> None:
    """Records as a run leaves them: each applied outcome with the record the ERP returned."""
    with Journal(path) as journal:
        for n, record in enumerate(records, 2):
            journal.record(7, RowOutcome(n, Status.CREATED, "CREATE", 200, record=record),
                           known=(*SCOPE, PRODUCT_PRICE.name, PRODUCT_PRICE.key_of(record)))


RECORDS = [line("PUMP001", "189"), line("PUMP002", "10.50", notes="a\nb"),
           line("PUMP003", "5", qty="1000"), line("PUMP004", "7", notes="odd \x1f text")]
MONTH = [line("PUMP001", "189.00"), line("PUMP002", "11", notes="a\nb"),
         line("PUMP003", "5", qty="1000.0"), line("PUMP004", "7", notes="odd \x1f text"),
         line("PUMP005", "1")]


def classes(changes: dict[int, RowChange]) -> list:
    return [(row, c.change, [(x.field, x.old, x.new) for x in c.cells],
             c.known.run_id if c.known else None) for row, c in sorted(changes.items())]


EXPECTED = [(2, Change.UNCHANGED, [], 7),
            (3, Change.CHANGED, [("SO_UNIT_PRICE", "10.50", "11")], 7),
            (4, Change.UNCHANGED, [], 7),
            (5, Change.UNCHANGED, [], 7),
            (6, Change.NEW, [], None)]


def test_every_record_journaled_has_its_compact_copy_and_classifies_from_it(tmp_path):
    path = tmp_path / "j.sqlite"
    remember(path, RECORDS)
    stored = dict(sqlite3.connect(path).execute(
        "SELECT json_extract(record, '$.PART_ID'), fields FROM known_keys"))
    assert stored["PUMP001"].split(compact.SEPARATOR)[1:] == [
        RECORDS[0].get(n, "") for n in PRODUCT_PRICE.field_names]
    assert stored["PUMP004"] is None  # a value holding the separator: read from the JSON
    with History(path) as history:
        known = history.known(SCOPE, PRODUCT_PRICE, FIELDS)
    assert sorted(k.values["SO_UNIT_PRICE"] for k in known) == ["10.50", "189", "5", "7"]
    assert classes(run_changes(path, SCOPE, table(MONTH), 8, resumed=False)) == EXPECTED


def test_a_copy_of_another_layout_is_not_trusted(tmp_path):
    path = tmp_path / "j.sqlite"
    remember(path, RECORDS[:1])
    db = sqlite3.connect(path)  # as if written when the entity had one field less
    db.execute("UPDATE known_keys SET fields = ?",
               (compact.SEPARATOR.join(["0badc0de", "PUMP001", "LP", "2026-12-01", "1", "USD",
                                        "999"]),))
    db.commit()
    with History(path) as history:
        [known] = history.known(SCOPE, PRODUCT_PRICE, FIELDS)
    assert known.values["SO_UNIT_PRICE"] == "189"


def test_a_journal_from_before_the_copies_classifies_the_same_and_is_migrated(tmp_path):
    path = tmp_path / "old.sqlite"
    remember(path, RECORDS)
    db = sqlite3.connect(path)  # the journal as the tool wrote it before the column existed
    db.execute("ALTER TABLE known_keys DROP COLUMN fields")
    db.commit()
    db.close()
    with History(path) as history:  # read before any Journal opens it: the JSON
        assert classes(classify_table(table(MONTH), history.known(SCOPE, PRODUCT_PRICE,
                                                                  FIELDS))) == EXPECTED
    with Journal(path):  # the first open adds the copies
        pass
    copies = [r[0] for r in sqlite3.connect(path).execute(
        "SELECT fields FROM known_keys ORDER BY key")]
    assert sum(c is not None for c in copies) == 3  # all but the one holding the separator
    assert classes(run_changes(path, SCOPE, table(MONTH), 8, resumed=False)) == EXPECTED


def test_a_record_the_row_leaves_blank_or_the_record_lacks_compares_as_before(tmp_path):
    path = tmp_path / "j.sqlite"
    remember(path, [{k: v for k, v in line("PUMP001", "189").items() if k != "NOTES"}])
    month = [{k: v for k, v in line("PUMP001", "189").items() if k != "NOTES"},
             line("PUMP001", "189", notes="new")]
    changes = run_changes(path, SCOPE, table(month), 8, resumed=False)
    assert classes(changes) == [(2, Change.UNCHANGED, [], 7),
                                (3, Change.CHANGED, [("NOTES", "", "new")], 7)]


def test_a_runs_classes_are_stored_grouped_and_read_back_the_same(tmp_path):
    path = tmp_path / "j.sqlite"
    remember(path, RECORDS)
    changes = run_changes(path, SCOPE, table(MONTH), 8, resumed=False)
    with History(path) as history:
        again = history.load_changes(8)
        stored = json.loads(sqlite3.connect(path).execute(
            "SELECT rows FROM run_changes WHERE run_id = 8").fetchone()[0])
    assert classes(again) == classes(changes) == EXPECTED
    assert [c.known.date if c.known else "" for c in again.values()] == [
        c.known.date if c.known else "" for c in changes.values()]
    assert sorted(r for *_, rows in stored["groups"] for r in rows) == [2, 4, 5, 6]
    resumed = run_changes(path, SCOPE, table([]), 8, resumed=True)  # the stored classes
    assert classes(resumed) == EXPECTED


def test_classes_stored_one_list_a_row_by_an_older_version_still_load(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal(path), History(path) as history:
        old = [[2, "UNCHANGED", 3, "2026-11-24", "", []],
               [3, "CHANGED", 3, "2026-11-24", "", [["SO_UNIT_PRICE", "1", "2", 100.0]]]]
        history._db.execute("INSERT INTO run_changes VALUES (5, ?)", (json.dumps(old),))
        loaded = history.load_changes(5)
    assert loaded[2].change is Change.UNCHANGED and loaded[2].known.run_id == 3
    assert loaded[3].cells == (CellChange("SO_UNIT_PRICE", "1", "2", 100.0),)
