"""`importer sandbox` as a person runs it: in a terminal, until stopped."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests
from click.testing import CliRunner
from conftest import free_port

from importer.cli import main
from importer.entities import AUTH_PATH, PRODUCT_PRICE



def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "importer", "sandbox", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, COLUMNS="200"))


def test_sandbox_command_answers_login_then_creates_a_full_record(tmp_path):
    port = free_port()
    proc = start_cli("--port", str(port), "--db", str(tmp_path / "s.sqlite"))
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first, first + proc.stderr.read()
        url = f"http://127.0.0.1:{port}"
        token = requests.post(url + AUTH_PATH, timeout=10, json={
            "DATA_SOURCE": "DEMO", "USER_NAME": "APIUSER", "PASSWORD": "sandbox"}).json()
        response = requests.post(url + PRODUCT_PRICE.create_path, timeout=10, json={
            **token, "PART_ID": "PUMP002", "PRICE_CODE": "LP", "EFFECTIVE_DATE": "2014-10-10",
            "ORDER_QTY": "1000", "SO_UNIT_PRICE": "10"})
        assert response.status_code == 200
        assert list(response.json()) == list(PRODUCT_PRICE.response_fields)
        assert response.json()["PART_DESC"] == "Large hydraulic pump"
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Sandbox stopped." in out and "Traceback" not in err
    assert token["AUTH_TOKEN"] not in out + err  # never prints a token


def test_startup_shows_url_data_source_and_demo_login():
    proc = start_cli("--port", "0", "--data-source", "TRAINING")
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.terminate()  # SIGTERM stops it as cleanly as Ctrl-C
        out, err = proc.communicate(timeout=15)
    text = "".join(lines)
    assert "http://127.0.0.1:" in text and "TRAINING" in text
    assert "APIUSER" in text and "sandbox" in text
    assert proc.returncode == 0 and "Sandbox stopped." in out
    assert err == ""


def test_a_port_in_use_is_one_clear_sentence_with_exit_code_2():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["sandbox", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: Port {port} is already in use on 127.0.0.1; "
                                     "choose another with --port.")


@pytest.mark.parametrize("args, words", [
    (["--user", "APIUSER"], "--user must look like NAME:PASSWORD"),
    (["--fail-rate", "1.5"], "--fail-rate must be between 0 and 1"),
    (["--lost-response-rate", "-0.1"], "--lost-response-rate must be between 0 and 1"),
    (["--token-ttl", "0"], "--token-ttl must be a positive number"),
    (["--parts", "no-such-parts.csv"], "does not exist"),
    (["--db", "/no/such/dir/s.sqlite"], "Cannot use /no/such/dir/s.sqlite"),
])
def test_bad_options_exit_2_with_a_sentence_not_a_traceback(args, words):
    result = CliRunner().invoke(main, ["sandbox", "--port", "0", *args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert "Traceback" not in result.output


def test_a_custom_password_is_not_printed():
    proc = start_cli("--port", "0", "--user", "ADMIN:s3cret-Pw")
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    assert "ADMIN" in "".join(lines)
    assert "s3cret-Pw" not in "".join(lines) + out + err


def test_help_explains_every_option():
    result = CliRunner().invoke(main, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--db", "--user", "--data-source", "--parts",
                   "--customers", "--latency-ms", "--jitter-ms", "--fail-rate",
                   "--lost-response-rate", "--token-ttl", "--seed"):
        assert option in result.output
