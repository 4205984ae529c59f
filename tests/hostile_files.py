"""Hostile and accidental input files, written on demand (nothing large is committed).

Used by tests/test_hostile_files.py and bench/bench_hostile.py. Each maker writes one file into a
folder and returns its path; the files are small on disk even when what they declare is huge.

    python tests/hostile_files.py FOLDER     # write them all there, to try by hand
"""
from __future__ import annotations

import datetime as dt
import io
import os
import sys
import zipfile
import zlib
from pathlib import Path

from importer.model import column_letter as _col

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]
ROWS = [["PUMP001", "LP", "2026-12-01", "1", "USD", "199.5"],
        ["PUMP002", "LP", "2026-12-01", "1", "USD", "20"]]
DATA = Path(__file__).resolve().parent / "data"


# --- xlsx written by hand (fast, and free to say anything in its XML) ---------------------------
_CT = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
       b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
       b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="'
       b'application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
       b'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
       b'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'spreadsheetml.worksheet+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
         b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
         b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="'
         b'xl/workbook.xml"/></Relationships>')
_BOOK = (b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
         b'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
         b'officeDocument/2006/relationships"><sheets><sheet name="Prices" sheetId="1" r:id="rId1"'
         b'/></sheets></workbook>')
_BOOK_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
              b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
              b'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
              b'Target="worksheets/sheet1.xml"/></Relationships>')
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
               b'openxmlformats.org/spreadsheetml/2006/main">')


def _cell(ref: str, value: str) -> bytes:
    if value.replace(".", "", 1).isdigit() and not value.startswith("0"):
        return f'<c r="{ref}"><v>{value}</v></c>'.encode()
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def _row(r: int, values: list[str], first_col: int = 0) -> bytes:
    cells = b"".join(_cell(f"{_col(first_col + c)}{r}", v) for c, v in enumerate(values) if v)
    return f'<row r="{r}">'.encode() + cells + b"</row>"


def sheet_xml(rows: list[list[str]], extra: bytes = b"", dimension: str | None = None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    body = b"".join(_row(r, values) for r, values in enumerate(rows, start=1))
    return _SHEET_HEAD + dim + b"<sheetData>" + body + extra + b"</sheetData></worksheet>"


def write_xlsx(path: Path, sheet: bytes, level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _BOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def stray_xlsx(folder: Path, address: str) -> Path:
    """The two-row price list with one value typed at ``address`` (e.g. XFD200000)."""
    letters = address.rstrip("0123456789")
    row = int(address[len(letters):])
    extra = f'<row r="{row}">'.encode() + _cell(address, "stray") + b"</row>"
    return write_xlsx(folder / f"stray_{address}.xlsx", sheet_xml([HEADER] + ROWS, extra))


def all_columns_xlsx(folder: Path) -> Path:
    """Data in all 16,384 columns: the header's known fields, then 16,378 more."""
    header = HEADER + [f"EXTRA_{n}" for n in range(len(HEADER), 16384)]
    values = ROWS[0] + [str(n) for n in range(len(HEADER), 16384)]
    return write_xlsx(folder / "all_16384_columns.xlsx", sheet_xml([header, values]))


def field_in_last_column_xlsx(folder: Path) -> Path:
    """The price list with its NOTES field in column XFD, Excel's last: read, and its results
    written, though no column is left after it."""
    header = HEADER + [""] * (16383 - len(HEADER)) + ["NOTES"]
    values = ROWS[0] + [""] * (16383 - len(HEADER)) + ["far right"]
    return write_xlsx(folder / "notes_in_XFD.xlsx", sheet_xml([header, values]))


class _BlockCompressor:
    """Raw deflate, each write its own full-flushed block (cached): 1.5 GB of identical chunks
    compress in a second instead of half a minute, into the same few MB."""

    def __init__(self) -> None:
        self._cache: dict[int, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        key = hash(data)
        if key not in self._cache:
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            self._cache[key] = c.compress(data) + c.flush(zlib.Z_FULL_FLUSH)
        return self._cache[key]

    def flush(self) -> bytes:
        return zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def zip_bomb_xlsx(folder: Path, inflated_mb: int = 1536) -> Path:
    """A few MB on disk whose sheet inflates to ``inflated_mb`` MB (blank padding between rows),
    a valid zip with true sizes and CRC."""
    path = folder / f"zip_bomb_{inflated_mb}mb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in (("[Content_Types].xml", _CT), ("_rels/.rels", _RELS),
                           ("xl/workbook.xml", _BOOK), ("xl/_rels/workbook.xml.rels", _BOOK_RELS)):
            zf.writestr(name, data)
        head = sheet_xml([HEADER] + ROWS).replace(b"</sheetData></worksheet>", b"")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member._compressor = _BlockCompressor()
            member.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(inflated_mb):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return path


def huge_dimension_xlsx(folder: Path) -> Path:
    return write_xlsx(folder / "huge_dimension.xlsx",
                      sheet_xml([HEADER] + ROWS, dimension="A1:XFD1048576"))


# --- ods written by hand -----------------------------------------------------------------------
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def _ods_cell(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def stray_ods(folder: Path, gap_rows: int = 1048570, gap_cols: int = 0) -> Path:
    """The two-row price list and one value ``gap_rows`` empty rows below (and ``gap_cols``
    empty columns right of) the table, written as LibreOffice writes repeats."""
    rows = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in r) + "</table:table-row>"
                   for r in [HEADER] + ROWS)
    pad = f'<table:table-cell table:number-columns-repeated="{gap_cols}"/>' if gap_cols else ""
    rows += (f'<table:table-row table:number-rows-repeated="{gap_rows}"><table:table-cell/>'
             f'</table:table-row><table:table-row>{pad}{_ods_cell("stray")}</table:table-row>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
               f'office:version="1.2"><office:body><office:spreadsheet><table:table '
               f'table:name="Prices">{rows}</table:table></office:spreadsheet></office:body>'
               f'</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:'
                'oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
                'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="'
                'content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    path = folder / f"stray_{gap_rows}_{gap_cols}.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def stray_xls(folder: Path) -> Path:
    """The two-row price list with a value at IV65536 (the last cell of a .xls sheet), written
    by LibreOffice once and kept in tests/data (6 KB)."""
    return DATA / "stray_IV65536.xls"


# --- CSV and special files ---------------------------------------------------------------------
def comma_line_csv(folder: Path, mb: int = 50) -> Path:
    path = folder / f"commas_{mb}mb.csv"
    with path.open("wb") as f:
        f.write(",".join(HEADER).encode() + b"\r\n")
        f.write(b"," * (mb << 20) + b"\r\n")
    return path


def fifo(folder: Path) -> Path:
    path = folder / "pipe.csv"
    os.mkfifo(path)
    return path


DEV_ZERO = Path("/dev/zero")


def price_list_csv_bytes() -> bytes:
    out = io.StringIO()
    for row in [HEADER] + ROWS:
        out.write(",".join(row) + "\r\n")
    return out.getvalue().encode()


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for made in (stray_xlsx(target, "XFD200000"), stray_xlsx(target, "Z1048576"),
                 all_columns_xlsx(target), zip_bomb_xlsx(target), huge_dimension_xlsx(target),
                 stray_ods(target), comma_line_csv(target)):
        print(made, made.stat().st_size)
    print(dt.datetime.now())
