"""The sandbox's records in SQLite: one table per entity, the key in columns, the record as JSON.

The key columns carry a UNIQUE constraint, so the database itself decides which of several
simultaneous creates of one key wins. Each thread gets its own connection (WAL journal,
``synchronous=NORMAL``), and a file given by the caller keeps the records across restarts.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from importer.entities import ENTITIES, Entity


class RecordExists(Exception):
    """A create found its key taken."""


def table_name(entity: Entity) -> str:
    return "records_" + entity.name.replace("-", "_")


def _schema(entity: Entity) -> str:
    keys = ", ".join(f"k{i} TEXT NOT NULL" for i in range(len(entity.key)))
    unique = ", ".join(f"k{i}" for i in range(len(entity.key)))
    return (f"CREATE TABLE IF NOT EXISTS {table_name(entity)} "
            f"(id INTEGER PRIMARY KEY, {keys}, data TEXT NOT NULL, UNIQUE ({unique}))")


class Store:
    """Stored records of every entity in one SQLite file. Safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._sql = {name: self._statements(e) for name, e in ENTITIES.items()}
        conn = self._conn()
        with conn:
            for entity in ENTITIES.values():
                conn.execute(_schema(entity))

    @staticmethod
    def _statements(entity: Entity) -> dict[str, str]:
        table = table_name(entity)
        n = len(entity.key)
        marks = ", ".join("?" * n)
        where = " AND ".join(f"k{i} = ?" for i in range(n))
        cols = ", ".join(f"k{i}" for i in range(n))
        return {
            "insert": f"INSERT INTO {table} ({cols}, data) VALUES ({marks}, ?)",
            "select": f"SELECT data FROM {table} WHERE {where}",
            "update": f"UPDATE {table} SET data = ? WHERE {where}",
            "all": f"SELECT data FROM {table} ORDER BY id",
            "clear": f"DELETE FROM {table}",
        }

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def insert(self, entity: Entity, key: tuple[str, ...], record: dict[str, str]) -> None:
        try:
            self._conn().execute(self._sql[entity.name]["insert"], (*key, json.dumps(record)))
        except sqlite3.IntegrityError:
            raise RecordExists from None

    def get(self, entity: Entity, key: tuple[str, ...]) -> dict[str, str] | None:
        row = self._conn().execute(self._sql[entity.name]["select"], key).fetchone()
        return None if row is None else json.loads(row[0])

    def update(self, entity: Entity, key: tuple[str, ...], changes: dict[str, str],
               ) -> dict[str, str] | None:
        """Merge ``changes`` into the record with ``key``; None when there is no such record."""
        conn = self._conn()
        sql = self._sql[entity.name]
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(sql["select"], key).fetchone()
            if row is None:
                conn.execute("ROLLBACK")
                return None
            record = json.loads(row[0])
            record.update(changes)
            conn.execute(sql["update"], (json.dumps(record), *key))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return record

    def all(self, entity: Entity) -> list[dict[str, str]]:
        rows = self._conn().execute(self._sql[entity.name]["all"]).fetchall()
        return [json.loads(r[0]) for r in rows]

    def clear(self) -> None:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        for entity in ENTITIES.values():
            conn.execute(self._sql[entity.name]["clear"])
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            conn.close()
