"""The sandbox's checks of a record request, as pure functions of plain values.

Each check returns nothing when the request passes and raises ``ApiError`` (HTTP status, MESSAGE,
MESSAGE_CODE) when it does not. The order follows the contract: value types, unknown fields,
required fields, 'nothing to update', then field values (dates, numbers, lengths). Master data and
existing records are checked by the server afterwards, because they need its state.
"""
from __future__ import annotations

import re
from datetime import date

from importer.entities import Entity, Field, Kind

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

# A value that is not a JSON string (a number, null, a list...): the contract says every value is
# a string, so the sandbox refuses it with this code instead of guessing how it would be shown.
VALUE_NOT_STRING = "VALUE_NOT_STRING"


class ApiError(Exception):
    """A failure answer: ``status`` with the body ``{"MESSAGE": message, "MESSAGE_CODE": code}``."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    def body(self) -> dict[str, str]:
        return {"MESSAGE": self.message, "MESSAGE_CODE": self.code}


def business(message: str, code: str) -> ApiError:
    """A business error: always HTTP 500 with MESSAGE and MESSAGE_CODE."""
    return ApiError(500, message, code)


def check_strings(values: dict) -> None:
    for name, value in values.items():
        if not isinstance(value, str):
            kind = "null" if value is None else type(value).__name__
            raise business(f"{name} must be a JSON string, not {kind}.", VALUE_NOT_STRING)


def check_known(entity: Entity, values: dict) -> None:
    for name in values:
        if not entity.has_field(name):
            raise business(f"Field {name} is not accepted.", "UNKNOWN_FIELD")


def check_required(values: dict, required) -> None:
    for name in required:
        if not values.get(name):
            raise business(f"{name} is required.", "REQUIRED_FIELD")


def check_something_to_update(entity: Entity, values: dict) -> None:
    """Update needs at least one field besides the key (an empty string counts: it clears)."""
    if not any(name in values for name in entity.non_key_fields):
        raise business("At least one field to update is required.", "NOTHING_TO_UPDATE")


def is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def is_number(text: str, kind: Kind) -> bool:
    pattern = _INTEGER if kind is Kind.INTEGER else _DECIMAL
    return pattern.fullmatch(text) is not None


def check_value(field: Field, value: str) -> None:
    if value == "":
        return
    if field.kind is Kind.DATE and not is_date(value):
        raise business(f"{field.name} {value} is not a valid date.", "INVALID_DATE")
    if field.numeric and not is_number(value, field.kind):
        raise business(f"{field.name} {value} is not a number.", "INVALID_NUMBER")
    if field.max_length is not None and len(value) > field.max_length:
        raise business(f"{field.name} is longer than {field.max_length} characters.",
                       "FIELD_TOO_LONG")


def check_record_request(entity: Entity, values: dict, update: bool) -> None:
    """Every check of a create/update request that needs no server state (AUTH_TOKEN removed)."""
    check_strings(values)
    check_known(entity, values)
    check_required(values, entity.required_update if update else entity.required_create)
    if update:
        check_something_to_update(entity, values)
    for f in entity.fields:
        value = values.get(f.name)
        if value:
            check_value(f, value)
