"""Accepted fixes as one library call each, for the CLI (`importer remember`) and the page: the
admin accepts a fix once (``417`` is ``000417`` on this server and data source) and every later
file read for that server and data source gets it, with a warning at each cell it changes
(importer.reading.valuemaps). A fix learned on one server or data source is never applied to
another.
"""
from __future__ import annotations

import getpass
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from importer.entities import ENTITIES
from importer.errors import BadOptions
from importer.journal.fixes import Fix, FixStore
from importer.settings.values import ANY as ANY_ENTITY

if TYPE_CHECKING:
    from importer.reading.options import ReadOptions


def _check(entity: str, field: str) -> tuple[str, str]:
    field = field.strip().upper()
    wanted = [e for e in ENTITIES.values() if entity in (ANY_ENTITY, e.name)]
    if not wanted:
        raise BadOptions(f"Unknown record type {entity!r}; use one of {', '.join(ENTITIES)}.")
    if not any(e.has_field(field) for e in wanted):
        raise BadOptions(f"{field} is no field of {entity if entity != ANY_ENTITY else 'any '}"
                         f"{'' if entity != ANY_ENTITY else 'record type'}; see importer "
                         "entities.")
    return entity, field


def remember_fix(journal: Path, scope: tuple[str, str], field: str, written: str, meant: str,
                 entity: str = ANY_ENTITY) -> Fix:
    """Accept ``written`` -> ``meant`` in ``field`` for the server and data source ``scope``
    (``entity``: one record type, or every one with the field). Raises BadOptions."""
    entity, field = _check(entity, field)
    written, meant = written.strip(), meant.strip()
    if not (scope[0] and scope[1]):
        raise BadOptions("A fix is kept for one server and data source: give --url and "
                         "--data-source (or --sandbox).")
    if not written or not meant or written == meant:
        raise BadOptions("Give the value as written and the value meant, two different texts, "
                         "e.g. importer remember PART_ID 417 000417.")
    with FixStore(journal) as store:
        return store.remember(scope, entity, field, written, meant, _user())


def forget_fix(journal: Path, scope: tuple[str, str], field: str, written: str,
               entity: str = ANY_ENTITY) -> bool:
    entity, field = _check(entity, field)
    with FixStore(journal) as store:
        return store.forget(scope, entity, field, written.strip()) > 0


def learned_fixes(journal: Path | None, scope: tuple[str, str]) -> list[Fix]:
    """The fixes accepted for ``scope`` ([] without a journal file or a server)."""
    if not journal or not Path(journal).is_file() or not (scope[0] and scope[1]):
        return []
    with FixStore(journal) as store:
        return store.fixes(scope)


def with_learned(options: "ReadOptions | None", journal: Path | None,
                 scope: tuple[str, str]) -> "ReadOptions":
    """``options`` with the fixes accepted for ``scope`` added to its value maps (a saved map
    of importer.toml for the same value wins)."""
    from importer.reading.options import ReadOptions

    options = options or ReadOptions()
    fixes = learned_fixes(journal, scope)
    if not fixes:
        return options
    return replace(options, values=_merged(options.values, fixes))


def _merged(values: dict, fixes: list[Fix]) -> dict:
    out = {e: {f: dict(p) for f, p in fields.items()} for e, fields in values.items()}
    for fix in fixes:
        pairs = out.setdefault(fix.entity, {}).setdefault(fix.field, {})
        pairs.setdefault(fix.written, (fix.meant, f"a fix accepted for this server and data "
                                                  f"source on {fix.accepted_at[:10]}"))
    return out


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment: the fix is kept without one
        return ""


def saved_maps(config_file: Path | None, journal: Path | None,
               scope: tuple[str, str]) -> dict[str, list[dict[str, str]]]:
    """Record type -> every value map that applies to its files on ``scope``: the saved ones of
    importer.toml and the fixes accepted for the server (`importer entities` shows them)."""
    from importer.settings import reading_config
    from importer.settings.values import with_reasons

    config = reading_config(config_file)
    values = _merged(with_reasons(config.get("values", {}), Path(config.get("path", "")).name),
                     learned_fixes(journal, scope))
    out: dict[str, list[dict[str, str]]] = {name: [] for name in ENTITIES}
    for name, entity in ENTITIES.items():
        for owner in (ANY_ENTITY, name):
            for field_name, pairs in values.get(owner, {}).items():
                if entity.has_field(field_name):
                    out[name] += [{"field": field_name, "written": w, "meant": m, "from": why}
                                  for w, (m, why) in sorted(pairs.items())]
    return out
