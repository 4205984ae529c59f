"""Which sheets of a file hold records, read in the order they are imported.

    plan = plan_sheets(path, entity=None, sheets=(), day_first=False)
    plan.tables      # one Table per record sheet, in import order (entities.import_order)
    plan.not_read    # the other visible sheets, each with why it was not read

A sheet holds records when its header names a record type: the rules `--sheet` has always used
(reading.read_table: the header row found among the first rows, the record type from its columns,
or ``entity`` when given). ``sheets`` (the repeatable --sheet) reads exactly those; ``entity``
(--entity) narrows to the sheets of that record type. A file with one visible sheet (and every CSV)
is read exactly as before. A sheet that looks like a record sheet but cannot be used (a missing
required column, an unknown column, a sheet named after a record type without its header) stops
the whole file: nothing of any sheet is sent. Hidden sheets are not read unless named.
"""
from __future__ import annotations

import functools
import stat
from dataclasses import dataclass, field
from pathlib import Path

from importer.entities import ENTITIES, Entity, get_entity, import_order, normalize_name
from importer.errors import NoDataRows, NoRecordHeader, UnusableFile
from importer.model import Report, Table
from importer.reading import ReadLimits, ReadOptions, read_table
from importer.reading.sources import OLE_MAGIC, ZIP_MAGIC, load_grid
from importer.reading.toolsheets import looks_like_helper

NO_RECORD_TYPE = "its header names no record type"
NO_ROWS = "it has a header but no rows"


@dataclass(frozen=True)
class NotRead:
    sheet: str
    reason: str

    @property
    def sentence(self) -> str:
        return f"sheet {self.sheet} was not read: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"sheet": self.sheet, "reason": self.reason}


@dataclass
class SheetPlan:
    path: Path
    tables: list[Table]
    not_read: list[NotRead] = field(default_factory=list)


def plan_sheets(path: str | Path, entity: Entity | str | None = None,
                sheets: tuple[str, ...] | list[str] = (), day_first: bool = False,
                limits: ReadLimits | None = None,
                read_options: ReadOptions | None = None) -> SheetPlan:
    """The record sheets of ``path`` read into Tables (see the module docstring). Raises
    UnusableFile (exit 2) for a file, or a record sheet, that cannot be used; ``limits`` are
    reading's (each sheet is read under them)."""
    path = Path(path)
    entity = _entity(entity)
    read = functools.partial(read_table, path, day_first=day_first, limits=limits,
                             options=read_options)
    if sheets:
        wanted = list(dict.fromkeys(sheets))
        tables = [read(entity=entity, sheet=s) for s in wanted]
        return SheetPlan(path, _ordered(tables, wanted))
    # a CSV is one sheet: read it once (reading says why when it cannot be used)
    visible = [path.stem] if _plain_text(path) else _visible_sheets(path, limits or ReadLimits())
    if len(visible) <= 1:  # one sheet, a CSV, or damage that reading the file describes
        return SheetPlan(path, [read(entity=entity)])
    tables, not_read, errors = [], [], {}
    for name in visible:
        try:
            tables.append(read(entity=entity, sheet=name))
        except UnusableFile as exc:
            errors[name] = exc
            if looks_like_helper(name):
                continue  # a helper sheet of a workbook written before they were marked
            not_read.append(NotRead(name, _why_not(read, name, entity, exc)))
    if not tables:
        raise errors[_picked_today(visible, entity)]
    return SheetPlan(path, _ordered(tables, visible), not_read)


class _Listed(Exception):
    """Raised by the sheet picker of `_visible_sheets` once it has the names: nothing more of
    the file is read."""

    def __init__(self, visible: list[str]) -> None:
        super().__init__()
        self.visible = visible


def visible_sheets(path: Path, limits: ReadLimits | None = None) -> list[str]:
    """The visible worksheets of a file (for a person choosing one); [] when the file cannot
    be read (reading it then says why, in one sentence)."""
    try:
        return _visible_sheets(Path(path), limits or ReadLimits())
    except UnusableFile:
        return []


def record_sheets(path: Path, limits: ReadLimits | None = None,
                  read_options: ReadOptions | None = None) -> list[str]:
    """The sheets of a file whose header names a record type, in import order ([] when the
    file cannot be read: reading it says why)."""
    try:
        return [t.sheet for t in plan_sheets(path, limits=limits, read_options=read_options).tables]
    except UnusableFile:
        return []


