"""A client that gives up mid-request (its read timeout, a kill) is no sandbox failure."""
import logging
import socket
import time
from urllib.parse import urlsplit

from conftest import stats

from importer.entities import PRODUCT_PRICE


def test_a_client_leaving_mid_request_is_counted_not_logged_as_a_failure(sandbox_factory,
                                                                          caplog):
    sb = sandbox_factory()
    where = urlsplit(sb.url)
    caplog.set_level(logging.DEBUG, logger="importer.sandbox")
    with socket.create_connection((where.hostname, where.port), timeout=5) as s:
        s.sendall(f"POST {PRODUCT_PRICE.create_path} HTTP/1.1\r\nHost: x\r\n"
                  "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"PART_".encode())
        time.sleep(0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        counted = stats(sb.url)["calls"].get(PRODUCT_PRICE.create_path, {})
        if counted:
            break
        time.sleep(0.05)
    assert counted == {"499": 1}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
