"""Who prepared, approved and sent what: the journal's record of decisions and four eyes.

One table (``approvals``) in the journal's SQLite file, one line per event, each about one
*target*: a sheet's content (its SHA-256) for a server, data source and record type.

- ``approved``: someone accepted the decisions of that content (which rows, which kinds) and
  approved its plan (a digest of what each row would change, against the records known then);
- ``prepared``: someone asked to send it (an import refused for want of approval, or a dry run)
  while approval is required;
- ``sent``: the OS account that ran a session of a real run (with its run id).

The account is always the operating system's (`os_account`: ``getpass.getuser()``), never a name
given on the command line or in a file. Nothing here sends anything or decides a row's fate:
importer.checks.decisions decides which rows are held; the runner asks what was accepted.
"""
from __future__ import annotations

import getpass
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from importer.errors import NotApproved
from importer.humane import local_time
from importer.journal.store import Journal, now_iso

_SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    approval_id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT NOT NULL,
    server_url TEXT NOT NULL, data_source TEXT NOT NULL, entity TEXT NOT NULL,
    sheet TEXT NOT NULL, input_sha256 TEXT NOT NULL, input_path TEXT NOT NULL DEFAULT '',
    plan TEXT NOT NULL DEFAULT '', rows TEXT NOT NULL DEFAULT '{}', run_id INTEGER,
    account TEXT NOT NULL, at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_by_target
    ON approvals (server_url, data_source, entity, sheet, input_sha256);
"""
APPROVED, PREPARED, SENT = "approved", "prepared", "sent"


def os_account() -> str:
    """The operating system's name for the person running this process."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no USER/LOGNAME and no passwd entry
        return "unknown"


@dataclass(frozen=True)
class Target:
    """What an approval is about: one sheet's content, imported into one server and source."""

    server_url: str
    data_source: str
    entity: str
    sheet: str
    sha256: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.server_url, self.data_source, self.entity, self.sheet, self.sha256)


@dataclass(frozen=True)
class Event:
    what: str
    account: str
    at: str  # ISO 8601
    plan: str = ""
    rows: dict[int, frozenset[str]] | None = None
    run_id: int | None = None
    sha256: str = ""
    input_path: str = ""

    @property
    def when(self) -> str:
        return local_time(self.at, seconds=False)


def plan_digest(changes: dict | None) -> str:
    """A digest of what each row would change, against which known values: equal digests mean
    the records a file was planned against are still the same."""
    items = []
    for row, change in sorted((changes or {}).items()):
        items.append([row, change.change.value,
                      sorted([c.field, c.old] for c in change.cells)])
    return hashlib.sha256(json.dumps(items, separators=(",", ":")).encode()).hexdigest()


