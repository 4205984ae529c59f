"""The journal: a SQLite file remembering every run, its input's layout and each row's outcome.

It is what makes a run resumable (a row already applied is never sent again), what the results
workbook is rendered from (`importer report`), and what `importer export` and upsert decisions read
(the last record the server returned for every key this tool created or updated).

Durability. The file is in WAL mode with ``synchronous=NORMAL`` and every outcome is committed in
its own short transaction before the worker that produced it takes another row. In WAL mode a
commit has written its pages into the WAL file with ``write()`` before it returns, so once a
commit returns, killing the process (Ctrl-C, ``kill -9``) cannot undo it: the data sits in the
operating system's cache and reaches the disk without us. Only a crash of the whole machine or a
power cut can lose the last few commits; ``FULL`` would guard against that too, but at the price of
an ``fsync`` per row held under the writer lock, which would serialize the workers. What a lost
commit could cost is covered separately: before a row's call is made the row is marked *in flight*
(also committed), and a re-run treats an in-flight row's create as possibly applied, so a
RECORD_EXISTS answer then updates the record instead of failing. The guarantee is therefore:
after ``kill -9`` a re-run never creates a record twice (the server refuses a duplicate key and
the tool then updates), never resends a row whose outcome was committed as applied, and ends with
the ERP holding every row's values. No password or token is ever written here: only the user name.

Concurrency. Several processes may write one journal at once (WAL, every write a short
``BEGIN IMMEDIATE`` transaction, a busy timeout instead of "database is locked"); which process
may work on which run is decided by the ``leases`` table, owned by importer/journal/lease.py.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import logging
import sqlite3
import threading
from dataclasses import asdict
from datetime import datetime
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterable, Iterator

from importer.entities import ENTITIES, Entity, get_entity
from importer.journal import compact
from importer.journal.jsontext import dumps, row_texts
from importer.journal.trouble import journal_errors, refuse_damaged
from importer.model import Action, Column, Issue, Row, RowOutcome, RunInfo, Session, Status, Table

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({Status.CREATED, Status.UPDATED, Status.INVALID, Status.SKIPPED})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL, mode TEXT NOT NULL, input_path TEXT NOT NULL,
    input_sha256 TEXT NOT NULL, sheet TEXT NOT NULL, server_url TEXT NOT NULL,
    data_source TEXT NOT NULL, user TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    dry_run INTEGER NOT NULL DEFAULT 0, calls INTEGER NOT NULL DEFAULT 0,
    counts TEXT NOT NULL DEFAULT '{}', layout TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_input
    ON runs (server_url, data_source, entity, input_sha256, sheet, dry_run);
CREATE TABLE IF NOT EXISTS rows (
    run_id INTEGER NOT NULL, excel_row INTEGER NOT NULL, cells TEXT NOT NULL,
    "values" TEXT NOT NULL, action TEXT,
    PRIMARY KEY (run_id, excel_row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outcomes (
    run_id INTEGER NOT NULL, excel_row INTEGER NOT NULL, status TEXT NOT NULL,
    action TEXT NOT NULL DEFAULT '', http_status INTEGER, message_code TEXT NOT NULL DEFAULT '',
    message TEXT NOT NULL DEFAULT '', record TEXT, issues TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0, uncertain INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (run_id, excel_row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS in_flight (
    run_id INTEGER NOT NULL, excel_row INTEGER NOT NULL, since TEXT NOT NULL,
    PRIMARY KEY (run_id, excel_row)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS known_keys (
    server_url TEXT NOT NULL, data_source TEXT NOT NULL, entity TEXT NOT NULL, key TEXT NOT NULL,
    record TEXT NOT NULL, updated_at TEXT NOT NULL, run_id INTEGER, fields TEXT,
    PRIMARY KEY (server_url, data_source, entity, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
    lease_id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER,
    server_url TEXT NOT NULL, data_source TEXT NOT NULL, entity TEXT NOT NULL,
    sheet TEXT NOT NULL, input_sha256 TEXT NOT NULL, input_path TEXT NOT NULL,
    host TEXT NOT NULL, pid INTEGER NOT NULL, proc_start TEXT NOT NULL,
    since REAL NOT NULL, heartbeat REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outputs (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, run_id INTEGER, kind TEXT NOT NULL,
    written_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
    run_id INTEGER NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    rows_sent INTEGER NOT NULL DEFAULT 0, calls INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, started_at)
) WITHOUT ROWID;
"""
RECORD_BATCH = 20_000  # outcomes per transaction of record_many
BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process's transaction to end


