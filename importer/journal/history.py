"""What the journal knows about records over time: the last known records a run is compared with,
each run's change classes, the history `importer revert` needs, and each key's history
(`key_history`, what `importer history` lists: every run that created or changed it, who sent and
approved it, old -> new per field, and the revert that undid it).

Its own connection to the journal's SQLite file and its own table (``run_changes``: the class and
the changed cells of every row of a run, one JSON document a run, so `importer report` and a
resumed run show the classes the run was planned with). Every query is one statement for a whole run, never one per row.
"""
from __future__ import annotations

import json
import operator
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from importer.checks.changes import Known, RowChange
from importer.entities import Entity
from importer.journal import compact
from importer.journal.trouble import journal_errors, trouble
from importer.model import Status

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_changes (
    run_id INTEGER PRIMARY KEY, rows TEXT NOT NULL
);
"""
_APPLIED = (Status.CREATED.value, Status.UPDATED.value)


class History:
    """Queries over one journal file (open it after `Journal`, which creates the file)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        with journal_errors(self.path):
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "History":
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        """Trouble with the file met inside the ``with`` block is one sentence naming it."""
        self.close()
        if isinstance(exc, (sqlite3.Error, OSError)):
            raise trouble(self.path, exc) from None

    # --- last known records -----------------------------------------------------------------
    def known(self, scope: tuple[str, str], entity: Entity, fields: Iterable[str]) -> list[Known]:
        """The last known record of every key of the entity on (server URL, data source), with
        only ``fields`` (and the key) taken out of it.

        Read from each record's compact copy (importer/journal/compact.py, '' for a field the
        record lacks); a record without one (an old journal's, another layout's) from its JSON
        (None for a field it lacks)."""
        all_names = entity.field_names
        wanted = set(entity.key) | set(fields)
        names = [n for n in all_names if n in wanted]
        pick = operator.itemgetter(*(all_names.index(n) + 1 for n in names))
        if len(names) == 1:
            single = pick
            pick = lambda parts: (single(parts),)  # noqa: E731
        paths = ", ".join(f"'$.{n}'" for n in names)  # one parse of each record, not one a field
        # A journal no Journal has opened since the copies came has no such column (yet).
        copies = "fields" if any(r[1] == "fields" for r in self._db.execute(
            "PRAGMA table_info(known_keys)")) else "NULL"
        rows = self._db.execute(
            f"SELECT run_id, substr(updated_at, 1, 10), {copies}, CASE WHEN "
            f"substr({copies}, 1, 9) = ? THEN NULL ELSE json_extract(record, {paths}) END "
            "FROM known_keys WHERE server_url=? AND data_source=? AND entity=?",
            (compact.layout_tag(entity) + compact.SEPARATOR, *scope, entity.name)).fetchall()
        out = []
        append, sep, size, loads = out.append, compact.SEPARATOR, len(all_names) + 1, json.loads
        for run_id, date, text, extracted in rows:
            if extracted is None:
                parts = text.split(sep)
                if len(parts) == size:
                    append(Known(dict(zip(names, pick(parts))), run_id, date))
                    continue
                extracted = self._extract(scope, entity, text, paths)
            values = loads(extracted) if len(names) > 1 else [extracted]
            append(Known(dict(zip(names, values)), run_id, date))  # None: absent
        return out

    def _extract(self, scope: tuple[str, str], entity: Entity, text: str, paths: str) -> str:
        """The fields of the JSON record whose compact copy is ``text`` (one not of its layout)."""
        return self._db.execute(
            f"SELECT json_extract(record, {paths}) FROM known_keys WHERE server_url=? AND "
            "data_source=? AND entity=? AND fields=?", (*scope, entity.name, text)).fetchone()[0]

    # --- change classes of a run ------------------------------------------------------------
    def save_changes(self, run_id: int, changes: dict[int, RowChange]) -> None:
        """One JSON document: rows with changed cells one by one, the others (NEW, UNCHANGED:
        most of a month) grouped by class and compared record, as a list of row numbers."""
        groups: dict[tuple, list[int]] = {}
        cells = []
        for row, c in changes.items():
            if c.cells:
                cells.append([row, *c.to_list()])
            else:
                known = c.known
                groups.setdefault((c.change.value, known.run_id if known else None,
                                   known.date if known else "", c.supersedes), []).append(row)
        doc = {"groups": [[*k, rows] for k, rows in groups.items()], "cells": cells}
        self._db.execute("INSERT OR REPLACE INTO run_changes VALUES (?, ?)",
                         (run_id, json.dumps(doc, separators=(",", ":"))))

    def load_changes(self, run_id: int) -> dict[int, RowChange] | None:
        """The classes stored for the run, or None when the run was not classified."""
        found = self._db.execute("SELECT rows FROM run_changes WHERE run_id=?",
                                 (run_id,)).fetchone()
        if found is None:
            return None
        doc = json.loads(found[0])
        if isinstance(doc, list):  # journals before the grouped form: one list a row
            return {r[0]: RowChange.from_list(r[1:]) for r in doc}
        out = {r[0]: RowChange.from_list(r[1:]) for r in doc["cells"]}
        for change, known_run, date, supersedes, rows in doc["groups"]:
            shared = RowChange.from_list([change, known_run, date, supersedes, []])
            for row in rows:
                out[row] = RowChange(shared.change, (), shared.known, supersedes)
        return dict(sorted(out.items()))

    # --- what revert needs ------------------------------------------------------------------
    def applied(self, scope: tuple[str, str], entity: Entity, keys: Iterable[tuple[str, ...]],
                *, before: int | None = None, after: int | None = None,
                exclude_sha: str = "") -> list[tuple[int, str, tuple[str, ...], dict]]:
        """Applied outcomes (run id, date, key, record) of real runs of the entity on the scope,
        for the given keys, in run order: of runs before ``before`` or after ``after``."""
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (k TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)",
                             ((json.dumps(list(k), separators=(",", ":")),) for k in keys))
        key_sql = "json_array(" + ", ".join(f"json_extract(o.record, '$.{k}')"
                                            for k in entity.key) + ")"
        run_filter = "o.run_id < ?" if before is not None else "o.run_id > ?"
        rows = self._db.execute(
            f"SELECT o.run_id, substr(o.updated_at, 1, 10), {key_sql}, o.record "
            "FROM outcomes o JOIN runs r ON r.run_id = o.run_id "
            "WHERE r.server_url=? AND r.data_source=? AND r.entity=? AND r.dry_run=0 "
            f"AND r.input_sha256 != ? AND {run_filter} AND o.status IN (?, ?) "
            f"AND o.record IS NOT NULL AND {key_sql} IN (SELECT k FROM wanted) "
            "ORDER BY o.run_id, o.excel_row",
            (*scope, entity.name, exclude_sha, before if before is not None else after,
             *_APPLIED)).fetchall()
        self._db.execute("DELETE FROM wanted")
        return [(r[0], r[1], tuple(json.loads(r[2])), json.loads(r[3])) for r in rows]


