"""What stops a run. Each exception carries a message that says what to do, and an exit code.

Exit codes: 0 all rows applied / file valid; 1 some rows failed or invalid; 2 unusable file or
options; 3 cannot connect or log in.
"""
from __future__ import annotations

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_UNUSABLE = 2
EXIT_CONNECTION = 3


class ImporterError(Exception):
    """Base: a condition that stops the command. ``str(exc)`` is shown to the person as is."""

    exit_code = EXIT_UNUSABLE


class UnusableFile(ImporterError):
    """The file cannot be used at all: unreadable, not a spreadsheet, empty, wrong columns."""

    exit_code = EXIT_UNUSABLE


class NoRecordHeader(UnusableFile):
    """A sheet whose header names no record type (or that is empty): in a workbook of several
    sheets, such a sheet is named and left out rather than stopping the import."""


class NoDataRows(UnusableFile):
    """A sheet with a record type's header but no rows under it."""


class BadOptions(ImporterError):
    """The options or configuration do not make sense together."""

    exit_code = EXIT_UNUSABLE


class ConnectionFailed(ImporterError):
    """The server cannot be reached."""

    exit_code = EXIT_CONNECTION


class LoginFailed(ImporterError):
    """The server refused the credentials or the data source."""

    exit_code = EXIT_CONNECTION


class OutputNotWritable(ImporterError):
    """A workbook or file this tool writes cannot be written (folder missing, file open, no rights)."""

    exit_code = EXIT_UNUSABLE


class JournalTrouble(ImporterError):
    """The journal file cannot be used: disk full, read-only, damaged, its folder missing
    (importer/journal/trouble.py says which, naming the file)."""

    exit_code = EXIT_UNUSABLE


class JournalBusy(JournalTrouble):
    """Another program kept the journal file locked for longer than the busy timeout."""

    exit_code = EXIT_UNUSABLE


class NotApproved(ImporterError):
    """Four eyes ([approval] required): the file's plan has no valid approval by another person,
    so nothing of it is sent (rows not applied: exit 1)."""

    exit_code = EXIT_ROWS_FAILED
