"""Corrections: a copy of the admin's own file with exactly the edited cells changed.

    write_corrected(source, sheet, {("D", 7): "000417"}, kinds, dest)

Every other byte of the file stays as it was: for .xlsx/.xlsm only the edited ``<c>`` elements of
that one sheet's XML are replaced (styles, number formats, formulas and their stored results,
other sheets, charts and macros are copied unchanged, member by member); for .csv only the edited
records are rewritten, in the file's own encoding, delimiter and line endings. An edited cell keeps
its style; the value is written by the field's kind: a number that General format shows exactly as
typed as a number cell, everything else as text (so ``000417`` and ``40.00`` stay as typed), dates
as ISO text, which the reader reads as that date.

.xls and .ods files cannot be edited this way (no library writes them without re-creating the
whole file); `CorrectionsUnsupported` says so in one sentence. This module owns the file edits
only: which value is right is validation's business, and the caller re-reads the corrected copy
with the same reader to see what the import will send.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from importer.csvtext import protect
from importer.entities import Kind
from importer.errors import UnusableFile
from importer.reading.scan import column_index, xlsx_sheet_path
from importer.reading.sources import sniff_delimiter

Edits = dict[tuple[str, int], str]  # (column letter, excel row) -> the text the admin typed

EDITABLE_FORMATS = ("xlsx", "xlsm", "csv")
# A number whose General rendering is exactly the typed text (no leading or trailing zeros, at most
# 15 significant digits) becomes a number cell; any other typed number stays text, so what was
# typed is what is read and sent (40.00 stays 40.00, 007 stays 007).
_GENERAL_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d*[1-9])?\Z")


class CorrectionsUnsupported(UnusableFile):
    """The file's format cannot be edited in place."""


def write_corrected(source: Path, file_format: str, sheet: str, edits: Edits,
                    kinds: dict[str, Kind | None], dest: Path) -> Path:
    """Write ``dest``: ``source`` with the cells in ``edits`` set to the typed text.
    ``kinds`` maps a column letter to its field's kind (None: not a field). Returns ``dest``."""
    if file_format not in EDITABLE_FORMATS:
        raise CorrectionsUnsupported(
            f"Cells of a .{file_format} file cannot be corrected here; correct them in your "
            "spreadsheet program (or save the file as .xlsx) and upload it again.")
    if not edits:
        shutil.copyfile(source, dest)
    elif file_format == "csv":
        dest.write_bytes(_corrected_csv(source.read_bytes(), edits))
    else:
        _corrected_xlsx(source, sheet, edits, kinds, dest)
    return dest


# --- xlsx / xlsm --------------------------------------------------------------------------------
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(/?)>')
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(/?)>')
_STYLE = re.compile(rb'\bs="(\d+)"')


def _corrected_xlsx(source: Path, sheet: str, edits: Edits, kinds: dict[str, Kind | None],
                    dest: Path) -> None:
    with zipfile.ZipFile(source) as zin:
        member = xlsx_sheet_path(zin, sheet)
        if member is None or member not in zin.namelist():
            raise UnusableFile(f"Sheet {sheet!r} is no longer in {source.name}; upload it again.")
        xml = zin.read(member)
        if re.search(rb"<\w+:sheetData[\s>]", xml):
            raise CorrectionsUnsupported(
                f"{source.name} was written by a program whose sheet layout cannot be edited "
                "here; correct the cells in your spreadsheet program and upload it again.")
        had_formula = False
        for (letter, row), text in sorted(edits.items(), key=lambda e: (e[0][1],
                                                                      column_index(e[0][0]))):
            xml, replaced_formula = _set_cell(xml, letter, row, text, kinds.get(letter))
            had_formula |= replaced_formula
        drop = {"xl/calcChain.xml"} if had_formula else set()
        with zipfile.ZipFile(dest, "w") as zout:
            for info in zin.infolist():
                if info.filename in drop:
                    continue
                data = xml if info.filename == member else zin.read(info.filename)
                if drop and info.filename == "[Content_Types].xml":
                    data = re.sub(rb'<Override[^>]*?/xl/calcChain\.xml"[^>]*/>', b"", data)
                elif drop and info.filename == "xl/_rels/workbook.xml.rels":
                    data = re.sub(rb'<Relationship[^>]*?calcChain\.xml"[^>]*/>', b"", data)
                zout.writestr(info, data)


