"""`write_repriced`: next month's price list (runs/reprice.py) in the template's layout, with the
old price and the change as helper columns beside each row (their headers are no field, so
reading the file lists them as not sent), and an About sheet saying where the prices came from."""
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

HELPERS = ("Old price", "Old price from", "Price change", "Percent change")


def write_repriced(entity: Entity | str, rows: list[dict[str, str]], helpers: list[list[str]],
                   out: Path, about: tuple[str, str] = ("", ""), fmt: str = "xlsx") -> Path:
    """Write the new rows (field -> value) and their helper cells to ``out`` as ``fmt`` ('xlsx'
    or 'csv'); ``about`` is (the change, where the prices came from)."""
    entity, out = resolve(entity), Path(out)
    table = [[row.get(name, "") for name in entity.field_names] + list(extra)
             for row, extra in zip(rows, helpers)]
    if fmt == "csv":
        with out.open("w", encoding=CSV_ENCODING, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(list(entity.field_names) + list(HELPERS))
            writer.writerows([protect(v) for v in row] for row in table)
        return out
    fw = FastWorkbook()
    data = add_template_sheet(fw, entity, HELPERS, table)
    ws = fw.add_sheet(safe_title("About", {data.title}))
    ws.column_dimensions["A"].width = 100
    change, source = about
    lines = [
        "What this file is",
        f"Next month's {entity.label} list written by importer reprice: {change}. The prices "
        f"it started from: {source}. Nothing has been sent.",
        "How to use it",
        "Review it (the columns Old price, Old price from, Price change and Percent change "
        "are helpers: they stay in the file and are never sent), then check it with importer "
        "validate and load it with importer import.",
        "Written",
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, {len(rows)} rows.",
    ]
    for n, text in enumerate(lines, start=1):
        cell = st.set_text(ws.cell(row=n, column=1), text)
        cell.font = st.BOLD if n % 2 else st.PLAIN
        cell.alignment = st.WRAP_TOP
    fw.save(out)
    return out