def classify(path: Path | str, scope: tuple[str, str], table) -> dict[int, RowChange]:
    """Every row's class against the last known records of the journal at ``path``."""
    from importer.checks.changes import classify_table
    from importer.reading import gc_paused

    with History(path) as history, gc_paused():
        return classify_table(table, history.known(scope, table.entity, table.fields))


def run_changes(path: Path | str, scope: tuple[str, str], table, run_id: int,
                resumed: bool) -> dict[int, RowChange]:
    """The classes of a run's rows: those stored when a resumed run was planned, else computed
    against the last known records now and stored under ``run_id``."""
    from importer.checks.changes import classify_table
    from importer.reading import gc_paused

    with History(path) as history, gc_paused():  # many small objects, no cycles
        stored = history.load_changes(run_id) if resumed else None
        if stored is not None:
            return stored
        changes = classify_table(table, history.known(scope, table.entity, table.fields))
        history.save_changes(run_id, changes)
        return changes


def check_against_journal(report, path: Path | str | None, scope: tuple[str, str] | None,
                          rules) -> tuple:
    """(the report with the price-jump guard's issues, the rows' classes) for `validate`; the
    report unchanged and None when there is no journal file or no server to compare with."""
    from importer.checks.changes import guarded, price_jumps

    if path is None or not Path(path).is_file() or not scope or not all(scope):
        return report, None
    changes = classify(path, scope, report.table)
    jumps = price_jumps(report.table, changes, rules.max_price_change)
    return guarded(report, jumps, rules.strict), changes


