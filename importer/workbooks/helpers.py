"""The mark that tells a reader which sheets of a workbook are this tool's helper sheets (Fields,
Summary, Issues, About, "<sheet> results") rather than record sheets: a custom document property
listing them (``model.HELPER_SHEETS_PROPERTY``, read by reading/toolsheets.py). Every workbook the
tool writes carries it, so importing a template, an export, a failed-rows or a results workbook
again needs no option."""
from __future__ import annotations

import json
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from importer.model import HELPER_SHEETS_PROPERTY


def mark_helper_sheets(wb: Workbook, titles: Iterable[str]) -> None:
    """Name ``titles`` as helper sheets in ``wb``'s custom properties (replacing an earlier mark)."""
    props = wb.custom_doc_props
    for old in [p for p in props.props if p.name == HELPER_SHEETS_PROPERTY]:
        props.props.remove(old)
    props.append(StringProperty(name=HELPER_SHEETS_PROPERTY,
                                value=json.dumps(sorted(set(titles)))))
