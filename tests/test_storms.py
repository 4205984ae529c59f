"""Storms the import rides out in one run, and the one it must not: a server that stopped answering.

Against the real sandbox (503s, lost answers, one-second tokens) and against a proxy in front of
it that answers the way other servers do (tests/storm_server.py: HTML or empty 200s, an
undocumented 401 message, "Duplicate record."). Each row must end applied, and the server must
hold each row exactly once, with the row's values.
"""
from __future__ import annotations

from pathlib import Path

from conftest import price_file, records, stats
from storm_server import StormServer

from importer.entities import PRODUCT_PRICE
from importer.model import Status
from importer.runs.runner import run_import
from importer.settings import Settings

FAST_BACKOFF = dict(backoff_base=0.02, backoff_max=0.3)


def settings(url: str, sb, tmp_path: Path, **more) -> Settings:
    return Settings(url=url, data_source=sb.data_source, user=sb.user, password=sb.password,
                    journal=tmp_path / "journal.sqlite3", **{**FAST_BACKOFF, **more})


def assert_held_exactly_once(sb, code: str, expected: dict[tuple, str]) -> None:
    held = [r for r in records(sb.url, PRODUCT_PRICE.name) if r["PRICE_CODE"] == code]
    keys = [PRODUCT_PRICE.key_of(r) for r in held]
    assert len(keys) == len(set(keys)) == len(expected)
    assert {k: r["SO_UNIT_PRICE"] for k, r in zip(keys, held)} == expected


def test_a_storm_of_503s_lost_answers_and_expiring_tokens_fails_no_row(sandbox_factory,
                                                                        tmp_path):
    # 10 ms a call: 1,000+ calls over 8 workers last well past the 1 s tokens, however fast
    # the machine (on a quiet one the whole run once fitted in one token's life)
    sb = sandbox_factory(fail_rate=0.2, lost_response_rate=0.1, token_ttl=1, seed=18,
                         latency_ms=10)
    src, expected = price_file(tmp_path / "storm.csv", 1000, "STORM")
    result = run_import(src, settings(sb.url, sb, tmp_path), workers=8)
    assert result.counts.get("FAILED", 0) == 0 and result.exit_code == 0
    assert result.counts.get("CREATED", 0) + result.counts.get("UPDATED", 0) == 1000
    assert result.counts.get("UPDATED", 0) > 0  # lost answers: the retried create found it
    seen = stats(sb.url)["calls"]
    assert seen[PRODUCT_PRICE.create_path].get("503", 0) > 100  # it was a storm
    assert seen[PRODUCT_PRICE.create_path].get("401", 0) > 0  # tokens expired mid-run
    assert_held_exactly_once(sb, "STORM", expected)


def test_html_and_empty_200s_an_undocumented_401_and_duplicate_wording_fail_no_row(
        sandbox_factory, tmp_path):
    sb = sandbox_factory(token_ttl=1)
    src, expected = price_file(tmp_path / "pages.csv", 1000, "PAGES")
    with StormServer(sb.url, page_rate=0.1, seed=5, bad_first_logins=2,
                     exists_as=("ERR_DUPLICATE", "Duplicate record.")) as storm:
        result = run_import(src, settings(storm.url, sb, tmp_path), workers=8)
    assert storm.pages > 50
    assert result.counts.get("FAILED", 0) == 0 and result.exit_code == 0
    assert result.counts.get("UPDATED", 0) > 0  # lost creates, then "Duplicate record." -> update
    assert storm.logins > 3  # two refused first logins retried, tokens expired mid-run
    assert_held_exactly_once(sb, "PAGES", expected)


def test_a_server_that_stops_answering_ends_the_run_with_exit_3_and_it_resumes(
        sandbox_factory, tmp_path):
    sb = sandbox_factory()
    src, expected = price_file(tmp_path / "dies.csv", 400, "DIES")
    with StormServer(sb.url) as storm:
        s = settings(storm.url, sb, tmp_path, retry_budget=2)
        seen = []

        def die_midway(done, total, counts):
            seen.append(done)
            if done >= 100:
                storm.dead = True

        first = run_import(src, s, workers=4, on_progress=die_midway)
        assert first.exit_code == 3 and "stopped answering" in first.message
        assert first.counts.get("NOT_RUN", 0) > 0
        storm.dead = False
        second = run_import(src, s, workers=4)
    assert second.exit_code == 0 and second.resumed
    assert_held_exactly_once(sb, "DIES", expected)


def test_a_token_refused_as_soon_as_it_is_issued_stops_the_run_naming_the_setting(
        sandbox_factory, tmp_path):
    sb = sandbox_factory()
    src, _ = price_file(tmp_path / "refused.csv", 20, "REFUSED")
    with StormServer(sb.url, refuse_tokens=True) as storm:
        result = run_import(src, settings(storm.url, sb, tmp_path), workers=2)
    assert result.exit_code == 3
    assert "Session expired, please sign in again." in result.message
    assert "login_failure_messages" in result.message
    assert result.counts.get("NOT_RUN", 0) > 0


def test_a_lost_create_refused_in_unknown_words_names_the_exists_settings(sandbox_factory,
                                                                          tmp_path):
    sb = sandbox_factory()
    src, _ = price_file(tmp_path / "words.csv", 40, "WORDS")
    with StormServer(sb.url, page_rate=0.6, seed=3,
                     exists_as=("E42", "Key is on file.")) as storm:
        result = run_import(src, settings(storm.url, sb, tmp_path), workers=2)
    failed = [o for o in result_outcomes(result) if o.status is Status.FAILED]
    assert failed, "the seed should lose some created rows' answers"
    assert all("Key is on file." in o.message and "exists_patterns" in o.message
               and "exists_codes" in o.message for o in failed)


def result_outcomes(result):
    from importer.journal.store import Journal

    with Journal(result.journal_path) as journal:
        return list(journal.outcomes(result.run.run_id).values())
