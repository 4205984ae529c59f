"""Names of the files the tool writes beside an input (``<stem>.results.xlsx`` and the like),
bounded to what a file system takes: 255 bytes a name. An input whose name is near that limit
still gets its outputs: the stem is shortened, with a short hash of the whole stem so that two
long names that start alike keep apart."""
from __future__ import annotations

import hashlib
from pathlib import Path

NAME_MAX_BYTES = 255


def beside(source: Path, suffix: str, folder: Path | None = None) -> Path:
    """``<folder or source's folder>/<source stem><suffix>``, shortened to fit one name."""
    return (folder or source.parent) / fitted(source.stem, suffix)


def fitted(stem: str, suffix: str) -> str:
    name = stem + suffix
    if len(name.encode("utf-8")) <= NAME_MAX_BYTES:
        return name
    tag = "~" + hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    room = NAME_MAX_BYTES - len((tag + suffix).encode("utf-8"))
    short = stem.encode("utf-8")[:max(room, 1)].decode("utf-8", "ignore").rstrip(". ")
    return short + tag + suffix