# --- the history of one key ---------------------------------------------------------------
_REVERT_INPUT = re.compile(r"\.revert-(\d+)\.csv$")


@dataclass
class KeyEvent:
    """One run that created or changed a record: what `importer history` lists."""

    run_id: int
    at: str  # ISO 8601, when the ERP's answer was journaled
    status: str  # CREATED or UPDATED
    entity: str
    key: tuple[str, ...]
    server_url: str
    data_source: str
    input_name: str
    erp_user: str
    accounts: list[str]  # the OS accounts that ran the run's sessions
    approved_by: list[str]  # who accepted the content's decisions or approved its plan
    fields: list[tuple[str, str, str]]  # (field, old, new); old '' when not known
    revert_of: int | None = None  # this run put back the values from before that run
    reverted_by: int | None = None  # a later revert run put this change back

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "at": self.at, "status": self.status,
                "entity": self.entity, "key": list(self.key), "server_url": self.server_url,
                "data_source": self.data_source, "input": self.input_name,
                "erp_user": self.erp_user, "os_accounts": self.accounts,
                "approved_by": self.approved_by,
                "changes": [{"field": f, "old": o, "new": n} for f, o, n in self.fields],
                "revert_of": self.revert_of, "reverted_by": self.reverted_by}


def key_history(journal, part_id: str, price_code: str | None = None,
                customer: str | None = None) -> list[KeyEvent]:
    """Every real run that created or changed a record of PART_ID ``part_id`` (narrowed by
    PRICE_CODE and CUSTOMER_ID), oldest first, on every server and data source of the
    ``journal`` (an open Journal), with who sent and approved it and which revert undid it."""
    from importer.entities import ENTITIES
    from importer.journal.approvals import APPROVED, Approvals, Target

    rows = journal.query(
        "SELECT o.run_id, o.excel_row, o.status, o.updated_at, r.\"values\", u.entity, "
        "u.server_url, u.data_source, u.user, u.input_path, u.sheet, u.input_sha256 "
        "FROM outcomes o JOIN runs u ON u.run_id = o.run_id "
        "JOIN rows r ON r.run_id = o.run_id AND r.excel_row = o.excel_row "
        "WHERE u.dry_run = 0 AND o.status IN (?, ?) "
        "AND json_extract(r.\"values\", '$.PART_ID') = ? ORDER BY o.run_id, o.updated_at",
        (*_APPLIED, part_id))
    approvals, out = Approvals(journal), []
    with History(journal.path) as history:
        changes: dict[int, dict] = {}
        for (run_id, excel_row, status, at, values, entity_name, server, source, user, path,
             sheet, sha) in rows:
            values = json.loads(values)
            if price_code is not None and values.get("PRICE_CODE") != price_code:
                continue
            if customer is not None and values.get("CUSTOMER_ID") != customer:
                continue
            entity = ENTITIES[entity_name]
            if run_id not in changes:
                changes[run_id] = history.load_changes(run_id) or {}
            target = Target(server, source, entity_name, sheet, sha)
            revert = _REVERT_INPUT.search(path)
            fields = _fields(entity, values, changes[run_id].get(excel_row))
            if not fields:  # sent again unchanged: nothing changed
                continue
            out.append(KeyEvent(
                run_id, at, status, entity_name, entity.key_of(values),
                server, source, Path(path).name, user, approvals.accounts_of_run(run_id),
                list(dict.fromkeys(e.account for e in approvals.events(target, APPROVED))),
                fields, int(revert.group(1)) if revert else None))
    for event in out:
        if event.revert_of is not None:
            undone = [e for e in out if e.run_id == event.revert_of and e.key == event.key
                      and (e.server_url, e.data_source) == (event.server_url, event.data_source)]
            for e in undone:
                e.reverted_by = e.reverted_by or event.run_id
    return out


def _fields(entity: Entity, values: dict[str, str], change) -> list[tuple[str, str, str]]:
    """(field, old, new) of what the row changed: its changed cells, or for a new record every
    value it gave (old '')."""
    if change is not None and change.cells:
        return [(c.field, c.old, c.new) for c in change.cells]
    if change is not None and change.change.value == "UNCHANGED":
        return []
    return [(name, "", value) for name, value in values.items() if name not in entity.key]
