"""Fixes the admin accepted, remembered per server and data source: ``417`` is the part
``000417`` on this ERP. Kept in the journal's SQLite file, in a table of their own
(``value_fixes``); importer.runs.valuefixes reads them into the reading options of a run against
the same server and data source, and nowhere else.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from importer.journal.store import Journal, now_iso

_SCHEMA = """
CREATE TABLE IF NOT EXISTS value_fixes (
    server_url TEXT NOT NULL, data_source TEXT NOT NULL, entity TEXT NOT NULL,
    field TEXT NOT NULL, written TEXT NOT NULL, meant TEXT NOT NULL, accepted_at TEXT NOT NULL,
    accepted_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (server_url, data_source, entity, field, written)
) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Fix:
    entity: str  # a record type, or '*' for every one with the field
    field: str
    written: str
    meant: str
    accepted_at: str  # ISO 8601
    accepted_by: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"entity": self.entity, "field": self.field, "written": self.written,
                "meant": self.meant, "accepted_at": self.accepted_at,
                "accepted_by": self.accepted_by}


class FixStore:
    """The accepted fixes of one journal file."""

    def __init__(self, path: Path | str) -> None:
        Journal(path).close()  # creates the file (WAL mode) when it is new
        self._db = sqlite3.connect(Path(path), isolation_level=None, timeout=30.0)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "FixStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def remember(self, scope: tuple[str, str], fix_entity: str, field: str, written: str,
                 meant: str, user: str = "") -> Fix:
        stamp = now_iso()
        self._db.execute("INSERT OR REPLACE INTO value_fixes VALUES (?,?,?,?,?,?,?,?)",
                         (*scope, fix_entity, field, written, meant, stamp, user))
        return Fix(fix_entity, field, written, meant, stamp, user)

    def forget(self, scope: tuple[str, str], fix_entity: str, field: str, written: str) -> int:
        return self._db.execute(
            "DELETE FROM value_fixes WHERE server_url=? AND data_source=? AND entity=? AND "
            "field=? AND written=?", (*scope, fix_entity, field, written)).rowcount

    def fixes(self, scope: tuple[str, str]) -> list[Fix]:
        return [Fix(*r) for r in self._db.execute(
            "SELECT entity, field, written, meant, accepted_at, accepted_by FROM value_fixes "
            "WHERE server_url=? AND data_source=? ORDER BY entity, field, written", scope)]
