"""The login token shared by every worker thread: logging in, re-logging in once for all.

`TokenKeeper` holds one token under a lock, with a generation counter: the workers who all saw
the same token refused cause exactly one re-login (the first one in logs in; the others find a
newer generation and use it). `current()` also says whether the caller itself has just logged in
(``fresh``): a 401 on such a token means the server refuses tokens as soon as they are issued,
which no retry mends.

`login()` (the first login of a run) is retried on transient trouble like any call, within the
retry budget (`importer.erp.retry`): a dropped connection, a 5xx, a 200 that is not a JSON record
(at most ``LOGIN_NOT_JSON_RETRIES`` times: a web page at the URL is more likely a wrong --url
than a passing storm). A refused connection (nothing listening) fails at once. Re-logins during a
run make one attempt each; the record call that needed them retries (`LoginRetryable`).
Never logs the password or a token; `scrub()` masks both (every token of the session) in
whatever text the server sends back.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import requests

from importer.entities import AUTH_PATH, AUTH_TOKEN
from importer.erp.responses import (
    BUSINESS,
    NOT_A_RECORD,
    OK,
    TRANSIENT,
    Classification,
    classify,
    classify_exception,
    short_reason,
)
from importer.erp.retry import RetryBudget, backoff_delay
from importer.errors import ConnectionFailed, LoginFailed
from importer.settings import Settings

log = logging.getLogger(__name__)

LOGIN_NOT_JSON_RETRIES = 3


class LoginRetryable(ConnectionFailed):
    """One login attempt met transient trouble; trying again may work."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TokenKeeper:
    """One token for all threads. ``post(path, body)`` sends a request (it may raise requests'
    exceptions); ``on_answer()`` is called when the server answered in a way that shows it works."""

    def __init__(self, settings: Settings, post: Callable[[str, dict], requests.Response],
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 on_answer: Callable[[], None] = lambda: None) -> None:
        self.settings = settings
        self._post, self._sleep, self._clock, self._on_answer = post, sleep, clock, on_answer
        self.token: str | None = None
        self.seen: list[str] = []  # every token of this session, to mask in server texts
        self.generation = 0  # bumped on every successful login
        self.logins = 0
        self._lock = threading.Lock()

    def login(self, last_answer: Callable[[], float]) -> None:
        """The run's first login: retried within the budget. Raises LoginFailed (credentials
        refused) or ConnectionFailed (nothing listening, not the ERP API, or never answered)."""
        s = self.settings
        budget = RetryBudget(s.retry_budget, self._clock(), s.retries)
        not_json = 0
        with self._lock:
            while True:
                try:
                    self._login_once(first=True)
                    return
                except LoginRetryable as exc:
                    not_json += str(exc).endswith(NOT_A_RECORD + ".")
                    if not_json > LOGIN_NOT_JSON_RETRIES:
                        raise ConnectionFailed(self._not_the_api(NOT_A_RECORD)) from None
                    wanted = backoff_delay(budget.retries + 1, s.backoff_base, s.backoff_max,
                                           exc.retry_after, s.retry_after_max)
                    delay = budget.next_delay(self._clock(), last_answer(), wanted)
                    if delay is None:
                        raise ConnectionFailed(str(exc)) from None
                    log.info("Login: %s; retry %d", exc, budget.retries)
                    self._sleep(delay)

    def current(self, expired_generation: int | None = None) -> tuple[str, int, bool]:
        """(token, its generation, whether this caller just logged in to get it). When
        ``expired_generation`` is still current, log in again; if another thread already did
        since that token was taken, just use the new one. Raises LoginRetryable,
        LoginFailed or ConnectionFailed."""
        with self._lock:
            fresh = False
            if self.token is None or self.generation == expired_generation:
                if expired_generation is not None:
                    log.info("Token refused; logging in again")
                self._login_once(first=False)
                fresh = True
            return self.token, self.generation, fresh

    def _login_once(self, first: bool) -> None:
        s = self.settings
        body = {"DATA_SOURCE": s.data_source, "USER_NAME": s.user, "PASSWORD": s.password}
        try:
            response = self._post(AUTH_PATH, body)
        except requests.RequestException as exc:
            transient, reached, _ = classify_exception(exc)
            failure = self.connection_failed(exc)
            if not transient or (first and not reached):  # nothing listening: a wrong --url
                raise failure from None
            raise LoginRetryable(str(failure)) from None
        verdict = classify(response.status_code, response.content, response.headers,
                           s.login_failure_messages)
        token = verdict.record.get(AUTH_TOKEN) if verdict.kind == OK else None
        if isinstance(token, str) and token:
            self.token = token
            self.seen.append(token)
            self.generation += 1
            self.logins += 1
            self._on_answer()
            log.info("Logged in to %s (data source %s, user %s)", s.url, s.data_source, s.user)
            return
        if verdict.kind == TRANSIENT:
            raise LoginRetryable(f"The login was answered {verdict.message}.",
                                 verdict.retry_after)
        raise self._login_error(verdict)

    def connection_failed(self, exc: requests.RequestException) -> ConnectionFailed:
        s = self.settings
        problem = self.scrub(short_reason(exc))
        if isinstance(exc, requests.exceptions.Timeout):
            problem = f"no answer within {s.connect_timeout:g}/{s.read_timeout:g} seconds " \
                      f"(connect/read)"
        if isinstance(exc, requests.exceptions.SSLError):
            return ConnectionFailed(
                f"Cannot reach {s.url}: {problem}. If the server uses a company "
                f"certificate, pass --ca-bundle PATH (or, only for a test server, --insecure).")
        return ConnectionFailed(f"Cannot reach {s.url}: {problem}. Check --url and that the "
                                f"server is running.")

    def _login_error(self, verdict: Classification) -> Exception:
        if verdict.kind == BUSINESS:
            return LoginFailed(f"The server refused the login: {self.scrub(verdict.message)} "
                               f"Check --user, --data-source and the password "
                               f"(IMPORTER_PASSWORD).")
        return ConnectionFailed(self._not_the_api(verdict.message or str(verdict.http_status)))

    def _not_the_api(self, what: str) -> str:
        return (f"{self.settings.url} did not answer the login as the ERP API does ({what}). "
                f"Check --url points at the ERP's REST API.")

    def scrub(self, text: str) -> str:
        """``text`` with the password and every token of this session masked as ``***``: a
        server's message may quote the request it refuses."""
        for secret in (self.settings.password, *self.seen):
            if secret and secret in text:
                text = text.replace(secret, "***")
        return text

    def scrub_record(self, record: dict | None) -> dict | None:
        if not record or not any(isinstance(v, str) and v != self.scrub(v)
                                 for v in record.values()):
            return record
        return {k: self.scrub(v) if isinstance(v, str) else v for k, v in record.items()}
