"""`write_removal_workbook`: the records a reverted run created, to remove in the ERP by hand
(the API has no delete), in the template's layout."""
from __future__ import annotations

from pathlib import Path

from importer.entities import Entity
from importer.workbooks import styles as st
from importer.workbooks.export import export_rows
from importer.workbooks.fastsheet import FastWorkbook
from importer.workbooks.sheets import safe_title
from importer.workbooks.tabular import add_template_sheet

ABOUT = (
    "What this file is",
    "The {count} {label} records that run {run} created, as the ERP returned them. Reverting the "
    "run cannot remove them: the ERP's API has no delete. Remove them in the ERP ({program}) by "
    "hand, or leave them if they are wanted.",
    "Do not import this file",
    "Importing it would only update these records again.",
)


def write_removal_workbook(entity: Entity, run_id: int, records: list[dict[str, str]],
                           out: Path) -> Path:
    out = Path(out)
    fw = FastWorkbook()
    data = add_template_sheet(fw, entity, (), export_rows(entity, records))
    about = fw.add_sheet(safe_title("About", {data.title}), helper=True)
    about.column_dimensions["A"].width = 100
    for n, text in enumerate(ABOUT, start=1):
        cell = st.set_text(about.cell(row=n, column=1), text.format(
            count=len(records), label=entity.label, run=run_id, program=entity.program))
        cell.font = st.BOLD if n % 2 else st.PLAIN
        cell.alignment = st.WRAP_TOP
    fw.save(out)
    return out
