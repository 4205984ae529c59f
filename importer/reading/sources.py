"""Files -> a grid of raw cell values for one sheet, with the marks the fast reader cannot give.

Workbooks are read with calamine (typed values: str, float, bool, date, datetime, time); CSV files
are decoded and split here, every value kept as text. The format is recognised from the content,
not the file name. Every failure of a library becomes errors.UnusableFile with one sentence.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from operator import methodcaller
from pathlib import Path
from typing import Any, Callable, Iterator

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.csvtext import unprotect
from importer.errors import UnusableFile
from importer.reading.encoding import decode_mostly_utf8, mark_bad_cells
from importer.reading.extent import (Extent, check_extent, fits, ods_extents, xls_extents,
                                     xlsx_box_bound, xlsx_extent)
from importer.reading.limits import ReadLimits, check_csv_text, check_regular_file, check_zip
from importer.reading.overflow import reread
from importer.reading.toolsheets import helper_sheets
from importer.reading.scan import (ERROR_VALUES, Marks, scan_ods, scan_xls, scan_xlsx,
                                   xlsx_sheet_path)

log = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
CSV_DELIMITERS = ",;\t"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
SAVE_AS = "save it again as .xlsx or .csv from your spreadsheet program"

SheetPicker = Callable[[list[str], list[str]], str]  # (all names, visible names)


@dataclass
class Grid:
    """One sheet's cells: rows[0] is Excel row 1, column 0 is column A."""

    file_format: str
    sheet: str
    sheet_names: list[str]
    rows: list[list]
    sha256: str
    marks: Marks = field(default_factory=Marks)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # 0-based
    # load_grid(..., columns=True): every cell by column, every row (short rows padded with
    # ''), and ``rows`` then only the first HEAD_ROWS (where the header is looked for)
    columns: list[list] | None = None
    interned: bool = False  # equal texts of a column are one string (as_columns' shared)

    def all_rows(self) -> list[list]:
        """Every row as a list, also of a grid read as columns (a rare path: it is rebuilt)."""
        if self.columns is None or not self.columns:
            return self.rows
        return [list(r) for r in zip(*self.columns)]


HEAD_ROWS = 64  # rows kept as lists in a grid read as columns (the header is within 30)
CHUNK_ROWS = 20_000  # rows turned into columns at a time: never a million row lists at once


def texts_only(values: tuple) -> bool:
    """Whether every value is a str (a C-level look at each value's class)."""
    return set(map(type, values)) == _STR


_STR = {str}


def as_columns(rows, head: list[list] | None = None,
               shared: bool = False) -> tuple[list[list], list[list]]:
    """(the first HEAD_ROWS rows, every column) of an iterable of rows, CHUNK_ROWS at a time;
    short rows (CSV) are padded with ''. ``shared``: a chunk's column that repeats its values
    holds one string per value (CSV: the reader makes a string per cell, and a price list's
    codes, currencies and quantities repeat on every row)."""
    it = iter(rows)
    head = list(islice(it, HEAD_ROWS)) if head is None else head
    columns: list[list] = []
    interned: list = []  # per column, with ``shared``: each value's string (None: not shared)
    done, chunk = 0, head
    while chunk:
        width = max(map(len, chunk))
        columns += [[""] * done for _ in range(width - len(columns))]  # a wider row: '' above
        if min(map(len, chunk)) < len(columns):
            chunk = [r if len(r) == len(columns) else list(r) + [""] * (len(columns) - len(r))
                     for r in chunk]
        if shared:
            interned += [{} for _ in range(len(columns) - len(interned))]
        for k, (extend, values) in enumerate(zip([c.extend for c in columns], zip(*chunk))):
            seen = interned[k] if shared else None
            if seen is not None and texts_only(values):
                before = len(seen)
                values = list(map(seen.setdefault, values, values))
                if (len(seen) - before) * 2 > len(values):  # mostly new values: no more
                    interned[k] = None
            elif seen is not None:  # numbers: 1, 1.0 and True are equal keys, not equal cells
                interned[k] = None
            extend(values)
        done += len(chunk)
        chunk = list(islice(it, CHUNK_ROWS))
    return head, columns


