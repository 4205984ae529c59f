"""Master data: the parts and customers an import's PART_ID and CUSTOMER_ID are checked against.

Two sources, never the ERP itself (its API has no read endpoint):

- the admin's files (``--parts`` / ``--customers``, or ``[masterdata]`` in importer.toml), in the
  formats `importer sandbox` serves (read by ``importer.sandbox.master.read_master``: CSV or xlsx,
  PART_ID with optional PART_DESC, PART_STATUS, ...; CUSTOMER_ID with optional CUST_NAME);
- the journal, for one server and data source: the ids the ERP *confirmed* (every record it
  returned names its PART_ID, a customer part also its CUSTOMER_ID) and those it answered as *not
  found* (PART_NOT_FOUND / CUSTOMER_NOT_FOUND, or the configured codes), each with the date of the
  latest answer; a later answer of the other kind wins. Read from the journal's own tables
  (returned records and row outcomes), so nothing extra is written during an import.

A file's columns as read are kept in a cache folder when the caller gives one (`read_columns`):
the same parts list is read again in milliseconds, not parsed again every run.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sqlite3
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path


@dataclass(frozen=True)
class Reference:
    """What is known about one kind of id (parts or customers)."""

    field: str  # PART_ID or CUSTOMER_ID
    label: str  # "part" or "customer"
    ids: tuple[str, ...] | None = None  # from the file, in its order; None = no file given
    source: str = ""  # the file's name, for messages
    confirmed: frozenset[str] = frozenset()  # the ERP returned records naming these
    not_found: dict[str, str] = field(default_factory=dict)  # id -> date the ERP said not found
    statuses: dict[str, str] = field(default_factory=dict)  # id -> PART_STATUS, obsolete ones
    where: str = ""  # how messages name the list ('' = "the parts file <source>")

    @property
    def described(self) -> str:
        return self.where or f"the {self.label}s file {self.source}"

    @cached_property
    def known(self) -> frozenset[str]:
        """Ids that exist: the file's and those the ERP confirmed."""
        ids = frozenset(self.ids or ())
        return ids | self.confirmed if self.confirmed else ids

    @property
    def known_in_order(self) -> tuple[str, ...]:
        """The known ids, the file's in its order first (what decides between two equally
        likely suggestions), then those only the ERP confirmed, sorted."""
        if not self.confirmed:
            return tuple(self.ids or ())
        extra = sorted(self.confirmed - frozenset(self.ids or ()))
        return tuple(self.ids or ()) + tuple(extra)

    @property
    def has_file(self) -> bool:
        return self.ids is not None


@dataclass(frozen=True)
class MasterData:
    parts: Reference
    customers: Reference
    obsolete_statuses: tuple[str, ...] = ("O",)
    server: str = ""  # the server and data source the journal's knowledge is about
    data_source: str = ""

    def for_field(self, name: str) -> Reference | None:
        if name == self.parts.field:
            return self.parts
        return self.customers if name == self.customers.field else None

    def obsolete_parts(self) -> dict[str, str]:
        """Part id -> its PART_STATUS, for parts the file marks with an obsolete status."""
        statuses = set(self.obsolete_statuses)
        return {pid: st for pid, st in self.parts.statuses.items() if st in statuses}


def load_master_data(parts_file: Path | str | None = None,
                     customers_file: Path | str | None = None, *,
                     journal_path: Path | str | None = None, server: str = "",
                     data_source: str = "",
                     part_codes: tuple[str, ...] = ("PART_NOT_FOUND",),
                     customer_codes: tuple[str, ...] = ("CUSTOMER_NOT_FOUND",),
                     obsolete_statuses: tuple[str, ...] = ("O",),
                     sandbox_demo: bool = False, cache: Path | str | None = None) -> MasterData:
    """The files' ids plus what the journal learned on ``server`` / ``data_source`` (no journal
    knowledge without both). ``sandbox_demo``: the rows go to a sandbox serving its demo data,
    so a reference without a file is checked against the demo parts or customers. ``cache``: a
    folder for the files' columns as read (see `read_columns`). Raises UnusableFile for a
    master-data file that cannot be read."""
    scope = (journal_path, server, data_source)
    # only the columns the checks read: a 50,000-part file loads in a fraction of the time
    parts = _reference("PART_ID", "part", parts_file, ("PART_ID", "PART_STATUS"), "parts",
                       learned(*scope, "PART_ID", part_codes), frozenset(obsolete_statuses),
                       cache)
    customers = _reference("CUSTOMER_ID", "customer", customers_file, ("CUSTOMER_ID",),
                           "customers", learned(*scope, "CUSTOMER_ID", customer_codes),
                           cache=cache)
    if sandbox_demo:
        parts, customers = _demo(parts, obsolete_statuses), _demo(customers, obsolete_statuses)
    return MasterData(parts, customers, tuple(obsolete_statuses), server, data_source)


