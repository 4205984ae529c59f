"""The sheets a file offers, for a person choosing one (the web page's sheet picker)."""
from __future__ import annotations

from pathlib import Path

from importer.reading.sources import OLE_MAGIC, ZIP_MAGIC


def sheet_names(path: Path) -> list[str]:
    """The visible worksheets of a workbook in file order; a CSV file has one, named after it.
    A file calamine cannot open lists nothing (reading it then says what is wrong)."""
    with open(path, "rb") as handle:
        magic = handle.read(8)
    if not (magic.startswith(ZIP_MAGIC) or magic.startswith(OLE_MAGIC)):
        return [path.stem]
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        return [s.name for s in book.sheets_metadata
                if s.typ == SheetTypeEnum.WorkSheet and s.visible == SheetVisibleEnum.Visible]
    except Exception:  # noqa: BLE001 - reading the sheet itself reports the damage
        return []
