"""One HTTP exchange with the ERP: no redirect followed, a total deadline, a bounded answer.

`exchange()` POSTs a JSON body and returns an `Answer` (status, body bytes, headers):

* **No redirect is followed.** A 3xx is an answer like any other (`importer.erp.responses`
  says where the server pointed); `requests` would otherwise re-send the body, the password or
  the token included, to whatever address a 307/308 names. Credentials go to the configured
  URL and nowhere else.
* **A total deadline per call**: ``connect_timeout + read_timeout`` seconds for connecting and
  the whole answer. The socket's own timeouts only bound each single read, so a server that
  trickles its answer a byte at a time would otherwise hold the call forever. The body is read
  in pieces of whatever has arrived; when the deadline passes the connection is dropped and
  `AnswerTooSlow` (a read timeout: the call may have been applied) is raised, which the client
  retries like any lost answer.
* **A bounded answer**: at most ``max_answer_mb`` megabytes (decoded) are read; a longer answer
  is dropped unread and `AnswerTooLarge` raised (the call may have been applied).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import requests

CHUNK = 64 * 1024


class AnswerTooSlow(requests.exceptions.ReadTimeout):
    """The whole answer did not arrive within the call's deadline."""


class AnswerTooLarge(requests.exceptions.RequestException):
    """The answer is longer than ``max_answer_mb``."""


@dataclass(frozen=True)
class Answer:
    """What the server answered: the parts the client reads of a response."""

    status_code: int
    content: bytes
    headers: Mapping[str, str]


def exchange(session: requests.Session, url: str, body: dict[str, Any], *,
             timeout: tuple[float, float], verify: bool | str, max_bytes: int,
             clock: Callable[[], float] = time.monotonic) -> Answer:
    """POST ``body`` as JSON to ``url``; see the module docstring. Raises requests' exceptions
    (and AnswerTooSlow / AnswerTooLarge, which are among them)."""
    total = timeout[0] + timeout[1]
    deadline = clock() + total
    response = session.post(url, json=body, timeout=timeout, verify=verify,
                            allow_redirects=False, stream=True)
    complete = False
    try:
        content = _read(response, deadline, total, max_bytes, timeout[1], clock)
        complete = True
    finally:
        if not complete:  # a cut answer leaves the connection unusable: drop it
            response.close()
    return Answer(response.status_code, content, response.headers)


def _read(response: requests.Response, deadline: float, total: float, max_bytes: int,
          read_timeout: float, clock: Callable[[], float]) -> bytes:
    raw = response.raw
    parts: list[bytes] = []
    size = 0
    while True:
        left = deadline - clock()
        if left <= 0:
            raise AnswerTooSlow(f"the whole answer did not arrive within {total:g} s "
                                f"(connect + read timeout)")
        _limit_wait(raw, min(left, read_timeout))
        try:
            part = raw.read1(CHUNK, decode_content=True)
        except Exception as exc:  # urllib3's errors become requests' (as requests does)
            raise _as_requests_error(exc) from None
        if not part:
            return b"".join(parts)
        size += len(part)
        if size > max_bytes:
            raise AnswerTooLarge(f"the answer is larger than {max_bytes / 1e6:g} MB")
        parts.append(part)


def _limit_wait(raw: Any, seconds: float) -> None:
    """Let the next read wait at most ``seconds`` (the time left before the deadline)."""
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is not None:
        try:
            sock.settimeout(max(seconds, 0.001))
        except OSError:
            pass


def _as_requests_error(exc: Exception) -> requests.RequestException:
    import urllib3.exceptions as u3

    if isinstance(exc, requests.RequestException):
        return exc
    if isinstance(exc, (u3.ReadTimeoutError, TimeoutError)):
        return requests.exceptions.ReadTimeout(str(exc))
    if isinstance(exc, u3.DecodeError):
        return requests.exceptions.ContentDecodingError(str(exc))
    if isinstance(exc, (u3.ProtocolError, u3.SSLError, OSError)):
        return requests.exceptions.ChunkedEncodingError(str(exc))
    return requests.exceptions.ConnectionError(str(exc))