def load_grid(path: Path, pick_sheet: SheetPicker, limits: ReadLimits | None = None,
              columns: bool = False) -> Grid:
    """One sheet of ``path``; with ``columns`` its cells by column (Grid.columns) and only the
    first rows as rows: a workbook's million rows never exist as row lists."""
    limits = limits or ReadLimits()
    check_regular_file(path, limits)
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(ZIP_MAGIC):
        return _zip_workbook(path, data, digest, pick_sheet, limits, columns)
    if data.startswith(OLE_MAGIC):
        return _ole_workbook(path, data, digest, pick_sheet, limits, columns)
    _refuse_non_csv(path, data)
    marks = Marks()
    rows = iter_csv_rows(path, data, marks)
    if columns:  # the rows never all exist as lists: CHUNK_ROWS at a time become columns
        head, by_column = as_columns(rows, shared=True)
        return Grid("csv", path.stem, [path.stem], head, digest, marks, columns=by_column,
                    interned=True)
    return Grid("csv", path.stem, [path.stem], list(rows), digest, marks)


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UnusableFile(f"File {path} does not exist; check the name and folder.") from None
    except IsADirectoryError:
        raise UnusableFile(f"{path} is a folder, not a file; give the spreadsheet's file "
                           "name.") from None
    except OSError as exc:
        raise UnusableFile(f"File {path} cannot be opened ({exc.strerror}); "
                           "close it in other programs and check you may read it.") from None
    if not data.strip():
        raise UnusableFile(f"File {path.name} is empty; fill in a template "
                           "(importer template ENTITY) and try again.")
    return data


def _zip_workbook(path: Path, data: bytes, digest: str, pick: SheetPicker,
                  limits: ReadLimits, columns: bool) -> Grid:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise UnusableFile(f"File {path.name} is damaged or incomplete (it cannot be unzipped); "
                           "copy it again or re-save it from your spreadsheet program.") from None
    check_zip(path, zf, limits)
    if "xl/workbook.xml" in names:
        fmt = "xlsm" if path.suffix.lower() == ".xlsm" else "xlsx"
        xml = _SheetXml(zf)
        return _calamine(path, data, digest, pick, fmt, xml.then_release(scan_xlsx, zf),
                         lambda sheet: _xlsx_extent(xml(sheet), limits), limits,
                         helper_sheets(zf) or frozenset(), columns)
    if "content.xml" in names and b"opendocument.spreadsheet" in _member(zf, "mimetype"):
        _check_every_sheet(path, lambda: ods_extents(zf), "ods", limits)
        return _calamine(path, data, digest, pick, "ods", lambda sheet: scan_ods(zf, sheet),
                         lambda sheet: Extent(), limits, columns=columns)
    if "xl/workbook.bin" in names:
        raise UnusableFile(f"File {path.name} is a binary .xlsb workbook, which is not supported; "
                           f"{SAVE_AS}.")
    raise UnusableFile(f"File {path.name} is a ZIP archive but not an Excel or OpenDocument "
                       f"workbook; {SAVE_AS}.")


def _ole_workbook(path: Path, data: bytes, digest: str, pick: SheetPicker,
                  limits: ReadLimits, columns: bool) -> Grid:
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise UnusableFile(f"File {path.name} is protected with a password; open it, remove the "
                           f"password (File > Info > Protect Workbook) and {SAVE_AS}.")
    _check_every_sheet(path, lambda: xls_extents(data), "xls", limits)
    return _calamine(path, data, digest, pick, "xls", lambda sheet: scan_xls(data, sheet),
                     lambda sheet: Extent(), limits, columns=columns)


def _check_every_sheet(path: Path, extents: Callable[[], dict[str, Extent]], fmt: str,
                       limits: ReadLimits) -> None:
    """For formats calamine reads whole when it opens them (ods, xls): every sheet's extent."""
    try:
        found = extents()
    except Exception as exc:  # noqa: BLE001 - a damaged file is the user's problem
        raise UnusableFile(f"File {path.name} cannot be read as a .{fmt} workbook ({_short(exc)}); "
                           f"it may be damaged or incomplete: {SAVE_AS}.") from None
    for sheet, extent in found.items():
        check_extent(extent, path, sheet, limits)


