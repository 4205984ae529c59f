"""ErpClient against the real sandbox over loopback: login, shared re-login, retries, doubt."""
from __future__ import annotations

import logging
import threading
import time

import pytest
from conftest import records, stats, unique_id

from importer.erp.client import ErpClient
from importer.entities import AUTH_PATH, PRODUCT_PRICE
from importer.errors import ConnectionFailed, LoginFailed
from importer.sandbox.server import SandboxConfig, start_sandbox
from importer.settings import Settings

CREATE = PRODUCT_PRICE.create_path
UPDATE = PRODUCT_PRICE.update_path


def settings_for(sb, **changes) -> Settings:
    base = dict(url=sb.url, data_source=sb.data_source, user=sb.user, password=sb.password,
                backoff_base=0.01, backoff_max=0.05)
    return Settings(**{**base, **changes})


def price(code: str, qty: str = "1", **more) -> dict[str, str]:
    return {"PART_ID": "PUMP001", "PRICE_CODE": code, "EFFECTIVE_DATE": "2030-01-01",
            "ORDER_QTY": qty, "SO_UNIT_PRICE": "10.50", **more}


def held(sb, code: str) -> list[dict]:
    return [r for r in records(sb.url, PRODUCT_PRICE.name) if r["PRICE_CODE"] == code]


def calls(sb, path: str) -> dict[str, int]:
    return stats(sb.url)["calls"].get(path, {})


def test_login_and_create_a_price_that_the_server_then_holds(sandbox):
    code = unique_id("C")
    with ErpClient(settings_for(sandbox)) as client:
        client.login()
        result = client.call(CREATE, price(code))
    assert (result.kind, result.http_status, result.attempts, result.uncertain) == (
        "ok", 200, 1, False)
    assert result.record["SO_UNIT_PRICE"] == "10.50"
    assert held(sandbox, code) == [result.record]
    assert client.calls_made == 1


def test_first_call_logs_in_by_itself(sandbox):
    with ErpClient(settings_for(sandbox)) as client:
        assert client.call(CREATE, price(unique_id("C"))).ok
        assert client.logins == 1


def test_wrong_password_is_refused_with_the_servers_message(sandbox):
    with ErpClient(settings_for(sandbox, password="wrong-pw-123")) as client:
        with pytest.raises(LoginFailed) as caught:
            client.login()
    message = str(caught.value)
    assert "Login failed for user APIUSER" in message and "IMPORTER_PASSWORD" in message
    assert "wrong-pw-123" not in message


def test_unknown_data_source_is_refused(sandbox):
    with ErpClient(settings_for(sandbox, data_source="NOSUCH")) as client:
        with pytest.raises(LoginFailed):
            client.login()


def test_nothing_listening_says_it_cannot_reach_the_server():
    with start_sandbox(SandboxConfig()) as sb:
        url = sb.url
    with ErpClient(settings_for(sb, url=url)) as client:
        with pytest.raises(ConnectionFailed) as caught:
            client.login()
    assert str(caught.value).startswith(f"Cannot reach {url}: ")
    assert "Check --url and that the server is running." in str(caught.value)


def test_expired_token_causes_exactly_one_shared_re_login(sandbox_factory):
    sb = sandbox_factory(token_ttl=1)
    workers = 8
    with ErpClient(settings_for(sb, workers=workers)) as client:
        client.login()
        time.sleep(1.3)  # let the token expire (not a timing assertion)
        start = threading.Barrier(workers)
        results = [None] * workers

        def work(i: int) -> None:
            start.wait()
            results[i] = client.call(CREATE, price(f"EXP{i}"))

        threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [r.kind for r in results] == ["ok"] * workers
    assert calls(sb, AUTH_PATH) == {"200": 2}  # the first login and ONE re-login
    created = calls(sb, CREATE)
    # each thread that sent the stale token saw one 401 (a thread that started late may already
    # have picked up the new token); none re-logged in on its own
    assert created["200"] == workers and 1 <= created["401"] <= workers
    assert len(records(sb.url, PRODUCT_PRICE.name)) == workers


def test_busy_server_every_call_ends_ok_and_the_retries_are_counted(sandbox_factory):
    sb = sandbox_factory(fail_rate=0.3, seed=7)
    n = 40
    with ErpClient(settings_for(sb, retries=8)) as client:
        results = [client.call(CREATE, price("BUSY", qty=str(i))) for i in range(n)]
        made = client.calls_made
    assert all(r.kind == "ok" for r in results)
    assert not any(r.uncertain for r in results)  # a 503 did nothing
    seen = calls(sb, CREATE)
    assert seen["200"] == n and seen.get("503", 0) > 0
    assert sum(r.attempts for r in results) == made == n + seen["503"]
    assert len(records(sb.url, PRODUCT_PRICE.name)) == n


