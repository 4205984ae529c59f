"""Shared fixtures: the real sandbox server over loopback (never a mock).

- ``sandbox``: one server for the whole session, default config and demo data. Records accumulate
  across tests, so use keys no other test uses (``unique_id()``) or the factory.
- ``sandbox_factory``: ``sandbox_factory(**SandboxConfig overrides)`` -> a started sandbox of its
  own, stopped after the test.
- Plain helpers (import them: ``from conftest import records, stats, ...``): ``records(url,
  entity_name)``, ``stats(url)``, ``login(sb)`` -> token, ``post(url, path, payload)`` -> response,
  ``unique_id(prefix)``, ``free_port()``, ``workbook_cells(path)``, ``isolate_from_user(home, monkeypatch)``,
  ``price_file(path, n, code, price=None)`` -> (a CSV of n product prices, key -> price).
"""
from __future__ import annotations

import itertools
import os
import socket
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from importer.entities import AUTH_PATH
from importer.sandbox.server import SandboxConfig, start_sandbox

_counter = itertools.count(1)


def records(url: str, entity_name: str) -> list[dict]:
    """Every record the sandbox holds for an entity, each shaped like the success response."""
    response = requests.get(f"{url}/_sandbox/records/{entity_name}", timeout=10)
    response.raise_for_status()
    return response.json()


def stats(url: str) -> dict:
    """Calls per path and HTTP status: {"calls": {path: {"200": n, "500": m}}}."""
    response = requests.get(f"{url}/_sandbox/stats", timeout=10)
    response.raise_for_status()
    return response.json()


def post(url: str, path: str, payload, session: requests.Session | None = None):
    """POST a JSON payload to the sandbox (``payload`` may be any JSON value)."""
    return (session or requests).post(f"{url}{path}", json=payload, timeout=10)


def login(sb, session: requests.Session | None = None) -> str:
    """A fresh AUTH_TOKEN for the sandbox's default user."""
    response = post(sb.url, AUTH_PATH, {"DATA_SOURCE": sb.data_source, "USER_NAME": sb.user,
                                        "PASSWORD": sb.password}, session)
    response.raise_for_status()
    return response.json()["AUTH_TOKEN"]


def free_port() -> int:
    """A loopback port nothing listens on right now (for a sandbox started as a process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolate_from_user(home: Path, monkeypatch) -> None:
    """Keep the person running the tests out of them: no IMPORTER_* variables, and their config
    file and journal out of reach (HOME and the XDG folders point into ``home``)."""
    for name in list(os.environ):
        if name.startswith("IMPORTER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


def workbook_cells(path: Path) -> dict:
    """{(sheet, cell): (value, number format)} of every cell of an xlsx file (to compare two)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {(ws.title, c.coordinate): (c.value, c.number_format)
            for ws in book.worksheets for row in ws.iter_rows() for c in row}


PRICE_HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "SO_UNIT_PRICE"]


def price_file(path: Path, n: int, code: str, price: str | None = None
               ) -> tuple[Path, dict[tuple, str]]:
    """A CSV of n product-price rows with distinct keys (the demo parts, then higher
    quantities) and the price ``price`` (else one of 89 prices); returns the file and
    key -> SO_UNIT_PRICE."""
    import csv

    from importer.sandbox.demo import DEMO_PARTS

    parts = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]
    expected = {}
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(PRICE_HEADER)
        for i in range(n):
            row = [parts[i % len(parts)], code, "2031-01-01", str(i // len(parts) + 1),
                   price or f"{i % 89 + 1}.25"]
            out.writerow(row)
            expected[tuple(row[:4])] = row[4]
    return path, expected


def unique_id(prefix: str = "T") -> str:
    """A value no other test in this session uses (for CUST_PART_ID, PRICE_CODE, ORDER_QTY...)."""
    return f"{prefix}{os.getpid()}-{next(_counter)}"


@pytest.fixture(autouse=True)
def _user_kept_out(tmp_path_factory, monkeypatch):
    """No test reads or writes the person's own journal, config or IMPORTER_* settings."""
    isolate_from_user(tmp_path_factory.mktemp("home"), monkeypatch)


@pytest.fixture(scope="session")
def sandbox():
    with start_sandbox(SandboxConfig()) as sb:
        yield sb


@pytest.fixture
def sandbox_factory():
    with ExitStack() as stack:
        def make(**overrides):
            return stack.enter_context(start_sandbox(SandboxConfig(**overrides)))

        yield make
