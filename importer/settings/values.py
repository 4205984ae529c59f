"""``[values.<record type>.<FIELD>]`` tables of importer.toml: values a file writes that mean
another value (``Euro = "EUR"``), parsed into plain data; reading applies them, with a warning at
every cell it changes (importer.reading.valuemaps).

    [values.product-price.CURR_CODE]
    Euro = "EUR"
    "US Dollar" = "USD"

    [values."*".PART_ID]          # every record type with that field
    "417" = "000417"
"""
from __future__ import annotations

import difflib
from typing import Any

from importer.errors import BadOptions

ANY = "*"


def parse_values_config(tables: Any, source: str) -> dict[str, dict[str, dict[str, str]]]:
    """{record type or '*': {FIELD: {written: meant}}}; BadOptions naming the table and the
    closest valid name for an unknown record type or field, or a value that is not text."""
    from importer.entities import ENTITIES

    if not isinstance(tables, dict):
        raise BadOptions(f"{source}: write value maps as [values.<record type>.<FIELD>] tables.")
    out: dict[str, dict[str, dict[str, str]]] = {}
    for name, fields in tables.items():
        if name != ANY and name not in ENTITIES:
            close = difflib.get_close_matches(name, list(ENTITIES), n=1, cutoff=0.5)
            hint = f"did you mean [values.{close[0]}...]?" if close else \
                f"use one of {', '.join(ENTITIES)} or \"*\"."
            raise BadOptions(f"{source} has value maps for an unknown record type {name!r}; "
                             f"{hint}")
        if not isinstance(fields, dict):
            raise BadOptions(f"{source}: [values.{name}] needs a field, like "
                             f"[values.{name}.CURR_CODE].")
        names = sorted({f.name for e in ENTITIES.values() if name in (ANY, e.name)
                        for f in e.fields})
        for field_name, mapping in fields.items():
            wanted = str(field_name).strip().upper()
            if wanted not in names:
                close = difflib.get_close_matches(wanted, names, n=1, cutoff=0.5)
                hint = f" Did you mean {close[0]}?" if close else ""
                raise BadOptions(f"{source} has [values.{name}.{field_name}], but {field_name} "
                                 f"is no field of {name}.{hint}")
            if not isinstance(mapping, dict) or not all(
                    isinstance(v, str) and v.strip() for v in mapping.values()):
                raise BadOptions(f"{source}: under [values.{name}.{field_name}] write "
                                 f"written = \"meant\" pairs of text, like Euro = \"EUR\".")
            out.setdefault(name, {}).setdefault(wanted, {}).update(
                {str(k).strip(): v.strip() for k, v in mapping.items() if str(k).strip()})
    return out


def with_reasons(values: dict[str, dict[str, dict[str, str]]], config_name: str
                 ) -> dict[str, dict[str, dict[str, tuple[str, str]]]]:
    """The parsed maps with why each applies, as the warning at a mapped cell says it."""
    return {entity: {f: {written: (meant, f"saved mapping, [values.{entity}.{f}] in "
                                          f"{config_name}") for written, meant in pairs.items()}
                     for f, pairs in fields.items()}
            for entity, fields in values.items()}
