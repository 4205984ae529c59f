"""The worker pool against the real sandbox: faults, expiring tokens, same keys, stopping."""
import threading
from collections import Counter

from conftest import records, stats

from importer.erp.client import ErpClient
from importer.erp.dispatch import Dispatcher, Job
from importer.entities import PRODUCT_PRICE
from importer.journal.store import Journal
from importer.model import Action, Column, Row, RunInfo, Status, Table
from importer.sandbox.demo import DEMO_PARTS
from importer.settings import Settings

FIELDS = ("PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE", "NOTES")


def _rows(n: int, price_code: str = "LP") -> list[Row]:
    rows = []
    for i in range(n):
        values = dict(zip(FIELDS, (DEMO_PARTS[i % len(DEMO_PARTS)]["PART_ID"], price_code,
                                   "2026-03-01", str(i + 1), f"{i}.25", f"row {i + 2}")))
        rows.append(Row(i + 2, values, list(values.values())))
    return rows


def _setup(sb, tmp_path, rows, **settings):
    s = Settings(url=sb.url, data_source=sb.data_source, user=sb.user, password=sb.password,
                 journal=tmp_path / "j.sqlite", backoff_base=0.02, **settings)
    client = ErpClient(s)
    journal = Journal(s.journal)
    table = Table(tmp_path / "in.csv", "sha", "csv", "in", PRODUCT_PRICE, 1,
                  [Column(i, chr(65 + i), f, f) for i, f in enumerate(FIELDS)], rows)
    run = journal.start_run(RunInfo(0, PRODUCT_PRICE.name, "upsert", "in.csv", "sha", "in",
                                    sb.url, sb.data_source, sb.user, "2026-01-01T00:00:00",
                                    None), table)
    return client, journal, run.run_id


def _dispatch(sb, client, journal, run_id, rows, action=Action.UPSERT, **kw):
    d = Dispatcher(client, PRODUCT_PRICE, journal, run_id, scope=(sb.url, sb.data_source),
                   known_keys=set(), **kw)
    return d.run([Job(r, r.action or action) for r in rows])


def _by_key(recs):
    return {PRODUCT_PRICE.key_of(r): r for r in recs}


def test_flaky_server_and_lost_answers_still_apply_every_row_exactly_once(sandbox_factory,
                                                                         tmp_path):
    sb = sandbox_factory(latency_ms=5, fail_rate=0.2, lost_response_rate=0.1, seed=7)
    rows = _rows(150)
    client, journal, run_id = _setup(sb, tmp_path, rows, retries=8)
    result = _dispatch(sb, client, journal, run_id, rows, workers=6)
    assert Counter(o.status for o in result.outcomes.values()).keys() <= {Status.CREATED,
                                                                          Status.UPDATED}
    held = _by_key(records(sb.url, "product-price"))
    assert len(held) == len(rows) == len(records(sb.url, "product-price"))
    for row in rows:
        record = held[PRODUCT_PRICE.key_of(row.values)]
        assert {f: record[f] for f in FIELDS} == row.values
    assert set(journal.outcomes(run_id)) == {r.excel_row for r in rows}
    calls = stats(sb.url)["calls"]
    assert calls["/api/product-price-create"].get("504", 0) > 0  # answers were really lost


def test_expired_token_mid_run_logs_in_again_and_finishes(sandbox_factory, tmp_path):
    # 240 rows of 30 ms on 4 workers last 1.8 s at least: always longer than the 1 s token
    # (120 rows could end in 0.9 s on a quiet machine, within one token's life)
    sb = sandbox_factory(latency_ms=30, token_ttl=1)
    rows = _rows(240)
    client, journal, run_id = _setup(sb, tmp_path, rows)
    result = _dispatch(sb, client, journal, run_id, rows, workers=4)
    assert {o.status for o in result.outcomes.values()} == {Status.CREATED}
    assert stats(sb.url)["calls"]["/api/auth-token-get"]["200"] >= 2
    assert len(records(sb.url, "product-price")) == 240


def test_rows_with_the_same_key_are_applied_in_file_order(sandbox_factory, tmp_path):
    sb = sandbox_factory(latency_ms=20)
    first, second = _rows(1), _rows(1)
    second[0].excel_row = 3
    second[0].values["SO_UNIT_PRICE"] = "99"
    rows = first + second + _rows(10, "XP")
    for number, row in enumerate(rows[2:], start=4):
        row.excel_row = number
    client, journal, run_id = _setup(sb, tmp_path, rows)
    result = _dispatch(sb, client, journal, run_id, rows, workers=8)
    assert result.outcomes[2].status is Status.CREATED
    assert result.outcomes[3].status is Status.UPDATED
    held = _by_key(records(sb.url, "product-price"))
    assert held[PRODUCT_PRICE.key_of(first[0].values)]["SO_UNIT_PRICE"] == "99"


def test_stopping_finishes_calls_in_flight_and_leaves_the_rest_unsent(sandbox_factory, tmp_path):
    sb = sandbox_factory(latency_ms=40)
    rows = _rows(200)
    client, journal, run_id = _setup(sb, tmp_path, rows)
    stop = threading.Event()

    def progress(done, total, counts):
        if done >= 10:
            stop.set()

    result = _dispatch(sb, client, journal, run_id, rows, workers=4, on_progress=progress,
                       stop_event=stop)
    assert result.interrupted
    done = set(result.outcomes)
    assert 10 <= len(done) < 200
    assert len(records(sb.url, "product-price")) == len(done)
    assert set(journal.outcomes(run_id)) == done and not journal.maybe_sent(run_id)


def test_skip_and_explicit_update_of_unknown_key(sandbox_factory, tmp_path):
    sb = sandbox_factory()
    rows = _rows(3)
    rows[0].action = Action.SKIP
    rows[1].action = Action.UPDATE
    client, journal, run_id = _setup(sb, tmp_path, rows)
    result = _dispatch(sb, client, journal, run_id, rows, action=Action.CREATE)
    assert result.outcomes[2].status is Status.SKIPPED
    assert result.outcomes[3].status is Status.FAILED
    assert result.outcomes[3].message_code == "RECORD_NOT_FOUND"
    assert result.outcomes[4].status is Status.CREATED
    assert "/api/product-price-update" in stats(sb.url)["calls"]
    assert len(records(sb.url, "product-price")) == 1