def _demo(ref: Reference, obsolete: tuple[str, ...]) -> Reference:
    """``ref`` checked against the sandbox's demo master data when no file gives it."""
    if ref.has_file:
        return ref
    from dataclasses import replace

    from importer.sandbox.demo import DEMO_CUSTOMERS, DEMO_PARTS

    rows = DEMO_PARTS if ref.field == "PART_ID" else DEMO_CUSTOMERS
    statuses = {r[ref.field]: r.get("PART_STATUS", "") for r in rows
                if r.get("PART_STATUS", "") in obsolete}
    return replace(ref, ids=tuple(r[ref.field] for r in rows), source="the sandbox's demo data",
                   statuses=statuses, where=f"the sandbox's demo {ref.label}s")


def _reference(id_field: str, label: str, path, columns, what: str,
               knowledge: tuple[frozenset[str], dict[str, str]],
               obsolete: frozenset[str] = frozenset(), cache=None) -> Reference:
    ids, statuses = None, {}
    if path is not None:
        from importer.reading import gc_paused

        with gc_paused():  # 50,000 rows of small lists: see gc_paused
            table = read_columns(Path(path), columns, what, cache)
        ids = tuple(table[id_field])
        if len(columns) > 1 and obsolete & set(table[columns[1]]):
            statuses = {i: st for i, st in zip(table[id_field], table[columns[1]])
                        if st in obsolete}
    confirmed, not_found = knowledge
    return Reference(id_field, label, ids, Path(path).name if path else "", confirmed,
                     not_found, statuses)


CACHE_KEPT = 8  # master-data files whose columns the cache keeps (the newest)


def read_columns(path: Path, columns: tuple[str, ...], what: str,
                 cache: Path | str | None = None) -> dict[str, list[str]]:
    """The file's ``columns`` as the sandbox's master-file reader reads them. With a ``cache``
    folder, what it read is kept there under the SHA-256 of the file's bytes (and of the
    reader's code), so the same file is read again in a few milliseconds (a parts list changes
    rarely; an xlsx one takes seconds to read); a changed file has another key. A cache that
    cannot be read or written is passed by: the file is read as without one."""
    from importer.sandbox import master

    if cache is None:
        return master.read_master_columns(path, columns, what)
    try:
        digest = hashlib.sha256(path.read_bytes())
        digest.update(_reader_code())
    except OSError:  # no such file or unreadable: the reader says so in its words
        return master.read_master_columns(path, columns, what)
    digest.update(repr((columns, path.suffix.lower())).encode())
    kept = Path(cache) / f"{digest.hexdigest()}.columns"
    try:
        found = marshal.loads(kept.read_bytes())
        if isinstance(found, dict) and set(found) == set(columns):
            os.utime(kept)  # used: the newest are kept
            return found
    except (OSError, ValueError, EOFError, TypeError):
        pass
    table = master.read_master_columns(path, columns, what)
    _keep(kept, table)
    return table


@lru_cache(maxsize=1)
def _reader_code() -> bytes:
    """The code whose reading the cache keeps: the reader and its header matching."""
    from importer import entities
    from importer.sandbox import master

    return Path(master.__file__).read_bytes() + Path(entities.__file__).read_bytes()


def _keep(kept: Path, table: dict[str, list[str]]) -> None:
    """Write the columns to the cache (atomically), keeping the newest CACHE_KEPT files."""
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        partial = kept.with_name(f"{kept.name}.{os.getpid()}.partial")
        partial.write_bytes(marshal.dumps(table))
        os.replace(partial, kept)
        files = sorted(kept.parent.glob("*.columns"), key=lambda f: f.stat().st_mtime_ns)
        for old in files[:-CACHE_KEPT]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def learned(journal_path: Path | str | None, server: str, data_source: str, id_field: str,
            codes: tuple[str, ...]) -> tuple[frozenset[str], dict[str, str]]:
    """(ids the ERP confirmed, {id: date it last said not found}) from the journal, for one
    server and data source; a later answer of the other kind wins."""
    if not (journal_path and server and data_source) or not Path(journal_path).is_file():
        return frozenset(), {}
    try:
        db = sqlite3.connect(f"{Path(journal_path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return frozenset(), {}
    path = f"$.{id_field}"
    try:
        seen = dict(db.execute(
            "SELECT json_extract(record, ?) AS id, MAX(updated_at) FROM known_keys "
            "WHERE server_url=? AND data_source=? AND id IS NOT NULL AND id != '' GROUP BY id",
            (path, server, data_source)).fetchall())
        missing = dict(db.execute(
            "SELECT json_extract(r.\"values\", ?) AS id, MAX(o.updated_at) FROM outcomes o "
            "JOIN runs u ON u.run_id = o.run_id "
            "JOIN rows r ON r.run_id = o.run_id AND r.excel_row = o.excel_row "
            f"WHERE u.server_url=? AND u.data_source=? AND o.message_code IN "
            f"({','.join('?' * len(codes))}) AND id IS NOT NULL GROUP BY id",
            (path, server, data_source, *codes)).fetchall()) if codes else {}
    except sqlite3.Error:  # not a journal yet (no tables): nothing learned
        return frozenset(), {}
    finally:
        db.close()
    confirmed = frozenset(i for i, at in seen.items() if missing.get(i, "") < at)
    not_found = {i: at[:10] for i, at in missing.items() if seen.get(i, "") < at}
    return confirmed, not_found
