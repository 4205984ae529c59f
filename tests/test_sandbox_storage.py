"""The database, not luck, keeps one record per key; records outlive a restart on the same file."""
from __future__ import annotations

import threading

import requests
from conftest import login, post, records, unique_id

from importer.entities import PRODUCT_PRICE
from importer.sandbox.server import SandboxConfig, start_sandbox


def test_twenty_simultaneous_creates_of_one_key_make_exactly_one_record(sandbox):
    token = login(sandbox)
    payload = {"AUTH_TOKEN": token, "PART_ID": "PUMP001", "PRICE_CODE": unique_id("RACE"),
               "EFFECTIVE_DATE": "2030-01-01", "ORDER_QTY": "5", "SO_UNIT_PRICE": "1"}
    barrier = threading.Barrier(20)
    answers: list[tuple[int, str]] = []

    def create():
        session = requests.Session()
        session.get(sandbox.url + "/_sandbox/stats", timeout=10)  # connect before the race
        barrier.wait()
        response = post(sandbox.url, PRODUCT_PRICE.create_path, payload, session)
        answers.append((response.status_code, response.json().get("MESSAGE_CODE", "")))

    threads = [threading.Thread(target=create) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [(200, "")] + [(500, "RECORD_EXISTS")] * 19
    held = [r for r in records(sandbox.url, "product-price")
            if r["PRICE_CODE"] == payload["PRICE_CODE"]]
    assert len(held) == 1


def test_records_survive_a_restart_on_the_same_database_file(tmp_path):
    db = tmp_path / "rehearsal.sqlite"
    values = {"PART_ID": "000418", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2030-01-01",
              "ORDER_QTY": "100", "SO_UNIT_PRICE": "0.09"}
    with start_sandbox(SandboxConfig(db_path=db)) as first:
        created = post(first.url, PRODUCT_PRICE.create_path,
                       {"AUTH_TOKEN": login(first), **values}).json()
    with start_sandbox(SandboxConfig(db_path=db)) as second:
        assert records(second.url, "product-price") == [created]
        again = post(second.url, PRODUCT_PRICE.create_path, {"AUTH_TOKEN": login(second), **values})
        assert again.json()["MESSAGE_CODE"] == "RECORD_EXISTS"


def test_a_temporary_database_starts_empty_and_is_removed_on_stop(sandbox_factory):
    sb = sandbox_factory()
    assert records(sb.url, "product-price") == [] and records(sb.url, "customer-part") == []
    path = sb.db_path
    assert path.exists()
    sb.stop()
    assert not path.exists()


def test_reset_drops_records_and_statistics(sandbox_factory):
    sb = sandbox_factory()
    post(sb.url, PRODUCT_PRICE.create_path, {"AUTH_TOKEN": login(sb), "PART_ID": "PUMP001",
                                             "PRICE_CODE": "LP"})
    assert records(sb.url, "product-price")
    assert requests.post(sb.url + "/_sandbox/reset", timeout=10).status_code == 200
    assert records(sb.url, "product-price") == []
    assert requests.get(sb.url + "/_sandbox/stats", timeout=10).json() == {"calls": {}}
