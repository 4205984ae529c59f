"""The compact copy of a known record: the entity's fields in one flat string, read without JSON.

Every record the ERP returned is kept in ``known_keys.record`` as JSON (what `importer export`,
upsert decisions and revert read). Comparing a run with the last known records needs only the
entity's fields of each record, for 100,000s of keys at once; parsing 100,000 JSON documents is
most of that cost. So ``known_keys.fields`` holds a second, compact copy of the same record:

    <layout tag> US <value of field 1> US <value of field 2> ... (US = the unit separator, 0x1F)

in the entity's documented field order, '' for a field the record lacks. ``str.split`` reads it
back at C speed. The layout tag is a short digest of the entity's field names: a copy written when
the entity had other fields does not match and its record is read from the JSON instead. A record
with a non-text value or a value holding the separator has no compact copy (NULL), nor have the
records of journals written before the column existed until they are migrated (see
``importer.journal.store``): those are read from the JSON too, so every journal keeps working.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Iterable

from importer.entities import Entity

SEPARATOR = "\x1f"


@lru_cache(maxsize=None)
def layout_tag(entity: Entity) -> str:
    """8 hex digits naming the entity's field list (changes when a field is added or moved)."""
    names = SEPARATOR.join((entity.name, *entity.field_names))
    return hashlib.sha1(names.encode("utf-8")).hexdigest()[:8]


def encode(entity: Entity, record: dict) -> str | None:
    """The compact copy of ``record``, or None when one of its values cannot be held in it."""
    parts = [layout_tag(entity)]
    for name in entity.field_names:
        value = record.get(name)
        if value is None:
            value = ""
        elif not isinstance(value, str) or SEPARATOR in value:
            return None
        parts.append(value)
    return SEPARATOR.join(parts)


def decode(entity: Entity, text: str | None) -> list[str] | None:
    """The field values of a compact copy (in entity.field_names order), or None when there is
    no copy or it was written for another layout of the entity."""
    if not text:
        return None
    parts = text.split(SEPARATOR)
    if parts[0] != layout_tag(entity) or len(parts) != len(entity.field_names) + 1:
        return None
    return parts


def backfill(entity_of, rows: Iterable[tuple[str, str, str, str, str]]
             ) -> list[tuple[str, str, str, str, str]]:
    """(fields, server_url, data_source, entity, key) updates for rows of
    (server_url, data_source, entity, key, record) lacking a compact copy; ``entity_of`` maps
    an entity name to its Entity (None: unknown, skipped)."""
    out = []
    for server_url, data_source, name, key, record_json in rows:
        entity = entity_of(name)
        if entity is None:
            continue
        try:
            record = json.loads(record_json)
        except ValueError:
            continue
        text = encode(entity, record) if isinstance(record, dict) else None
        if text is not None:
            out.append((text, server_url, data_source, name, key))
    return out
