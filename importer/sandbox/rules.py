"""The sandbox's checks of a record request, as pure functions of plain values.

Each check returns nothing when the request passes and raises ``ApiError`` (HTTP status, MESSAGE,
MESSAGE_CODE) when it does not. The order: value types, unknown fields, required fields,
'nothing to update' (update only; a non-key field sent as '' counts, it clears the field), then
field values (dates, numbers, lengths; an empty value is 'no value' and is not checked). Master
data and existing records are checked by the service afterwards, because they need its state.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
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


def check_required(values: dict, required) -> None:
    for name in required:
        if not values.get(name):
            raise business(f"{name} is required.", "REQUIRED_FIELD")


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


@dataclass(frozen=True)
class EntityChecks:
    """What the checks need of an entity, computed once (the registry's properties recompute)."""

    names: frozenset[str]
    ordered: tuple[str, ...]  # the request fields in documented order
    required_create: tuple[str, ...]
    required_update: tuple[str, ...]
    non_key: tuple[str, ...]
    valued: tuple[Field, ...]  # fields whose value has a form or a length to check


_CHECKS: dict[str, EntityChecks] = {}


def checks_for(entity: Entity) -> EntityChecks:
    found = _CHECKS.get(entity.name)
    if found is None:
        valued = tuple(f for f in entity.fields if f.kind is Kind.DATE or f.numeric
                       or f.max_length is not None)
        found = _CHECKS[entity.name] = EntityChecks(
            frozenset(entity.field_names), entity.field_names, entity.required_create,
            entity.required_update,
            entity.non_key_fields, valued)
    return found


def check_record_request(entity: Entity, values: dict, update: bool) -> None:
    """Every check of a create/update request that needs no server state (AUTH_TOKEN removed)."""
    checks = checks_for(entity)
    check_strings(values)
    for name in values:
        if name not in checks.names:
            raise business(f"Field {name} is not accepted.", "UNKNOWN_FIELD")
    check_required(values, checks.required_update if update else checks.required_create)
    if update and not any(name in values for name in checks.non_key):
        raise business("At least one field to update is required.", "NOTHING_TO_UPDATE")
    for f in checks.valued:
        value = values.get(f.name)
        if value:
            check_value(f, value)
