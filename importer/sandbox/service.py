"""What the sandbox does with a valid request: tokens, master data checks, create and update.

Plain Python on plain values; the HTTP layer (``app.py``) parses bodies and turns ``ApiError`` into
failure responses. Values are stored exactly as received; a record holds every request field of its
entity ('' when never sent) and its audit fields.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import datetime

from importer.entities import (AUDIT_FIELDS, AUTH_REQUEST_FIELDS, CUSTOMER_MASTER_FIELDS,
                               Kind, PART_MASTER_FIELDS, Entity)
from importer.sandbox.rules import (ApiError, business, check_record_request, check_required,
                                    check_strings, checks_for)
from importer.sandbox.store import RecordExists, Store

TOKEN_FORM = re.compile(r"[0-9A-F]{32}")
PART_ID, CUSTOMER_ID = PART_MASTER_FIELDS[0], CUSTOMER_MASTER_FIELDS[0]
OPERATOR_ID = "OPERATOR_ID"
_AUDIT_NAMES = frozenset(AUDIT_FIELDS) | {OPERATOR_ID}
# Per entity: the response fields taken from the part master (not stored with the record).
_FROM_PART_MASTER: dict[str, tuple[str, ...]] = {}


def unauthorized(message: str, code: str) -> ApiError:
    return ApiError(401, message, code)


class Tokens:
    """Issued tokens: 32 upper-case hex digits, each valid for ``ttl`` seconds after login."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._users: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, user: str) -> str:
        token = secrets.token_hex(16).upper()
        now = time.monotonic()
        with self._lock:
            if len(self._users) > 10_000:
                self._users = {t: u for t, u in self._users.items() if u[1] > now}
            self._users[token] = (user, now + self.ttl)
        return token

    def user_of(self, token) -> str:
        """The user a request's AUTH_TOKEN value belongs to, or the contract's 401."""
        if token is None or token == "":
            raise unauthorized("Auth Token was not provided.", "AUTH_TOKEN_MISSING")
        if not isinstance(token, str) or not TOKEN_FORM.fullmatch(token):
            raise unauthorized("Auth Token is malformed.", "AUTH_TOKEN_MALFORMED")
        entry = self._users.get(token)
        if entry is None or entry[1] <= time.monotonic():
            raise unauthorized("Auth Token login failure.", "AUTH_TOKEN_LOGIN_FAILURE")
        return entry[0]


def _now() -> tuple[str, str]:
    """The server's date (YYYY-MM-DD) and time (HH:MM:SS)."""
    stamp = datetime.now().isoformat(timespec="seconds")
    return stamp[:10], stamp[11:]


class Service:
    def __init__(self, store: Store, parts: dict, customers: dict, users: dict[str, str],
                 data_sources: tuple[str, ...], token_ttl: float) -> None:
        self.store = store
        self.parts = parts
        self.customers = customers
        self.users = dict(users)
        self.data_sources = tuple(data_sources)
        self.tokens = Tokens(token_ttl)

    # --- auth ----------------------------------------------------------------------------------
    def login(self, values: dict) -> dict[str, str]:
        check_strings(values)
        for name in values:
            if name not in AUTH_REQUEST_FIELDS:
                raise business(f"Field {name} is not accepted.", "UNKNOWN_FIELD")
        check_required(values, AUTH_REQUEST_FIELDS)
        user = values["USER_NAME"]
        if (values["DATA_SOURCE"] not in self.data_sources
                or self.users.get(user) != values["PASSWORD"]):
            raise business(f"Login failed for user {user}.", "LOGIN_FAILED")
        return {"AUTH_TOKEN": self.tokens.issue(user)}

    # --- records -------------------------------------------------------------------------------
    def create(self, entity: Entity, values: dict, user: str) -> dict[str, str]:
        check_record_request(entity, values, update=False)
        self._check_master(entity, values)
        record = {name: values.get(name, "") for name in checks_for(entity).ordered}
        day, clock = _now()
        self._defaults(entity, record, day)
        record.update(self._audit(entity, user, True, day, clock))
        key = entity.key_of(record)
        try:
            self.store.insert(entity, key, record)
        except RecordExists:
            raise business(f"{entity.label} {entity.describe_key(key)} already exists.",
                           "RECORD_EXISTS") from None
        return self.shape(entity, record)

    def update(self, entity: Entity, values: dict, user: str) -> dict[str, str]:
        check_record_request(entity, values, update=True)
        self._check_master(entity, values)
        key = entity.key_of(values)
        changes = {k: v for k, v in values.items() if k not in entity.key}
        changes.update(self._audit(entity, user, False, *_now()))
        record = self.store.update(entity, key, changes)
        if record is None:
            raise business(f"{entity.label} {entity.describe_key(key)} does not exist.",
                           "RECORD_NOT_FOUND")
        return self.shape(entity, record)

    def records(self, entity: Entity) -> list[dict[str, str]]:
        return [self.shape(entity, r) for r in self.store.all(entity)]

    def shape(self, entity: Entity, record: dict[str, str]) -> dict[str, str]:
        """A stored record as the endpoint answers it: every response field, as a string."""
        out = {name: record.get(name, "") for name in entity.response_fields}
        from_master = _FROM_PART_MASTER.get(entity.name)
        if from_master is None:
            from_master = _FROM_PART_MASTER[entity.name] = tuple(
                n for n in entity.response_fields
                if n in PART_MASTER_FIELDS and n not in checks_for(entity).names)
        if from_master:
            part = self.parts.get(record.get(PART_ID, ""), {})
            for name in from_master:
                out[name] = part.get(name, "")
        return out

    # --- helpers -------------------------------------------------------------------------------
    def _check_master(self, entity: Entity, values: dict) -> None:
        names = checks_for(entity).names
        if PART_ID in names and values[PART_ID] not in self.parts:
            raise business(f"Part {values[PART_ID]} does not exist.", "PART_NOT_FOUND")
        if CUSTOMER_ID in names and values[CUSTOMER_ID] not in self.customers:
            raise business(f"Customer {values[CUSTOMER_ID]} does not exist.",
                           "CUSTOMER_NOT_FOUND")

    @staticmethod
    def _defaults(entity: Entity, record: dict[str, str], day: str) -> None:
        """[sandbox] create defaults: a date field -> the server's date, a number -> '0'."""
        for name in entity.create_defaults:
            if not record.get(name):
                record[name] = day if entity.field(name).kind is Kind.DATE else "0"

    @staticmethod
    def _audit(entity: Entity, user: str, created: bool, day: str, clock: str) -> dict[str, str]:
        audit = {"MODIFIED_BY": user, "DATE_MODIFIED": day, "DATE_LAST_UPDT": day,
                 "TIME_LAST_UPDT": clock, OPERATOR_ID: user}
        if created:
            audit.update({"CREATED_BY": user, "DATE_CREATED": day, "MODIFIED_BY": "",
                          "DATE_MODIFIED": ""})
        return {k: v for k, v in audit.items() if k in _AUDIT_NAMES and k in entity.response_fields}
