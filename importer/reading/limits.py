"""Limits checked before anything is inflated or parsed: what keeps a hostile or accidental file
from taking the machine's memory.

- only regular files are read (a device such as /dev/zero, a pipe or a socket is refused);
- a file, and every member of an xlsx/ods zip as its directory declares it, is at most
  ``[reading] max_sheet_mb`` (default 1024 MB: a full 1,048,576-row Excel sheet of a price list
  with room to spare); a zip may hold at most MAX_ZIP_MEMBERS members and a large member may not
  claim a compression ratio beyond MAX_RATIO (a zip bomb);
- a CSV line is at most MAX_CSV_LINE_MB long and has at most MAX_COLUMNS values (Excel's own
  column limit), checked on the text before it is split into values.

Every limit exceeded is errors.UnusableFile: one sentence that names the limit.
"""
from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

from importer.errors import UnusableFile

DEFAULT_MAX_SHEET_MB = 1024
MAX_ZIP_MEMBERS = 10_000
MAX_RATIO = 200  # inflated / compressed, for members of more than RATIO_FROM_MB
RATIO_FROM_MB = 64
MAX_COLUMNS = 16_384  # Excel's last column is XFD
MAX_CSV_LINE_MB = 32
SETTING = "[reading] max_sheet_mb in importer.toml (or IMPORTER_MAX_SHEET_MB)"


@dataclass(frozen=True)
class ReadLimits:
    """How much a file may declare before it is refused (see the module docstring)."""

    max_sheet_mb: int = DEFAULT_MAX_SHEET_MB

    @property
    def max_bytes(self) -> int:
        return self.max_sheet_mb << 20

    @property
    def max_cells(self) -> int:
        """Cells a sheet's bounding box may span: what max_sheet_mb of sheet XML can hold at
        about 32 bytes per cell."""
        return self.max_bytes // 32


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def check_regular_file(path: Path, limits: ReadLimits) -> None:
    """Refuse anything but an existing regular file of at most max_sheet_mb (before opening it:
    opening a pipe would wait for a writer)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnusableFile(f"File {path} does not exist; check the name and folder.") from None
    except OSError as exc:
        raise UnusableFile(f"File {path} cannot be opened ({exc.strerror}); "
                           "check the name and that you may read it.") from None
    if stat.S_ISDIR(info.st_mode):
        raise UnusableFile(f"{path} is a folder, not a file; give the spreadsheet's file name.")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a pipe" if stat.S_ISFIFO(info.st_mode) else "a socket"
                if stat.S_ISSOCK(info.st_mode) else "a device")
        raise UnusableFile(f"{path} is {kind}, not a file; save the spreadsheet as a file and "
                           "give its name.")
    if info.st_size > limits.max_bytes:
        raise UnusableFile(f"File {path.name} is {_mb(info.st_size)}, more than the "
                           f"{limits.max_sheet_mb:,} MB a file may have; split it, or raise "
                           f"{SETTING}.")


def check_zip(path: Path, zf: zipfile.ZipFile, limits: ReadLimits) -> None:
    """The zip's directory, before any member is inflated: member count, each member's declared
    size and, for large members, its compression ratio."""
    members = zf.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnusableFile(f"File {path.name} holds {len(members):,} parts, more than a workbook "
                           f"has ({MAX_ZIP_MEMBERS:,} at most); re-save it from your spreadsheet "
                           "program.")
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > limits.max_bytes or total > 2 * limits.max_bytes:
            raise UnusableFile(f"File {path.name} unpacks to more than {limits.max_sheet_mb:,} "
                               f"MB ({info.filename} alone is {_mb(info.file_size)}); split the "
                               f"sheet, or raise {SETTING}.")
        if (info.file_size > RATIO_FROM_MB << 20
                and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise UnusableFile(f"File {path.name} is a zip bomb: {info.filename} claims to unpack "
                               f"{info.file_size // max(info.compress_size, 1):,} times larger "
                               f"than it is (at most {MAX_RATIO} for parts over "
                               f"{RATIO_FROM_MB} MB); it is not a workbook to import.")


def check_csv_text(path: Path, text: str, delimiter: str) -> None:
    """Refuse a line longer than MAX_CSV_LINE_MB or with more than MAX_COLUMNS values, found at
    C speed (one split, one length and one count per line) before the csv module builds a string
    per value."""
    if len(text) < MAX_COLUMNS:
        return  # too short for either
    lines = text.split("\n")
    lengths = list(map(len, lines))
    if max(lengths) >= MAX_CSV_LINE_MB << 20:
        line = next(k for k, n in enumerate(lengths) if n >= MAX_CSV_LINE_MB << 20) + 1
        raise UnusableFile(f"Line {line:,} of {path.name} is longer than {MAX_CSV_LINE_MB} MB; "
                           f"it is not a table to import: check the file.")
    counts = list(map(str.count, lines, repeat(delimiter)))
    if max(counts) < MAX_COLUMNS:
        return
    for k in (k for k, n in enumerate(counts) if n >= MAX_COLUMNS):
        if re.sub(r'"[^"]*"', "", lines[k]).count(delimiter) >= MAX_COLUMNS:
            raise UnusableFile(f"Line {k + 1:,} of {path.name} has more than {MAX_COLUMNS:,} "
                               f"values (Excel's limit); check the file: it is not a table to "
                               f"import.")
