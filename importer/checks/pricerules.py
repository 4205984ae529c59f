"""A price list's own rules: a check set registered with validation, configured per entity.

On by default, each can be changed under ``[rules.product-price]`` in importer.toml::

    effective_date_required = true      # EFFECTIVE_DATE must be filled in
    price_required_on_create = true     # SO_UNIT_PRICE on a row that will create a price line
    overlapping_periods = "warning"     # "error", or "off"; --strict makes a warning an error
    period_gaps = "warning"             # days without a price between two periods of a line
    quantity_breaks = "warning"         # a price out of order with the known quantity breaks
    close_previous = false              # true: a new line ends the known line it supersedes

Overlapping validity periods: a row (or the last record the journal knows for that server) whose
explicit END_DATE falls on or after the EFFECTIVE_DATE of a later row for the same PART_ID,
PRICE_CODE, ORDER_QTY and currency, so the ERP would hold two prices for those days; both rows
are flagged, each naming the other. A blank END_DATE followed by a later EFFECTIVE_DATE is how a
new price supersedes the old one and is not flagged. The rules every record type has (END_DATE
not before EFFECTIVE_DATE, numbers not negative, percentages 0-100) are validation's own.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from importer.entities import ENTITIES, Entity
from importer.model import Action, Severity
from importer.rules import OVERLAP_SETTINGS, RULE_ENTITIES, PriceRules  # noqa: F401 (re-exported)

RULE_CODES = {
    "effective-date-required": "EFFECTIVE_DATE is empty; a price list's rules require it.",
    "price-missing-on-create": "SO_UNIT_PRICE is empty on a row that will create a price line.",
    "overlapping-period": "Two validity periods of the same part, price code, quantity and "
                          "currency overlap (warning; an error with --strict).",
    "period-gap": "A line's END_DATE is followed by the next period of the same part, price "
                  "code, quantity and currency starting later than the next day (warning).",
    "price-breaks-known-breaks": "A price is higher than the known price at a smaller quantity "
                                 "(or lower than at a larger one) in force on its date "
                                 "(warning).",
    "closes-previous-period": "close_previous: an END_DATE update the run adds for a known line "
                              "a new line supersedes (a note; old -> new END_DATE).",
}


def describe(entity: Entity, rules: PriceRules | None, strict: bool = False) -> list[str]:
    """The rules a file of this entity is checked by, one sentence each (entities, templates)."""
    lines = ["Numbers (quantities, prices) are not negative; percentages are 0 to 100."]
    if entity.start_date_field and entity.end_date_field:
        lines.append(f"{entity.end_date_field} is not before {entity.start_date_field}.")
    if rules is None:
        return lines
    start, price = entity.start_date_field, entity.unit_price_field
    if rules.effective_date_required:
        lines.append(f"{start} is required.")
    if rules.price_required_on_create:
        lines.append(f"{price} is required on a row that creates a price line (set ACTION to "
                     "UPDATE for a line that exists).")
    if rules.overlapping_periods != "off":
        kind = "an error" if strict or rules.overlapping_periods == "error" else \
            "a warning (an error with --strict)"
        lines.append(f"Overlapping validity periods of the same {', '.join(_group(entity))} are "
                     f"{kind}; a blank {entity.end_date_field} followed by a later "
                     f"{start} is not an overlap.")
    if rules.period_gaps != "off":
        lines.append(f"Days without a price between an {entity.end_date_field} and the next "
                     f"{start} of the same line are {_level(rules.period_gaps, strict)}.")
    if rules.quantity_breaks != "off":
        lines.append(f"A {price} out of order with the known quantity breaks in force on its "
                     f"date (dearer than a smaller quantity, cheaper than a larger one) is "
                     f"{_level(rules.quantity_breaks, strict)}.")
    if rules.close_previous:
        lines.append(f"close_previous: a new line ends the known line it supersedes (same "
                     f"{', '.join(_group(entity))}) on the day before its {start}, in the same "
                     f"run.")
    return lines


def _level(setting: str, strict: bool) -> str:
    return "an error" if strict or setting == "error" else "a warning (an error with --strict)"


def with_rule_fields(entity: Entity, rules: PriceRules | None) -> Entity:
    """The entity as a template shows it under these rules: the fields they require are
    required to create (and no longer left for the ERP to fill in)."""
    if rules is None:
        return entity
    extra = tuple(f for f, on in ((entity.start_date_field, rules.effective_date_required),
                                  (entity.unit_price_field, rules.price_required_on_create))
                  if on and f not in entity.required_create)
    return replace(entity, required_create=entity.required_create + extra,
                   create_defaults=tuple(d for d in entity.create_defaults if d not in extra))


def default_checks(entity: Entity) -> list:
    """What validate() checks when no check sets are given: the entity's default rules."""
    rules = PriceRules.for_entity(entity)
    return [] if rules is None else [PriceRuleChecks(entity, rules)]


def _group(entity: Entity) -> list[str]:
    """The fields whose equal values make two price lines compete for the same days."""
    currency = next((f.name for f in entity.fields if f.currency), None)
    return [k for k in entity.key if k != entity.start_date_field] + ([currency] if currency
                                                                       else [])


_MODE_ACTIONS = {"upsert": Action.UPSERT, "create": Action.CREATE, "update": Action.UPDATE}


