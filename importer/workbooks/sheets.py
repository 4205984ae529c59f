"""Sheet names: Excel allows 31 characters and no []:*?/\\ ; the tool's sheets must not clash."""
from __future__ import annotations

import re

_BAD = re.compile(r"[\[\]:*?/\\]")


def safe_title(name: str, taken: set[str] = frozenset()) -> str:
    """A valid sheet title close to ``name`` and not in ``taken`` (compared case-insensitively)."""
    base = _BAD.sub("_", name or "Sheet").strip("'")[:31] or "Sheet"
    lowered = {t.lower() for t in taken}
    title, n = base, 2
    while title.lower() in lowered:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title
