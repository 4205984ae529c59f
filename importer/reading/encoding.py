"""CSV bytes that are UTF-8 except for a few cells: the file is read as UTF-8 and each cell with a
byte that is not (a stray Windows-1252 byte such as 0x92) becomes an error at that cell, with the
Windows-1252 reading offered; a NUL byte anywhere is an error at its cell. A file is read as
Windows-1252 only when nothing in it is UTF-8 (reading/sources.py decides that).
"""
from __future__ import annotations

INVALID_UTF8 = "invalid-utf8"
NUL_BYTE = "nul-byte"
MESSAGES = {
    INVALID_UTF8: ("The cell has bytes that are not UTF-8 although the rest of the file is; read "
                   "as Windows-1252 it says {value!r}: correct the cell and save the file as "
                   "UTF-8."),
    NUL_BYTE: ("The cell holds a NUL byte (a damaged or binary export); {value!r} is what "
               "remains without it: correct the cell and export the file again."),
}
CODES = {
    INVALID_UTF8: "A cell of a UTF-8 CSV file has bytes that are not UTF-8.",
    NUL_BYTE: "A cell of a CSV file holds a NUL byte.",
}


def decode_mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few undecodable bytes -> text in which each such byte is a lone surrogate
    (U+DC80..U+DCFF), when the rest of the file is evidently UTF-8 (it has multi-byte
    characters); None when no part of it is UTF-8."""
    text = data.decode("utf-8", errors="surrogateescape")
    if text.startswith("\ufeff"):
        text = text[1:]
    if any(ord(ch) > 127 and not 0xDC80 <= ord(ch) <= 0xDCFF for ch in text):
        return text
    return None


def windows_1252(text: str) -> str:
    """Each lone surrogate byte of ``text`` read as Windows-1252 ('\\udc92' -> '’')."""
    return "".join(bytes([ord(ch) - 0xDC00]).decode("cp1252", errors="replace")
                   if 0xDC80 <= ord(ch) <= 0xDCFF else ch for ch in text)


def mark_bad_cells(rows: list[list[str]], cells: dict, first: int = 1) -> None:
    """Cells with undecodable bytes or NUL: the shown value made printable, and an error mark
    {(excel row, column): (code, shown)} added to ``cells``. A row is looked into only when
    the row as a whole is not plain ASCII (one C-level test per row). ``first``: the Excel row
    of rows[0]."""
    for r, row in enumerate(rows, start=first):
        whole = "".join(row)
        if whole.isascii() and "\x00" not in whole:
            continue
        for c, value in enumerate(row):
            if value.isascii() and "\x00" not in value:
                continue
            code = None
            if "\x00" in value:
                value, code = value.replace("\x00", ""), NUL_BYTE
            if any(0xDC80 <= ord(ch) <= 0xDCFF for ch in value):
                value, code = windows_1252(value), INVALID_UTF8
            if code:
                row[c] = value
                cells[(r, c)] = (code, value)