class PriceRuleChecks:
    """The price-list rules of one validation run (a validation.CheckSet). ``known_keys`` and
    ``known_records`` are the journal's, for the server the rows go to: they decide which rows
    an upsert creates, and which earlier price lines a row may overlap."""

    codes = RULE_CODES

    def __init__(self, entity: Entity, rules: PriceRules, *, mode: str = "upsert",
                 known_keys: set[tuple[str, ...]] | None = None,
                 known_records: list[dict[str, str]] | None = None, strict: bool = False):
        self.entity, self.rules, self.strict = entity, rules, strict
        self.mode = _MODE_ACTIONS.get(mode, Action.UPSERT)
        self.known_keys = known_keys or set()
        self.known_records = known_records or []
        self.overlaps: dict[tuple[int, str], str] = {}  # (row, field) -> message
        self.gaps: dict[tuple[int, str], str] = {}
        self.breaks: dict[tuple[int, str], str] = {}
        self.absent: set[str] = set()  # needed fields the file has no column for

    def fields(self) -> tuple[str, ...]:
        e, r = self.entity, self.rules
        return tuple(f for f, on in ((e.start_date_field, r.effective_date_required),
                                     (e.unit_price_field, r.price_required_on_create)) if on)

    def checks(self, table, cols) -> list[tuple[Severity, str, str, Any]]:
        """(severity, field, code, a bool per row: where the check fails) of these rules."""
        e, out = self.entity, []
        self.absent = {f for f in self.fields() if table.column_of(f) is None}
        if self.rules.effective_date_required:
            out.append((Severity.ERROR, e.start_date_field, "effective-date-required",
                        cols.get(e.start_date_field).blank))
        if self.rules.price_required_on_create:
            out.append((Severity.ERROR, e.unit_price_field, "price-missing-on-create",
                        self._creating(cols)))
        if self.rules.overlapping_periods != "off" or self.rules.period_gaps != "off":
            from importer.checks.periods import consecutive, find_gaps, find_overlaps

            closed = self._as_closed(table)
            found = consecutive(e, cols, _group(e), self.known_records)  # sorted once
        if self.rules.overlapping_periods != "off":
            self.overlaps = find_overlaps(e, cols, _group(e), closed,
                                          found if closed is self.known_records else ...)
            out += self._flagged(cols, self.overlaps, self.rules.overlapping_periods,
                                 "overlapping-period")
        if self.rules.period_gaps != "off":
            self.gaps = find_gaps(e, cols, _group(e), self.known_records, found)
            out += self._flagged(cols, self.gaps, self.rules.period_gaps, "period-gap")
        if self.rules.quantity_breaks != "off" and self.known_records:
            from importer.checks.breaks import known_break_rises

            rows = {r.excel_row: r.values for r in cols.frame.iter_rows()}
            self.breaks = known_break_rises(e, rows, self.known_records)
            out += self._flagged(cols, self.breaks, self.rules.quantity_breaks,
                                 "price-breaks-known-breaks")
        return out

    def _as_closed(self, table) -> list[dict[str, str]]:
        """The known records as they will be once close_previous (when on) ended the lines the
        rows supersede: such a line does not overlap the new one."""
        if not self.rules.close_previous or not self.known_records:
            return self.known_records
        from importer.checks.closing import plan_closes

        ends = {self.entity.key_of(c.key): c.new_end
                for c in plan_closes(self.entity, table.rows, self.known_records)}
        if not ends:
            return self.known_records
        end, key_of = self.entity.end_date_field, self.entity.key_of
        return [{**r, end: ends[key_of(r)]} if key_of(r) in ends else r
                for r in self.known_records]

    def _flagged(self, cols, found: dict[tuple[int, str], str], setting: str,
                 code: str) -> list:
        """One finding per field with findings, failing exactly at their rows."""
        import numpy as np

        severity = Severity.ERROR if self.strict or setting == "error" else Severity.WARNING
        out = []
        for name in dict.fromkeys(f for _r, f in found):
            rows = [r for r, f in found if f == name]
            out.append((severity, name, code, np.isin(cols.excel_rows, rows)))
        return out

    def _creating(self, cols):
        """Where the price is blank on a row that will be sent as a create."""
        import numpy as np

        price = self.entity.unit_price_field
        blank = cols.get(price).blank
        out = np.zeros(len(cols), dtype=bool)
        for k in np.flatnonzero(blank).tolist():
            row = cols.frame.row(k)
            action = row.action or self.mode
            if action is Action.CREATE or (action is Action.UPSERT and self.entity.key_of(
                    row.values) not in self.known_keys):
                out[k] = True
        return out

    def message(self, code: str, row: int, field: str, value: str | None) -> str:
        if code == "effective-date-required":
            todo = f"add a {field} column and fill it in" if field in self.absent else "fill it in"
            return f"{field} is required in a price list (the date the price applies from); {todo}."
        if code == "price-missing-on-create":
            return (f"{field} is empty, so this row would create a price line without a price; "
                    "fill in the price, or set ACTION to UPDATE if this price line exists "
                    "already.")
        found = {"period-gap": self.gaps, "price-breaks-known-breaks": self.breaks}.get(
            code, self.overlaps)
        return found[(row, field)]


def entity_rules_data(config: dict[str, dict[str, Any]] | None = None) -> dict[str, list[str]]:
    """entity name -> the rules it is checked by (`importer entities`)."""
    return {e.name: describe(e, PriceRules.for_entity(e, config)) for e in ENTITIES.values()}
