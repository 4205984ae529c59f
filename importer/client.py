"""The one HTTP client of the ERP REST API: token, sessions, timeouts, retries, outcomes.

`ErpClient` is shared by all worker threads. It holds one token (guarded by a lock, with a
generation counter so that the workers who all saw the same expired token cause exactly one
re-login), and gives each thread its own keep-alive `requests.Session`.

What a response means is decided by the pure function `classify()`; how long to wait before the
next attempt by `backoff_delay()` and `parse_retry_after()`. `call()` puts them together:

* ``ok``        200 with a JSON object: the record.
* ``business``  a failure body ``{MESSAGE, MESSAGE_CODE}`` (any 4xx/5xx other than those below);
                never retried.
* ``failed``    transient trouble (connection errors, timeouts, 429, 502, 503, 504, a 5xx without
                the failure body) that outlasted ``settings.retries`` retries, or something
                unexpected (401 'not provided'/'malformed', a non-JSON 200, an HTML 404).

``CallResult.uncertain`` is True when any attempt may have reached the server without us learning
the outcome (a read timeout, a connection dropped after sending, a 502/504, or a 5xx other than
503 without the failure body; 429 and 503 mean "not processed, come back later"):
a create may then have been applied, and the caller decides what to do about it.

Nothing here logs a payload, a token or a password: only paths, statuses and codes.
"""
from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, Mapping

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, InsecureRequestWarning, NewConnectionError

from importer.entities import (API_VERSION_PATH, AUTH_PATH, AUTH_TOKEN, DATA_SOURCES_PATH,
                               FAILURE_KEYS, SERVER_TIME_PATH)
from importer.errors import ConnectionFailed, LoginFailed
from importer.settings import Settings

log = logging.getLogger(__name__)

OK, BUSINESS, AUTH_EXPIRED, AUTH_BAD, TRANSIENT, UNEXPECTED = (
    "ok", "business", "auth-expired", "auth-bad", "transient", "unexpected")
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
UNCERTAIN_STATUSES = frozenset({502, 504})
DEFAULT_LOGIN_FAILURES = ("Auth Token login failure.", "Auth Token is expired.")
MAX_RELOGINS_PER_CALL = 3


# ---------------------------------------------------------------------------------------------
# Pure decisions
# ---------------------------------------------------------------------------------------------
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
        return Classification(UNEXPECTED, uncertain=obj is None, **_explain(base, body))
    if http_status == 401:
        if message.strip() in login_failure_messages:
            return Classification(AUTH_EXPIRED, **base)
        return Classification(AUTH_BAD, **_explain(base, body))
    if http_status in TRANSIENT_STATUSES:
        uncertain = http_status in UNCERTAIN_STATUSES  # 429/503: refused, not processed
        return Classification(TRANSIENT, uncertain=uncertain, **_explain(base, body))
    if failure is not None:
        return Classification(BUSINESS, **base)
    if http_status >= 500:
        return Classification(TRANSIENT, uncertain=True, **_explain(base, body))
    return Classification(UNEXPECTED, **_explain(base, body))


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


