"""Plain values passed between the stages (reading -> validation -> dispatch -> journal -> workbooks).

Every stage takes and returns these; none reaches back into an earlier stage. Rows shown to people
are spreadsheet rows (header = row 1 of the sheet when there is no title row), columns by letter.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, lt
from pathlib import Path
from typing import Any, Iterator, Sequence

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


class Frame:
    """The data rows of a sheet column by column: what reading builds, and what validation and
    the annotated workbooks read without a dict per row (a million rows as a million dicts cost
    600 MB and seconds to build and take apart again). ``shown``: one list per Table.columns of
    the cells as displayed ('' blank); ``data``: field -> each row's API string ('' = not given);
    ``actions``: each row's ACTION, or None when the sheet has no ACTION column."""

    __slots__ = ("excel_rows", "shown", "data", "actions")

    def __init__(self, excel_rows: list[int], shown: list[list[str]], data: dict[str, list[str]],
                 actions: list[Action | None] | None = None) -> None:
        self.excel_rows, self.shown, self.data, self.actions = excel_rows, shown, data, actions

    def __len__(self) -> int:
        return len(self.excel_rows)

    def values_at(self, k: int) -> dict[str, str]:
        """Row ``k``'s non-empty values (Row.values)."""
        return {f: v[k] for f, v in self.data.items() if v[k]}

    def row(self, k: int) -> Row:
        return Row(self.excel_rows[k], self.values_at(k), [s[k] for s in self.shown],
                   self.actions[k] if self.actions else None)

    def iter_rows(self) -> Iterator[Row]:
        """Each row as a Row, made as it is asked for (none kept)."""
        names = list(self.data)
        actions = self.actions or repeat(None)
        for n, cells, api, action in zip(self.excel_rows, zip(*self.shown) if self.shown
                                         else repeat(()), zip(*self.data.values())
                                         if names else repeat(()), actions):
            yield Row(n, dict(compress(zip(names, api), api)), list(cells), action)

    def to_rows(self) -> list[Row]:
        return list(self.iter_rows())

    def take(self, positions: list[int]) -> "Frame":
        """The rows at ``positions`` (in that order)."""
        pick = itemgetter(*positions) if len(positions) > 1 else None

        def sub(values: list) -> list:
            if pick is None:
                return [values[k] for k in positions]
            return list(pick(values))

        return Frame(sub(self.excel_rows), [sub(s) for s in self.shown],
                     {f: sub(v) for f, v in self.data.items()},
                     sub(self.actions) if self.actions else None)

    def ascending(self) -> "Frame":
        """The same rows by Excel row (itself when they already are)."""
        rows = self.excel_rows
        if all(map(lt, rows, rows[1:])):
            return self
        return self.take(sorted(range(len(rows)), key=rows.__getitem__))

    @classmethod
    def of_rows(cls, rows: list[Row], width: int) -> "Frame":
        """The frame of a list of rows (each ``width`` cells at least, '' for missing)."""
        values = list(map(attrgetter("values"), rows))
        names = list(dict.fromkeys(chain.from_iterable(values)))
        cells = [r.cells if len(r.cells) >= width else [*r.cells, *[""] * (width - len(r.cells))]
                 for r in rows]
        actions = list(map(attrgetter("action"), rows))
        return cls(list(map(attrgetter("excel_row"), rows)),
                   [list(c) for c in zip(*cells)] if rows else [[] for _ in range(width)],
                   {f: list(map(dict.get, values, repeat(f), repeat(""))) for f in names},
                   actions if any(actions) else None)


class FrameRows(Sequence):
    """A frame's rows as a read-only sequence of Row objects, each made when it is asked for:
    for code that looks at a few rows, or at each once, of a table it must not turn into a
    list (a million rows)."""

    __slots__ = ("frame",)

    def __init__(self, frame: Frame) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self.frame.row(i) for i in range(*k.indices(len(self.frame)))]
        if k < 0:
            k += len(self.frame)
        if not 0 <= k < len(self.frame):
            raise IndexError(k)
        return self.frame.row(k)

    def __iter__(self) -> Iterator[Row]:
        return self.frame.iter_rows()


class Table:
    """A sheet read from a file: what the reader hands to validation and to the workbooks.

    The rows are held one of two ways: as a Frame (what reading builds; ``frame``), or as a list
    of Row objects (``rows``: what code that edits rows works on). Asking for ``rows`` turns a
    frame into the list once, for good; ``frame`` of a listed table is made from the list each
    time it is asked for (the list may have changed)."""

    def __init__(self, path: Path, sha256: str, file_format: str, sheet: str, entity: Entity,
                 header_row: int, columns: list[Column], rows: list[Row] | None = None,
                 title_rows: list[list[str]] | None = None, issues: list[Issue] | None = None,
                 frame: Frame | None = None) -> None:
        self.path = path
        self.sha256 = sha256  # of the file's bytes; part of the journal key
        self.file_format = file_format  # 'xlsx', 'xlsm', 'xls', 'ods', 'csv'
        self.sheet = sheet  # sheet name; for a CSV the file's stem
        self.entity = entity
        self.header_row = header_row  # Excel row number of the header
        self.columns = columns
        self._rows = rows if rows is not None or frame is not None else []
        self._frame = frame
        self.title_rows = title_rows if title_rows is not None else []  # rows above the header
        self.issues = issues if issues is not None else []  # cell-level problems from reading

    @property
    def rows(self) -> list[Row]:
        if self._rows is None:
            self._rows, self._frame = self._frame.to_rows(), None
        return self._rows

    @rows.setter
    def rows(self, rows: list[Row]) -> None:
        self._rows, self._frame = rows, None

    @property
    def frame(self) -> Frame:
        if self._frame is not None:
            return self._frame
        return Frame.of_rows(self._rows, len(self.columns))

    @property
    def row_count(self) -> int:
        return len(self._frame) if self._frame is not None else len(self._rows)

    def iter_rows(self) -> Iterator[Row]:
        """Every row, in order, without turning a frame into a list (for reading them once)."""
        return self._frame.iter_rows() if self._frame is not None else iter(self._rows)

    @property
    def excel_rows(self) -> list[int]:
        """Each row's Excel row number, in the rows' order."""
        if self._frame is not None:
            return self._frame.excel_rows
        return [r.excel_row for r in self._rows]

    def row_at(self, k: int) -> Row:
        """The k-th row (in the rows' order)."""
        return self._frame.row(k) if self._frame is not None else self._rows[k]

    def values_of(self, excel_rows: set[int]) -> dict[int, dict[str, str]]:
        """Excel row -> its values, for the rows asked for (a few of many)."""
        return {n: self.row_at(k).values for k, n in enumerate(self.excel_rows)
                if n in excel_rows}

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
