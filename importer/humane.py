"""Times and durations as a person reads them: local time with its zone, "2 min 5 s".

The journal keeps ISO 8601 timestamps with their offset; these turn them into what the Summary
sheet and the terminal show. Plain functions, no I/O.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path


def local_time(iso: str | None, seconds: bool = True) -> str:
    """'2026-12-01T10:02:03.123+01:00' -> '2026-12-01 10:02:03 CET' (this machine's zone)."""
    if not iso:
        return ""
    moment = datetime.fromisoformat(iso).astimezone()
    zone = moment.tzname() or moment.strftime("%z")
    if zone and zone[0] in "+-" and len(zone) in (3, 5):  # '+01' -> 'UTC+01'
        zone = "UTC" + zone
    return moment.strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} ") + zone


def duration(seconds: float | None) -> str:
    """0.4 -> '0.4 s', 65 -> '1 min 5 s', 7322 -> '2 h 2 min'."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def counts_text(counts: dict[str, int]) -> str:
    """{'CREATED': 5, 'FAILED': 1} -> 'CREATED 5, FAILED 1' (in the given order)."""
    return ", ".join(f"{status} {n}" for status, n in counts.items() if n)


def plural(n: int, word: str) -> str:
    """plural(1, 'warning') -> '1 warning'; plural(2, 'row') -> '2 rows'."""
    return f"{n} {word}{'' if n == 1 else 's'}"


def describe_server(name: str) -> str:
    """A server as the journal names it, for people: a rehearsal sandbox (``sandbox:PATH#ID``, or
    the page's ``sandbox:PATH``) by its file, any other server by its URL."""
    if name.startswith("sandbox:"):
        return f"the built-in sandbox ({Path(name[8:].split('#')[0]).name})"
    return name
