"""Injected faults are real and repeatable: one seed, the same calls -> the same faults."""
from __future__ import annotations

import time

import pytest
import requests
from conftest import login, post, records, stats

from importer.entities import CUSTOMER_PART, PRODUCT_PRICE
from importer.sandbox.app import DELAY_HEADER

CALLS = 30


def run_calls(sb, prefix: str = "F") -> list[tuple[int, str, str]]:
    """CALLS sequential creates with distinct keys: (status, content type, injected delay)."""
    token = login(sb)
    session = requests.Session()
    seen = []
    for i in range(CALLS):
        response = post(sb.url, PRODUCT_PRICE.create_path,
                        {"AUTH_TOKEN": token, "PART_ID": "PUMP003", "PRICE_CODE": prefix,
                         "ORDER_QTY": str(i), "SO_UNIT_PRICE": "1"}, session)
        seen.append((response.status_code, response.headers.get("content-type", ""),
                     response.headers.get(DELAY_HEADER, "")))
    return seen


@pytest.mark.parametrize("option", [{"fail_rate": 0.3}, {"lost_response_rate": 0.3},
                                    {"jitter_ms": 3.0, "latency_ms": 1.0},
                                    {"fail_rate": 0.2, "lost_response_rate": 0.2}])
def test_a_fixed_seed_gives_the_same_faults_twice(sandbox_factory, option):
    first = run_calls(sandbox_factory(seed=11, **option))
    second = run_calls(sandbox_factory(seed=11, **option))
    other_seed = run_calls(sandbox_factory(seed=12, **option))
    assert first == second
    assert first != other_seed
    if "jitter_ms" in option:
        delays = {d for _, _, d in first}
        assert len(delays) > 1 and "" not in delays
    else:
        assert len({status for status, _, _ in first}) > 1  # some faults, some successes


def test_fail_rate_answers_503_without_creating_anything(sandbox_factory):
    sb = sandbox_factory(fail_rate=0.5, seed=3)
    seen = run_calls(sb)
    failed = [i for i, (status, _, _) in enumerate(seen) if status == 503]
    assert failed and len(failed) < CALLS
    held = {r["ORDER_QTY"] for r in records(sb.url, "product-price")}
    assert held == {str(i) for i in range(CALLS) if i not in failed}
    assert stats(sb.url)["calls"][PRODUCT_PRICE.create_path] == {
        "200": CALLS - len(failed), "503": len(failed)}


def test_a_lost_response_is_a_504_html_page_but_the_record_was_created(sandbox_factory):
    sb = sandbox_factory(lost_response_rate=0.5, seed=5)
    seen = run_calls(sb)
    lost = [i for i, (status, _, _) in enumerate(seen) if status == 504]
    assert lost and len(lost) < CALLS
    assert all(seen[i][1].startswith("text/html") for i in lost)
    held = {r["ORDER_QTY"] for r in records(sb.url, "product-price")}
    assert held == {str(i) for i in range(CALLS)}  # every call was carried out


def test_a_lost_response_body_is_not_json(sandbox_factory):
    sb = sandbox_factory(lost_response_rate=1.0)
    response = post(sb.url, CUSTOMER_PART.create_path,
                    {"AUTH_TOKEN": login(sb), "PART_ID": "PUMP001", "CUSTOMER_ID": "ACME",
                     "CUST_PART_ID": "X-1"})
    assert response.status_code == 504
    with pytest.raises(ValueError):
        response.json()
    assert len(records(sb.url, "customer-part")) == 1


def test_login_is_never_failed_on_purpose(sandbox_factory):
    sb = sandbox_factory(fail_rate=1.0, lost_response_rate=1.0, seed=1)
    token = login(sb)  # raises unless 200
    response = post(sb.url, PRODUCT_PRICE.create_path,
                    {"AUTH_TOKEN": token, "PART_ID": "PUMP001", "PRICE_CODE": "LP"})
    assert response.status_code == 503
    assert response.json()["MESSAGE_CODE"] == "SERVICE_UNAVAILABLE"


def test_an_expired_token_answers_login_failure_and_a_new_login_works(sandbox_factory):
    sb = sandbox_factory(token_ttl=0.3)
    token = login(sb)
    values = {"PART_ID": "PUMP001", "PRICE_CODE": "LP", "ORDER_QTY": "1"}
    first = post(sb.url, PRODUCT_PRICE.create_path, {"AUTH_TOKEN": token, **values})
    assert first.status_code == 200
    time.sleep(0.5)
    expired = post(sb.url, PRODUCT_PRICE.update_path,
                   {"AUTH_TOKEN": token, **values, "EFFECTIVE_DATE": "2030-01-01", "NOTES": "x"})
    assert expired.status_code == 401
    assert expired.json() == {"MESSAGE": "Auth Token login failure.",
                              "MESSAGE_CODE": "AUTH_TOKEN_LOGIN_FAILURE"}
    fresh = post(sb.url, PRODUCT_PRICE.create_path,
                 {"AUTH_TOKEN": login(sb), **values, "ORDER_QTY": "2"})
    assert fresh.status_code == 200


def test_statistics_count_every_call_by_path_and_status(sandbox_factory):
    sb = sandbox_factory()
    token = login(sb)
    post(sb.url, PRODUCT_PRICE.create_path, {"AUTH_TOKEN": token, "PART_ID": "PUMP001",
                                             "PRICE_CODE": "LP"})
    post(sb.url, PRODUCT_PRICE.create_path, {"AUTH_TOKEN": token, "PART_ID": "PUMP001",
                                             "PRICE_CODE": "LP"})
    requests.get(sb.url + PRODUCT_PRICE.update_path, timeout=10)
    assert stats(sb.url) == {"calls": {
        "/api/auth-token-get": {"200": 1},
        PRODUCT_PRICE.create_path: {"200": 1, "500": 1},
        PRODUCT_PRICE.update_path: {"405": 1},
    }}


def test_a_lost_response_hides_a_business_error_too_without_creating_anything(sandbox_factory):
    sb = sandbox_factory(lost_response_rate=1.0)
    response = post(sb.url, PRODUCT_PRICE.create_path,
                    {"AUTH_TOKEN": login(sb), "PART_ID": "PUMP999", "PRICE_CODE": "LP"})
    assert response.status_code == 504
    assert records(sb.url, "product-price") == []
