"""Which spreadsheet program saved a workbook, from the file's own application property, so that
its cells are shown the way that program shows them (reading/display.py).

- .xlsx/.xlsm: ``<Application>`` in docProps/app.xml ("Microsoft Excel"; LibreOffice writes
  "LibreOffice/7.4...", openpyxl "Microsoft Excel Compatible / Openpyxl 3.1").
- .xls: the application name (PIDSI_APPNAME) in the SummaryInformation stream; Excel writes it,
  LibreOffice does not.
- .ods: ``<meta:generator>`` in meta.xml.

The answer is EXCEL, LIBREOFFICE, or None when the file does not say (no property, or another
program such as openpyxl); reading/display.py shows those LibreOffice's way, as before, and
reading/fidelity.py checks key and number fields against Excel's way too.
"""
from __future__ import annotations

import re
import struct
import zipfile

EXCEL = "excel"
LIBREOFFICE = "libreoffice"

_APPLICATION = re.compile(rb"<(?:\w+:)?Application>([^<]*)</(?:\w+:)?Application>")
_GENERATOR = re.compile(rb"<meta:generator>([^<]*)</meta:generator>")
_SUMMARY = "\x05SummaryInformation"
_PIDSI_APPNAME = 0x12
_VT_LPSTR = 0x1E


def from_name(name: str | None) -> str | None:
    """An application name as a file states it -> EXCEL, LIBREOFFICE or None."""
    text = (name or "").strip().lower()
    if not text:
        return None
    if "libreoffice" in text or "openoffice" in text or "staroffice" in text:
        return LIBREOFFICE
    if "compatible" in text:  # openpyxl: "Microsoft Excel Compatible / Openpyxl"
        return None
    if text.startswith("microsoft excel") or "microsoftexcel" in text:
        return EXCEL
    return None


def xlsx_program(zf: zipfile.ZipFile) -> str | None:
    return _named_in(zf, "docProps/app.xml", _APPLICATION)


def ods_program(zf: zipfile.ZipFile) -> str | None:
    return _named_in(zf, "meta.xml", _GENERATOR)


def _named_in(zf: zipfile.ZipFile, member: str, pattern: re.Pattern) -> str | None:
    try:
        xml = zf.read(member)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        return None
    m = pattern.search(xml[:65536])
    return from_name(m.group(1).decode("utf-8", "replace")) if m else None


def xls_program(data: bytes) -> str | None:
    """The application name of an .xls file's SummaryInformation property set."""
    try:
        from xlrd.compdoc import CompDoc

        stream = CompDoc(data, logfile=_Quiet()).get_named_stream(_SUMMARY)
        return from_name(_appname(stream)) if stream else None
    except Exception:  # noqa: BLE001 - a damaged property set only means: it does not say
        return None


def _appname(stream: bytes) -> str | None:
    """PIDSI_APPNAME of the first property set in an OLE property set stream."""
    sections = struct.unpack_from("<I", stream, 24)[0]
    if sections < 1:
        return None
    offset = struct.unpack_from("<I", stream, 44)[0]
    count = struct.unpack_from("<I", stream, offset + 4)[0]
    codepage = "cp1252"
    found = None
    for k in range(min(count, 256)):
        pid, where = struct.unpack_from("<II", stream, offset + 8 + 8 * k)
        vtype = struct.unpack_from("<I", stream, offset + where)[0] & 0xFFFF
        if pid == 1 and vtype == 2:
            cp = struct.unpack_from("<h", stream, offset + where + 4)[0] & 0xFFFF
            codepage = "utf-8" if cp == 65001 else ("utf-16-le" if cp == 1200 else f"cp{cp}")
        elif pid == _PIDSI_APPNAME and vtype == _VT_LPSTR:
            size = struct.unpack_from("<I", stream, offset + where + 4)[0]
            found = stream[offset + where + 8:offset + where + 8 + min(size, 1024)]
    if found is None:
        return None
    try:
        return found.decode(codepage, "replace").rstrip("\x00")
    except LookupError:
        return found.decode("cp1252", "replace").rstrip("\x00")


class _Quiet:
    def write(self, _text: str) -> None:
        pass
