"""The run lease: one process at a time imports a given input into a given server.

Two processes sending the same rows at once (a scheduled job overlapping a manual run, a
double-click) would send almost every row twice and leave a journal that contradicts the ERP. So
before a run is found, resumed or created, the process claims a lease in the journal's ``leases``
table, in one ``BEGIN IMMEDIATE`` transaction: of two processes racing, exactly one gets it.

What counts as the same run (a `Scope`): the same server (URL or sandbox name), data source,
entity and sheet, and the same input, by content (SHA-256) or by path (an edited file started
again while the first import of it still sends). Another file, entity, sheet or server is another
scope: such imports proceed at once in the same journal.

The holder records its `Owner` (host, pid, process start token), when it took the lease, and a
heartbeat its thread refreshes every HEARTBEAT_EVERY seconds. A claim meeting a lease refuses
with `RunBusy` (exit 2) while the holder lives; the lease of a holder that is gone is taken over,
with a warning saying so: on this host, a pid no longer running (or now another program, by its
start token) is gone at once; any holder whose heartbeat is older than STALE_AFTER is gone too (a
crashed process on another host sharing the journal, a hung one). A process whose lease was taken
over writes nothing more: the journal's ``fence`` checks the lease in every write transaction
(so before any row is marked in flight, and thus before it is sent) and raises `LeaseLost`.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from importer.errors import ImporterError
from importer.journal.owner import Owner
from importer.journal.store import Journal

log = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds between the holder's heartbeats
STALE_AFTER = 30.0  # a heartbeat older than this means the holder is gone, wherever it runs
RESUME_ADVICE = ("wait for it to finish, or stop it (Ctrl-C) and run this again to resume")


class RunBusy(ImporterError):
    """Another living process is importing the same run."""


class LeaseLost(ImporterError):
    """This process's lease was taken over: it must not write to the run any more."""


@dataclass(frozen=True)
class Scope:
    """What makes two imports the same run (see the module docstring)."""

    server_url: str
    data_source: str
    entity: str
    sheet: str
    input_sha256: str
    input_path: str  # resolved, absolute

    @classmethod
    def of(cls, server_url: str, data_source: str, entity: str, sheet: str, sha256: str,
           path: Path | str) -> "Scope":
        return cls(server_url, data_source, entity, sheet, sha256, str(Path(path).resolve()))


@dataclass(frozen=True)
class Holder:
    """A lease as the journal holds it."""

    lease_id: int
    run_id: int | None
    input_path: str
    owner: Owner
    since: float  # epoch seconds
    heartbeat: float  # epoch seconds

    def gone(self, now: float, stale_after: float = STALE_AFTER) -> str | None:
        """Why this holder no longer works on its run, or None while it does."""
        if now - self.heartbeat > stale_after:
            return f"its last heartbeat was {now - self.heartbeat:.0f} s ago"
        return self.owner.gone() if self.owner.on_this_host() else None

    def run_name(self) -> str:
        name = Path(self.input_path).name
        return f"run {self.run_id} of {name}" if self.run_id is not None else name

    def who(self) -> str:
        if self.owner == Owner.me():
            return "this process"
        return f"process {self.owner.pid} {self.owner.where()}"

    def busy_sentence(self, now: float) -> str:
        beat = "" if self.owner.on_this_host() else \
            f" (last heartbeat {max(now - self.heartbeat, 0):.0f} s ago)"
        return (f"{self.run_name()} is being imported by {self.who()} since "
                f"{clock(self.since)}{beat}; {RESUME_ADVICE}")


_HOLDER_COLS = "lease_id, run_id, input_path, host, pid, proc_start, since, heartbeat"
_SAME_SCOPE = ("server_url=? AND data_source=? AND entity=? AND sheet=? "
               "AND (input_sha256=? OR input_path=?)")


def _holder(r: tuple) -> Holder:
    return Holder(r[0], r[1], r[2], Owner(r[3], r[4], r[5]), r[6], r[7])


def clock(epoch: float, seconds: bool = False) -> str:
    """08:22 (08:22:05 with seconds) today, else 2026-11-30 08:22 (local time)."""
    when = datetime.fromtimestamp(epoch)
    time_format = "%H:%M:%S" if seconds else "%H:%M"
    return when.strftime(time_format if when.date() == datetime.now().date()
                         else f"%Y-%m-%d {time_format}")


