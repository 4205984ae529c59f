"""CSV cells a spreadsheet would run as a formula (CSV injection): how the export writes them and
how the reader turns them back into the exact value.

Following OWASP's guidance, a value starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a single quote in front, so Excel and LibreOffice show it as text; a plain
number (``-5``, ``+1.5e3``) is no formula and is written as it is. A value that starts with quotes
followed by such a character gets one more quote, so that reading (one leading quote removed from
exactly those values) gives back every value byte for byte.
"""
from __future__ import annotations

import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _runs_as_formula(value: str) -> bool:
    return value[:1] in TRIGGERS and _NUMBER.fullmatch(value) is None


def _needs_quote(value: str) -> bool:
    return _runs_as_formula(value.lstrip(QUOTE))


def protect(value: str) -> str:
    """The text to write in a CSV cell for ``value``."""
    return QUOTE + value if value and _needs_quote(value) else value


def unprotect(text: str) -> str:
    """The value a CSV cell written by `protect` holds (any other text is returned as it is)."""
    return text[1:] if text[:1] == QUOTE and _needs_quote(text[1:]) else text