def backoff_delay(retry: int, base: float, cap: float, retry_after: float | None = None,
                  retry_after_max: float = 120.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``retry`` (1 = first retry).

    Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(retry-1))]. When the
    server sent Retry-After, wait at least that long (capped at ``retry_after_max``).
    """
    ceiling = min(cap, base * (2 ** max(0, retry - 1)))
    delay = rand() * ceiling
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry_after_max))
    return delay


def classify_exception(exc: requests.RequestException) -> tuple[bool, bool, str]:
    """(transient, uncertain, description) for an exception raised while sending a request.

    Connect failures (refused, DNS, connect timeout, TLS handshake) never reached the server;
    a read timeout or a connection dropped after sending may have.
    """
    if isinstance(exc, requests.exceptions.SSLError):
        return False, False, f"TLS error: {_reason(exc)}"
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _is_connect_failure(exc):
        return True, False, f"cannot connect: {_reason(exc)}"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True, True, "no answer within the read timeout"
    if isinstance(exc, (requests.exceptions.ConnectionError,
                        requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError)):
        return True, True, f"connection dropped: {_reason(exc)}"
    return False, False, f"request failed: {_reason(exc)}"


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


def _reason(exc: BaseException) -> str:
    """A short human reason, e.g. 'Connection refused', from requests' nested exceptions."""
    text = str(exc)
    for pattern in (r"\[Errno -?\d+\] ([^'\")\]]+)", r"(certificate verify failed[^(]*)",
                    r"(Remote end closed connection[^')]*)", r"(timed out)"):
        match = re.search(pattern, text)
        if match:
            return match.group(1).strip().rstrip(".")
    return text.split(": ")[-1][:200] or type(exc).__name__


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
@dataclass
class CallResult:
    """The outcome of one logical call (all its attempts)."""

    kind: str  # 'ok' | 'business' | 'failed'
    http_status: int | None = None  # of the last attempt that got an answer
    record: dict[str, Any] | None = None
    message_code: str = ""
    message: str = ""
    attempts: int = 0  # HTTP requests made for this call (re-login requests not counted)
    uncertain: bool = False
    path: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass
class _Attempt:
    classification: Classification | None = None
    transient: bool = False
    uncertain: bool = False
    problem: str = ""  # for exceptions


