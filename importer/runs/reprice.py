"""`reprice()`: next month's price list from the last known prices, written for review.

    result = reprice("product-price", RepriceRule(percent=Decimal("4"), round_to="0.05",
                     effective="2027-01-01", price_codes=("LP",)), Path("b.xlsx"),
                     journal_path=..., server=..., data_source=...)

Where the prices come from: the journal's last known record of every key this tool created or
updated on that server and data source (what `importer export` writes), or the rows of a file
(``source``: an export, last month's list). Nothing is sent: the written file goes through the
usual validate -> import.

- Product Price: one new line per price line (PART_ID, PRICE_CODE, ORDER_QTY, currency) from the
  latest known line starting before the new EFFECTIVE_DATE; its fields copied, EFFECTIVE_DATE
  the new date, END_DATE blank (the new line supersedes the old one; ``close_previous`` ends the
  old one), SO_UNIT_PRICE changed. A line that already has a price from that date on, or that
  ended before the day before it, is left out and said why.
- Customer Part: the same record (its key) with QUOTE_UNIT_PRIC changed, and DATE_LAST_QUOTE the
  new date when one is given: an update.
- The change: ``percent`` (old x (1 + p/100)) or ``amount`` (old + x), then rounded by
  ``round_to``: a step (``0.01``, ``0.05``, ``0.10``, ``1``: to the nearest multiple, halves up)
  or ``.99`` (the smallest price ending in .99 that is not below it: 10.40 -> 10.99, 11.00 ->
  11.99). Computed in Decimal, never in floats.
- Helper columns beside each row, kept in the file and never sent (their headers are no field):
  the old price, the date it applied from, the change and the change in percent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from importer.entities import Entity, canonical_number, get_entity
from importer.errors import BadOptions

NINETY_NINE = ".99"
PRICE_FIELD = {"product-price": "SO_UNIT_PRICE", "customer-part": "QUOTE_UNIT_PRIC"}
DATE_FIELD = {"product-price": "EFFECTIVE_DATE", "customer-part": "DATE_LAST_QUOTE"}
FILTERS = {"price_codes": "PRICE_CODE", "parts": "PART_ID", "product_lines": "PRODUCT_LINE",
           "customers": "CUSTOMER_ID"}
FLAG = {"price_codes": "--price-code", "parts": "--part", "product_lines": "--product-line",
        "customers": "--customer"}


@dataclass(frozen=True)
class RepriceRule:
    """How the prices change and which lines are repriced (an empty filter takes all)."""

    percent: Decimal | None = None
    amount: Decimal | None = None
    round_to: str = "0.01"
    effective: str = ""  # YYYY-MM-DD; required for a price list
    price_codes: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    product_lines: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()

    def describe(self) -> str:
        """'+4% rounded to 0.05, from 2027-01-01' (the About sheet and the summary)."""
        change = (f"{self.percent:+f}%" if self.percent is not None else f"{self.amount:+f}")
        rounding = ("to end in .99" if self.round_to == NINETY_NINE
                    else f"to {self.round_to}")
        when = f", from {self.effective}" if self.effective else ""
        return f"{change}, rounded {rounding}{when}"


@dataclass
class Repriced:
    """The new rows (field -> value), their helper cells, and the lines left out with why."""

    entity: Entity
    rows: list[dict[str, str]] = field(default_factory=list)
    helpers: list[list[str]] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (line, why)
    considered: int = 0  # records matching the filters


@dataclass
class RepriceResult:
    repriced: Repriced
    path: Path  # where the file went
    note: str = ""  # when the wanted path was kept (an edited file): where it went instead
    source: str = ""  # 'the journal (server, data source)' or the file read


# --- the arithmetic ----------------------------------------------------------------------------
def parse_rule(percent: str | None, amount: str | None, round_to: str, effective: str | None,
               entity: Entity, **filters: tuple[str, ...]) -> RepriceRule:
    """The options as a RepriceRule; BadOptions naming the option for anything unusable."""
    if (percent is None) == (amount is None):
        raise BadOptions("Give the change as either --percent P (e.g. --percent 4) or --amount X "
                         "(e.g. --amount 0.50), one of them.")
    change = {}
    for name, text in (("percent", percent), ("amount", amount)):
        if text is not None:
            change[name] = _decimal(text, f"--{name}")
    round_to = _rounding(round_to)
    if effective:
        try:
            effective = date.fromisoformat(effective.strip()).isoformat()
        except ValueError:
            raise BadOptions(f"--effective {effective!r} is not a date; write it as YYYY-MM-DD, "
                             "e.g. --effective 2027-01-01.") from None
    elif entity.start_date_field:
        raise BadOptions(f"A {entity.label} line needs the date the new price applies from: "
                         "give --effective YYYY-MM-DD.")
    for name, values in filters.items():
        if values and not entity.has_field(FILTERS[name]) and FILTERS[name] != "PRODUCT_LINE":
            raise BadOptions(f"{FLAG[name]} does not apply to {entity.label} records (they have "
                             f"no {FILTERS[name]}); leave it out.")
    return RepriceRule(round_to=round_to, effective=effective or "",
                       **change, **{k: tuple(v) for k, v in filters.items()})


def _decimal(text: str, option: str) -> Decimal:
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise BadOptions(f"{option} {text!r} is not a number; write it like {option} 4 or "
                         f"{option} -2.5.")
    return value


def _rounding(text: str) -> str:
    text = str(text).strip()
    if text in (NINETY_NINE, "0.99", "99"):
        return NINETY_NINE
    try:
        step = Decimal(text)
    except InvalidOperation:
        step = None
    if step is None or not step.is_finite() or step <= 0:
        raise BadOptions(f"--round {text!r} is not a rounding: use a step such as 0.01 or 0.05 "
                         "(to the nearest multiple), or .99 (prices ending in .99).")
    return text


def round_price(value: Decimal, round_to: str) -> Decimal:
    """``value`` rounded by the rule (see the module docstring); two decimals at least."""
    if round_to == NINETY_NINE:
        whole = (value - Decimal("0.99")).to_integral_value(rounding=ROUND_CEILING)
        return whole + Decimal("0.99")
    step = Decimal(round_to)
    places = max(2, -step.as_tuple().exponent)
    rounded = (value / step).to_integral_value(rounding=ROUND_HALF_UP) * step
    return rounded.quantize(Decimal(1).scaleb(-places))


def new_price(old: Decimal, rule: RepriceRule) -> Decimal:
    changed = old * (1 + rule.percent / 100) if rule.percent is not None else old + rule.amount
    return round_price(changed, rule.round_to)


def _text(value: Decimal) -> str:
    return format(value, "f")


# --- which lines, and their new rows -----------------------------------------------------------
def plan_reprice(entity: Entity, records: list[dict[str, str]], rule: RepriceRule) -> Repriced:
    """The new rows for ``records`` (the last known records, or a file's rows) under ``rule``."""
    out = Repriced(entity)
    price, start, end = PRICE_FIELD[entity.name], entity.start_date_field, entity.end_date_field
    wanted = [r for r in records if _selected(r, rule)]
    out.considered = len(wanted)
    for line, record, later in _latest_lines(entity, wanted, rule.effective):
        name = "/".join(v for v in line if v)
        if later:
            out.left_out.append((name, f"already has a price from {later}"))
            continue
        if start and end and record.get(end) and rule.effective and \
                record[end] < _day_before(rule.effective):
            out.left_out.append((name, f"ended on {record[end]}"))
            continue
        try:
            old = Decimal(str(record.get(price) or "").strip())
        except InvalidOperation:
            old = None
        if old is None or not old.is_finite():
            out.left_out.append((name, f"no {price} to change"))
            continue
        new = new_price(old, rule)
        if new < 0:
            out.left_out.append((name, f"the new price would be {_text(new)}, below zero"))
            continue
        out.rows.append(_new_row(entity, record, price, _text(new), rule.effective))
        change = new - old
        percent = (f"{change / old * 100:+.2f}%" if old else "")
        out.helpers.append([str(record.get(price)), record.get(start or "", "") or "",
                            f"{change:+f}", percent])
    return out


def _selected(record: dict[str, str], rule: RepriceRule) -> bool:
    for name, field_name in FILTERS.items():
        allowed = getattr(rule, name)
        if allowed and (record.get(field_name) or "") not in allowed:
            return False
    return True


def _latest_lines(entity: Entity, records: list[dict[str, str]], effective: str):
    """(line, its latest record starting before ``effective``, the start of a line already
    starting on or after it, else '') per line, in the records' order."""
    start = entity.start_date_field
    if not start:
        for r in records:
            yield tuple(r.get(k, "") for k in entity.key), r, ""
        return
    currency = next((f.name for f in entity.fields if f.currency), None)
    lines: dict[tuple, list[dict[str, str]]] = {}
    for r in records:
        line = tuple(canonical_number(r.get(k) or "0") if entity.field(k).numeric
                     else (r.get(k) or "") for k in entity.key if k != start)
        lines.setdefault(line + ((r.get(currency) or "",) if currency else ()), []).append(r)
    for line, found in lines.items():
        before = [r for r in found if (r.get(start) or "") < effective]
        later = sorted(r.get(start) or "" for r in found if (r.get(start) or "") >= effective)
        if later:
            yield line, None, later[0]
        elif before:
            yield line, max(before, key=lambda r: r.get(start) or ""), ""


def _day_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def _new_row(entity: Entity, record: dict[str, str], price: str, value: str,
             effective: str) -> dict[str, str]:
    if entity.start_date_field:  # a new price line: its fields copied, open-ended
        row = {n: str(record[n]) for n in entity.field_names if record.get(n)}
        row.pop(entity.end_date_field, None)
        row[entity.start_date_field] = effective
    else:  # the same record, updated
        row = {n: str(record[n]) for n in entity.key}
        if effective:
            row[DATE_FIELD[entity.name]] = effective
    row[price] = value
    return row


# --- the whole operation -----------------------------------------------------------------------
def reprice(entity_name: str, rule: RepriceRule, out: Path, *, journal_path: Path,
            server: str = "", data_source: str = "", source: Path | None = None,
            read_options=None) -> RepriceResult:
    """Write next month's list to ``out`` (or the next free name when ``out`` was edited since
    the tool wrote it); see the module docstring. Raises BadOptions (no records to start from)
    or UnusableFile (``source`` cannot be read)."""
    from importer import workbooks
    from importer.journal.store import Journal
    from importer.runs.rehearsal import describe_server

    entity = get_entity(entity_name)
    workbooks.check_writable(out)
    with Journal(journal_path) as journal:
        if source is not None:
            records, where = _file_records(source, entity, read_options), str(source)
        else:
            if not server:
                raise BadOptions("Which server's prices? Give --url and --data-source (the "
                                 "server the last month was imported into), --sandbox, or "
                                 "--from FILE.")
            records = journal.latest_records(server, data_source, entity.name)
            where = f"the journal's records of {describe_server(server)} ({data_source})"
            if not records:
                raise BadOptions(f"The journal {journal_path} knows no {entity.label} records "
                                 f"of {describe_server(server)} ({data_source}): import last "
                                 "month's list "
                                 "first, or start from a file with --from FILE.")
        planned = plan_reprice(entity, records, rule)
        written = workbooks.write_repriced(entity, planned.rows, planned.helpers, out,
                                           about=(rule.describe(), where), record=journal,
                                           fmt="csv" if out.suffix.lower() == ".csv" else "xlsx")
    return RepriceResult(planned, written.path, written.note, where)


def _file_records(source: Path, entity: Entity, read_options) -> list[dict[str, str]]:
    from importer.reading import read_table

    table = read_table(Path(source).absolute(), entity=entity, options=read_options)
    return [dict(r.values) for r in table.rows]