def _add_known_run_column(db: sqlite3.Connection) -> None:
    """known_keys.run_id: the run that returned the record (journals older than it lack it)."""
    columns = {r[1] for r in db.execute("PRAGMA table_info(known_keys)")}
    if "run_id" not in columns:
        try:
            db.execute("ALTER TABLE known_keys ADD COLUMN run_id INTEGER")
        except sqlite3.OperationalError as exc:  # another process added it at the same moment
            if "duplicate column" not in str(exc):
                raise


def _add_compact_fields(db: sqlite3.Connection) -> None:
    """known_keys.fields: the compact copy of each record (importer/journal/compact.py). A
    journal older than the column gets it here, its records copied in the same transaction (a
    second process opening it at the same moment waits, then finds the column)."""
    if "fields" in {r[1] for r in db.execute("PRAGMA table_info(known_keys)")}:
        return
    from importer.entities import ENTITIES

    db.execute("BEGIN IMMEDIATE")
    try:
        if "fields" not in {r[1] for r in db.execute("PRAGMA table_info(known_keys)")}:
            db.execute("ALTER TABLE known_keys ADD COLUMN fields TEXT")
            rows = db.execute("SELECT server_url, data_source, entity, key, record "
                              "FROM known_keys").fetchall()
            db.executemany("UPDATE known_keys SET fields=? WHERE server_url=? AND "
                           "data_source=? AND entity=? AND key=?",
                           compact.backfill(ENTITIES.get, rows))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def now_iso() -> str:
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class Journal:
    """One SQLite journal file. Thread-safe: one connection, one lock, short transactions."""

    def __init__(self, path: Path | str, busy_timeout: float = BUSY_TIMEOUT) -> None:
        """Open (creating when needed) the journal file; the default path is Settings.journal.
        A write waits up to ``busy_timeout`` seconds for another process's transaction."""
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        with journal_errors(self.path, busy_timeout):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Runs inside every write transaction; the run lease sets it to refuse writes once the
        # lease is lost (see importer/journal/lease.py).
        self.fence: Callable[[sqlite3.Connection], None] | None = None
        self.closed = False  # set by close(): a worker still running afterwards records nothing
        with self._busy_as_error():
            self._db = sqlite3.connect(self.path, check_same_thread=False,
                                       isolation_level=None, timeout=busy_timeout)
            refuse_damaged(self._db)  # before anything is written into it
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            _add_known_run_column(self._db)
            _add_compact_fields(self._db)

    # --- plumbing --------------------------------------------------------------------------
    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._db.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self, fenced: bool = True) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE ... COMMIT: other processes' writers wait (up to busy_timeout)
        and see all of it or none. ``fence`` runs first unless ``fenced`` is False."""
        with self._lock, self._busy_as_error():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if fenced and self.fence is not None:
                    self.fence(self._db)
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> None:
        """Run statements in one committed transaction."""
        with self.transaction() as db:
            for sql, params in statements:
                db.execute(sql, params)

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock, self._busy_as_error():
            return self._db.execute(sql, params).fetchall()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """A read outside any write transaction (in WAL mode it never waits for writers)."""
        return self._query(sql, params)

    def _busy_as_error(self) -> contextlib.AbstractContextManager:
        """Trouble with the file (locked past the busy timeout, disk full, read-only, damaged)
        becomes one sentence naming it (importer/journal/trouble.py), not a traceback."""
        return journal_errors(self.path, self.busy_timeout)

    # --- runs --------------------------------------------------------------------------------
    def find_run(self, server_url: str, data_source: str, entity: str, sha256: str,
                 sheet: str) -> RunInfo | None:
        """The latest real (not dry) run of this input against this server, to resume."""
        rows = self._query(
            f"SELECT {_RUN_COLS} FROM runs WHERE server_url=? AND data_source=? AND entity=? "
            "AND input_sha256=? AND sheet=? AND dry_run=0 ORDER BY run_id DESC LIMIT 1",
            (server_url, data_source, entity, sha256, sheet))
        return _run_info(rows[0]) if rows else None

    def start_run(self, info: RunInfo, table: Table) -> RunInfo:
        """Store a new run with its table's layout and rows; returns the info with its run_id."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO runs (entity, mode, input_path, input_sha256, sheet, server_url, "
                "data_source, user, started_at, dry_run, layout) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (info.entity, info.mode, info.input_path, info.input_sha256, info.sheet,
                 info.server_url, info.data_source, info.user, info.started_at,
                 int(info.dry_run), json.dumps(_layout(table))))
            run_id = cur.lastrowid
            db.executemany(
                'INSERT INTO rows (run_id, excel_row, cells, "values", action) '
                "VALUES (?,?,?,?,?)", zip(repeat(run_id), *row_texts(table)))
        info.run_id = run_id
        return info

    def resume_run(self, run_id: int, mode: str, user: str, input_path: str,
                   started_at: str) -> RunInfo:
        """Reopen an earlier run: this session's mode, user and path replace the old; the run
        keeps its first start time (each session is listed by `sessions`)."""
        self._write([(
            "UPDATE runs SET mode=?, user=?, input_path=?, finished_at=NULL WHERE run_id=?",
            (mode, user, input_path, run_id))])
        return self.run(run_id)

    def finish_run(self, run_id: int, finished_at: str, calls: int, counts: dict[str, int]) -> None:
        """End this session of the run: ``calls`` (this session's) add to the run's total."""
        self._write([("UPDATE runs SET finished_at=?, calls=calls+?, counts=? WHERE run_id=?",
                      (finished_at, calls, json.dumps(counts), run_id))])

    def run(self, run_id: int) -> RunInfo:
        rows = self._query(f"SELECT {_RUN_COLS} FROM runs WHERE run_id=?", (run_id,))
        if not rows:
            raise KeyError(run_id)
        return _run_info(rows[0])

    def runs(self, dry_runs: bool = True) -> list[RunInfo]:
        """Every run, newest first; ``dry_runs=False`` leaves out dry runs and previews (what
        people see as their runs: nothing was sent in them)."""
        where = "" if dry_runs else "WHERE NOT dry_run "
        return [_run_info(r) for r in
                self._query(f"SELECT {_RUN_COLS} FROM runs {where}ORDER BY run_id DESC")]

    def last_run_id(self, dry_runs: bool = True) -> int | None:
        """The newest run's id; ``dry_runs=False``: the newest run that was no dry run."""
        rows = self._query("SELECT MAX(run_id) FROM runs" + ("" if dry_runs else
                                                             " WHERE NOT dry_run"))
        return rows[0][0] if rows else None

    def load_table(self, run_id: int) -> Table:
        """The run's input as it was read: layout, title rows, every row's cells and values."""
        layout = json.loads(self._query("SELECT layout FROM runs WHERE run_id=?", (run_id,))[0][0])
        rows = [
            Row(excel_row=r[0], cells=json.loads(r[1]), values=json.loads(r[2]),
                action=Action(r[3]) if r[3] else None)
            for r in self._query('SELECT excel_row, cells, "values", action FROM rows '
                                 "WHERE run_id=? ORDER BY excel_row", (run_id,))
        ]
        return _table(layout, rows)

    # --- outcomes ----------------------------------------------------------------------------
    def mark_in_flight(self, run_id: int, excel_row: int) -> None:
        """Committed before a row's call is made: a crash after it leaves the row 'maybe sent'."""
        self._write([("INSERT OR REPLACE INTO in_flight VALUES (?,?,?)",
                      (run_id, excel_row, now_iso()))])

    def record(self, run_id: int, outcome: RowOutcome, *, uncertain: bool = False,
               known: tuple[str, str, str, tuple[str, ...]] | None = None) -> None:
        """Commit one row's outcome (and, when applied, the record under its key) at once.

        ``known`` is (server_url, data_source, entity, key) of the record the server returned.
        """
        stmts = [_outcome_stmt(run_id, outcome, uncertain),
                 ("DELETE FROM in_flight WHERE run_id=? AND excel_row=?",
                  (run_id, outcome.excel_row))]
        if known and outcome.record is not None:
            server_url, data_source, entity, key = known
            of = ENTITIES.get(entity)
            stmts.append(("INSERT OR REPLACE INTO known_keys (server_url, data_source, entity, "
                          "key, record, updated_at, run_id, fields) VALUES (?,?,?,?,?,?,?,?)",
                          (server_url, data_source, entity, json.dumps(list(key)),
                           json.dumps(outcome.record), now_iso(), run_id,
                           compact.encode(of, outcome.record) if of else None)))
        self._write(stmts)

    def record_many(self, run_id: int, outcomes: Iterable[RowOutcome]) -> None:
        """Commit many outcomes (rows decided without a call), a transaction per RECORD_BATCH
        of them: each batch's parameters are made before its transaction starts (other
        processes' writers wait only for the inserts), and a million rows' are never held at
        once."""
        stamp = now_iso()
        outcomes = iter(outcomes)
        while batch := [_outcome_stmt(run_id, o, False, stamp)[1]
                        for o in itertools.islice(outcomes, RECORD_BATCH)]:
            with self.transaction() as db:
                db.executemany(_OUTCOME_SQL, batch)

    def outcomes(self, run_id: int) -> dict[int, RowOutcome]:
        return {r[0]: _outcome(r) for r in self._query(
            f"SELECT {_OUTCOME_COLS} FROM outcomes WHERE run_id=? ORDER BY excel_row", (run_id,))}

    def maybe_sent(self, run_id: int) -> set[int]:
        """Rows whose create may have reached the server without its answer being journaled:
        in flight when a session died, or FAILED after an attempt of unknown outcome."""
        rows = self._query("SELECT excel_row FROM in_flight WHERE run_id=? UNION "
                           "SELECT excel_row FROM outcomes WHERE run_id=? AND uncertain=1",
                           (run_id, run_id))
        return {r[0] for r in rows}

    def in_flight(self, run_id: int) -> set[int]:
        """Rows whose call was being made when a session of the run died (no outcome since)."""
        return {r[0] for r in self._query("SELECT excel_row FROM in_flight WHERE run_id=?",
                                          (run_id,))}

    # --- known keys --------------------------------------------------------------------------
    def known_keys(self, server_url: str, data_source: str, entity: str) -> set[tuple[str, ...]]:
        """Keys in the entity's canonical spelling (numbers compared as numbers)."""
        canonical = ENTITIES[entity].canonical_key if entity in ENTITIES else tuple
        return {canonical(tuple(json.loads(r[0]))) for r in self._query(
            "SELECT key FROM known_keys WHERE server_url=? AND data_source=? AND entity=?",
            (server_url, data_source, entity))}

    def latest_records(self, server_url: str, data_source: str,
                       entity: str) -> list[dict[str, str]]:
        """The last record the server returned for each key this tool created or updated."""
        return [json.loads(r[0]) for r in self._query(
            "SELECT record FROM known_keys WHERE server_url=? AND data_source=? AND entity=? "
            "ORDER BY key", (server_url, data_source, entity))]


    # --- sessions: each invocation that worked on a run ------------------------------------
    def start_session(self, run_id: int, started_at: str) -> None:
        self._write([("INSERT OR REPLACE INTO sessions (run_id, started_at) VALUES (?,?)",
                      (run_id, started_at))])

    def finish_session(self, run_id: int, started_at: str, finished_at: str, rows_sent: int,
                       calls: int) -> None:
        self._write([("UPDATE sessions SET finished_at=?, rows_sent=?, calls=? "
                      "WHERE run_id=? AND started_at=?",
                      (finished_at, rows_sent, calls, run_id, started_at))])

    def sessions(self, run_id: int) -> list[Session]:
        """The run's sessions, oldest first."""
        return [Session(*r) for r in self._query(
            "SELECT started_at, finished_at, rows_sent, calls FROM sessions WHERE run_id=? "
            "ORDER BY started_at", (run_id,))]

    # --- outputs: every file the tool wrote, to never overwrite one the person changed ----
    def record_output(self, path: str, sha256: str, run_id: int | None, kind: str) -> None:
        self._write([("INSERT OR REPLACE INTO outputs VALUES (?,?,?,?,?)",
                      (path, sha256, run_id, kind, now_iso()))])

    def written(self, path: str) -> str | None:
        """The SHA-256 of what the tool last wrote at ``path`` (an absolute path), or None."""
        rows = self._query("SELECT sha256 FROM outputs WHERE path=?", (path,))
        return rows[0][0] if rows else None

    def outputs_of(self, run_id: int, kind: str) -> list[str]:
        return [r[0] for r in self._query(
            "SELECT path FROM outputs WHERE run_id=? AND kind=? ORDER BY path", (run_id, kind))]

    def forget_output(self, path: str) -> None:
        self._write([("DELETE FROM outputs WHERE path=?", (path,))])


