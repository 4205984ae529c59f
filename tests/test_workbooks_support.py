"""Plain model values for the workbook tests, built by hand the way the reader hands them over."""
from __future__ import annotations

from pathlib import Path

from importer.entities import PRODUCT_PRICE
from importer.model import Column, Issue, Row, Severity, Table, column_letter

PP_HEADERS = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
              "NOTES"]


def make_table(rows: list[list[str]], headers=PP_HEADERS, header_row: int = 3, sheet="Prices",
               title_rows=(["March price list"], []), entity=PRODUCT_PRICE, start_col: int = 0,
               ) -> Table:
    """A product-price sheet: title rows above the header, data rows right below it."""
    columns = [Column(start_col + i, column_letter(start_col + i), h,
                      h if entity.has_field(h) else None, is_action=h == "ACTION")
               for i, h in enumerate(headers)]
    table_rows = []
    for n, cells in enumerate(rows, start=header_row + 1):
        values = {c.field: v for c, v in zip(columns, cells) if c.field and v}
        table_rows.append(Row(excel_row=n, values=values, cells=list(cells)))
    return Table(path=Path("/data/march.xlsx"), sha256="ab" * 32, file_format="xlsx", sheet=sheet,
                 entity=entity, header_row=header_row, columns=columns, rows=table_rows,
                 title_rows=[list(r) for r in title_rows])


def issue(code, message, row=None, column=None, field=None, value=None, warning=False,
          sheet="Prices"):
    return Issue(code=code, message=message, row=row, column=column, field=field, value=value,
                 severity=Severity.WARNING if warning else Severity.ERROR, sheet=sheet)
