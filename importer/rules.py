"""A price list's own rules as configuration: which record types have them, their defaults, and
``[rules.ENTITY]`` tables of importer.toml parsed into plain values.

Ground: settings parse the tables with `parse_rules_config`, and the checks that apply the rules
(`importer.checks.pricerules`) receive a `PriceRules` value; neither imports the other.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, fields, replace
from typing import Any

from importer.entities import Entity, get_entity
from importer.errors import BadOptions

OVERLAP_SETTINGS = ("warning", "error", "off")
# The findings that hold a row until someone accepts it (importer.checks.decisions); [decisions]
# hold = [...] in importer.toml chooses among them (all three by default).
DECISION_KINDS = ("price-jump", "overlap", "obsolete")
LEVEL_RULES = ("overlapping_periods", "period_gaps", "quantity_breaks")  # take OVERLAP_SETTINGS
RULE_ENTITIES = ("product-price",)  # the entities these rules apply to


@dataclass(frozen=True)
class PriceRules:
    effective_date_required: bool = True
    price_required_on_create: bool = True
    overlapping_periods: str = "warning"
    period_gaps: str = "warning"  # days without a price between two periods of a line
    quantity_breaks: str = "warning"  # a price out of order with the known breaks
    close_previous: bool = False  # a new line ends the known line it supersedes (runs/closing.py)

    @classmethod
    def for_entity(cls, entity: Entity, config: dict[str, dict[str, Any]] | None = None):
        """The entity's rules as configured (defaults where not); None when it has none."""
        if entity.name not in RULE_ENTITIES:
            return None
        return replace(cls(), **(config or {}).get(entity.name, {}))


def parse_rules_config(tables: dict, source: str) -> dict[str, dict[str, Any]]:
    """``[rules.ENTITY]`` tables of a config file -> {entity name: {rule: value}}; BadOptions
    naming the closest valid name for an unknown entity or rule, or a value of the wrong type."""
    out: dict[str, dict[str, Any]] = {}
    allowed = {f.name: f.type for f in fields(PriceRules)}
    for name, table in tables.items():
        try:
            entity = get_entity(name)
        except KeyError:
            raise BadOptions(f"{source} has rules for an unknown record type {name!r}; use "
                             f"[rules.{RULE_ENTITIES[0]}].") from None
        if entity.name not in RULE_ENTITIES or not isinstance(table, dict):
            raise BadOptions(f"{source}: {entity.name} has no configurable rules; only "
                             f"{', '.join(RULE_ENTITIES)} has ([rules.{RULE_ENTITIES[0]}]).")
        rules = {}
        for key, value in table.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.5)
                hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(allowed)}."
                raise BadOptions(f"{source} has an unknown rule [rules.{entity.name}] {key}; {hint}")
            rules[key] = _rule_value(key, value, source, entity.name)
        out[entity.name] = rules
    return out


def _rule_value(key: str, value: Any, source: str, entity: str) -> Any:
    if key in LEVEL_RULES:
        if isinstance(value, str) and value.strip().lower() in OVERLAP_SETTINGS:
            return value.strip().lower()
        raise BadOptions(f"{source}: [rules.{entity}] {key} must be one of "
                         f"{', '.join(repr(o) for o in OVERLAP_SETTINGS)}, not {value!r}.")
    if isinstance(value, bool):
        return value
    raise BadOptions(f"{source}: [rules.{entity}] {key} must be true or false, not {value!r}.")
