"""What an answer of the ERP API means: pure functions over plain values, no I/O.

`classify()` turns (HTTP status, body, headers) into a `Classification`:

* ``ok``            200 with a JSON object that is not the failure body: the record.
* ``business``      the failure body ``{MESSAGE, MESSAGE_CODE}`` on any 4xx/5xx other than those
                    below; never retried.
* ``auth-expired``  401 with one of ``login_failure_messages`` (the documented texts).
* ``auth-bad``      any other 401. The client answers both with a shared re-login when the
                    token had been handed out before; see `importer.erp.client`.
* ``transient``     429, 502, 503, 504, a 5xx without the failure body, and a 200 whose body is
                    not a JSON object (an HTML page from a proxy, an empty or cut body): retried.
* ``unexpected``    anything else (a 200 carrying the failure body, an HTML 404, a redirect,
                    which is never followed): not retried.

``uncertain`` says the request may have been applied although we cannot tell: 502, 504, a 5xx
or 429/503 without the API's failure body (a proxy's page: the proxy may have passed the request
on), a 200 that is not a JSON object. A 429/503 *with* the failure body is the server's own
"not processed, come back later". `classify_exception()` does the same for an exception raised
while sending (connect failures never reached the server; a read timeout or a dropped connection
may have).
"""
from __future__ import annotations

import email.utils
import json
import re
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Mapping

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from importer.entities import FAILURE_KEYS, Entity
from importer.erp.transport import AnswerTooLarge, AnswerTooSlow

OK, BUSINESS, AUTH_EXPIRED, AUTH_BAD, TRANSIENT, UNEXPECTED = (
    "ok", "business", "auth-expired", "auth-bad", "transient", "unexpected")
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
UNCERTAIN_STATUSES = frozenset({502, 504})
DEFAULT_LOGIN_FAILURES = ("Auth Token login failure.", "Auth Token is expired.")
NOT_A_RECORD = "200 OK without a JSON record (an HTML page, an empty or a cut body)"
OVERLOAD_STATUSES = frozenset({429, 503})  # the server says: too busy, come back later


@dataclass(frozen=True)
class Classification:
    """What one HTTP response means."""

    kind: str  # ok | business | auth-expired | auth-bad | transient | unexpected
    http_status: int
    record: dict[str, Any] | None = None  # the JSON object on ok
    message_code: str = ""
    message: str = ""
    retry_after: float | None = None  # seconds the server asked us to wait, if it did
    uncertain: bool = False  # the request may have been applied though we cannot tell


