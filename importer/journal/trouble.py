"""What can go wrong with the journal file, each as one sentence naming the file and what to do.

SQLite and the file system report trouble as exceptions with terse texts ("database or disk is
full", "file is not a database", "attempt to write a readonly database"). `journal_errors(path)`
turns them into `JournalTrouble` (exit 2) for every command that opens the journal: a full disk,
a read-only file or folder, a folder that cannot be created or written, a damaged file, a file
kept locked by another program (`JournalBusy`). A damaged journal is never overwritten or
"repaired" here: it holds what earlier runs did, so the sentence says to move it aside; the
journal runs SQLite's quick check when it opens the file (`refuse_damaged`), before any write.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path
from typing import Iterator

from importer.errors import JournalBusy, JournalTrouble

RESUME = ("run the same command again: rows the journal recorded as applied are not sent "
          "again")


def trouble(path: Path, exc: BaseException, busy_timeout: float = 30.0) -> JournalTrouble:
    """The one sentence for ``exc`` (an sqlite3 error or an OSError) met on the journal ``path``."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.Error) and ("locked" in text or "busy" in text):
        return JournalBusy(
            f"The journal {path} stayed locked by another program for over {busy_timeout:g} s; "
            f"close whatever holds it open (a database browser, a stuck import) and run this "
            f"again.")
    if "disk is full" in text or getattr(exc, "errno", None) == 28 or "no space" in text:
        return JournalTrouble(
            f"The journal {path} could not be written: the disk is full. Free some space (or "
            f"pass --journal with a file on another disk) and {RESUME}.")
    if "readonly" in text or "read-only" in text or getattr(exc, "errno", None) in (13, 30) \
            or isinstance(exc, PermissionError) or ("unable to open" in text and _read_only(path)):
        return JournalTrouble(
            f"The journal {path} cannot be written (the file or its folder is read-only); make "
            f"it writable, or pass --journal with a writable file, and {RESUME}.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return JournalTrouble(
            f"The journal {path} is damaged ({exc}) and is left as it is: move it aside (keep "
            f"it, it holds what earlier runs did) and run again, which starts a new journal, "
            f"or pass --journal with another file.")
    if "unable to open" in text or isinstance(exc, (NotADirectoryError, FileNotFoundError,
                                                    IsADirectoryError)):
        return JournalTrouble(
            f"The journal {path} cannot be opened or created (its folder is missing, not a "
            f"folder, or not writable); pass --journal with a file in a folder you can write.")
    return JournalTrouble(
        f"The journal {path} cannot be used ({exc}); check the disk and the file, or pass "
        f"--journal with another file, and {RESUME}.")


def _read_only(path: Path) -> bool:
    """The file exists but it, or its folder, or the disk it is on cannot be written."""
    try:
        if not path.is_file():
            return False
        folder = path.parent
        return (not os.access(path, os.W_OK) or not os.access(folder, os.W_OK)
                or bool(os.statvfs(folder).f_flag & os.ST_RDONLY))
    except (OSError, AttributeError):  # statvfs is not on every platform
        return False


def refuse_damaged(db: sqlite3.Connection) -> None:
    """Raise (as "malformed") when SQLite's quick check finds the file damaged: a damaged page
    is not always noticed by the statements that write, so the check comes before any write
    (it reads every page once: about a millisecond per megabyte)."""
    found = db.execute("PRAGMA quick_check(1)").fetchone()
    if found and found[0] != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed: {found[0]}")


@contextlib.contextmanager
def journal_errors(path: Path | str, busy_timeout: float = 30.0) -> Iterator[None]:
    """Raise `JournalTrouble` instead of the sqlite3 error or OSError met inside."""
    try:
        yield
    except JournalTrouble:
        raise
    except (sqlite3.Error, OSError) as exc:
        raise trouble(Path(path), exc, busy_timeout) from None