class _SheetXml:
    """A worksheet part's XML, unzipped once for the extent and the scan (the last one asked
    for is kept: a sheet of a million rows is hundreds of MB)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf, self.sheet, self.xml = zf, None, None

    def __call__(self, sheet: str) -> bytes | None:
        if sheet != self.sheet:
            member = xlsx_sheet_path(self.zf, sheet)
            self.sheet = sheet
            self.xml = self.zf.read(member) if member in self.zf.namelist() else None
        return self.xml

    def then_release(self, scan: Callable, zf: zipfile.ZipFile) -> Callable[[str], Any]:
        """``scan(zf, sheet, self)``, the last use of the XML: it is let go after it."""
        def run(sheet: str) -> Any:
            try:
                return scan(zf, sheet, self)
            finally:
                self.sheet = self.xml = None
        return run


def _xlsx_extent(xml: bytes | None, limits: ReadLimits) -> Extent:
    """The sheet's extent; an empty one when a cheap bound shows the grid fits anyway."""
    if xml is None:
        return Extent()
    bound = xlsx_box_bound(xml)
    return Extent() if bound and fits(*bound, limits) else xlsx_extent(xml)


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        return b""


def _scan(path: Path, scan: Callable[[str], Any], sheet: str) -> Any:
    try:
        return scan(sheet)
    except Exception as exc:  # noqa: BLE001 - a damaged part of the file is the user's problem
        raise UnusableFile(f"File {path.name} is damaged (part of it cannot be read: {exc}); "
                           f"{SAVE_AS}.") from None


def _calamine(path: Path, data: bytes, digest: str, pick: SheetPicker, fmt: str,
              scan: Callable[[str], Marks], extent: Callable[[str], Extent],
              limits: ReadLimits, helpers: frozenset[str] = frozenset(),
              columns: bool = False) -> Grid:
    """The sheet's values (calamine) and, in a second thread meanwhile, its marks (scan); first
    its extent, so that calamine is never asked for a grid far larger than the data. The tool's
    own ``helpers`` sheets (reading/toolsheets.py) are not among the visible sheets a sheet is
    chosen from."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        visible = [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible
                   and m.typ == SheetTypeEnum.WorkSheet and m.name not in helpers]
    except Exception as exc:  # noqa: BLE001 - calamine's errors differ per format
        raise UnusableFile(f"File {path.name} cannot be read as a .{fmt} workbook ({_short(exc)}); "
                           f"it may be damaged or incomplete: {SAVE_AS}.") from None
    if not names:
        raise UnusableFile(f"File {path.name} has no sheets; {SAVE_AS}.")
    sheet = pick(names, visible or names)
    check_extent(_scan(path, extent, sheet), path, sheet, limits)
    with ThreadPoolExecutor(max_workers=1) as pool:
        marks = pool.submit(_scan, path, scan, sheet)
        try:
            found = book.get_sheet_by_name(sheet)
            try:
                rows, by_column = _cells(found, columns)
            except OverflowError:  # a duration past Python's 999,999,999 days
                found = reread(data, fmt, sheet) or found
                rows, by_column = _cells(found, columns)
            merged = list(found.merged_cell_ranges or [])
        except Exception as exc:  # noqa: BLE001
            raise UnusableFile(f"Sheet {sheet!r} of {path.name} cannot be read ({_short(exc)}); "
                               f"it may be damaged: {SAVE_AS}.") from None
        found_marks = marks.result()
        return Grid(fmt, sheet, names, rows, digest, found_marks, merged or found_marks.merged,
                    by_column, interned=by_column is not None and hasattr(found, "iter_rows"))


def _cells(sheet, columns: bool) -> tuple[list[list], list[list] | None]:
    """(rows, None), or with ``columns`` (the first rows, every column): the grid from A1, as
    ``to_python(skip_empty_area=False)`` gives it."""
    if not columns:
        return sheet.to_python(skip_empty_area=False), None
    if not hasattr(sheet, "iter_rows"):  # reading/overflow.py's xlrd sheet
        return as_columns(sheet.to_python(skip_empty_area=False))
    if sheet.end is None:
        return [], []
    head, by_column = as_columns(sheet.iter_rows(), shared=True)
    rows_above = sheet.end[0] + 1 - (len(by_column[0]) if by_column else 0)
    if rows_above > 0:  # iter_rows starts at the first used row: the empty ones above it
        head = [[""] * len(by_column) for _ in range(rows_above)] + head
        by_column = [[""] * rows_above + c for c in by_column]
    left = sheet.end[1] + 1 - len(by_column)  # and at the first used column: those left of it
    if left > 0:
        head = [[""] * left + list(r) for r in head]
        by_column = [[""] * len(by_column[0]) for _ in range(left)] + by_column
    del head[HEAD_ROWS:]
    return head, by_column


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


# --- CSV --------------------------------------------------------------------------------------
def _refuse_non_csv(path: Path, data: bytes) -> None:
    head = data[:4096].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<table")):
        raise UnusableFile(f"File {path.name} is a web page, not a spreadsheet; open it in your "
                           f"spreadsheet program and {SAVE_AS[len('save it again '):]}.")
    if head.startswith(b"%pdf"):
        raise UnusableFile(f"File {path.name} is a PDF, not a spreadsheet; export the data as "
                           ".xlsx or .csv.")
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise UnusableFile(f"File {path.name} is not a {path.suffix.lower()} workbook (its content "
                           f"is not a spreadsheet); it may be damaged or renamed: {SAVE_AS}.")


def decode_csv(path: Path, data: bytes) -> str:
    """CSV bytes -> text: UTF-8 (with or without BOM; a few stray bytes are kept as lone
    surrogates for reading/encoding.py to mark), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        try:
            return data.decode("utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
                               else "utf-16-le")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        mostly = decode_mostly_utf8(data)  # a few stray bytes: errors at their cells
        if mostly is not None and _looks_like_text(mostly):
            return mostly
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = ""
        if text and _looks_like_text(text):
            return text
    raise UnusableFile(f"File {path.name} is not a text (CSV) file or a spreadsheet; "
                       f"{SAVE_AS}.")