class RunLease:
    """This process's claim on one scope of a journal; a context manager that releases it."""

    def __init__(self, journal: Journal, scope: Scope, lease_id: int, took_over: str,
                 every: float) -> None:
        self.journal, self.scope, self.lease_id = journal, scope, lease_id
        self.took_over = took_over  # the sentence logged when a gone holder's lease was taken
        self.run_id: int | None = None
        self.lost = False  # True once this process learnt that its lease was taken over
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat_loop, args=(every,), daemon=True,
                                        name="importer-lease-heartbeat")
        journal.fence = self._fence
        self._thread.start()

    @classmethod
    def claim(cls, journal: Journal, scope: Scope, *, stale_after: float = STALE_AFTER,
              every: float = HEARTBEAT_EVERY) -> "RunLease":
        """Take the scope's lease, or raise RunBusy naming the living holder."""
        me, now, notes = Owner.me(), time.time(), []
        with journal.transaction(fenced=False) as db:
            for holder in map(_holder, db.execute(
                    f"SELECT {_HOLDER_COLS} FROM leases WHERE {_SAME_SCOPE}",
                    _scope_args(scope)).fetchall()):
                why = holder.gone(now, stale_after)
                if why is None:
                    raise RunBusy(holder.busy_sentence(now))
                db.execute("DELETE FROM leases WHERE lease_id=?", (holder.lease_id,))
                notes.append(f"Took over {holder.run_name()} from {holder.who()} (importing "
                             f"it since {clock(holder.since)}): {why}. Resuming it.")
            lease_id = db.execute(
                "INSERT INTO leases (server_url, data_source, entity, sheet, input_sha256, "
                "input_path, host, pid, proc_start, since, heartbeat) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (scope.server_url, scope.data_source, scope.entity, scope.sheet,
                 scope.input_sha256, scope.input_path, me.host, me.pid, me.started, now,
                 now)).lastrowid
        for note in notes:
            log.warning("%s", note)
        return cls(journal, scope, lease_id, " ".join(notes), every)

    def attach(self, run_id: int) -> None:
        """Name the run this lease covers, once it is found or created."""
        self.run_id = run_id
        with self.journal.transaction() as db:
            db.execute("UPDATE leases SET run_id=? WHERE lease_id=?", (run_id, self.lease_id))

    def release(self) -> None:
        """Stop the heartbeat and give the lease back (nothing to give back once lost)."""
        self._stop.set()
        self._thread.join()
        self.journal.fence = None
        try:
            with self.journal.transaction(fenced=False) as db:
                db.execute("DELETE FROM leases WHERE lease_id=?", (self.lease_id,))
        except ImporterError as exc:  # busy: the next claim sees this pid gone and takes over
            log.warning("Could not give the run's lease back: %s", exc)

    def __enter__(self) -> "RunLease":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def _beat_loop(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                with self.journal.transaction(fenced=False) as db:
                    mine = db.execute("UPDATE leases SET heartbeat=? WHERE lease_id=?",
                                      (time.time(), self.lease_id)).rowcount
            except ImporterError as exc:  # the journal stayed busy: try again next beat
                log.warning("Could not refresh the run's heartbeat: %s", exc)
                continue
            if not mine:
                self.lost = True
                return

    def _fence(self, db: sqlite3.Connection) -> None:
        if db.execute("SELECT 1 FROM leases WHERE lease_id=?", (self.lease_id,)).fetchone():
            return
        self.lost = True
        holders = [_holder(r) for r in db.execute(
            f"SELECT {_HOLDER_COLS} FROM leases WHERE {_SAME_SCOPE}", _scope_args(self.scope))]
        by = (f"by {holders[0].who()} since {clock(holders[0].since)}" if holders
              else "by another process")
        raise LeaseLost(
            f"run {self.run_id} of {Path(self.scope.input_path).name} was taken over {by}: this "
            f"process had not refreshed its heartbeat for over {STALE_AFTER:.0f} s (the computer "
            f"slept, or the journal's drive was unreachable), so it stopped sending; let the "
            f"other one finish, then run this again if rows are left.")


def _scope_args(scope: Scope) -> tuple:
    return (scope.server_url, scope.data_source, scope.entity, scope.sheet, scope.input_sha256,
            scope.input_path)


def in_progress(journal: Journal, now: float | None = None) -> dict[int, Holder]:
    """The runs a living process works on right now, by run id (for `importer runs`)."""
    now = time.time() if now is None else now
    rows = journal.query(f"SELECT {_HOLDER_COLS} FROM leases WHERE run_id IS NOT NULL")
    return {h.run_id: h for h in map(_holder, rows) if h.gone(now) is None}


def ensure_idle(journal: Journal, run_id: int) -> None:
    """Raise RunBusy when a living process imports this run (for commands that change its rows
    without importing it, e.g. a revert)."""
    holder = in_progress(journal).get(run_id)
    if holder is not None:
        raise RunBusy(holder.busy_sentence(time.time()))
