"""A misbehaving server for the tests, NOT part of the sandbox: a proxy in front of a sandbox that
answers the way servers other than this project's sandbox do.

- ``page_rate``: that share of record calls is answered ``200`` with an HTML page (half of them
  without passing the call on, half after the sandbox applied it) or with an empty body;
- every 401 of the sandbox becomes an undocumented one: ``Session expired, please sign in
  again.`` / ``SESSION_EXPIRED``;
- ``exists_as``: the sandbox's RECORD_EXISTS answer is reworded, e.g. ("ERR_DUPLICATE",
  "Duplicate record.");
- ``bad_first_logins``: the first logins are answered with an HTML 200;
- ``refuse_tokens``: every record call is answered 401 (undocumented message), however fresh
  its token;
- ``dead``: set it and every connection is closed without an answer (the server stopped
  answering).

http.server in a background thread, HTTP/1.1 keep-alive, one requests.Session per thread towards
the sandbox. The random draws are seeded, so a test meets the same faults each run.
"""
from __future__ import annotations

import json
import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from importer.entities import AUTH_PATH

PAGE = b"<html><body><h1>Please wait</h1><p>The portal is busy.</p></body></html>"
UNDOCUMENTED_401 = {"MESSAGE": "Session expired, please sign in again.",
                    "MESSAGE_CODE": "SESSION_EXPIRED"}


class StormServer:
    def __init__(self, upstream: str, page_rate: float = 0.0, seed: int = 1,
                 exists_as: tuple[str, str] | None = None, bad_first_logins: int = 0,
                 refuse_tokens: bool = False) -> None:
        self.upstream = upstream
        self.page_rate = page_rate
        self.exists_as = exists_as
        self.bad_logins_left = bad_first_logins
        self.refuse_tokens = refuse_tokens
        self.dead = False
        self.pages = 0  # record calls answered with a page or an empty body
        self.logins = 0  # login calls received
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._local = threading.local()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "StormServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def draw(self) -> float:
        with self._lock:
            return self._rng.random()

    def forward(self, path: str, body: bytes) -> tuple[int, bytes]:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.post(self.upstream + path, data=body, timeout=30,
                                headers={"Content-Type": "application/json"})
        return response.status_code, response.content

    def answer(self, path: str, body: bytes) -> tuple[int, bytes, str]:
        """(status, body, content type) for one POST."""
        if path == AUTH_PATH:
            with self._lock:
                bad, self.bad_logins_left = self.bad_logins_left > 0, self.bad_logins_left - 1
                self.logins += 1
            if bad:
                return 200, PAGE, "text/html"
            return (*self.forward(path, body), "application/json")
        if not path.startswith("/api/") or not path.endswith(("-create", "-update")):
            return (*self.forward(path, body), "application/json")
        if self.refuse_tokens:
            return 401, json.dumps(UNDOCUMENTED_401).encode(), "application/json"
        draw = self.draw()
        if draw < self.page_rate / 2:  # a portal page; the call never reached the ERP
            self._count_page()
            return 200, PAGE, "text/html"
        status, content = self.forward(path, body)
        if draw < self.page_rate:  # the ERP applied it; its answer was lost on the way back
            self._count_page()
            return 200, (b"" if draw < self.page_rate * 0.75 else PAGE), "text/html"
        return (*self._reword(status, content), "application/json")

    def _count_page(self) -> None:
        with self._lock:
            self.pages += 1

    def _reword(self, status: int, content: bytes) -> tuple[int, bytes]:
        if status == 401:
            return 401, json.dumps(UNDOCUMENTED_401).encode()
        if self.exists_as and status == 500 and b'"RECORD_EXISTS"' in content:
            code, message = self.exists_as
            return 500, json.dumps({"MESSAGE": message, "MESSAGE_CODE": code}).encode()
        return status, content


def _handler(storm: StormServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if storm.dead:
                self.close_connection = True
                return
            status, content, kind = storm.answer(self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler
