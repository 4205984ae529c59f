"""Blank templates an admin fills in: the entity's fields in documented order, ready for Excel."""
from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from importer.entities import FLAG_VALUES, Entity, Field, Kind, get_entity
from importer.workbooks import styles as st
from importer.workbooks.helpers import mark_helper_sheets

TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
LAST_ROW = 1048576
FIXED_TIME = datetime(2026, 1, 1)  # templates carry no build time, so regenerating changes nothing
KEY_FILL = "BDD7EE"
CSV_ENCODING = "utf-8-sig"  # a BOM makes Excel read the file as UTF-8 (accents, currency signs)
FIELD_HEADERS = ("field", "kind", "required when", "description", "example")


def resolve(entity: Entity | str) -> Entity:
    return entity if isinstance(entity, Entity) else get_entity(entity)


def required_when(entity: Entity, name: str) -> str:
    """'create, update (key)', 'update (key)', 'create' or '' (optional)."""
    parts = []
    if name in entity.required_create:
        parts.append("create")
    if name in entity.key:
        parts.append("update (key)")
    text = ", ".join(parts)
    if name in entity.create_defaults:
        text += "; blank on create: the ERP fills it in"
    return text


def column_format(f: Field) -> str | None:
    """The number format a column gets so Excel keeps what the person types."""
    if f.kind is Kind.ID:
        return TEXT_FORMAT
    if f.kind is Kind.DATE:
        return DATE_FORMAT
    return None


def validation_for(f: Field) -> DataValidation | None:
    """A warning-style data validation where the field's kind allows one."""
    rules = {
        Kind.DATE: dict(type="date", operator="between", formula1="DATE(1900,1,1)",
                        formula2="DATE(9999,12,31)", error="Enter a date (YYYY-MM-DD)."),
        Kind.DECIMAL: dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                           error="Enter a number, 0 or more."),
        Kind.INTEGER: dict(type="whole", operator="greaterThanOrEqual", formula1="0",
                           error="Enter a whole number, 0 or more."),
        Kind.PERCENT: dict(type="decimal", operator="between", formula1="0", formula2="100",
                           error="Enter a percentage from 0 to 100."),
        Kind.FLAG: dict(type="list", formula1='"' + ",".join(FLAG_VALUES) + '"',
                        error="Enter " + " or ".join(FLAG_VALUES) + "."),
        Kind.LONG_TEXT: dict(type="textLength", operator="lessThanOrEqual",
                             formula1=str(f.max_length or 32765),
                             error=f"At most {f.max_length or 32765:,} characters."),
    }.get(f.kind)
    if rules is None:
        return None
    error = rules.pop("error")
    return DataValidation(**rules, allow_blank=True, showErrorMessage=True, errorStyle="warning",
                          errorTitle=f.name, error=error)


def write_template(entity: Entity | str, path: Path, fmt: str = "xlsx",
                   rules_config: dict | None = None) -> Path:
    """Write the entity's template as ``fmt`` ('xlsx' or 'csv') to ``path``. The price-list
    rules (as ``[rules.*]`` of the settings configure them, default: on) mark the fields they
    require, and the Fields sheet lists every rule."""
    from importer.checks.pricerules import PriceRules, describe, with_rule_fields

    entity, path = resolve(entity), Path(path)
    rules = PriceRules.for_entity(entity, rules_config)
    lines, entity = describe(entity, rules), with_rule_fields(entity, rules)
    if fmt == "csv":
        with path.open("w", encoding=CSV_ENCODING, newline="") as f:
            csv.writer(f).writerow(entity.field_names)
        return path
    if fmt != "xlsx":
        raise ValueError(f"Unknown template format {fmt!r}; use xlsx or csv.")
    wb = Workbook()
    wb.properties.creator = "importer"
    wb.properties.created = FIXED_TIME
    data = wb.active
    data.title = entity.label
    fill_data_sheet(data, entity)
    fill_fields_sheet(wb.create_sheet("Fields"), entity, lines)
    mark_helper_sheets(wb, ["Fields"])
    wb.save(path)
    return path


