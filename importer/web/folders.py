"""The private temporary folder of one `importer serve` process (the admin's uploads and the
files made from them), and the folders earlier serves left behind.

`own_folder()` makes the folder (mode 700) with an ``owner.json`` naming this process (host, pid,
start token: importer/journal/owner.py), after removing the folders of earlier serves of this
machine that no longer run: a serve that was killed could not remove its own, and the admin's
files would stay in the temporary directory for good. A folder of a running serve, or one whose
owner cannot be told, is left alone.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from importer.journal.owner import Owner

PREFIX = "importer-web-"
OWNER_FILE = "owner.json"  # which `importer serve` process the folder belongs to


def sweep_leftovers(parent: Path) -> list[Path]:
    """Remove the upload folders (the admin's files in them) of earlier `importer serve`
    processes of this machine that no longer run (killed, so they could not clean up). A
    folder of a running serve, or one whose owner cannot be told, is left alone."""
    removed = []
    for folder in parent.glob(PREFIX + "*"):
        try:
            if not folder.is_dir() or folder.stat().st_uid != os.getuid():
                continue
            data = json.loads((folder / OWNER_FILE).read_text(encoding="utf-8"))
            owner = Owner(str(data["host"]), int(data["pid"]), str(data.get("started", "")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
        if owner.on_this_host() and owner.gone() is not None:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def own_folder(root: Path | None) -> tuple[list[Path], Path]:
    """(the leftover folders removed, this process's new folder) under ``root`` or the
    temporary directory."""
    swept = sweep_leftovers(Path(root or tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=root))
    folder.chmod(0o700)
    me = Owner.me()
    (folder / OWNER_FILE).write_text(json.dumps(
        {"host": me.host, "pid": me.pid, "started": me.started}), encoding="utf-8")
    return swept, folder
