"""The settings' keys: which config table each belongs to, its type, and how a value given as
text or TOML becomes that type (one sentence naming the source and the key when it cannot).
Pure: no file or environment is read here (importer.settings does that)."""
from __future__ import annotations

import difflib
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from importer.errors import BadOptions

AUTO = "auto"  # workers = "auto"


# key -> (table, type). Types: str, float, int, bool, "path", "list".
_CONNECTION_KEYS: dict[str, Any] = {
    "url": str, "data_source": str, "user": str, "password": str, "ca_bundle": "path",
    "insecure": bool, "connect_timeout": float, "read_timeout": float, "retries": int,
    "backoff_base": float, "backoff_max": float, "retry_after_max": float, "retry_budget": float,
    "max_answer_mb": float,
}
_IMPORT_KEYS: dict[str, Any] = {
    "workers": "workers", "max_workers": int, "journal": "path", "exists_codes": "list", "not_found_codes": "list",
    "exists_patterns": "list", "not_found_patterns": "list", "login_failure_messages": "list",
    "skip_unchanged": bool, "max_price_change": float,
}
_READING_KEYS: dict[str, Any] = {"max_sheet_mb": int,
                                 "decimal": str, "date_order": str}  # see reading/options.py
_MASTERDATA_KEYS: dict[str, Any] = {
    "parts": "path", "customers": "path", "obsolete_statuses": "list",
    "part_not_found_codes": "list", "customer_not_found_codes": "list",
}
_DECISIONS_KEYS: dict[str, Any] = {"hold": "decisions"}  # [decisions] hold = ["price-jump", ...]
_APPROVAL_KEYS: dict[str, Any] = {"approval_required": bool}  # [approval] required = true
TABLES = {"connection": _CONNECTION_KEYS, "import": _IMPORT_KEYS, "reading": _READING_KEYS,
          "masterdata": _MASTERDATA_KEYS, "decisions": _DECISIONS_KEYS,
          "approval": _APPROVAL_KEYS}
KEY_TYPES = {**_CONNECTION_KEYS, **_IMPORT_KEYS, **_READING_KEYS, **_MASTERDATA_KEYS,
             **_DECISIONS_KEYS, **_APPROVAL_KEYS}
# A key written inside its table under a shorter name: [approval] required -> approval_required.
IN_TABLE = {("approval", "required"): "approval_required"}
COLUMNS_TABLE = "columns"  # [columns] ignore = [...] and [columns.<entity>] header = field
READING_ONLY = ("decimal", "date_order", COLUMNS_TABLE, "ignore",
                "values")  # not Settings fields
_FLAG_OF = {"url": "--url", "data_source": "--data-source", "user": "--user"}
_NAME_OF = {"url": "server URL", "data_source": "data source", "user": "user name"}


def _closest(name: str, candidates) -> str:
    match = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    if match:
        return f" Did you mean '{match[0]}'?"
    return f" Valid keys: {', '.join(sorted(candidates))}."


def _convert(key: str, value: Any, source: str) -> Any:
    """Turn a raw value (TOML value, env string, flag value) into the key's type."""
    kind = KEY_TYPES[key]
    try:
        if kind is str:
            if not isinstance(value, str):
                raise ValueError
            return value.strip()
        if kind == "path":
            if not isinstance(value, (str, Path)):
                raise ValueError
            return Path(os.path.expanduser(str(value)))
        if kind is bool:
            return _to_bool(value)
        if kind == "workers":
            if isinstance(value, str) and value.strip().lower() == AUTO:
                return AUTO
            kind = int
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError
            return _check_range(key, int(value))
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return _check_range(key, float(value))
        items = _to_list(value)
        if kind == "decisions":
            return _check_decisions(items, source)
        if key.endswith("_patterns"):
            for item in items:
                _check_pattern(item, source)
        return items
    except (ValueError, TypeError):
        raise BadOptions(f"{source} has an unusable value {value!r} for {key}: "
                         f"{_describe(KEY_TYPES[key], key)}.") from None


def _check_pattern(pattern: str, source: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise BadOptions(f"{source} has a pattern {pattern!r} that is not a valid regular "
                         f"expression ({exc}).") from None


def _check_decisions(items: tuple[str, ...], source: str) -> tuple[str, ...]:
    from importer.rules import DECISION_KINDS

    for item in items:
        if item not in DECISION_KINDS:
            raise BadOptions(f"{source} names {item!r}, which is no decision; write a list of "
                             f"{', '.join(DECISION_KINDS)} (or [] to hold no row).")
    return items


FLOAT_UNITS = {"max_answer_mb": "a number of megabytes", "max_price_change": "a percentage"}


def _describe(kind: Any, key: str = "") -> str:
    if kind is float:
        return f"expected {FLOAT_UNITS.get(key, 'a number of seconds')}"
    return {str: "expected text", "path": "expected a file path", bool: "expected true or false",
            int: "expected a whole number", "workers": 'expected a whole number or "auto"',
            "list": "expected a list of texts",
            "decisions": "expected a list like [\"price-jump\", \"overlap\", \"obsolete\"]"}[kind]


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError


def _to_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        stripped = value.strip()
        value = json.loads(stripped) if stripped.startswith("[") else stripped.split(",")
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValueError
    return tuple(v.strip() for v in value if v.strip())


def _check_range(key: str, number: float | int) -> float | int:
    minimum = 1 if key in ("workers", "max_workers", "max_sheet_mb") else 0
    if isinstance(number, float) and not math.isfinite(number):  # nan, inf: not a number of
        raise ValueError  # seconds, megabytes or percent anyone means
    if number < minimum or (isinstance(number, float) and key.endswith("timeout") and number == 0):
        raise ValueError
    if key == "max_answer_mb" and number == 0:
        raise ValueError
    return number
