"""What a request to the page carries, read the same way by every handler: a JSON object body
(else one sentence), and a number from the address or the body (else a default)."""
from __future__ import annotations

from starlette.requests import Request

from importer.errors import ImporterError


async def json_body(request: Request) -> dict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ImporterError("The request was not understood; reload the page.")
    return body


def number(value, default: int) -> int:
    """A whole number, or ``default`` (also for one beyond what SQLite stores, such as a run id
    of 20 digits: no such run exists)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if -(2 ** 63) <= number < 2 ** 63 else default
