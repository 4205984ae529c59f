"""Output-file safety: the one place that picks where a file this tool writes goes, and writes it.

The journal remembers the path and SHA-256 of every file the tool writes. Before writing, a target
that exists and is not byte-identical to what the tool last wrote there (the admin edited it, or
it is a file the tool never wrote) is kept, and the next free name is used instead
(``prices.failed.xlsx`` -> ``prices.failed-2.xlsx``), with a note saying so. A target that cannot
be replaced (a file open in Excel on Windows raises PermissionError) is handled the same way.
Every write is atomic: a temporary file beside the target, then one rename, so a reader never
sees half a workbook and a failed write leaves the old file as it was.

`remove_stale` deletes the failed-rows files the tool wrote for a run once nothing is left to fix,
but only those still byte-identical to what was written (an edited one is the person's work).
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from importer.errors import OutputNotWritable
from importer.filenames import fitted

log = logging.getLogger(__name__)

MAX_TRIES = 50  # prices.failed.xlsx, prices.failed-2.xlsx, ... prices.failed-50.xlsx
CHANGED = "changed since this tool wrote it"
FOREIGN = "not written by this tool"
LOCKED = "open in another program"


class WrittenFiles(Protocol):
    """What outputs needs from the journal (importer.journal.store.Journal provides it)."""

    def written(self, path: str) -> str | None: ...

    def record_output(self, path: str, sha256: str, run_id: int | None, kind: str) -> None: ...

    def outputs_of(self, run_id: int, kind: str) -> list[str]: ...

    def forget_output(self, path: str) -> None: ...


@dataclass(frozen=True)
class Written:
    """Where a file went; ``reason`` says why the wanted path was kept ('' when it was used)."""

    path: Path
    wanted: Path
    reason: str = ""
    value: object = None  # what the writer returned (e.g. how many rows it wrote)

    def __fspath__(self) -> str:  # usable wherever a path is: open(), Path(), openpyxl
        return str(self.path)

    @property
    def note(self) -> str:
        """One sentence for the person when the file went elsewhere, else ''."""
        if not self.reason:
            return ""
        return (f"{self.wanted.name} is {self.reason}, so it was kept as it is; "
                f"wrote {self.path.name} instead.")


def check_writable(out: str | Path) -> None:
    """Raise OutputNotWritable when ``out`` could not be written (checked before work is done)."""
    folder = Path(out).resolve().parent
    if not folder.is_dir():
        raise OutputNotWritable(f"Cannot write {out}: the folder {folder} does not exist; create "
                                "it or choose another path with -o.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputNotWritable(f"Cannot write {out}: no permission to write in {folder}; choose "
                                "another path with -o.")


def not_writable(out: str | Path, exc: OSError) -> OutputNotWritable:
    """The one sentence for a file that could not be written."""
    check_writable(out)  # the clearer sentence for a missing folder or no permission
    return OutputNotWritable(
        f"Cannot write {out} ({exc.strerror or exc}); close it if it is open in a "
        "spreadsheet program, or choose another path with -o.")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def key(path: Path) -> str:
    """How the journal names a file: its absolute path."""
    return str(Path(path).resolve())


def numbered(wanted: Path, n: int) -> Path:
    """``prices.failed.xlsx`` numbered 2 -> ``prices.failed-2.xlsx``."""
    wanted = Path(wanted)
    if n == 1:
        return wanted
    return wanted.with_name(fitted(wanted.stem, f"-{n}{wanted.suffix}"))


def why_kept(record: WrittenFiles | None, path: Path) -> str:
    """'' when the tool may write ``path`` (absent, or unchanged since it wrote it), else why
    not. Without a journal (``record`` None: a library call) the path is written as asked."""
    if record is None or not path.exists() or path.is_dir():  # a folder: an error when written
        return ""
    last = record.written(key(path))
    if last is None:
        return FOREIGN
    return "" if sha256_of(path) == last else CHANGED


def write_output(record: WrittenFiles | None, wanted: Path, write: Callable[[Path], object],
                 run_id: int | None = None, kind: str = "") -> Written:
    """Write a file through ``write(path)`` at ``wanted``, or at the next free name when
    ``wanted`` must be kept; record what was written. Raises OutputNotWritable (from ``write``
    for a folder that cannot be written, or when every name is taken)."""
    wanted = Path(wanted)
    reason = ""
    for n in range(1, MAX_TRIES + 1):
        target = numbered(wanted, n)
        why = why_kept(record, target)
        if why:
            reason = reason or why
            continue
        tmp = target.with_name(fitted(f".{target.stem}", f"{target.suffix}.{os.getpid()}.part"))
        try:
            try:
                value = write(tmp)
            except OSError as exc:
                raise not_writable(target, exc) from None
            try:
                os.replace(tmp, target)
            except PermissionError:  # the target is open (locked) in another program
                reason = reason or LOCKED
                continue
            except OSError as exc:
                raise not_writable(target, exc) from None
        finally:
            tmp.unlink(missing_ok=True)
        if record is not None:
            record.record_output(key(target), sha256_of(target), run_id, kind)
        if reason:
            log.info("kept %s (%s); wrote %s", wanted, reason, target)
        return Written(target, wanted, reason, value)
    raise OutputNotWritable(f"Cannot write {wanted}: it and {MAX_TRIES - 1} numbered names "
                            "beside it are kept; move some away or choose another path with -o.")


def remove_stale(record: WrittenFiles, run_id: int, kind: str) -> list[Path]:
    """Delete the files of ``kind`` the tool wrote for ``run_id`` that are unchanged since;
    returns the removed paths. A changed one is left alone (and still on the journal's list)."""
    removed = []
    for name in record.outputs_of(run_id, kind):
        path = Path(name)
        if not path.exists():
            record.forget_output(name)
            continue
        if sha256_of(path) != record.written(name):
            continue
        try:
            path.unlink()
        except OSError as exc:  # open in another program: it stays; say nothing false
            log.info("could not remove %s: %s", path, exc)
            continue
        record.forget_output(name)
        removed.append(path)
    return removed