def _set_cell(xml: bytes, letter: str, row: int, text: str,
              kind: Kind | None) -> tuple[bytes, bool]:
    """``xml`` with cell letter+row set to ``text``; True when a formula was replaced."""
    ref = f"{letter}{row}"
    row_start, row_end, body_start = _find_row(xml, row)
    if row_start is None:  # no such row yet: insert one in order
        at = _row_insert_point(xml, row)
        new = f'<row r="{row}">'.encode() + _cell_xml(ref, None, text, kind) + b"</row>"
        return xml[:at] + new + xml[at:], False
    if body_start is None:  # <row .../> : open it
        opening = xml[row_start:row_end][:-2] + b">"
        new = opening + _cell_xml(ref, None, text, kind) + b"</row>"
        return xml[:row_start] + new + xml[row_end:], False
    target = column_index(letter)
    pos = body_start
    while True:
        match = _CELL.search(xml, pos, row_end)
        if match is None or int(match.group(2)) != row:
            return xml[:row_end - len(b"</row>")] + _cell_xml(ref, None, text, kind) + \
                xml[row_end - len(b"</row>"):], False
        col = column_index(match.group(1))
        if col > target:  # insert before this cell
            at = match.start()
            return xml[:at] + _cell_xml(ref, None, text, kind) + xml[at:], False
        end = match.end() if match.group(3) else xml.index(b"</c>", match.end()) + 4
        if col == target:
            old = xml[match.start():end]
            if b't="shared"' in old and b" ref=" in old:
                raise CorrectionsUnsupported(
                    f"Cell {ref} holds a formula that other cells share; correct it in your "
                    "spreadsheet program and upload the file again.")
            style = _STYLE.search(match.group(0))
            new = _cell_xml(ref, style.group(1).decode() if style else None, text, kind)
            return xml[:match.start()] + new + xml[end:], b"<f" in old
        pos = end


def _find_row(xml: bytes, row: int) -> tuple[int | None, int, int | None]:
    """(start, end, body start) of <row r=row>; body start None for a self-closing row."""
    for match in _ROW.finditer(xml):
        number = int(match.group(1))
        if number == row:
            if match.group(2):
                return match.start(), match.end(), None
            return match.start(), xml.index(b"</row>", match.end()) + 6, match.end()
        if number > row:
            break
    return None, 0, None


def _row_insert_point(xml: bytes, row: int) -> int:
    for match in _ROW.finditer(xml):
        if int(match.group(1)) > row:
            return match.start()
    empty = re.search(rb"<sheetData\s*/>", xml)
    if empty:
        raise CorrectionsUnsupported("The sheet has no rows to correct; upload it again.")
    return xml.index(b"</sheetData>")


def _cell_xml(ref: str, style: str | None, text: str, kind: Kind | None) -> bytes:
    s = f' s="{style}"' if style else ""
    if text == "":
        return f'<c r="{ref}"{s}/>'.encode()
    if kind is not None and kind.numeric and _GENERAL_NUMBER.match(text) and \
            sum(ch.isdigit() for ch in text.lstrip("-0.")) <= 15:
        return f'<c r="{ref}"{s}><v>{text}</v></c>'.encode()
    body = escape(text)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>' \
        .encode("utf-8")


# --- csv --------------------------------------------------------------------------------------
def _corrected_csv(data: bytes, edits: Edits) -> bytes:
    """Only the edited records change; the others keep their bytes."""
    encoding, bom = _csv_encoding(data)
    if encoding.startswith("utf-16"):
        text = data[len(bom):].decode(encoding)
        return bom + _edit_records(text, edits).encode(encoding)
    body = data[len(bom):]
    records = _split_records(body)
    delimiter = sniff_delimiter(body.decode(encoding, errors="replace"))
    by_row: dict[int, dict[int, str]] = {}
    for (letter, row), text in edits.items():
        by_row.setdefault(row, {})[column_index(letter)] = text
    out = []
    for number, record in enumerate(records, start=1):
        if number in by_row:
            text = record.decode(encoding, errors="strict")
            record = _edit_record(text, by_row[number], delimiter).encode(encoding)
        out.append(record)
    return bom + b"".join(out)


def _csv_encoding(data: bytes) -> tuple[str, bytes]:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return name, bom
    try:
        data.decode("utf-8")
        return "utf-8", b""
    except UnicodeDecodeError:
        return "cp1252", b""


def _edit_records(text: str, edits: Edits) -> str:
    delimiter = sniff_delimiter(text)
    by_row: dict[int, dict[int, str]] = {}
    for (letter, row), value in edits.items():
        by_row.setdefault(row, {})[column_index(letter)] = value
    records = _split_records(text)
    return "".join(_edit_record(r, by_row[n], delimiter) if n in by_row else r
                   for n, r in enumerate(records, start=1))


def _split_records(body):
    """Records with their line terminators, split at newlines outside quotes (bytes or str)."""
    quote, newline = ('"', "\n") if isinstance(body, str) else (b'"', b"\n")
    parts = body.split(newline)
    lines = [p + newline for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    records, current, odd = [], body[:0], False
    for line in lines:
        current += line
        odd ^= bool(line.count(quote) % 2)
        if not odd:
            records.append(current)
            current = body[:0]
    if current:
        records.append(current)
    return records


def _edit_record(record: str, values: dict[int, str], delimiter: str) -> str:
    stripped = record.rstrip("\r\n")
    ending = record[len(stripped):]
    fields = next(csv.reader([stripped], delimiter=delimiter), [])
    for index, value in values.items():
        fields.extend([""] * (index + 1 - len(fields)))
        fields[index] = protect(value)  # the reader gives back exactly the typed text
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
    return buffer.getvalue() + ending
