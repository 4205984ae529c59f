"""One column of raw cells -> what the person sees, the API strings, and the reading issues."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from importer.entities import Kind
from importer.model import Column, Issue, Severity
from importer.reading.scan import EXCEL_ERROR, FORMULA_WITHOUT_VALUE, Marks
from importer.reading.values import date_value, display, format_number

MESSAGES = {
    EXCEL_ERROR: "The cell shows the error {value}; correct the formula or type the value.",
    FORMULA_WITHOUT_VALUE: ("The cell holds a formula that was never calculated (the file was "
                            "written by a program); open the file in Excel or LibreOffice, save "
                            "it and try again."),
    "whitespace-trimmed": "Spaces around {value!r} were removed.",
    "time-ignored": "The time of day in {value!r} is ignored; only the date is sent.",
}


@dataclass
class ConvertedColumn:
    shown: list[str]  # every cell as displayed ('' for blank)
    api: list[str]  # the value to send ('' = not sent)
    issues: list[Issue] = field(default_factory=list)


def convert_column(raw: list, column: Column, kind: Kind | None, first_row: int, sheet: str,
                   marks: Marks, day_first: bool) -> ConvertedColumn:
    """raw[i] is the cell of Excel row first_row + i."""
    if kind is Kind.DATE:
        shown, api, timed = _dates(raw, day_first)
    else:
        shown, api = _texts(raw)
        timed = []
    out = ConvertedColumn(shown, api)

    def issue(i: int, code: str, value: str, severity: Severity = Severity.WARNING) -> None:
        out.issues.append(Issue(code, MESSAGES[code].format(value=value), severity, sheet,
                                first_row + i, column.letter, column.field, value))

    for i in timed:
        issue(i, "time-ignored", shown[i])
    for i, (s, a) in enumerate(zip(shown, api)):
        if a is not s and a and len(a) != len(s) and s.strip() == a:
            issue(i, "whitespace-trimmed", s)
    for (row, col), (code, value) in marks.cells.items():
        i = row - first_row
        if col == column.index and 0 <= i < len(raw):
            shown[i], api[i] = value, ""
            out.issues = [x for x in out.issues if x.row != row]
            issue(i, code, value, Severity.ERROR)
    return out


def _texts(raw: list) -> tuple[list[str], list[str]]:
    """Cells as displayed and trimmed; the common types inline, since this runs for every cell."""
    shown: list[str] = []
    api: list[str] = []
    add_shown, add_api = shown.append, api.append
    for v in raw:
        c = v.__class__
        if c is str:
            add_shown(v)
            add_api(v.strip())
            continue
        if c is float and v.is_integer() and -1e15 < v < 1e15:
            s = str(int(v))
        elif c is float:
            s = "%.15g" % v
            if "e" in s or s == "-0":
                s = format_number(v)
        else:
            s = display(v)
        add_shown(s)
        add_api(s.strip())
    return shown, api


def _dates(raw: list, day_first: bool) -> tuple[list[str], list[str], list[int]]:
    shown, api, timed = [], [], []
    for i, v in enumerate(raw):
        if v == "" or v is None:
            shown.append("")
            api.append("")
            continue
        if v.__class__ is dt.date:
            text = v.isoformat()
            shown.append(text)
            api.append(text)
            continue
        text = display(v)
        value, has_time = date_value(v, day_first)
        shown.append(text)
        api.append(value)
        if has_time:
            timed.append(i)
    return shown, api, timed