class Approvals:
    """The approvals table of one open journal."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        with journal.transaction(fenced=False) as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    # --- writing -----------------------------------------------------------------------------
    def add(self, what: str, target: Target, account: str, *, input_path: str = "",
            plan: str = "", rows: dict[int, frozenset[str]] | None = None,
            run_id: int | None = None) -> None:
        payload = json.dumps({str(r): sorted(k) for r, k in (rows or {}).items()})
        with self.journal.transaction(fenced=False) as db:
            db.execute(
                "INSERT INTO approvals (what, server_url, data_source, entity, sheet, "
                "input_sha256, input_path, plan, rows, run_id, account, at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (what, *target.key, input_path, plan, payload, run_id, account, now_iso()))

    def sent(self, run_id: int, target: Target, account: str) -> None:
        """A session of run ``run_id`` was run by ``account`` (once per account and run)."""
        if account not in self.accounts_of_run(run_id):
            self.add(SENT, target, account, run_id=run_id)

    # --- reading -----------------------------------------------------------------------------
    def events(self, target: Target, what: str | None = None) -> list[Event]:
        sql = (f"SELECT {_COLS} FROM approvals WHERE server_url=? AND data_source=? AND "
               "entity=? AND sheet=? AND input_sha256=?")
        params: tuple = target.key
        if what:
            sql, params = sql + " AND what=?", (*params, what)
        return [_event(r) for r in self.journal.query(sql + " ORDER BY approval_id", params)]

    def accepted(self, target: Target) -> dict[int, frozenset[str]]:
        """Excel row -> the decision kinds accepted for it, over every approval of the target."""
        out: dict[int, frozenset[str]] = {}
        for event in self.events(target, APPROVED):
            for row, kinds in (event.rows or {}).items():
                out[row] = out.get(row, frozenset()) | kinds
        return out

    def accounts_of_run(self, run_id: int) -> list[str]:
        return [r[0] for r in self.journal.query(
            "SELECT account FROM approvals WHERE what=? AND run_id=? ORDER BY approval_id",
            (SENT, run_id))]

    def other_content(self, target: Target, input_path: str) -> list[Event]:
        """Approvals of the same file (path), sheet and server for another content."""
        return [_event(r) for r in self.journal.query(
            f"SELECT {_COLS} FROM approvals WHERE what=? AND server_url=? AND data_source=? "
            "AND entity=? AND sheet=? AND input_path=? AND input_sha256 != ? "
            "ORDER BY approval_id", (APPROVED, target.server_url, target.data_source,
                                     target.entity, target.sheet, input_path, target.sha256))]

    def roles(self, target: Target, run_id: int | None = None) -> dict[str, list[str]]:
        """{'prepared': [...], 'approved': [...], 'sent': [...]}: accounts, each once, in order."""
        out: dict[str, list[str]] = {PREPARED: [], APPROVED: [], SENT: []}
        for event in self.events(target):
            if event.what != SENT and event.account not in out[event.what]:
                out[event.what].append(event.account)
        if run_id is not None:
            out[SENT] = self.accounts_of_run(run_id)
        return out

    # --- four eyes ---------------------------------------------------------------------------
    def check_four_eyes(self, target: Target, plans: set[str], me: str, input_path: str,
                        name: str) -> Event:
        """The approval that lets ``me`` send the target, or NotApproved (one sentence).
        ``plans``: the digests the approval may carry (a resumed run: the one it was planned
        with, and the one against the records now)."""
        approvals = self.events(target, APPROVED)
        others = [a for a in approvals if a.account != me]
        valid = [a for a in others if a.plan in plans]
        if valid:
            return valid[-1]
        tail = "; nothing was sent."
        if others:
            last = others[-1]
            raise NotApproved(
                f"The records {name} was planned against changed since {last.account} "
                f"approved it on {last.when} (another run changed them), so it must be "
                f"approved again{tail}")
        if approvals:
            raise NotApproved(
                f"{name} was approved only by you ({me}); approval must come from someone "
                f"else ([approval] required){tail}")
        earlier = [a for a in self.other_content(target, input_path) if a.account != me]
        if earlier:
            raise NotApproved(
                f"{name} changed since {earlier[-1].account} approved it on {earlier[-1].when}; "
                f"the changed file must be approved again{tail}")
        raise NotApproved(
            f"{name} needs another person's approval before it is sent ([approval] required): "
            f"ask a colleague to approve this same file (importer approve){tail}")


_COLS = "what, account, at, plan, rows, run_id, input_sha256, input_path"


def _event(r: tuple) -> Event:
    rows = {int(k): frozenset(v) for k, v in json.loads(r[4] or "{}").items()}
    return Event(r[0], r[1], r[2], r[3], rows, r[5], r[6], r[7])


def target_of(table, server_url: str, data_source: str) -> Target:
    return Target(server_url, data_source, table.entity.name, table.sheet, table.sha256)


def input_name(table) -> str:
    return Path(table.path).name


__all__ = ["APPROVED", "PREPARED", "SENT", "Approvals", "Event", "Target", "os_account",
           "plan_digest", "target_of"]