def _visible_sheets(path: Path, limits: ReadLimits) -> list[str]:
    """The visible worksheets, as reading sees them: its picker is only asked once the file
    passed every check (limits, zip directory, OLE structure), so a hostile file is refused
    with reading's sentence before any library parses it. A CSV file is one sheet."""

    def listed(names: list[str], visible: list[str]) -> str:
        raise _Listed(list(visible))

    try:
        grid = load_grid(path, listed, limits)
    except _Listed as found:
        return found.visible
    return grid.sheet_names


def _plain_text(path: Path) -> bool:
    """A regular file that is neither a zip (xlsx, ods) nor an OLE file (xls): read as a CSV.
    Anything else (a pipe, a device, a missing file) is left to reading, which says why."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        return False
    return bool(head) and not head.startswith(ZIP_MAGIC) and not head.startswith(OLE_MAGIC)


def _why_not(read, name: str, entity: Entity | None, exc: UnusableFile) -> str:
    """Why sheet ``name`` is left out; re-raises ``exc`` when the sheet is a record sheet that
    cannot be used."""
    if entity is not None:
        try:
            other = read(sheet=name).entity
        except UnusableFile:
            other = None
        if other is not None and other is not entity:
            return f"it holds {other.label} records and --entity names {entity.name}"
    if isinstance(exc, NoDataRows):
        return NO_ROWS
    if isinstance(exc, NoRecordHeader) and not _names_record_type(name):
        return NO_RECORD_TYPE
    raise exc


def _names_record_type(sheet: str) -> bool:
    return any(normalize_name(sheet) in (normalize_name(e.name), normalize_name(e.label))
               for e in ENTITIES.values())


def _picked_today(visible: list[str], entity: Entity | None) -> str:
    """The sheet a file was read from before several were: named after the record type, else
    the first; its error is the file's when no sheet holds records."""
    wanted = [entity] if entity else list(ENTITIES.values())
    names = {normalize_name(x) for e in wanted for x in (e.name, e.label)}
    records = [n for n in visible if not looks_like_helper(n)] or visible
    return next((n for n in records if normalize_name(n) in names), records[0])


def _ordered(tables: list[Table], positions: list[str]) -> list[Table]:
    rank = {e.name: n for n, e in enumerate(import_order())}
    where = {name: n for n, name in enumerate(positions)}
    return sorted(tables, key=lambda t: (rank.get(t.entity.name, len(rank)),
                                         where.get(t.sheet, len(where))))


def _entity(entity: Entity | str | None) -> Entity | None:
    if entity is None or isinstance(entity, Entity):
        return entity
    try:
        return get_entity(entity)
    except KeyError as exc:
        raise UnusableFile(str(exc.args[0])) from None


@dataclass
class FileReport:
    """Validation of every record sheet of a file (what `importer validate` reports)."""

    plan: SheetPlan
    reports: list[Report]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.reports)

    def to_dict(self) -> dict:
        """One sheet: its report as before, plus ``not_read``; several: totals over the sheets,
        each sheet's report under ``sheets`` (``data.get("sheets", [data])`` reads both)."""
        from importer.checks.validation import report_as_dict

        sheets = [report_as_dict(r) for r in self.reports]
        not_read = [n.to_dict() for n in self.plan.not_read]
        if len(sheets) == 1:
            return {**sheets[0], "not_read": not_read}
        first = self.reports[0].table
        return {"file": str(first.path), "format": first.file_format, "ok": self.ok,
                "rows": sum(s["rows"] for s in sheets),
                "errors": sum(s["errors"] for s in sheets),
                "warnings": sum(s["warnings"] for s in sheets),
                "sheets": sheets, "not_read": not_read}


def validate_file(path: str | Path, entity: Entity | str | None = None,
                  sheets: tuple[str, ...] | list[str] = (), day_first: bool = False,
                  limits: ReadLimits | None = None,
                  read_options: ReadOptions | None = None, checks_for=None) -> FileReport:
    """Read and validate every record sheet of ``path`` (see plan_sheets). ``checks_for(table)``
    gives a sheet's further check sets (importer.runs.checking.build_checks; default: the entity's
    default rules)."""
    plan = plan_sheets(path, entity=entity, sheets=sheets, day_first=day_first, limits=limits,
                       read_options=read_options)
    from importer.checks.validation import validate  # pandas: only once every sheet could be read

    return FileReport(plan, [validate(t, checks=checks_for(t) if checks_for else None)
                             for t in plan.tables])