def header_style(entity: Entity, name: str) -> tuple[Font, PatternFill]:
    if name in entity.required_create:
        return st.BOLD, st.fill(st.REQUIRED)
    if name in entity.key:
        return st.BOLD, st.fill(KEY_FILL)
    return st.PLAIN, st.fill(None)


def write_header(ws: Worksheet, entity: Entity, extra: tuple[str, ...] = ()) -> None:
    """Row 1: the field names (required and key columns marked), id/date column formats, widths."""
    for col, f in enumerate(entity.fields, start=1):
        cell = st.set_text(ws.cell(row=1, column=col), f.name)
        cell.font, cell.fill = header_style(entity, f.name)
        cell.comment = st.comment(field_note(entity, f))
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = st.width_for([f.name, f.example], 10, 40)
        if column_format(f):
            ws.column_dimensions[letter].number_format = column_format(f)
    for offset, header in enumerate(extra, start=len(entity.fields) + 1):
        cell = st.set_text(ws.cell(row=1, column=offset), header)
        cell.font = st.BOLD
        ws.column_dimensions[get_column_letter(offset)].width = max(12, len(header) + 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(entity.fields) + len(extra))}1"
    st.print_wide(ws, 1)


def field_note(entity: Entity, f: Field) -> str:
    lines = [f"{f.name}: {f.description or f.kind.value}", f"Kind: {f.kind.value}"]
    if required_when(entity, f.name):
        lines.append(f"Required for: {required_when(entity, f.name)}")
    if f.example:
        lines.append(f"Example: {f.example}")
    return "\n".join(lines)


def fill_data_sheet(ws: Worksheet, entity: Entity, extra: tuple[str, ...] = ()) -> None:
    write_header(ws, entity, extra)
    for col, f in enumerate(entity.fields, start=1):
        dv = validation_for(f)
        if dv is not None:
            letter = get_column_letter(col)
            dv.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(dv)


def fill_fields_sheet(ws: Worksheet, entity: Entity, rules: list[str] | None = None) -> None:
    """One row per field: kind, when it is required, what it is, an example; the legend, and the
    rules a file of the entity is checked by (importer.checks.pricerules)."""
    table = [(f.name, f.kind.value, required_when(entity, f.name), f.description, f.example)
             for f in entity.fields]
    for col, header in enumerate(FIELD_HEADERS, start=1):
        st.set_text(ws.cell(row=1, column=col), header).font = st.BOLD
        width = st.width_for([header] + [values[col - 1] for values in table], 10, 55)
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, values in enumerate(table, start=2):
        f = entity.fields[row - 2]
        for col, value in enumerate(values, start=1):
            st.set_text(ws.cell(row=row, column=col), value)
        ws.cell(row=row, column=1).font, ws.cell(row=row, column=1).fill = \
            header_style(entity, f.name)
    ws.freeze_panes = "A2"
    st.print_wide(ws, 1)
    end = legend(ws, entity, column=7)
    if rules is None:
        from importer.checks.pricerules import PriceRules, describe

        rules = describe(entity, PriceRules.for_entity(entity))
    st.set_text(ws.cell(row=end + 2, column=7), "Rules (checked by validate and import)").font = \
        st.BOLD
    for offset, text in enumerate(rules, start=end + 3):
        st.set_text(ws.cell(row=offset, column=7), text)


def legend(ws: Worksheet, entity: Entity, column: int) -> int:
    """The legend from row 1 down; returns its last row."""
    rows = [
        ("Legend", None, True),
        ("Required to create", st.REQUIRED, True),
        ("Key: finds the record to update", KEY_FILL, True),
        ("Optional", None, False),
        (f"Update needs the key ({', '.join(entity.key)}) plus at least one other field.",
         None, False),
        ("A blank cell is not sent. Id columns are text, so leading zeros stay.", None, False),
        ("Dates: YYYY-MM-DD. Percentages: 0 to 100. Flags: Y or N.", None, False),
    ]
    ws.column_dimensions[get_column_letter(column)].width = 34
    for offset, (text, colour, bold) in enumerate(rows, start=1):
        cell = st.set_text(ws.cell(row=offset, column=column), text)
        cell.font, cell.fill = st.BOLD if bold else st.PLAIN, st.fill(colour)
    return len(rows)
