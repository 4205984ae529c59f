"""Who may talk to the page: the session token, the Host header, and CSRF on every POST.

- The URL printed by `importer serve` carries ``?token=...``; the first request with it sets an
  HttpOnly, SameSite=Strict cookie and redirects to the same address without the token. Every
  other request needs that cookie (or the token), else 403.
- The Host header must name this server (127.0.0.1, localhost, ::1 or the --host given, with its
  port): a page on another site that points a name at 127.0.0.1 (DNS rebinding) is refused.
- A POST must carry the X-CSRF-Token header the page was rendered with (a per-process random
  value, compared in constant time).
- Every answer carries ``X-Frame-Options: DENY`` and ``Content-Security-Policy: frame-ancestors
  'none'``: no other site may show the page in a frame.
"""
from __future__ import annotations

import hmac
import secrets
import socket
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

COOKIE = "importer_session"
CSRF_HEADER = "x-csrf-token"
LOCAL_NAMES = ("127.0.0.1", "localhost", "[::1]")


@dataclass
class Secrets:
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host header values that name this server: the loopback names, the --host given and,
    when listening on every address (0.0.0.0 or ::), this machine's own names and addresses."""
    names = set(LOCAL_NAMES)
    if host in ("0.0.0.0", "::"):
        names |= _own_names()
    elif host not in ("127.0.0.1", "localhost"):
        names.add(f"[{host}]" if ":" in host else host)
    return {f"{n}:{port}" for n in names} | (set(names) if port == 80 else set())


def _own_names() -> set[str]:
    names = {socket.gethostname(), socket.getfqdn()}
    try:
        names |= set(socket.gethostbyname_ex(socket.gethostname())[2])
    except OSError:
        pass
    return {n for n in names if n}


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class Guard:
    """ASGI middleware applying the three rules above to every HTTP request."""

    def __init__(self, app: ASGIApp, keys: Secrets, hosts: set[str]) -> None:
        self.app, self.keys, self.hosts = app, keys, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        response = self._refusal(request)
        send = _unframeable(send)
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _refusal(self, request: Request) -> Response | None:
        if request.headers.get("host", "") not in self.hosts:
            return PlainTextResponse("This page answers only at the address importer serve "
                                     "printed (wrong Host header).", 400)
        given = request.query_params.get("token")
        if given is not None:
            if not _same(given, self.keys.token):
                return _forbidden()
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            clean = URL(path=request.url.path, query=urlencode(params))
            response = RedirectResponse(str(clean), 303)
            response.set_cookie(COOKIE, self.keys.token, httponly=True, samesite="strict")
            return response
        if not _same(request.cookies.get(COOKIE), self.keys.token):
            return _forbidden()
        if request.method not in ("GET", "HEAD") and not _same(
                request.headers.get(CSRF_HEADER), self.keys.csrf):
            return PlainTextResponse("This request did not come from the page (missing or wrong "
                                     "CSRF token); reload the page and try again.", 403)
        return None


FRAME_HEADERS = ((b"x-frame-options", b"DENY"),
                 (b"content-security-policy", b"frame-ancestors 'none'"))


def _unframeable(send: Send) -> Send:
    """Every answer says it may not be shown inside another site's frame (clickjacking)."""

    async def sending(message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *FRAME_HEADERS]}
        await send(message)

    return sending


def _forbidden() -> Response:
    return PlainTextResponse("Open the address that importer serve printed (with its token); "
                             "this page is private to that session.", 403)
