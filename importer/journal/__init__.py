"""journal: what is remembered, in one SQLite file per person (or --journal).

store.py holds runs, sessions, each row's outcome, the records the ERP returned (compact.py: the
compact copy of each that classifying reads) and the files the tool wrote; history.py answers what changed and what a run did (change classes, revert);
lease.py and owner.py make sure one process at a time imports a file into a server.

Imports the ground, `reading`'s values and `checks.changes` (how two records compare).
"""
from importer.journal.store import FINAL_STATUSES, Journal, now_iso  # noqa: F401
