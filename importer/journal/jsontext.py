"""JSON text for the journal's columns, exactly what ``json.dumps`` writes, made faster.

A run journals each row's cells and values and each outcome's issues as JSON: hundreds of
thousands of small documents. ``json.dumps`` makes a new encoder for each; `dumps` keeps one
(the C encoder, with json.dumps's defaults). The values hold no reference cycles, so the
encoder's cycle check is left out; the text is the same.
"""
from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring_ascii

_ENCODE = c_make_encoder(None, json.JSONEncoder().default, encode_basestring_ascii, None, ": ",
                         ", ", False, False, True) if c_make_encoder else None


def dumps(value) -> str:
    """json.dumps(value): the same text."""
    if _ENCODE is None:
        return json.dumps(value)
    return "".join(_ENCODE(value, 0))
