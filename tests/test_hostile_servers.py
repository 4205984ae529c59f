"""Servers that misbehave on purpose (tests/hostile_server.py, a proxy in front of the real
sandbox on loopback): redirects to another address, an answer trickled a byte a second, 50 MB
answers, an answer about another key, an error message quoting the token. Nothing they do may
send a secret elsewhere, hang the run, grow the journal without bound, leak a token into an
output, or count a row as applied to a record it was not.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import price_file as prices
from conftest import records
from hostile_server import HostileServer

from importer.entities import PRODUCT_PRICE
from importer.errors import BadOptions, ConnectionFailed
from importer.runs.runner import run_import
from importer.settings import Settings, load_settings

FAST = dict(backoff_base=0.02, backoff_max=0.3)


def price_file(path: Path, n: int, code: str) -> Path:
    return prices(path, n, code)[0]


def settings(url: str, sb, tmp_path: Path, **more) -> Settings:
    return Settings(url=url, data_source=sb.data_source, user=sb.user, password=sb.password,
                    journal=tmp_path / "journal.sqlite3", **{**FAST, **more})


def journal_bytes(path: Path) -> int:
    """The journal's size once its write-ahead log is folded in (the log's own size depends on
    how many commits were made, not on what they held)."""
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def file_text(path: Path) -> str:
    """Every byte of a file as text; an xlsx is unzipped first (its XML is compressed)."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return path.read_bytes().decode("utf-8", "replace")


# --- redirects ----------------------------------------------------------------------------------
def test_a_login_redirected_to_another_port_sends_the_password_nowhere(sandbox, tmp_path):
    src = price_file(tmp_path / "redirect.csv", 3, "REDIR1")
    with HostileServer() as elsewhere, \
            HostileServer(sandbox.url, redirect_to=elsewhere.url, redirect_login=True) as front:
        with pytest.raises(ConnectionFailed) as caught:
            run_import(src, settings(front.url, sandbox, tmp_path), workers=2)
    assert elsewhere.received == []
    assert "redirect" in str(caught.value) and elsewhere.url in str(caught.value)
    assert sandbox.password not in str(caught.value)


def test_record_calls_redirected_to_another_port_send_it_no_token_and_no_body(sandbox,
                                                                              tmp_path):
    src = price_file(tmp_path / "redirect.csv", 6, "REDIR2")
    with HostileServer() as elsewhere, \
            HostileServer(sandbox.url, redirect_to=elsewhere.url) as front:
        result = run_import(src, settings(front.url, sandbox, tmp_path), workers=2)
        tokens = front.tokens
    assert elsewhere.received == []
    assert result.counts == {"FAILED": 6} and result.exit_code == 1
    outcome = next(iter(result_outcomes(tmp_path, result.run.run_id).values()))
    assert "307" in outcome and elsewhere.url in outcome
    assert tokens and not any(t in outcome for t in tokens)


def test_a_server_that_redirects_every_call_stops_the_run_saying_so(sandbox, tmp_path):
    src = price_file(tmp_path / "redirect.csv", 30, "REDIR3")
    with HostileServer() as elsewhere, \
            HostileServer(sandbox.url, redirect_to=elsewhere.url) as front:
        result = run_import(src, settings(front.url, sandbox, tmp_path), workers=2)
    assert elsewhere.received == [] and result.exit_code == 3, result.message
    assert "Every call was redirected" in result.message, result.message
    assert "stopped answering" not in result.message and elsewhere.url in result.message
    assert result.counts.get("NOT_RUN", 0) > 0  # stopped instead of failing every row


def result_outcomes(tmp_path: Path, run_id: int) -> dict[int, str]:
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:
        return dict(db.execute("SELECT excel_row, message FROM outcomes WHERE run_id=?",
                               (run_id,)).fetchall())


