"""Fast streaming of large sheets into an openpyxl-built workbook.

openpyxl builds the workbook's skeleton (styles, column widths, frozen panes, filters, comments,
charts, the small sheets); the rows of a large sheet are streamed as SpreadsheetML straight into the
saved zip in place of that sheet's (empty) ``<sheetData/>``. openpyxl's own write-only mode needs
about 90 s for a 100,000-row results sheet on the target machine; this needs a few seconds.

Every string is written as an inline string (``t="inlineStr"``), so nothing can become a formula.
"""
from __future__ import annotations

import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from importer.workbooks.styles import clean_text

# One cell of a streamed row: (0-based column, value, style id). Value: str, int, float or None.
CellSpec = tuple[int, object, int]

_SHEETDATA = re.compile(rb"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_AFTER_LINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<drawing",
                b"<legacyDrawing", b"<tableParts", b"</worksheet>")
_CHUNK_ROWS = 2000


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


class Letters:
    """Column letters by 0-based index, computed once."""

    def __init__(self) -> None:
        self._cache = [get_column_letter(i + 1) for i in range(702)]  # A .. ZZ

    def __getitem__(self, index: int) -> str:
        try:
            return self._cache[index]
        except IndexError:
            return get_column_letter(index + 1)


LETTERS = Letters()


_TEXT_CACHE: dict[str, str] = {}
_TEXT_CACHE_LIMIT = 50_000


def _text(value: str) -> str:
    """The inline-string body of a text cell (cached: lists repeat the same few values a lot)."""
    body = _TEXT_CACHE.get(value)
    if body is None:
        body = f'" t="inlineStr"><is><t xml:space="preserve">{_escape(clean_text(value))}</t></is></c>'
        if len(_TEXT_CACHE) >= _TEXT_CACHE_LIMIT:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[value] = body
    return body


def cell_xml(ref: str, value: object, style: int) -> str:
    s = f'" s="{style}' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}{s}"/>' if style else ""
    if isinstance(value, str):
        return f'<c r="{ref}{s}{_text(value)}'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f'<c r="{ref}{s}{_text(str(value))}'
    return f'<c r="{ref}{s}"><v>{value!r}</v></c>'


def row_xml(row: int, cells: Iterable[CellSpec]) -> str:
    r = str(row)
    letters = LETTERS
    body = "".join([cell_xml(letters[c] + r, v, s) for c, v, s in cells])
    return f'<row r="{r}">{body}</row>'


def hyperlink_xml(ref: str, location: str) -> str:
    return f'<hyperlink ref="{ref}" location="{_attr(location)}" display="{_attr(location)}"/>'


def internal_location(sheet: str, ref: str) -> str:
    return "'" + sheet.replace("'", "''") + "'!" + ref


@dataclass
class StreamedSheet:
    """Rows (by Excel row number, ascending) to stream into one sheet of the workbook."""

    ws: Worksheet
    rows: Callable[[], Iterator[tuple[int, list[CellSpec]]]]
    max_col: int  # 0-based index of the last column used
    last_row: int  # the last Excel row the rows reach (for the sheet's dimension)
    hyperlinks: list[str] = field(default_factory=list)  # hyperlink_xml(...) strings


class FastWorkbook:
    """An openpyxl workbook whose large sheets are streamed at save time."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self._streams: list[StreamedSheet] = []
        self._styles: dict[tuple, int] = {}
        self._probe: Worksheet | None = None
        self._saving = False

    def add_sheet(self, title: str) -> Worksheet:
        ws = self.wb.create_sheet(title)
        self._probe = self._probe or ws
        return ws

    def style(self, font=None, fill=None, border=None, alignment=None, number_format=None) -> int:
        """The style id of a combination of style objects (registered once in the workbook)."""
        key = (font, fill, border, alignment, number_format)
        if key not in self._styles:
            if self._saving:
                raise RuntimeError("a style was first used after the workbook's styles were written")
            probe = Cell(self._probe)
            for name, value in zip(("font", "fill", "border", "alignment", "number_format"), key):
                if value is not None:
                    setattr(probe, name, value)
            self._styles[key] = probe.style_id
        return self._styles[key]

    def stream(self, sheet: StreamedSheet) -> None:
        self._streams.append(sheet)

    def save(self, out: Path) -> None:
        skeleton = io.BytesIO()
        self.wb.save(skeleton)
        self._saving = True
        by_name = {s.ws.path.lstrip("/"): s for s in self._streams}
        out = Path(out)
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
        try:
            with zipfile.ZipFile(skeleton) as src, \
                    zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                for info in src.infolist():
                    data = src.read(info.filename)
                    sheet = by_name.get(info.filename)
                    if sheet is None:
                        dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                    else:
                        _splice(dst, info.filename, data, sheet)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _splice(dst: zipfile.ZipFile, name: str, xml: bytes, sheet: StreamedSheet) -> None:
    match = _SHEETDATA.search(xml)
    head, tail = xml[: match.start()], xml[match.end():]
    ref = f'<dimension ref="A1:{LETTERS[sheet.max_col]}{max(sheet.last_row, 1)}"/>'
    head = _DIMENSION.sub(ref.encode(), head)
    with dst.open(name, "w", force_zip64=True) as f:
        f.write(head + b"<sheetData>")
        parts: list[str] = []
        for row, cells in sheet.rows():
            parts.append(row_xml(row, cells))
            if len(parts) >= _CHUNK_ROWS:
                f.write("".join(parts).encode("utf-8"))
                parts = []
        f.write("".join(parts).encode("utf-8"))
        f.write(b"</sheetData>" + _with_links(tail, sheet.hyperlinks))


def _with_links(tail: bytes, links: list[str]) -> bytes:
    if not links:
        return tail
    block = ("<hyperlinks>" + "".join(links) + "</hyperlinks>").encode("utf-8")
    at = min((i for i in (tail.find(t) for t in _AFTER_LINKS) if i >= 0), default=len(tail))
    return tail[:at] + block + tail[at:]