class ErpClient:
    """Thread-safe client: one shared token, one keep-alive session per thread."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._token: str | None = None
        self._generation = 0  # bumped on every successful login
        self._token_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._epoch = 0
        self._calls_made = 0
        self._logins = 0
        if settings.verify is False and settings.url.lower().startswith("https://"):
            urllib3.disable_warnings(InsecureRequestWarning)
            log.warning("TLS certificate checking is OFF (--insecure): anyone between this "
                        "machine and %s can read the password and the data.", settings.url)

    # -- plumbing -------------------------------------------------------------------------
    @property
    def calls_made(self) -> int:
        """HTTP requests made to record endpoints (every attempt counts)."""
        return self._calls_made

    @property
    def logins(self) -> int:
        """Successful logins (the first one and every re-login)."""
        return self._logins

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None or getattr(self._local, "epoch", None) != self._epoch:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(2, self.settings.workers),
                                  max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["Accept"] = "application/json"
            self._local.session, self._local.epoch = session, self._epoch
            with self._count_lock:
                self._sessions.append(session)
        return session

    def _post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self._session().post(self.settings.url + path, json=body,
                                    timeout=self.settings.timeout, verify=self.settings.verify)

    def close(self) -> None:
        with self._count_lock:
            sessions, self._sessions = self._sessions, []
            self._epoch += 1  # a thread that calls again after close() gets a fresh session
        for session in sessions:
            session.close()

    def __enter__(self) -> "ErpClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- login ----------------------------------------------------------------------------
    def login(self) -> None:
        """Get a fresh token. Raises LoginFailed (credentials refused) or ConnectionFailed."""
        with self._token_lock:
            self._login_locked()

    def _login_locked(self) -> None:
        s = self.settings
        body = {"DATA_SOURCE": s.data_source, "USER_NAME": s.user, "PASSWORD": s.password}
        for retry in range(s.retries + 1):
            response = self._login_request(body)
            verdict = classify(response.status_code, response.content, response.headers,
                               s.login_failure_messages)
            if verdict.kind == OK and isinstance(verdict.record.get(AUTH_TOKEN), str) \
                    and verdict.record[AUTH_TOKEN]:
                self._token = verdict.record[AUTH_TOKEN]
                self._generation += 1
                self._logins += 1
                log.info("Logged in to %s (data source %s, user %s)", s.url, s.data_source, s.user)
                return
            if verdict.kind != TRANSIENT or retry == s.retries:
                raise self._login_error(verdict)
            log.info("Login got %s; retrying", verdict.message)
            self._sleep(self._delay(retry + 1, verdict.retry_after))

    def _login_request(self, body: dict[str, str]) -> requests.Response:
        try:
            return self._post(AUTH_PATH, body)
        except requests.RequestException as exc:
            raise self._connection_failed(exc) from None

    def _connection_failed(self, exc: requests.RequestException) -> ConnectionFailed:
        problem = self._scrub(_reason(exc))
        if isinstance(exc, requests.exceptions.Timeout):
            problem = f"no answer within {self.settings.connect_timeout:g}/" \
                      f"{self.settings.read_timeout:g} seconds (connect/read)"
        if isinstance(exc, requests.exceptions.SSLError):
            return ConnectionFailed(
                f"Cannot reach {self.settings.url}: {problem}. If the server uses a company "
                f"certificate, pass --ca-bundle PATH (or, only for a test server, --insecure).")
        return ConnectionFailed(f"Cannot reach {self.settings.url}: {problem}. Check --url and "
                                f"that the server is running.")

    def _login_error(self, verdict: Classification) -> Exception:
        s = self.settings
        if verdict.kind == BUSINESS:
            return LoginFailed(f"The server refused the login: {self._scrub(verdict.message)} "
                               f"Check --user, --data-source and the password "
                               f"(IMPORTER_PASSWORD).")
        return ConnectionFailed(f"{s.url} did not answer the login as the ERP API does "
                                f"({verdict.message or verdict.http_status}). Check --url points "
                                f"at the ERP's REST API.")

    def _scrub(self, text: str) -> str:
        password = self.settings.password
        return text.replace(password, "***") if password else text

    def _current_token(self, expired_generation: int | None = None) -> tuple[str, int]:
        """(token, its generation). When ``expired_generation`` is still current, log in again;
        if another thread already did since that token was taken, just use the new one."""
        with self._token_lock:
            if self._token is None or self._generation == expired_generation:
                if expired_generation is not None:
                    log.info("Token expired; logging in again")
                self._login_locked()
            return self._token, self._generation

    def _delay(self, retry: int, retry_after: float | None) -> float:
        s = self.settings
        return backoff_delay(retry, s.backoff_base, s.backoff_max, retry_after, s.retry_after_max)

    # -- record calls ---------------------------------------------------------------------
    def call(self, path: str, payload: Mapping[str, str]) -> CallResult:
        """POST payload (+ AUTH_TOKEN) to path, re-logging-in and retrying as needed.

        Never raises for HTTP trouble: the answer is in the CallResult. Raises LoginFailed only
        when a re-login is refused (the credentials stopped working mid-run).
        """
        result = CallResult(kind="failed", path=path)
        retries = relogins = 0
        expired: int | None = None  # the generation of a token the server called expired
        while True:
            try:
                token, generation = self._current_token(expired)
            except ConnectionFailed as exc:  # the (re-)login could not connect: retried below
                attempt = _Attempt(transient=True, problem=str(exc))
            else:
                attempt = self._attempt(path, payload, token, result)
            verdict = attempt.classification
            result.uncertain = result.uncertain or attempt.uncertain
            if verdict is not None and verdict.kind == AUTH_EXPIRED \
                    and relogins < MAX_RELOGINS_PER_CALL:
                relogins, expired = relogins + 1, generation
                continue
            if not attempt.transient:
                return self._finish(result, attempt)
            if retries >= self.settings.retries:
                return self._give_up(result, attempt, retries + 1)
            retries += 1
            retry_after = verdict.retry_after if verdict else None
            log.info("%s: %s; retry %d of %d", path, verdict.message if verdict else
                     attempt.problem, retries, self.settings.retries)
            self._sleep(self._delay(retries, retry_after))

    def _attempt(self, path: str, payload: Mapping[str, str], token: str,
                 result: CallResult) -> _Attempt:
        result.attempts += 1
        with self._count_lock:
            self._calls_made += 1
        try:
            response = self._post(path, {**payload, AUTH_TOKEN: token})
        except requests.RequestException as exc:
            transient, uncertain, problem = classify_exception(exc)
            log.info("%s: %s", path, problem)
            return _Attempt(transient=transient, uncertain=uncertain, problem=self._scrub(problem))
        verdict = classify(response.status_code, response.content, response.headers,
                           self.settings.login_failure_messages)
        result.http_status = response.status_code
        log.debug("%s -> %s %s", path, response.status_code, verdict.message_code or verdict.kind)
        return _Attempt(classification=verdict, transient=verdict.kind == TRANSIENT,
                        uncertain=verdict.uncertain)

    def _finish(self, result: CallResult, attempt: _Attempt) -> CallResult:
        verdict = attempt.classification
        if verdict is None:  # an exception that is not worth retrying (TLS, invalid URL)
            result.message = attempt.problem
            return result
        result.message_code, result.message = verdict.message_code, verdict.message
        if verdict.kind == OK:
            result.kind, result.record = "ok", verdict.record
        elif verdict.kind == BUSINESS:
            result.kind = "business"
        else:
            result.kind = "failed"
            if verdict.kind == AUTH_EXPIRED:
                result.message = f"Token refused again after re-login: {verdict.message}"
        return result

    def _give_up(self, result: CallResult, attempt: _Attempt, tries: int) -> CallResult:
        verdict = attempt.classification
        last = verdict.message if verdict else attempt.problem
        result.kind = "failed"
        result.message_code = verdict.message_code if verdict else ""
        result.message = f"Gave up after {tries} attempt{'s' if tries != 1 else ''}: {last}"
        return result

    # -- helpers for the dispatcher ------------------------------------------------------
    def is_exists(self, result: CallResult) -> bool:
        """A business error saying the record exists already (create on an existing key)."""
        return self._matches(result, self.settings.exists_codes, self.settings.exists_patterns)

    def is_not_found(self, result: CallResult) -> bool:
        """A business error saying no record has this key (update on a missing key)."""
        return self._matches(result, self.settings.not_found_codes,
                             self.settings.not_found_patterns)

    def _matches(self, result: CallResult, codes: tuple[str, ...],
                 patterns: tuple[str, ...]) -> bool:
        if result.kind != "business":
            return False
        known = self.settings.exists_codes + self.settings.not_found_codes
        if result.message_code and result.message_code in known:
            return result.message_code in codes
        return any(re.search(p, result.message, re.IGNORECASE) for p in patterns)

    # -- token-free information ----------------------------------------------------------
    def server_info(self) -> dict[str, Any]:
        """{'server_time', 'api_version', 'data_sources'}; None for what the server lacks."""
        return {
            "server_time": self._info(SERVER_TIME_PATH, "SERVER_TIME", str),
            "api_version": self._info(API_VERSION_PATH, "API_VERSION", str),
            "data_sources": self._info(DATA_SOURCES_PATH, "DATA_SOURCES", list),
        }

    def _info(self, path: str, key: str, kind: type) -> Any:
        bodies: list[dict[str, str]] = [{}]
        if self._token:
            bodies.append({AUTH_TOKEN: self._token})  # a real server may want a token
        for body in bodies:
            try:
                response = self._post(path, body)
            except requests.RequestException as exc:
                transient, reached, problem = classify_exception(exc)
                if transient and not reached:  # nothing listening: say so
                    raise self._connection_failed(exc) from None
                log.info("%s did not answer: %s", path, problem)
                return None
            obj = parse_json_object(response.content) if response.status_code == 200 else None
            if obj is not None and isinstance(obj.get(key), kind):
                return obj[key]
            if response.status_code != 401:
                break
        log.info("%s did not give %s (HTTP %s)", path, key, response.status_code)
        return None