def _utf16_without_bom(data: bytes) -> bool:
    """Little-endian UTF-16 text without BOM: nearly every second byte is zero."""
    sample = data[:4096]
    return len(sample) >= 8 and sample[1::2].count(0) >= 0.9 * (len(sample) // 2) and (
        sample[0::2].count(0) <= 0.1 * (len(sample) // 2))


def _looks_like_text(text: str) -> bool:
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls <= len(sample) // 10  # binary data, not text with a stray control character


# A line as io.StringIO(text, newline="") gives it: up to \r\n, \r or \n, kept (csv reads
# quoted line breaks across lines). Lines from the text itself: StringIO holds 4 bytes a
# character.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")


def iter_csv_rows(path: Path, data: bytes, marks: Marks) -> Iterator[list[str]]:
    """The rows of a CSV file, CHUNK_ROWS at a time: the quote a spreadsheet export puts before
    a value it would run taken off (csvtext), error values (#N/A) and cells with bytes that
    are no text marked in ``marks`` as they go by. The file's text is checked before the
    first row."""
    text = decode_csv(path, data)
    if not _looks_like_text(text):
        raise UnusableFile(f"File {path.name} is not a text (CSV) file or a spreadsheet; "
                           f"{SAVE_AS}.")
    delimiter = sniff_delimiter(text)
    check_csv_text(path, text, delimiter)
    csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))  # long NOTES cells
    reader = csv.reader(map(methodcaller("group"), _LINE.finditer(text)), delimiter=delimiter)
    quoted, errors = "'" in text, b"#" in data
    bad = not data.isascii() or b"\x00" in data  # else no cell holds a bad byte or a NUL
    return _csv_chunks(path, reader, quoted, errors, bad, marks)


def _csv_chunks(path: Path, reader, quoted: bool, errors: bool, bad: bool,
                marks: Marks) -> Iterator[list[str]]:
    first = 1  # the Excel row of the chunk's first row
    while True:
        try:
            chunk = list(islice(reader, CHUNK_ROWS))
        except csv.Error as exc:
            raise UnusableFile(f"File {path.name} is not a well-formed CSV file ({exc}); "
                               f"{SAVE_AS}.") from None
        if not chunk:
            return
        if quoted:
            chunk = [[unprotect(v) if v[:1] == "'" else v for v in row] for row in chunk]
        if errors:
            csv_error_marks(chunk, marks, first)
        if bad:
            mark_bad_cells(chunk, marks.cells, first)
        yield from chunk
        first += len(chunk)


def csv_error_marks(rows: list[list[str]], marks: Marks, first: int = 1) -> None:
    """A CSV saved from Excel keeps error values as text (#N/A): they are errors, not values.
    ``first``: the Excel row of rows[0]."""
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row):
            if value[:1] == "#" and value.strip() in ERROR_VALUES:
                marks.cells[(r, c)] = ("excel-error", value.strip())


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; and tab that splits the first lines most consistently."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:20]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: max(len(next(csv.reader([line], delimiter=d))) for line in lines)
                  for d in CSV_DELIMITERS}
        return max(counts, key=lambda d: counts[d])
