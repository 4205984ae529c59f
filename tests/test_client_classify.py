"""What a response means, and how long to wait: the client's pure decisions, with plain values."""
from __future__ import annotations

import json
from email.utils import formatdate

import pytest

from importer.erp.client import backoff_delay, classify, parse_retry_after
from importer.erp.retry import RetryBudget


def failure(message: str, code: str) -> bytes:
    return json.dumps({"MESSAGE": message, "MESSAGE_CODE": code}).encode()


def test_a_record_answer_is_ok_and_carries_the_record():
    c = classify(200, json.dumps({"PART_ID": "PUMP001", "PRICE_CODE": "LP"}), {})
    assert c.kind == "ok" and c.record == {"PART_ID": "PUMP001", "PRICE_CODE": "LP"}
    assert not c.uncertain


def test_record_exists_is_a_business_error_and_not_retried():
    c = classify(500, failure("Product Price X already exists.", "RECORD_EXISTS"), {})
    assert (c.kind, c.message_code, c.message) == (
        "business", "RECORD_EXISTS", "Product Price X already exists.")
    assert not c.uncertain


def test_invalid_json_request_is_a_business_error():
    c = classify(400, failure("Request JSON is invalid.", "INVALID_JSON"), {})
    assert c.kind == "business"


@pytest.mark.parametrize("message", ["Auth Token login failure.", "Auth Token is expired."])
def test_expired_or_unknown_token_asks_for_a_re_login(message):
    assert classify(401, failure(message, "X"), {}).kind == "auth-expired"


@pytest.mark.parametrize("message", ["Auth Token was not provided.", "Auth Token is malformed."])
def test_missing_or_malformed_token_is_a_bug_not_a_re_login(message):
    assert classify(401, failure(message, "X"), {}).kind == "auth-bad"


def test_login_failure_messages_are_configurable():
    c = classify(401, failure("Session gone", "X"), {}, login_failure_messages=("Session gone",))
    assert c.kind == "auth-expired"


@pytest.mark.parametrize("status", [429, 503])
def test_busy_server_with_the_apis_failure_body_is_transient_and_nothing_was_done(status):
    c = classify(status, failure("Busy.", "SERVICE_UNAVAILABLE"), {})
    assert c.kind == "transient" and not c.uncertain


@pytest.mark.parametrize("status", [502, 504])
def test_gateway_errors_are_transient_and_the_call_may_have_been_applied(status):
    c = classify(status, b"<html><h1>504 Gateway Time-out</h1></html>", {})
    assert c.kind == "transient" and c.uncertain
    assert c.message.startswith(str(status))


def test_a_500_without_the_failure_body_is_transient_and_uncertain():
    c = classify(500, b"Internal Server Error", {})
    assert (c.kind, c.uncertain, c.message) == ("transient", True, "500 Internal Server Error")


def test_a_500_with_the_failure_body_is_a_business_error():
    assert classify(500, failure("Part PUMP999 does not exist.", "PART_NOT_FOUND"), {}).kind \
        == "business"


def test_an_html_404_is_unexpected_not_retried():
    c = classify(404, b"<html>Not Found</html>", {})
    assert (c.kind, c.message) == ("unexpected", "404 Not Found")


@pytest.mark.parametrize("body", [b"<html>proxy page</html>", b"", b'{"PART_ID": "PU', b"[1, 2]"])
def test_a_200_that_is_not_a_json_record_is_transient_and_uncertain(body):
    c = classify(200, body, {})
    assert c.kind == "transient" and c.uncertain
    assert c.message.startswith("200 OK without a JSON record")


def test_a_200_carrying_the_failure_body_is_unexpected():
    c = classify(200, failure("Odd.", "X"), {})
    assert c.kind == "unexpected" and not c.uncertain


def test_a_proxys_html_503_page_may_have_passed_the_request_on():
    c = classify(503, b"<html><h1>503 Service Unavailable</h1></html>", {})
    assert c.kind == "transient" and c.uncertain


def test_retry_after_in_seconds_or_as_an_http_date():
    assert classify(429, b"", {"Retry-After": "7"}).retry_after == 7.0
    now = 1_700_000_000.0
    header = formatdate(now + 30, usegmt=True)
    assert classify(503, b"", {"retry-after": header}, now=now).retry_after == 30.0
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_grows_exponentially_up_to_the_cap_with_full_jitter():
    top = [backoff_delay(n, base=0.5, cap=10.0, rand=lambda: 1.0) for n in range(1, 8)]
    assert top == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert backoff_delay(5, base=0.5, cap=10.0, rand=lambda: 0.0) == 0.0
    assert backoff_delay(3, base=0.5, cap=10.0, rand=lambda: 0.25) == 0.5


def test_backoff_waits_at_least_what_retry_after_asks_but_not_forever():
    assert backoff_delay(1, base=0.5, cap=10.0, retry_after=20.0, rand=lambda: 1.0) == 20.0
    assert backoff_delay(1, base=0.5, cap=10.0, retry_after=3600.0, retry_after_max=120.0,
                         rand=lambda: 1.0) == 120.0
    assert backoff_delay(6, base=0.5, cap=10.0, retry_after=1.0, rand=lambda: 1.0) == 10.0


def test_a_401_without_the_failure_body_is_a_bug_with_a_readable_message():
    c = classify(401, b"<html>Unauthorized</html>", {})
    assert (c.kind, c.message) == ("auth-bad", "401 Unauthorized")


def test_retries_last_while_the_budget_lasts_and_never_wait_past_it():
    budget = RetryBudget(budget=10.0, started=100.0)
    assert budget.next_delay(now=101.0, last_answer=101.0, wanted=2.0) == 2.0
    assert budget.next_delay(now=108.5, last_answer=108.0, wanted=4.0) == 1.5  # not past the end
    assert budget.next_delay(now=110.0, last_answer=109.0, wanted=1.0) is None
    assert "retry_budget" in budget.reason and budget.retries == 2


def test_retries_stop_when_no_call_got_an_answer_for_a_whole_budget():
    budget = RetryBudget(budget=10.0, started=100.0)
    assert budget.next_delay(now=100.5, last_answer=90.0, wanted=1.0) is None
    assert budget.reason == "the server answered no call for 10 s"


def test_an_optional_count_caps_the_retries():
    budget = RetryBudget(budget=100.0, started=0.0, max_retries=1)
    assert budget.next_delay(now=1.0, last_answer=1.0, wanted=0.5) == 0.5
    assert budget.next_delay(now=2.0, last_answer=2.0, wanted=0.5) is None
