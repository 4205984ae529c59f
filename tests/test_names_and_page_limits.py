"""Names, ids and option values at their limits: an input name of 243-255 characters, a run id of
20 digits, an upload name of 300 characters, --timeout nan/inf; and the page's own hygiene: no
other site may frame it, and a killed `importer serve` does not leave the admin's files behind
(the next serve removes them). Real processes: the sandbox, `importer serve`, the CLI."""
from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from conftest import free_port

from importer.runs.runner import run_import
from importer.settings import Settings

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"]


def small_file(path: Path, code: str, rows: int = 3) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for i in range(rows):
            out.writerow(["PUMP001", code, "2031-01-01", str(i + 1), "10.50"])
    return path


@pytest.mark.parametrize("length", [243, 251, 255])
def test_an_input_name_near_the_limit_gets_its_results_under_a_shortened_name(
        sandbox, tmp_path, length):
    stem = ("Preisliste-" + "x" * 300)[: length - len(".csv")]
    src = small_file(tmp_path / f"{stem}.csv", f"LONG{length}")
    settings = Settings(url=sandbox.url, data_source=sandbox.data_source, user=sandbox.user,
                        password=sandbox.password, journal=tmp_path / "j.sqlite3")
    result = run_import(src, settings, workers=1)
    assert result.counts == {"CREATED": 3} and result.exit_code == 0
    assert result.results_path.exists() and result.results_path.parent == tmp_path
    assert len(result.results_path.name.encode()) <= 255
    assert result.results_path.name.startswith("Preisliste-xxx")
    assert result.results_path.name.endswith(".results.xlsx")
    again = run_import(src, settings, workers=1)
    assert again.rows_sent == 0 and again.results_path == result.results_path


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_timeout_nan_or_inf_is_refused_as_an_option(tmp_path, value):
    src = small_file(tmp_path / "t.csv", "NAN")
    proc = subprocess.run(
        [sys.executable, "-m", "importer", "import", str(src), "--url", "http://127.0.0.1:9",
         "--data-source", "D", "--user", "u", "--timeout", value],
        env={**os.environ, "IMPORTER_PASSWORD": "p"}, capture_output=True, text=True,
        timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "--timeout" in proc.stderr


def start_serve(tmp_path: Path, temp: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "importer", "serve", "--port", str(port), "--journal",
         str(tmp_path / "j.sqlite3"), "--sandbox-db", str(tmp_path / "sb.sqlite3")],
        env={**os.environ, "TMPDIR": str(temp)}, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        found = re.search(r"open (http://\S+)", line)
        if found:
            return proc, found.group(1)
    raise AssertionError(f"importer serve did not start: {proc.wait()}")


def test_the_page_refuses_framing_answers_4xx_at_its_limits_and_cleans_up_after_a_kill(
        tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    first, url = start_serve(tmp_path, temp)
    try:
        left = list(temp.glob("importer-web-*"))
        assert len(left) == 1
        (left[0] / "Preisliste.xlsx").write_bytes(b"the admin's file")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert left[0].exists()  # killed: it could not clean up
    second, url = start_serve(tmp_path, temp)
    try:
        session = requests.Session()
        page = session.get(url, timeout=30)
        assert page.status_code == 200
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        base = url.split("/?")[0]
        huge = session.get(f"{base}/runs/99999999999999999999/results.xlsx", timeout=30)
        assert 400 <= huge.status_code < 500
        assert huge.headers["X-Frame-Options"] == "DENY"
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        name = "Preisliste-" + "x" * 300 + ".csv"
        data = small_file(tmp_path / "up.csv", "UPLOAD").read_bytes()
        uploaded = session.post(f"{base}/upload", data=data, timeout=60, headers={
            "X-Filename": name, "X-CSRF-Token": csrf.group(1)})
        assert uploaded.status_code < 500, uploaded.text
        assert not left[0].exists()  # the killed serve's folder, the admin's file with it
        assert len(list(temp.glob("importer-web-*"))) == 1  # this serve's own
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(30)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
