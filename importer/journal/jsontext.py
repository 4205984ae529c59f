"""JSON text for the journal's columns, exactly what ``json.dumps`` writes, made faster.

A run journals each row's cells and values and each outcome's issues as JSON: hundreds of
thousands of small documents. ``json.dumps`` makes a new encoder for each; `dumps` keeps one
(the C encoder, with json.dumps's defaults). The values hold no reference cycles, so the
encoder's cycle check is left out; the text is the same. `row_texts` makes a table's rows'
texts column by column.
"""
from __future__ import annotations

import json
from functools import partial
from itertools import repeat
from json.encoder import c_make_encoder, encode_basestring_ascii
from typing import Iterator

_ENCODE = c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None, ": ",
                         ", ", False, False, True) if c_make_encoder else None


def dumps(value) -> str:
    """json.dumps(value): the same text."""
    if _ENCODE is None:
        return json.dumps(value)
    return "".join(_ENCODE(value, 0))


class _Texts(dict):
    """A column's JSON text per distinct value, made when first met (``form`` % the encoded
    value; '' for a blank value when ``skip_blank``)."""

    def __init__(self, form: str, skip_blank: bool) -> None:
        super().__init__()
        self.form, self.skip_blank = form, skip_blank

    def __missing__(self, value):
        if self.skip_blank and value == "":
            text = ""
        elif isinstance(value, str):
            text = self.form % encode_basestring_ascii(value)
        else:
            text = self.form % dumps(value)
        self[value] = text
        return text


def row_texts(table) -> tuple[list[int], Iterator[str], Iterator[str], list]:
    """(Excel rows, each row's cells as JSON, each row's values as JSON, each row's ACTION) of
    a model.Table: the texts ``dumps(row.cells)`` and ``dumps(row.values)`` give, made column by
    column from its frame (each distinct value of a column encoded once, not a dict and a list
    made per row)."""
    frame = table.frame
    n = len(frame)
    cells = [list(map(_Texts("%s", False).__getitem__, column)) for column in frame.shown]
    cell_texts = map("[%s]".__mod__, map(", ".join, zip(*cells))) if cells else repeat("[]", n)
    values = [list(map(_Texts(encode_basestring_ascii(name) + ": %s", True).__getitem__, column))
              for name, column in frame.data.items()]
    if not values:
        value_texts = repeat("{}", n)
    elif any("" in column for column in values):  # blanks are left out of a row's dict
        value_texts = map("{%s}".__mod__, map(", ".join, map(partial(filter, None),
                                                              zip(*values))))
    else:
        value_texts = map("{%s}".__mod__, map(", ".join, zip(*values)))
    actions = [a.value if a else None for a in frame.actions] if frame.actions else repeat(None, n)
    return frame.excel_rows, cell_texts, value_texts, actions