def test_lost_response_is_uncertain_and_the_record_is_on_the_server(sandbox_factory):
    sb = sandbox_factory(lost_response_rate=0.5, seed=3)
    with ErpClient(settings_for(sb)) as client:
        results = {str(i): client.call(CREATE, price("LOST", qty=str(i))) for i in range(12)}
        uncertain = {q: r for q, r in results.items() if r.uncertain}
        assert uncertain, "the seed should lose at least one response"
        for result in uncertain.values():
            # the retried create finds the record the lost attempt made
            assert result.kind == "business" and client.is_exists(result)
    on_server = {r["ORDER_QTY"] for r in records(sb.url, PRODUCT_PRICE.name)}
    assert on_server == set(results)
    assert all(not r.uncertain for q, r in results.items() if r.kind == "ok")


def test_gives_up_after_the_configured_retries_and_says_what_happened(sandbox_factory):
    sb = sandbox_factory(fail_rate=1.0, seed=1)
    with ErpClient(settings_for(sb, retries=2)) as client:
        result = client.call(CREATE, price("NEVER"))
    assert (result.kind, result.attempts, result.http_status) == ("failed", 3, 503)
    assert result.message == "Gave up after 3 attempts: The service is temporarily unavailable."
    assert not result.uncertain


def test_no_answer_in_time_is_uncertain(sandbox_factory):
    sb = sandbox_factory(latency_ms=400)  # the login waits too, so it gets a longer timeout
    with ErpClient(settings_for(sb, read_timeout=5, retries=0)) as client:
        client.login()
        client.settings = client.settings.replace(read_timeout=0.05)
        result = client.call(CREATE, price("SLOW"))
    assert result.kind == "failed" and result.uncertain
    assert result.message.startswith("Gave up after 1 attempt: no answer")


def test_server_gone_mid_run_fails_the_call_without_uncertainty():
    with start_sandbox(SandboxConfig()) as sb:
        client = ErpClient(settings_for(sb, retries=1))
        client.login()
    result = client.call(CREATE, price("GONE"))
    client.close()
    assert result.kind == "failed" and not result.uncertain
    assert result.message.startswith("Gave up after 2 attempts: cannot connect")


def test_business_error_is_returned_at_once(sandbox):
    with ErpClient(settings_for(sandbox)) as client:
        result = client.call(CREATE, price(unique_id("C"), PART_ID="PUMP999"))
    assert (result.kind, result.message_code, result.attempts) == ("business", "PART_NOT_FOUND", 1)
    assert result.message == "Part PUMP999 does not exist."


def test_exists_and_not_found_are_recognised(sandbox):
    code = unique_id("C")
    with ErpClient(settings_for(sandbox)) as client:
        assert client.call(CREATE, price(code)).ok
        again = client.call(CREATE, price(code))
        missing = client.call(UPDATE, price(unique_id("C"), SO_UNIT_PRICE="11"))
        assert client.is_exists(again) and not client.is_not_found(again)
        assert client.is_not_found(missing) and not client.is_exists(missing)


def test_exists_is_recognised_by_message_when_the_code_is_not_configured(sandbox):
    code = unique_id("C")
    s = settings_for(sandbox, exists_codes=("DUPLICATE",), exists_patterns=("already exists",))
    with ErpClient(s) as client:
        client.call(CREATE, price(code))
        again = client.call(CREATE, price(code))
        assert again.message_code == "RECORD_EXISTS" and client.is_exists(again)


def test_server_info_reports_time_version_and_data_sources(sandbox):
    with ErpClient(settings_for(sandbox)) as client:
        info = client.server_info()
    assert info["api_version"] and info["server_time"]
    assert info["data_sources"] == [sandbox.data_source]


def test_password_and_token_never_reach_the_log(sandbox_factory, caplog):
    secret = "Very-Recognisable-Pw-4711"
    sb = sandbox_factory(users={"APIUSER": secret}, token_ttl=1, fail_rate=0.3, seed=5)
    caplog.set_level(logging.DEBUG)
    with ErpClient(settings_for(sb, retries=8)) as client:
        client.login()
        first_token = client._token
        time.sleep(1.2)
        for i in range(10):
            client.call(CREATE, price("LOG", qty=str(i)))
        tokens = {first_token, client._token}
        client.server_info()
    with ErpClient(settings_for(sb, password=secret + "x")) as client, \
            pytest.raises(LoginFailed) as caught:
        client.login()
    text = caplog.text + str(caught.value) + repr(client.settings)
    assert secret not in text
    assert all(token and token not in text for token in tokens)
    assert client.logins == 0 and "Logged in" in caplog.text
