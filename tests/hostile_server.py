"""A hostile server for the tests, NOT part of the sandbox: a proxy in front of a sandbox that
misbehaves the ways issue 24 found, one way per instance.

- ``redirect_to`` (a URL): every call (``redirect_login``) or every record call is answered
  ``307 Location: <redirect_to><path>``; `requests` would re-post the body there;
- ``trickle``: record calls get their headers at once and then one body byte a second, forever;
- ``pad_mb``: the sandbox's record answer grows an undocumented field DEBUG_DUMP of that many
  megabytes;
- ``other_key``: the sandbox's record answer names another PART_ID (``OTHER-`` + the one sent);
- ``echo``: a record call is answered with a failure body whose MESSAGE quotes the request
  (the token included).

Every POST it receives is counted in ``received`` (path, body), so a second instance with no
misbehaviour serves as the "other address" that must receive nothing.
http.server in a background thread, HTTP/1.1 keep-alive.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from importer.entities import AUTH_PATH


class HostileServer:
    def __init__(self, upstream: str = "", *, redirect_to: str = "",
                 redirect_login: bool = False, trickle: bool = False, pad_mb: float = 0,
                 other_key: bool = False, echo: bool = False) -> None:
        self.upstream = upstream
        self.redirect_to, self.redirect_login = redirect_to, redirect_login
        self.trickle, self.pad_mb, self.other_key, self.echo = trickle, pad_mb, other_key, echo
        self.received: list[tuple[str, bytes]] = []
        self.tokens: list[str] = []  # every token the upstream issued through this proxy
        self.stopping = False
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> "HostileServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping = True
        self._httpd.shutdown()
        self._httpd.server_close()

    def forward(self, path: str, body: bytes) -> tuple[int, bytes]:
        response = requests.post(self.upstream + path, data=body, timeout=30,
                                 headers={"Content-Type": "application/json"})
        return response.status_code, response.content

    def is_record_call(self, path: str) -> bool:
        return path.startswith("/api/") and path.endswith(("-create", "-update"))


def _handler(server: HostileServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with server._lock:
                server.received.append((self.path, body))
            record_call = server.is_record_call(self.path)
            if server.redirect_to and (record_call or server.redirect_login):
                self.send_response(307)
                self.send_header("Location", server.redirect_to + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if not server.upstream:  # the other address: it only counts what it receives
                self._send(404, b'{"MESSAGE": "Nothing here.", "MESSAGE_CODE": "NOPE"}')
                return
            if record_call and server.trickle:
                self._trickle()
                return
            if record_call and server.echo:
                message = f"Cannot read the request {body.decode('utf-8', 'replace')}"
                self._send(500, json.dumps({"MESSAGE": message,
                                            "MESSAGE_CODE": "BAD_REQUEST"}).encode())
                return
            status, content = server.forward(self.path, body)
            if self.path == AUTH_PATH and status == 200:
                with server._lock:
                    server.tokens.append(json.loads(content)["AUTH_TOKEN"])
            if record_call and status == 200 and (server.pad_mb or server.other_key):
                record = json.loads(content)
                if server.other_key:
                    record["PART_ID"] = "OTHER-" + record["PART_ID"]
                if server.pad_mb:
                    record["DEBUG_DUMP"] = "x" * int(server.pad_mb * 1_000_000)
                content = json.dumps(record).encode()
            self._send(status, content)

        def _send(self, status: int, content: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def _trickle(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            self.wfile.flush()
            try:
                while not server.stopping:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1)
            except OSError:  # the client gave up
                pass
            self.close_connection = True

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler
