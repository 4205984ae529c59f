"""The journal remembers runs, layouts and outcomes, and survives being reopened."""
from pathlib import Path

from importer.entities import PRODUCT_PRICE
from importer.journal.store import Journal
from importer.model import Action, Column, Issue, Row, RowOutcome, RunInfo, Severity, Status, Table


def _table(tmp_path: Path) -> Table:
    cols = [Column(i, chr(65 + i), f, f) for i, f in enumerate(PRODUCT_PRICE.key)]
    cols.append(Column(4, "E", "ACTION", None, is_action=True))
    rows = [
        Row(3, {"PART_ID": "000417", "PRICE_CODE": "LP"}, ["000417", "LP", "", "", ""]),
        Row(4, {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "ORDER_QTY": "10"},
            ["PUMP001", "LP", "", "10", "SKIP"], Action.SKIP),
    ]
    issue = Issue("whitespace-trimmed", "Trimmed.", Severity.WARNING, "Prices", 3, "A", "PART_ID")
    return Table(tmp_path / "in.xlsx", "abc", "xlsx", "Prices", PRODUCT_PRICE, 2, cols, rows,
                 title_rows=[["Price list May"]], issues=[issue])


def _info() -> RunInfo:
    return RunInfo(0, "product-price", "upsert", "/x/in.xlsx", "abc", "Prices", "http://erp",
                   "DEMO", "APIUSER", "2026-01-01T10:00:00+00:00", None)


def test_report_can_be_rendered_from_journal_alone_after_reopening(tmp_path):
    table = _table(tmp_path)
    path = tmp_path / "j.sqlite"
    with Journal(path) as j:
        run = j.start_run(_info(), table)
        j.record(run.run_id, RowOutcome(3, Status.CREATED, "CREATE", 200,
                                        record={"PART_ID": "000417"}, attempts=1),
                 known=("http://erp", "DEMO", "product-price", ("000417", "LP", "", "")))
        j.record_many(run.run_id, [RowOutcome(4, Status.SKIPPED, issues=table.issues)])
        j.finish_run(run.run_id, "2026-01-01T10:00:05+00:00", 1, {"CREATED": 1, "SKIPPED": 1})
    with Journal(path) as j:
        again = j.load_table(run.run_id)
        assert again.rows[0].cells == ["000417", "LP", "", "", ""]
        assert again.rows[1].action is Action.SKIP
        assert again.columns == table.columns and again.title_rows == table.title_rows
        assert again.issues == table.issues and again.entity is PRODUCT_PRICE
        outcomes = j.outcomes(run.run_id)
        assert outcomes[3].record == {"PART_ID": "000417"} and outcomes[3].http_status == 200
        assert outcomes[4].issues == table.issues
        info = j.run(run.run_id)
        assert info.counts == {"CREATED": 1, "SKIPPED": 1} and info.duration_seconds == 5
        assert j.last_run_id() == run.run_id
        assert j.latest_records("http://erp", "DEMO", "product-price") == [{"PART_ID": "000417"}]
        assert j.known_keys("http://erp", "DEMO", "product-price") == {("000417", "LP", "", "")}


def test_same_input_on_same_server_finds_the_run_to_resume(tmp_path):
    with Journal(tmp_path / "j.sqlite") as j:
        run = j.start_run(_info(), _table(tmp_path))
        found = j.find_run("http://erp", "DEMO", "product-price", "abc", "Prices")
        assert found.run_id == run.run_id
        assert j.find_run("http://other", "DEMO", "product-price", "abc", "Prices") is None
        assert j.find_run("http://erp", "DEMO", "product-price", "abd", "Prices") is None


def test_dry_runs_are_never_resumed(tmp_path):
    with Journal(tmp_path / "j.sqlite") as j:
        info = _info()
        info.dry_run = True
        j.start_run(info, _table(tmp_path))
        assert j.find_run("http://erp", "DEMO", "product-price", "abc", "Prices") is None


def test_row_in_flight_when_a_session_died_counts_as_maybe_sent(tmp_path):
    with Journal(tmp_path / "j.sqlite") as j:
        run = j.start_run(_info(), _table(tmp_path))
        j.mark_in_flight(run.run_id, 3)
        j.mark_in_flight(run.run_id, 4)
        j.record(run.run_id, RowOutcome(4, Status.CREATED, "CREATE", 200, record={}))
        assert j.maybe_sent(run.run_id) == {3}
        j.record(run.run_id, RowOutcome(3, Status.FAILED, "CREATE"), uncertain=True)
        assert j.maybe_sent(run.run_id) == {3}