# --- row <-> value conversions ----------------------------------------------------------------
_RUN_COLS = ("run_id, entity, mode, input_path, input_sha256, sheet, server_url, data_source, "
             "user, started_at, finished_at, dry_run, calls, counts")
_OUTCOME_COLS = ("excel_row, status, action, http_status, message_code, message, record, issues, "
                 "attempts")


def _run_info(r: tuple) -> RunInfo:
    return RunInfo(run_id=r[0], entity=r[1], mode=r[2], input_path=r[3], input_sha256=r[4],
                   sheet=r[5], server_url=r[6], data_source=r[7], user=r[8], started_at=r[9],
                   finished_at=r[10], dry_run=bool(r[11]), calls=r[12], counts=json.loads(r[13]))


_OUTCOME_SQL = "INSERT OR REPLACE INTO outcomes VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"


def _outcome_stmt(run_id: int, o: RowOutcome, uncertain: bool,
                  stamp: str | None = None) -> tuple[str, tuple]:
    return (_OUTCOME_SQL,
            (run_id, o.excel_row, o.status.value, o.action, o.http_status, o.message_code,
             o.message, dumps(o.record) if o.record is not None else None,
             dumps([i.to_dict() for i in o.issues]) if o.issues else "[]", o.attempts,
             int(uncertain),
             stamp or now_iso()))


def _outcome(r: tuple) -> RowOutcome:
    return RowOutcome(excel_row=r[0], status=Status(r[1]), action=r[2], http_status=r[3],
                      message_code=r[4], message=r[5],
                      record=json.loads(r[6]) if r[6] is not None else None,
                      issues=[Issue.from_dict(d) for d in json.loads(r[7])], attempts=r[8])


def _layout(table: Table) -> dict:
    return {
        "path": str(table.path), "sha256": table.sha256, "file_format": table.file_format,
        "sheet": table.sheet, "entity": table.entity.name, "header_row": table.header_row,
        "columns": [asdict(c) for c in table.columns], "title_rows": table.title_rows,
        "issues": [i.to_dict() for i in table.issues],
    }


def _table(layout: dict, rows: list[Row]) -> Table:
    entity: Entity = get_entity(layout["entity"])
    return Table(path=Path(layout["path"]), sha256=layout["sha256"],
                 file_format=layout["file_format"], sheet=layout["sheet"], entity=entity,
                 header_row=layout["header_row"], columns=[Column(**c) for c in layout["columns"]],
                 rows=rows, title_rows=layout["title_rows"],
                 issues=[Issue.from_dict(d) for d in layout["issues"]])

