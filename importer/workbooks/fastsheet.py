"""Fast streaming of large sheets into an openpyxl-built workbook.

openpyxl builds the workbook's skeleton (styles, column widths, frozen panes, filters, comments,
charts, the small sheets); the rows of a large sheet are streamed as SpreadsheetML straight into the
saved zip in place of that sheet's (empty) ``<sheetData/>``. openpyxl's own write-only mode needs
about 90 s for a 100,000-row results sheet on the target machine; this needs a few seconds.

Every string is written as an inline string (``t="inlineStr"``), so nothing can become a formula.
"""
from __future__ import annotations

import gc
import io
import itertools
import logging
import os
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from importer.filenames import fitted
from importer.workbooks.comments import Note, comment_parts, comments_xml, vml_xml
from importer.workbooks.helpers import mark_helper_sheets
from importer.workbooks.styles import clean_text, comment
from importer.workbooks.xmltext import LETTERS, escape as _escape, escape_attr as _attr

log = logging.getLogger(__name__)

# One cell of a streamed row: (0-based column, value, style id). Value: str, int, float or None.
CellSpec = tuple[int, object, int]

_SHEETDATA = re.compile(rb"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_AFTER_LINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<drawing",
                b"<legacyDrawing", b"<tableParts", b"</worksheet>")
_CHUNK_ROWS = 2000
_BATCH_CHARS = 1 << 20


_TEXT_CACHE: dict[str, str] = {}
_TEXT_CACHE_LIMIT = 50_000


def _text(value: str) -> str:
    """The inline-string body of a text cell (cached: lists repeat the same few values a lot)."""
    body = _TEXT_CACHE.get(value)
    if body is None:
        text = _escape(clean_text(value))
        # xml:space="preserve" only where it matters: spaces or line breaks at either end
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        body = f'" t="inlineStr"><is><t{space}>{text}</t></is></c>'
        if len(_TEXT_CACHE) >= _TEXT_CACHE_LIMIT:
            _TEXT_CACHE.clear()
        _TEXT_CACHE[value] = body
    return body


_STYLE_ATTR = [""] + [f'" s="{i}' for i in range(1, 1024)]


def _style_attr(style: int) -> str:
    return _STYLE_ATTR[style] if style < 1024 else f'" s="{style}'


text_body, style_attr = _text, _style_attr  # for columnwise, which makes the same cells


def cell_xml(ref: str, value: object, style: int) -> str:
    """One cell; strings always as inline text, numbers as numbers, nothing as a formula."""
    s = _style_attr(style) if style else ""
    if value is None or value == "":
        return f'<c r="{ref}{s}"/>' if style else ""
    if isinstance(value, str):
        return f'<c r="{ref}{s}{_text(value)}'
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f'<c r="{ref}{s}{_text(str(value))}'
    return f'<c r="{ref}{s}"><v>{value!r}</v></c>'


def row_xml(row: int, cells: Iterable[CellSpec]) -> str:
    """One row. The common cases (text, blank) are inlined: this runs for every cell."""
    r = str(row)
    letters, attrs, cached = LETTERS.all, _STYLE_ATTR, _TEXT_CACHE.get
    parts = [f'<row r="{r}">']
    append = parts.append
    for c, v, s in cells:
        if v.__class__ is str and s < 1024:
            if v:
                append(f'<c r="{letters[c]}{r}{attrs[s]}{cached(v) or _text(v)}')
            elif s:
                append(f'<c r="{letters[c]}{r}{attrs[s]}"/>')
        elif (v.__class__ is int or v.__class__ is float) and s < 1024:
            append(f'<c r="{letters[c]}{r}{attrs[s]}"><v>{v!r}</v></c>')
        else:
            append(cell_xml(letters[c] + r, v, s))
    append("</row>")
    return "".join(parts)


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
    # hyperlink_xml(...) strings, or a function making them when they are written (after the
    # rows: a long list is then never held)
    hyperlinks: list[str] | Callable[[], Iterable[str]] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)  # cell comments (Excel row, column, text)
    xml: Callable[[], Iterator[str]] | None = None  # when given: the rows' XML, used for rows

    def __post_init__(self) -> None:
        if self.notes:  # one real comment makes openpyxl write the parts that comments need
            kept = [(c.row, c.column - 1, c.comment.text) for c in self.ws._cells.values()
                    if c.comment is not None]  # comments already set the ordinary way stay
            notes = self.notes
            if kept or any(a >= b for a, b in zip(notes, itertools.islice(notes, 1, None))):
                self.notes = sorted(set(notes) | set(kept))  # else already in order, once each
            row, col, text = self.notes[0]
            self.ws.cell(row=row, column=col + 1).comment = comment(text)


