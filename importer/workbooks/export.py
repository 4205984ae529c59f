"""`write_export`: records this tool has seen, in the template's layout, ready for next month."""
from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from importer.csvtext import protect
from importer.entities import Entity
from importer.workbooks import styles as st
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.sheets import safe_title
from importer.workbooks.tabular import add_template_sheet
from importer.workbooks.templates import CSV_ENCODING, resolve

ABOUT = (
    "What this file is",
    "The latest state of every {label} record that this tool created or updated, as the ERP "
    "returned it at the time. It is what this tool has seen, not a full download of the ERP: "
    "records changed in the ERP by other means, or loaded by other tools, are not here or may "
    "be out of date.",
    "How to use it",
    "Edit the rows and load the file again with importer import; rows whose key exists are "
    "updated. Blank cells are not sent. Id columns are text, so leading zeros stay; numbers "
    "are number cells and dates date cells shown as YYYY-MM-DD, exactly as the ERP returned "
    "them.",
)


def export_rows(entity: Entity, records: list[dict[str, str]]) -> list[list[str]]:
    """One row per record: the request fields in documented order, as the strings the ERP gave."""
    return [[_text(record.get(name)) for name in entity.field_names] for record in records]


def _text(value: object) -> str:
    return "" if value is None else str(value)


def write_export(entity: Entity | str, records: list[dict[str, str]], out: Path,
                 fmt: str = "xlsx") -> Path:
    """Write ``records`` (dicts of response fields) as ``fmt`` ('xlsx' or 'csv') to ``out``; in
    a CSV, values a spreadsheet would run as formulas are quoted (importer.csvtext)."""
    entity, out = resolve(entity), Path(out)
    rows = export_rows(entity, records)
    if fmt == "csv":
        with out.open("w", encoding=CSV_ENCODING, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(entity.field_names)
            writer.writerows([protect(v) for v in row] for row in rows)
        return out
    if fmt != "xlsx":
        raise ValueError(f"Unknown export format {fmt!r}; use xlsx or csv.")
    fw = FastWorkbook()
    data = add_template_sheet(fw, entity, (), rows)
    about = fw.add_sheet(safe_title("About", {data.title}), helper=True)
    _fill_about(about, entity, len(rows))
    fw.save(out)
    return out


def _fill_about(ws, entity: Entity, count: int) -> None:
    ws.column_dimensions["A"].width = 100
    lines = list(ABOUT) + ["Written", f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, "
                                      f"{count} {entity.label} records."]
    for n, text in enumerate(lines, start=1):
        cell = st.set_text(ws.cell(row=n, column=1), text.format(label=entity.label))
        cell.font = st.BOLD if n % 2 else st.PLAIN
        cell.alignment = st.WRAP_TOP