# --- a trickled answer --------------------------------------------------------------------------
def test_an_answer_trickled_a_byte_a_second_ends_the_run_within_its_budget(sandbox, tmp_path):
    src = price_file(tmp_path / "trickle.csv", 20, "TRICKLE")
    env = {**os.environ, "IMPORTER_PASSWORD": sandbox.password}
    with HostileServer(sandbox.url, trickle=True) as front:
        proc = subprocess.Popen(
            [sys.executable, "-m", "importer", "import", str(src), "--url", front.url,
             "--data-source", sandbox.data_source, "--user", sandbox.user, "--workers", "2",
             "--timeout", "3", "--retry-budget", "4", "--journal",
             str(tmp_path / "journal.sqlite3")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=300)  # not a speed check: a hang never ends
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("the import hung on an answer trickled a byte a second")
    assert proc.returncode == 3, err  # the ERP stopped answering: stopped, resumable
    assert "stopped answering" in err
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:
        uncertain = db.execute("SELECT COUNT(*) FROM outcomes WHERE uncertain=1").fetchone()[0]
    assert uncertain > 0  # a cut answer may have been applied: the next run treats it so


# --- huge answers ------------------------------------------------------------------------------
def test_50_mb_answers_are_not_read_and_do_not_grow_the_journal(sandbox, tmp_path):
    src = price_file(tmp_path / "huge.csv", 4, "HUGE1")
    journal = tmp_path / "journal.sqlite3"
    with HostileServer(sandbox.url, pad_mb=50) as front:
        result = run_import(src, settings(front.url, sandbox, tmp_path), workers=1)
    assert result.counts == {"FAILED": 4}
    message = next(iter(result_outcomes(tmp_path, result.run.run_id).values()))
    assert "larger than 4 MB" in message and "max_answer_mb" in message
    assert journal_bytes(journal) < 4 * 64 * 1024 + 512 * 1024


def test_answers_read_whole_are_stored_as_the_records_fields_only(sandbox, tmp_path):
    src = price_file(tmp_path / "big.csv", 8, "HUGE2")
    journal = tmp_path / "journal.sqlite3"
    run_import(price_file(tmp_path / "warm.csv", 1, "WARM"), settings(sandbox.url, sandbox,
                                                                       tmp_path), workers=1)
    before = journal_bytes(journal)
    with HostileServer(sandbox.url, pad_mb=50) as front:
        result = run_import(src, settings(front.url, sandbox, tmp_path, max_answer_mb=60),
                            workers=1)
    assert result.counts == {"CREATED": 8}
    assert (journal_bytes(journal) - before) / 8 < 64 * 1024
    with sqlite3.connect(journal) as db:
        stored = [r[0] for r in db.execute("SELECT record FROM outcomes WHERE run_id=?",
                                           (result.run.run_id,))]
    assert all("DEBUG_DUMP" not in r and '"SO_UNIT_PRICE"' in r for r in stored)


# --- secrets -----------------------------------------------------------------------------------
def test_a_message_quoting_the_token_keeps_every_token_of_the_session_out_of_every_output(
        sandbox_factory, tmp_path):
    sb = sandbox_factory(token_ttl=1)
    src = price_file(tmp_path / "echo.csv", 30, "ECHO")
    with HostileServer(sb.url, echo=True) as front:
        result = run_import(src, settings(front.url, sb, tmp_path), workers=2)
        tokens = list(front.tokens)
    assert result.counts == {"FAILED": 30}
    assert tokens
    outputs = [result.results_path, result.failed_path, tmp_path / "journal.sqlite3",
               *tmp_path.glob("journal.sqlite3-*")]
    for path in outputs:
        text = file_text(path)
        assert "AUTH_TOKEN" in text or path.suffix != ".xlsx"  # the message is there...
        assert not [t for t in tokens if t in text], path  # ...without any token
        assert sb.password not in text


@pytest.mark.parametrize("url", ["http://apiuser:S3cret-pw@127.0.0.1:9",
                                 "https://S3cret-pw@erp.example.com"])
def test_a_url_with_user_info_is_refused_in_one_sentence_that_does_not_repeat_it(url):
    with pytest.raises(BadOptions) as caught:
        load_settings(url=url, data_source="D", user="u", password="p", environ={})
    assert "S3cret-pw" not in str(caught.value) and "user name or password" in str(caught.value)


def test_the_command_refuses_a_url_with_user_info_and_prints_no_password(tmp_path):
    src = price_file(tmp_path / "u.csv", 1, "URL")
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "import", str(src), "--json", "--url",
         "http://apiuser:S3cret-pw@127.0.0.1:9", "--data-source", "D", "--user", "u"],
        env={**os.environ, "IMPORTER_PASSWORD": "p"}, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 2
    assert "S3cret-pw" not in proc.stdout + proc.stderr
    assert "user name or password" in proc.stderr


# --- an answer about another key ----------------------------------------------------------------
def test_a_success_answer_naming_another_key_fails_the_row_and_teaches_the_journal_nothing(
        sandbox, tmp_path):
    src = price_file(tmp_path / "other.csv", 3, "OTHERKEY")
    with HostileServer(sandbox.url, other_key=True) as front:
        result = run_import(src, settings(front.url, sandbox, tmp_path), workers=1)
    assert result.counts == {"FAILED": 3} and result.exit_code == 1
    messages = result_outcomes(tmp_path, result.run.run_id)
    assert all("OTHER-" in m and "other key" in m for m in messages.values())
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM known_keys WHERE key LIKE '%OTHER-%'"
                          ).fetchone()[0] == 0
    held = [r for r in records(sandbox.url, PRODUCT_PRICE.name) if r["PRICE_CODE"] == "OTHERKEY"]
    assert len(held) == 3  # the sandbox did create them: the row says to check
