"""One column of raw cells -> what the person sees, the API strings, and the reading issues."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress, count
from operator import is_not, ne

from importer.entities import Kind
from importer.model import Column, Issue, Severity
from importer.reading.display import general
from importer.reading.encoding import MESSAGES as ENCODING_MESSAGES
from importer.reading.fidelity import Target, apply_formats, check_texts
from importer.reading.scan import EXCEL_ERROR, FORMULA_WITHOUT_VALUE, Marks
from importer.reading.values import date_value, display

MESSAGES = {
    EXCEL_ERROR: "The cell shows the error {value}; correct the formula or type the value.",
    FORMULA_WITHOUT_VALUE: ("The cell holds a formula that was never calculated (the file was "
                            "written by a program); open the file in Excel or LibreOffice, save "
                            "it and try again."),
    "whitespace-trimmed": "Spaces around {value!r} were removed.",
    "time-ignored": "The time of day in {value!r} is ignored; only the date is sent.",
    **ENCODING_MESSAGES,
}


_PERCENT_TEXT = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)\s*%")


@dataclass
class ConvertedColumn:
    shown: list[str]  # every cell as displayed ('' for blank)
    api: list[str]  # the value to send ('' = not sent)
    issues: list[Issue] = field(default_factory=list)


def convert_column(raw, column: Column, target: Target, first_row: int, sheet: str,
                   marks: Marks, interned: bool = False) -> ConvertedColumn:
    """raw[i] is the cell of Excel row first_row + i. Text in date columns is left as written
    (trimmed) for reading/localize.py, which knows the file's convention. ``interned``: equal
    texts of ``raw`` are one string already (sources.as_columns)."""
    kind = target.kind
    if kind is Kind.DATE:
        shown, api, timed = _dates(raw)
        trimmed = [i for i in compress(count(), map(ne, api, shown))  # C speed to the few
                   if api[i] and len(api[i]) != len(shown[i])]
        sent = None
    else:
        shown, api, trimmed, sent = _texts(raw, interned)
        timed = []
    out = ConvertedColumn(shown, api)

    def issue(i: int, code: str, value: str, severity: Severity = Severity.WARNING) -> None:
        out.issues.append(Issue(code, MESSAGES[code].format(value=value), severity, sheet,
                                first_row + i, column.letter, column.field, value))

    def report(i: int, code: str, message: str, severity: Severity) -> None:
        out.issues.append(Issue(code, message, severity, sheet, first_row + i, column.letter,
                                column.field, shown[i]))

    for i in timed:
        issue(i, "time-ignored", shown[i])
    for i in trimmed:
        if shown[i].strip() == api[i]:
            issue(i, "whitespace-trimmed", shown[i])
    if kind is Kind.PERCENT and _percent_texts(api):
        sent = None
    formats = marks.formats.get(column.index)
    if formats:
        apply_formats(_with_serials(raw, marks, column.index, first_row), formats, first_row,
                      target, shown, api, report, marks.program)
        sent = None
    if kind is not Kind.DATE:
        check_texts(api, target, report, sent)
    for (row, col), (code, value) in marks.cells.items():
        i = row - first_row
        if col == column.index and 0 <= i < len(raw):
            shown[i], api[i] = value, ""
            out.issues = [x for x in out.issues if x.row != row]
            issue(i, code, value, Severity.ERROR)
    return out


def _with_serials(raw, marks: Marks, col: int, first_row: int):
    """The column's cells with the stored number of each date cell holding a negative one."""
    mine = [(row - first_row, x) for (row, c), x in marks.serials.items()
            if c == col and 0 <= row - first_row < len(raw)] if marks.serials else []
    if not mine:
        return raw
    cells = list(raw)
    for i, x in mine:
        cells[i] = x
    return cells


def _percent_texts(api: list[str]) -> bool:
    """Text such as '5%' (a CSV saved by Excel) in a percent field gets 5; whether any did."""
    if "%" not in "".join(api):
        return False
    changed = False
    for i, value in enumerate(api):
        if value.endswith("%") and _PERCENT_TEXT.fullmatch(value):
            api[i] = value[:-1].strip()
            changed = True
    return changed


def _texts(raw, interned: bool = False) -> tuple[list[str], list[str], list[int],
                                                 set[str] | None]:
    """Cells as displayed and trimmed, the rows where trimming changed a value, and the set of
    the values to send when it came for free (None otherwise).

    Column by column: text is trimmed by one C-level pass, and every other value (numbers,
    booleans, dates) is displayed once per distinct value, since this runs for every cell."""
    raw = list(raw)
    distinct = set(raw)  # str never equals a number, so the test on the set is the test on all
    if set(map(type, distinct)) <= _TEXT:
        shown = raw
        if not interned and len(distinct) * 2 <= len(raw):  # repeated texts: one string each
            shown = list(map(dict(zip(raw, raw)).__getitem__, raw))
        if not any(map(ne, map(str.strip, distinct), distinct)):  # each text once: no trim
            return shown, list(shown), [], distinct
    elif set(map(type, raw)) <= _FLOAT_OR_TEXT and not any(map(ne, distinct, distinct)):
        # a number column (no int or bool equal to a float, no NaN): each number shown once
        shown_of = {v: _number_text(v) for v in distinct if v.__class__ is float}
        shown = list(map(shown_of.get, raw, raw))
        texts = distinct.difference(shown_of)
        if not any(map(ne, map(str.strip, texts), texts)):
            return shown, list(shown), [], texts.union(shown_of.values())
    else:
        seen: dict = {}
        shown = []
        add = shown.append
        for v in raw:
            if v.__class__ is str:
                add(v)
                continue
            key = (v.__class__, v)  # 1, 1.0 and True are equal keys but show differently
            s = seen.get(key) if v == v else None  # NaN is never found again
            if s is None:
                s = _number_text(v) if v.__class__ is float else display(v)
                seen[key] = s
            add(s)
    api = list(map(str.strip, shown))
    changed = list(map(is_not, api, shown))  # strip gives the same string when nothing goes
    if not any(changed):
        return shown, api, [], None
    trimmed = [i for i in compress(range(len(api)), changed)
               if api[i] and len(api[i]) != len(shown[i]) and raw[i].__class__ is str]
    return shown, api, trimmed, None


_number_text = general
_FLOAT_OR_TEXT = frozenset({float, str})
_TEXT = frozenset({str})


def _dates(raw: list) -> tuple[list[str], list[str], list[int]]:
    """Date cells, each distinct value converted once (dates repeat a lot); text as written."""
    shown, api, timed = [], [], []
    seen: dict = {}
    for i, v in enumerate(raw):
        done = seen.get(v) if v.__class__ is not float else None  # 1.0 == True: not by value
        if done is None:
            done = _date_cell(v)
            if v.__class__ is not float:
                seen[v] = done
        shown.append(done[0])
        api.append(done[1])
        if done[2]:
            timed.append(i)
    return shown, api, timed


def _date_cell(v) -> tuple[str, str, bool]:
    """(shown, API string, has a time of day) of one date-column cell."""
    if v == "" or v is None:
        return "", "", False
    if v.__class__ is str:
        return v, v.strip(), False
    value, has_time = date_value(v)
    return display(v), value, has_time
