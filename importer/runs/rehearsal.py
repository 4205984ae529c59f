"""`import --sandbox`: the built-in sandbox as a rehearsal server that remembers between runs.

Its database lives in the user's data directory, one per data source
(``~/.local/share/importer/sandbox/DEMO.sqlite3`` on Linux), or in ``--sandbox-db``; it serves
the admin's master data (``--parts`` / ``--customers``, or ``[masterdata]``) or the demo data.
The journal names the server by its database file and a random identity kept beside it
(``DB.id``), so a second month's rehearsal knows last month's records (and updates them), while
``--sandbox-fresh`` empties the database and gives it a new identity: nothing the journal learned
from the old one applies to the new one.
"""
from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

import platformdirs

from importer.errors import BadOptions
from importer.humane import describe_server  # noqa: F401 (the name it had here)
from importer.settings import APP_NAME


def rehearsal_db(data_source: str, db: Path | str | None = None) -> Path:
    """The sandbox database of a rehearsal: ``db`` when given, else the user's one for the data
    source."""
    if db:
        return Path(db)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in data_source) or "DEMO"
    return Path(platformdirs.user_data_dir(APP_NAME)) / "sandbox" / f"{safe}.sqlite3"


def server_name(db: Path, fresh: bool = False) -> str:
    """What the journal calls the sandbox kept in ``db``; ``fresh`` empties it first."""
    db.parent.mkdir(parents=True, exist_ok=True)
    identity = db.with_name(db.name + ".id")
    if fresh:
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    try:
        if fresh or not db.exists() or not identity.is_file():
            identity.write_text(uuid.uuid4().hex + "\n", encoding="utf-8")
        return f"sandbox:{db.resolve()}#{identity.read_text(encoding='utf-8').strip()}"
    except OSError as exc:
        raise BadOptions(f"Cannot keep the sandbox database in {db.parent} ({exc.strerror}); "
                         "give another path with --sandbox-db.") from None


def peek_server_name(db: Path) -> str:
    """What the journal calls the sandbox kept in ``db``, creating nothing (when it was never
    started, a name no run has: the journal knows nothing of it)."""
    identity = db.with_name(db.name + ".id")
    try:
        if db.exists() and identity.is_file():
            return f"sandbox:{db.resolve()}#{identity.read_text(encoding='utf-8').strip()}"
    except OSError:
        pass
    return f"sandbox:{db.resolve()}#new"


@contextlib.contextmanager
def rehearsal(data_source: str, db: Path | str | None = None, *, fresh: bool = False,
              parts: Path | str | None = None, customers: Path | str | None = None):
    """Start the sandbox for a rehearsal; yields (sandbox, the journal's name for it)."""
    from importer.sandbox.server import SandboxConfig, start_sandbox

    path = rehearsal_db(data_source, db)
    name = server_name(path, fresh)
    config = SandboxConfig(db_path=path, parts_file=parts, customers_file=customers,
                           data_sources=(data_source,))
    with start_sandbox(config) as sb:
        yield sb, name


@contextlib.contextmanager
def rehearsal_of(server: str, data_source: str, *, parts: Path | str | None = None,
                 customers: Path | str | None = None):
    """Start again the sandbox the journal calls ``server`` (``sandbox:PATH#ID``, or the page's
    ``sandbox:PATH``), to revert a rehearsal run; yields the sandbox. Raises BadOptions when its
    database is gone or was started fresh since (the records the run wrote are not in it)."""
    from importer.sandbox.server import SandboxConfig, start_sandbox

    path_text, _, identity = server[len("sandbox:"):].partition("#")
    db = Path(path_text)
    if not db.is_file():
        raise BadOptions(f"The sandbox database {db} of that run is gone: there is nothing to "
                         "revert in it.")
    if identity:
        kept = db.with_name(db.name + ".id")
        try:
            now = kept.read_text(encoding="utf-8").strip()
        except OSError:
            now = ""
        if now != identity:
            raise BadOptions(f"The sandbox in {db} was started fresh (--sandbox-fresh) after "
                             "that run: the records it wrote are no longer there to revert.")
    config = SandboxConfig(db_path=db, parts_file=parts, customers_file=customers,
                           data_sources=(data_source,))
    with start_sandbox(config) as sb:
        yield sb