class FastWorkbook:
    """An openpyxl workbook whose large sheets are streamed at save time."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self._streams: list[StreamedSheet] = []
        self._styles: dict[tuple, int] = {}
        self._probe: Worksheet | None = None
        self._saving = False
        self._helpers: list[Worksheet] = []

    def add_sheet(self, title: str, helper: bool = False) -> Worksheet:
        """A new sheet; ``helper``: one of the tool's own (Summary, Issues, About, ...), marked
        so that reading the workbook again does not take it for a record sheet."""
        ws = self.wb.create_sheet(title)
        self._probe = self._probe or ws
        if helper:
            self._helpers.append(ws)
        return ws

    def style(self, font=None, fill=None, border=None, alignment=None, number_format=None) -> int:
        """The style id of a combination of style objects (registered once in the workbook)."""
        key = (font, fill, border, alignment, number_format)
        if key not in self._styles:
            if self._saving:
                raise RuntimeError("a style was first used after the styles were written")
            probe = Cell(self._probe)
            for name, value in zip(("font", "fill", "border", "alignment", "number_format"), key):
                if value is not None:
                    setattr(probe, name, value)
            self._styles[key] = probe.style_id
        return self._styles[key]

    def stream(self, sheet: StreamedSheet) -> None:
        self._streams.append(sheet)

    def save(self, out: Path) -> None:
        mark_helper_sheets(self.wb, [ws.title for ws in self._helpers])
        skeleton = io.BytesIO()
        self.wb.save(skeleton)
        self._saving = True
        out = Path(out)
        tmp = out.with_name(fitted(f".{out.stem}", f"{out.suffix}.{os.getpid()}.tmp"))  # beside it
        collecting = gc.isenabled()
        gc.disable()  # the rows make no cycles; the collector's passes over them cost a third
        try:
            with zipfile.ZipFile(skeleton) as src, \
                    zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
                writers = self._writers(src)
                for info in src.infolist():
                    if info.filename in writers:
                        with dst.open(info.filename, "w", force_zip64=True) as f:
                            writers[info.filename](f, src.read(info.filename))
                    else:
                        dst.writestr(info, src.read(info.filename),
                                     compress_type=zipfile.ZIP_DEFLATED)
            os.replace(tmp, out)
            log.info("wrote %s (%s)", out, ", ".join(ws.title for ws in self.wb.worksheets))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            if collecting:
                gc.enable()

    def _writers(self, src: zipfile.ZipFile) -> dict[str, Callable]:
        """Zip part name -> function(file, openpyxl's bytes) writing the streamed version."""
        writers: dict[str, Callable] = {}
        for sheet in self._streams:
            name = sheet.ws.path.lstrip("/")
            writers[name] = lambda f, xml, sheet=sheet: _splice(f, xml, sheet)
            if sheet.notes:
                folder, base = name.rsplit("/", 1)
                rels = src.read(f"{folder}/_rels/{base}.rels").decode("utf-8")
                parts = comment_parts(rels)
                writers[parts["comments"]] = lambda f, _, n=sheet.notes: _write(f, comments_xml(n))
                writers[parts["vmlDrawing"]] = lambda f, _, n=sheet.notes: _write(f, vml_xml(n))
        return writers


def _write(f, pieces: Iterable[str]) -> None:
    """Pieces joined a batch at a time, each batch compressed and written behind."""
    _write_behind(f, _batched(pieces))


def _batched(pieces: Iterable[str]) -> Iterator[str]:
    """Small pieces (a row, a comment) joined into strings of up to _CHUNK_ROWS pieces or
    about _BATCH_CHARS characters; a large piece passes as it is."""
    batch: list[str] = []
    size = 0
    for piece in pieces:
        batch.append(piece)
        size += len(piece)
        if len(batch) >= _CHUNK_ROWS or size >= _BATCH_CHARS:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _write_behind(f, pieces: Iterable[str]) -> None:
    """Each piece compressed and written by a second thread while the next one is made: zlib
    lets go of the GIL, so on two cores the compression costs next to no wall time. At most
    two pieces are held at once (the one being written, the one being made)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = None
        for piece in pieces:
            data = piece.encode("utf-8")
            if pending is not None:
                pending.result()
            pending = pool.submit(f.write, data)
        if pending is not None:
            pending.result()


def _splice(f, xml: bytes, sheet: StreamedSheet) -> None:
    match = _SHEETDATA.search(xml)
    head, tail = xml[: match.start()], xml[match.end():]
    ref = f'<dimension ref="A1:{LETTERS[sheet.max_col]}{max(sheet.last_row, 1)}"/>'
    f.write(_DIMENSION.sub(ref.encode(), head) + b"<sheetData>")
    if sheet.xml is not None:
        _write(f, sheet.xml())
    else:
        _write(f, (row_xml(row, cells) for row, cells in sheet.rows()))
    links = sheet.hyperlinks() if callable(sheet.hyperlinks) else iter(sheet.hyperlinks)
    first = next(links, None)
    if first is None:
        f.write(b"</sheetData>" + tail)
        return
    at = min((i for i in (tail.find(t) for t in _AFTER_LINKS) if i >= 0), default=len(tail))
    f.write(b"</sheetData>" + tail[:at] + b"<hyperlinks>")
    _write(f, itertools.chain((first,), links))
    f.write(b"</hyperlinks>" + tail[at:])