def parse_json_object(body: bytes | str | None) -> dict[str, Any] | None:
    if not body:
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def failure_body(obj: dict[str, Any] | None) -> tuple[str, str] | None:
    """(MESSAGE, MESSAGE_CODE) when obj is the API's failure body, else None."""
    if obj is None or not all(isinstance(obj.get(k), str) for k in FAILURE_KEYS):
        return None
    message, code = (obj[k] for k in FAILURE_KEYS)
    return message, code


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP date; None if absent/unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None or when.tzinfo is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def classify(http_status: int, body: bytes | str | None, headers: Mapping[str, str] | None = None,
             login_failure_messages: tuple[str, ...] = DEFAULT_LOGIN_FAILURES,
             now: float | None = None) -> Classification:
    """Decide what a response means, from plain values only (status, body, headers)."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    obj = parse_json_object(body)
    failure = failure_body(obj)
    message, code = failure or ("", "")
    base = dict(http_status=http_status, message=message, message_code=code,
                retry_after=parse_retry_after(headers.get("retry-after"), now))
    if http_status == 200:
        if obj is not None and failure is None:
            return Classification(OK, record=obj, **base)
        if obj is None:  # a proxy's page, an empty or cut body: it may have been applied
            return Classification(TRANSIENT, uncertain=True,
                                  **{**base, "message": NOT_A_RECORD})
        return Classification(UNEXPECTED, **base)
    if http_status == 401:
        if message.strip() in login_failure_messages:
            return Classification(AUTH_EXPIRED, **base)
        return Classification(AUTH_BAD, **_explain(base, body))
    if http_status in TRANSIENT_STATUSES:
        # 429/503 with the API's failure body: the server refused it, nothing was done
        uncertain = http_status in UNCERTAIN_STATUSES or failure is None
        return Classification(TRANSIENT, uncertain=uncertain, **_explain(base, body))
    if 300 <= http_status < 400:  # never followed (importer.erp.transport): say where it pointed
        return Classification(UNEXPECTED, **{**base, "message": redirect_message(
            http_status, headers.get("location", ""))})
    if failure is not None:
        return Classification(BUSINESS, **base)
    if http_status >= 500:
        return Classification(TRANSIENT, uncertain=True, **_explain(base, body))
    return Classification(UNEXPECTED, **_explain(base, body))


STORED_TEXT_MAX = 1000  # characters kept of a response field the registry gives no length


def stored_record(entity: Entity, record: Mapping[str, Any]) -> dict[str, str]:
    """What is kept of a success answer: the entity's documented fields only, as text, each at
    most its documented length (else ``STORED_TEXT_MAX``); whatever else the server sent (and
    however long) is dropped, so a huge answer cannot grow the journal."""
    kept: dict[str, str] = {}
    names = dict.fromkeys((*entity.response_fields, *entity.field_names))
    for name in names:
        if name not in record:
            continue
        value = record[name]
        text = "" if value is None else str(value)
        limit = entity.field(name).max_length if entity.has_field(name) else None
        kept[name] = text[: max(limit or 0, STORED_TEXT_MAX)]
    return kept


def redirect_message(status: int, location: str) -> str:
    where = location.strip()[:200] or "an address it did not name"
    return (f"{_explain({'http_status': status, 'message': ''}, None)['message']}: the server "
            f"pointed the call to {where}; calls never follow a redirect (the password and the "
            f"token go only to --url): set --url to the address the ERP's API answers at")


def _explain(base: dict[str, Any], body: bytes | str | None) -> dict[str, Any]:
    """Fill an empty message with the status and its phrase, e.g. '503 Service Unavailable'."""
    if base["message"]:
        return base
    status = base["http_status"]
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "unknown status"
    return {**base, "message": f"{status} {reason}"}


def classify_exception(exc: requests.RequestException) -> tuple[bool, bool, str]:
    """(transient, uncertain, description) for an exception raised while sending a request.

    Connect failures (refused, DNS, connect timeout, TLS handshake) never reached the server;
    a read timeout or a connection dropped after sending may have.
    """
    if isinstance(exc, AnswerTooLarge):  # the server answered, maybe after applying it
        return False, True, f"{exc} (max_answer_mb): not read; the call may have been applied"
    if isinstance(exc, AnswerTooSlow):
        return True, True, str(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        return False, False, f"TLS error: {short_reason(exc)}"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_failure(exc):
        return True, False, f"cannot connect: {short_reason(exc)}"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True, True, "no answer within the read timeout"
    if isinstance(exc, (requests.exceptions.ConnectionError,
                        requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return True, True, f"connection dropped: {short_reason(exc)}"
    return False, False, f"request failed: {short_reason(exc)}"


def _is_connect_failure(exc: BaseException) -> bool:
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (NewConnectionError, ConnectTimeoutError)):
            return True
        nested = getattr(current, "reason", None)
        if nested is None and current.args and isinstance(current.args[0], BaseException):
            nested = current.args[0]
        current = nested if isinstance(nested, BaseException) else current.__cause__
    return False


def short_reason(exc: BaseException) -> str:
    """A short human reason, e.g. 'Connection refused', from requests' nested exceptions."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")\]]+)", r"(certificate verify failed[^(]*)",
                    r"(Remote end closed connection[^')]*)", r"(timed out)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return text.split(": ")[-1][:200] or type(exc).__name__
