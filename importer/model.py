"""Plain values passed between the stages (reading -> validation -> dispatch -> journal -> workbooks).

Every stage takes and returns these; none reaches back into an earlier stage. Rows shown to people
are spreadsheet rows (header = row 1 of the sheet when there is no title row), columns by letter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from importer.entities import Entity


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Status(str, Enum):
    """The one outcome every row of a run ends with."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    FAILED = "FAILED"
    INVALID = "INVALID"
    SKIPPED = "SKIPPED"
    NOT_RUN = "NOT_RUN"
    HELD = "HELD"  # not sent: a decision (price jump, overlap, obsolete part) awaits acceptance

    @property
    def applied(self) -> bool:
        return self in (Status.CREATED, Status.UPDATED)


MODES = ("upsert", "create", "update")  # import --mode: what a row without an ACTION gets


class Action(str, Enum):
    """Which call a row gets (the ACTION column's values, and the modes)."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    UPSERT = "UPSERT"
    SKIP = "SKIP"


# The columns this tool appends to the workbooks it writes. A file carrying them can be imported
# again: the reader ignores these headers.
# The call made is CALL_MADE, not ACTION: an ACTION header is the user's override column, so a
# results workbook read again would otherwise re-run each row's last call (or clash with the input's
# own ACTION column).
STATUS_COLUMNS = ("STATUS", "CALL_MADE", "HTTP_STATUS", "MESSAGE_CODE", "MESSAGE")
VALIDATION_COLUMNS = ("STATUS", "ISSUES")
REASON_COLUMN = "REASON"
RETURNED_PREFIX = "ERP:"  # returned-field block headers are written as 'ERP:PART_DESC'
ACTION_COLUMN = "ACTION"  # the user's per-row override column (CREATE/UPDATE/UPSERT/SKIP)
CHANGE_COLUMN = "CHANGE"  # NEW, CHANGED, UNCHANGED or NEW PRICE against the last known record
TOOL_COLUMNS = frozenset(STATUS_COLUMNS + VALIDATION_COLUMNS + (REASON_COLUMN, CHANGE_COLUMN)
                         ) - {ACTION_COLUMN}
# The sheets this tool adds beside the record sheets of the workbooks it writes (the template's
# Fields, Summary, Issues, About, "<sheet> results"): named in this custom document property, so
# that reading the file again recognises them (reading/toolsheets.py).
HELPER_SHEETS_PROPERTY = "importer.helper_sheets"


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> 'A', 27 -> 'AB')."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def sheet_reference(sheet: str) -> str:
    """A sheet name as it stands before '!' in a formula: quoted unless it is a plain word."""
    if sheet.replace("_", "").isalnum() and not sheet[:1].isdigit():
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one cell (or one row, or the file), frictionless-style (slots: a
    million-row sheet can have a million of them)."""

    code: str  # stable kebab-case: missing-cell, type-error, duplicate-key, excel-error, ...
    message: str  # one sentence a sales admin understands, saying what to do
    severity: Severity = Severity.ERROR
    sheet: str = ""
    row: int | None = None  # Excel row number (1-based); None for a file-level issue
    column: str | None = None  # Excel column letter; None for a row-level issue
    field: str | None = None  # registry field name
    value: str | None = None  # the cell as the person sees it

    @property
    def address(self) -> str:
        """The cell as Excel writes a reference to it: Prices!D7, 'Product Price'!D7."""
        if self.row is None:
            return self.sheet or ""
        cell = f"{self.column or ''}{self.row}"
        return f"{sheet_reference(self.sheet)}!{cell}" if self.sheet else cell

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "message": self.message, "severity": self.severity.value,
            "sheet": self.sheet, "row": self.row, "column": self.column, "field": self.field,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Issue":
        return cls(**{**d, "severity": Severity(d.get("severity", "error"))})


@dataclass(frozen=True)
class Column:
    index: int  # 0-based position in the sheet
    letter: str  # 'A'
    header: str  # the header cell as written in the file
    field: str | None  # the registry field it matched; None for a tool column or ACTION
    is_action: bool = False  # the per-row ACTION override column


@dataclass(slots=True)
class Row:
    """One data row of the input (slots: a million of them is no small matter)."""

    excel_row: int  # the row number the person sees in their spreadsheet
    values: dict[str, str]  # field -> API string; only non-empty cells (blank = not given)
    cells: list[str]  # every cell of the row as displayed, one per Table.columns, '' for blank
    action: Action | None = None  # from the ACTION column, when present and valid


@dataclass
class Table:
    """A sheet read from a file: what the reader hands to validation and to the workbooks."""

    path: Path
    sha256: str  # of the file's bytes; part of the journal key
    file_format: str  # 'xlsx', 'xlsm', 'xls', 'ods', 'csv'
    sheet: str  # sheet name; for a CSV the file's stem
    entity: Entity
    header_row: int  # Excel row number of the header
    columns: list[Column]
    rows: list[Row]
    title_rows: list[list[str]] = field(default_factory=list)  # rows above the header, as shown
    issues: list[Issue] = field(default_factory=list)  # cell-level problems found while reading

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns if c.field]

    def column_of(self, field_name: str) -> Column | None:
        return next((c for c in self.columns if c.field == field_name), None)


@dataclass
class Report:
    """Validation's answer: every issue of every row, found in one pass (reading's included)."""

    table: Table
    issues: list[Issue]

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.WARNING]

    @property
    def invalid_rows(self) -> set[int]:
        """Excel rows with at least one error; these are never sent."""
        return {i.row for i in self.issues if i.severity is Severity.ERROR and i.row is not None}

    def issues_by_row(self) -> dict[int, list[Issue]]:
        out: dict[int, list[Issue]] = {}
        for issue in self.issues:
            if issue.row is not None:
                out.setdefault(issue.row, []).append(issue)
        return out

    def counts_by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for issue in self.issues:
            out[issue.code] = out.get(issue.code, 0) + 1
        return out

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class RowOutcome:
    """What happened to one row of a run; the journal stores exactly this (slots: one a row)."""

    excel_row: int
    status: Status
    action: str = ""  # the call made last: CREATE, UPDATE, or '' when none
    http_status: int | None = None
    message_code: str = ""
    message: str = ""
    record: dict[str, str] | None = None  # the record the server returned on success
    issues: list[Issue] = field(default_factory=list)  # validation issues (INVALID rows, warnings)
    attempts: int = 0  # HTTP calls made for this row


@dataclass
class RunInfo:
    """One run of `importer import` (or `validate`), as the journal remembers it."""

    run_id: int
    entity: str
    mode: str
    input_path: str
    input_sha256: str
    sheet: str
    server_url: str
    data_source: str
    user: str
    started_at: str  # ISO 8601, local time with offset
    finished_at: str | None
    dry_run: bool = False
    calls: int = 0  # HTTP calls made to record endpoints
    counts: dict[str, int] = field(default_factory=dict)  # status -> rows

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.started_at, self.finished_at)


@dataclass(frozen=True)
class Session:
    """One invocation that worked on a run (a resumed run has several)."""

    started_at: str  # ISO 8601, local time with offset
    finished_at: str | None
    rows_sent: int = 0
    calls: int = 0

    @property
    def duration_seconds(self) -> float | None:
        return seconds_between(self.started_at, self.finished_at)


def seconds_between(started_at: str, finished_at: str | None) -> float | None:
    """Seconds from one ISO 8601 timestamp to another (None when not finished)."""
    from datetime import datetime

    if not finished_at:
        return None
    return (datetime.fromisoformat(finished_at)
            - datetime.fromisoformat(started_at)).total_seconds()
