"""The one HTTP client of the ERP REST API: token, sessions, timeouts, retries, outcomes.

`ErpClient` is shared by all worker threads. It holds one token (guarded by a lock, with a
generation counter so that the workers who all saw the same expired token cause exactly one
re-login), and gives each thread its own keep-alive `requests.Session`. What an answer means is
decided by `importer.erp.responses.classify()`; when to try again by `importer.erp.retry`. `call()` puts
them together:

* ``ok``        200 with a JSON record.
* ``business``  a failure body ``{MESSAGE, MESSAGE_CODE}``; never retried.
* ``failed``    transient trouble (network errors, 429, 502, 503, 504, a 5xx without the failure
                body, a 200 that is not a JSON record) that outlasted the call's retry budget, or
                something unexpected (a 200 carrying the failure body, an HTML 404).

A ``401`` on a record call, whatever its message, is answered with one shared re-login and the
call is tried again. Only a 401 on a token this very call has just received from a successful
login stops the run (`LoginFailed`, exit 3): with a message that is not one of
``login_failure_messages`` at once, with one of them after ``MAX_RELOGINS_PER_CALL`` re-logins
the call fails. The first login (`login()`) is retried on transient trouble like any call, except
that a refused connection (nothing listening: a wrong --url) fails at once.

``CallResult.uncertain`` is True when any attempt may have reached the server without us learning
the outcome (see `importer.erp.responses`): a create may then have been applied, and the caller
decides what to do about it.

An optional ``gate`` (`importer.erp.gate.CallGate`, for ``--workers auto``) is asked before every
record request and told each request's latency and outcome; it decides how many are in flight.
Nothing here logs a payload, a token or a password: only paths, statuses and codes.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InsecureRequestWarning

from importer.entities import API_VERSION_PATH, AUTH_TOKEN, DATA_SOURCES_PATH, SERVER_TIME_PATH
from importer.erp.limiter import OK as OK_RESULT
from importer.erp.limiter import OTHER, OVERLOAD
from importer.erp.responses import (
    AUTH_BAD,
    AUTH_EXPIRED,
    BUSINESS,
    OK,
    OVERLOAD_STATUSES,
    TRANSIENT,
    Classification,
    classify,
    classify_exception,
    parse_json_object,
    parse_retry_after,
)
from importer.erp.retry import RetryBudget, backoff_delay
from importer.erp.token import LoginRetryable, TokenKeeper
from importer.erp.transport import Answer, exchange
from importer.errors import LoginFailed
from importer.settings import Settings

__all__ = ["ErpClient", "CallResult", "classify", "classify_exception", "backoff_delay",
           "parse_retry_after"]

log = logging.getLogger(__name__)

MAX_RELOGINS_PER_CALL = 3  # 401s in a row with a documented message, each after a re-login
OK_SIGNAL, OVERLOAD_SIGNAL, OTHER_SIGNAL = OK_RESULT, OVERLOAD, OTHER  # told to the gate


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
    retry_after: float | None = None

    @property
    def message(self) -> str:
        return self.classification.message if self.classification else self.problem


class ErpClient:
    """Thread-safe client: one shared token, one keep-alive session per thread."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep,
                 gate=None, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.gate = gate  # asked before each record request (``--workers auto``), or None
        self._sleep, self._clock = sleep, clock
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._epoch = 0
        self._calls_made = 0
        self._last_answer = clock()  # the last answer that showed the server working
        self._tokens = TokenKeeper(settings, self._post, sleep, clock, self._answered)
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
        return self._tokens.logins

    @property
    def _token(self) -> str | None:
        return self._tokens.token

    def _answered(self) -> None:
        self._last_answer = self._clock()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None or getattr(self._local, "epoch", None) != self._epoch:
            session = requests.Session()
            size = self.settings.max_workers if self.settings.auto_workers \
                else self.settings.workers
            adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(2, size), max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            session.headers["Accept"] = "application/json"
            self._local.session, self._local.epoch = session, self._epoch
            with self._count_lock:
                self._sessions.append(session)
        return session

    def _post(self, path: str, body: dict[str, Any]) -> Answer:
        s = self.settings
        return exchange(self._session(), s.url + path, body, timeout=s.timeout, verify=s.verify,
                        max_bytes=int(s.max_answer_mb * 1_000_000))

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

    def login(self) -> None:
        """Get a fresh token, retrying transient trouble within the retry budget. Raises
        LoginFailed (credentials refused) or ConnectionFailed."""
        self._tokens.login(lambda: self._last_answer)

    def _delay(self, retry: int, retry_after: float | None) -> float:
        s = self.settings
        return backoff_delay(retry, s.backoff_base, s.backoff_max, retry_after, s.retry_after_max)

    # -- record calls ---------------------------------------------------------------------
    def call(self, path: str, payload: Mapping[str, str]) -> CallResult:
        """POST payload (+ AUTH_TOKEN) to path, re-logging-in and retrying as needed.

        Never raises for HTTP trouble: the answer is in the CallResult. Raises LoginFailed when
        a re-login is refused or a token fresh from a login is refused at once (the
        credentials stopped working, or the server refuses every token it issues).
        """
        result = CallResult(kind="failed", path=path)
        budget = RetryBudget(self.settings.retry_budget, self._clock(), self.settings.retries)
        relogins = 0  # 401s in a row, each followed by a re-login
        expired: int | None = None  # the generation of a token the server refused
        while True:
            try:
                token, generation, fresh = self._tokens.current(expired)
            except LoginRetryable as exc:  # the re-login met transient trouble: retried below
                attempt = _Attempt(transient=True, problem=str(exc), retry_after=exc.retry_after)
            else:
                attempt = self._attempt(path, payload, token, result)
            verdict = attempt.classification
            result.uncertain = result.uncertain or attempt.uncertain
            if verdict is not None and verdict.kind in (AUTH_EXPIRED, AUTH_BAD):
                self._check_refused_token(verdict, fresh)
                if relogins < MAX_RELOGINS_PER_CALL:
                    relogins, expired = relogins + 1, generation
                    continue
            relogins = 0
            if not attempt.transient:
                return self._finish(result, attempt)
            wanted = self._delay(budget.retries + 1, attempt.retry_after)
            delay = budget.next_delay(self._clock(), self._last_answer, wanted)
            if delay is None:
                return self._give_up(result, attempt, budget)
            log.info("%s: %s; retry %d", path, attempt.message, budget.retries)
            self._sleep(delay)

    def _check_refused_token(self, verdict: Classification, fresh: bool) -> None:
        """A token this call just got from a successful login, refused with a message that is
        not a known "expired" text: no re-login can help, so the run stops."""
        if fresh and verdict.kind == AUTH_BAD:
            raise LoginFailed(
                f"The server refused a token it had just issued ({verdict.http_status}: "
                f"{self._tokens.scrub(verdict.message)}). Check the API user's rights; if this "
                f"is how the server says a token expired, add the message to "
                f"login_failure_messages in importer.toml.")

    def _attempt(self, path: str, payload: Mapping[str, str], token: str,
                 result: CallResult) -> _Attempt:
        result.attempts += 1
        with self._count_lock:
            self._calls_made += 1
        ticket = self.gate.acquire() if self.gate is not None else None
        signal = OTHER_SIGNAL
        try:
            attempt, signal = self._send(path, payload, token, result)
        finally:  # the place in flight is given back even if something unexpected is raised
            if ticket is not None:
                self.gate.release(ticket, signal)
        return attempt

    def _send(self, path: str, payload: Mapping[str, str], token: str,
              result: CallResult) -> tuple[_Attempt, str]:
        try:
            response = self._post(path, {**payload, AUTH_TOKEN: token})
        except requests.RequestException as exc:
            transient, uncertain, problem = classify_exception(exc)
            log.info("%s: %s", path, problem)
            signal = OVERLOAD_SIGNAL if isinstance(exc, requests.exceptions.ReadTimeout) \
                else OTHER_SIGNAL
            return _Attempt(transient=transient, uncertain=uncertain,
                            problem=self._tokens.scrub(problem)), signal
        verdict = classify(response.status_code, response.content, response.headers,
                           self.settings.login_failure_messages)
        scrub = self._tokens.scrub
        if scrub(verdict.message) != verdict.message or \
                self._tokens.scrub_record(verdict.record) is not verdict.record:
            verdict = replace(verdict, message=scrub(verdict.message),
                              record=self._tokens.scrub_record(verdict.record))
        result.http_status = response.status_code
        log.debug("%s -> %s %s", path, response.status_code, verdict.message_code or verdict.kind)
        if verdict.kind in (OK, BUSINESS):
            self._answered()
            signal = OK_SIGNAL
        elif verdict.http_status in OVERLOAD_STATUSES or verdict.retry_after is not None:
            signal = OVERLOAD_SIGNAL
        else:
            signal = OTHER_SIGNAL
        return _Attempt(classification=verdict, transient=verdict.kind == TRANSIENT,
                        uncertain=verdict.uncertain, retry_after=verdict.retry_after), signal

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
            if verdict.kind in (AUTH_EXPIRED, AUTH_BAD):
                result.message = f"Token refused again after re-login: {verdict.message}"
        return result

    def _give_up(self, result: CallResult, attempt: _Attempt, budget: RetryBudget) -> CallResult:
        verdict = attempt.classification
        tries = budget.retries + 1
        result.kind = "failed"
        result.message_code = verdict.message_code if verdict else ""
        why = f"; {budget.reason}" if budget.reason else ""
        result.message = (f"Gave up after {tries} attempt{'s' if tries != 1 else ''}{why}: "
                          f"{attempt.message}")
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
        return any(re.search(p, text, re.IGNORECASE) for p in patterns
                   for text in (result.message, result.message_code) if text)

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
                    raise self._tokens.connection_failed(exc) from None
                log.info("%s did not answer: %s", path, problem)
                return None
            obj = parse_json_object(response.content) if response.status_code == 200 else None
            if obj is not None and isinstance(obj.get(key), kind):
                return obj[key]
            if response.status_code != 401:
                break
        log.info("%s did not give %s (HTTP %s)", path, key, response.status_code)
        return None
