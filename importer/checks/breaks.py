"""Quantity breaks against the breaks the ERP already holds: a file that sends only the 100-piece
price of a part is compared with the 10-piece price known from earlier months.

For each row with a unit price, a quantity and a start date, the known lines of the same PART_ID,
PRICE_CODE and currency in force on that date (started on or before it, open or ending on or
after it; per quantity the latest) are its known breaks, except the quantities the file itself
gives for that part, price code, currency and date (the file's own breaks are compared with each
other by validation's ``price-rises-with-quantity``). The row's price is flagged when it is
higher than the known price at the next smaller quantity, or lower than the known price at the
next larger one. Plain Python over dicts: one pass over the records, one over the rows; the
breaks in force are worked out once per group and date (all the breaks of a line share them).
"""
from __future__ import annotations

import bisect
from decimal import Decimal, InvalidOperation

from importer.entities import Entity


def _number(text: str | None) -> Decimal | None:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def known_break_rises(entity: Entity, rows: dict[int, dict[str, str]],
                      records: list[dict[str, str]]) -> dict[tuple[int, str], str]:
    """(excel row, price field) -> message for every row whose price breaks the order of the
    known quantity breaks in force on its date."""
    price, qty = entity.unit_price_field, entity.quantity_break_field
    start, end = entity.start_date_field, entity.end_date_field
    if not (price and qty and start):
        return {}
    currency = next((f.name for f in entity.fields if f.currency), "")
    number = _numbers()
    known: dict[tuple[str, str, str], list[tuple[Decimal, str, str, Decimal, str]]] = {}
    for r in records:
        q, p = number(r.get(qty) or "0"), number(r.get(price))
        if q is None or p is None or not r.get(start):
            continue
        known.setdefault((r.get("PART_ID", ""), r.get("PRICE_CODE", ""), r.get(currency) or ""),
                         []).append((q, r[start], r.get(end) or "", p, r.get(price, "")))
    if not known:
        return {}
    given: set[tuple] = set()
    for values in rows.values():
        q = number(values.get(qty) or "0")
        given.add((values.get("PART_ID", ""), values.get("PRICE_CODE", ""),
                   values.get(currency) or "", values.get(start, ""), q))
    out: dict[tuple[int, str], str] = {}
    breaks: dict[tuple, tuple[dict, list]] = {}  # (group, day) -> the breaks in force then
    for row, values in rows.items():
        group = (values.get("PART_ID", ""), values.get("PRICE_CODE", ""),
                 values.get(currency) or "")
        day, q, p = values.get(start) or "", number(values.get(qty) or "0"), number(
            values.get(price))
        lines = known.get(group)
        if not lines or not day or q is None or p is None:
            continue
        found = breaks.get((group, day))
        if found is None:
            in_force: dict[Decimal, tuple[str, Decimal, str]] = {}
            for kq, kstart, kend, kp, ktext in lines:
                if kstart <= day and (not kend or kend >= day) and (*group, day, kq) not in given:
                    if kq not in in_force or kstart > in_force[kq][0]:
                        in_force[kq] = (kstart, kp, ktext)
            found = breaks[(group, day)] = (in_force, sorted(in_force))
        in_force, ordered = found
        at = bisect.bisect_left(ordered, q)
        smaller = ordered[at - 1] if at else None
        larger = next((k for k in ordered[at:at + 2] if k > q), None)
        text, qty_text = values.get(price), values.get(qty) or "0"
        if smaller is not None and p > in_force[smaller][1]:
            k = smaller
            out[(row, price)] = (
                f"{price} {text} at quantity {qty_text} is higher than {in_force[k][2]} at the "
                f"smaller quantity {_plain(k)} of the line known from {in_force[k][0]} (in force "
                f"on {day}); check the breaks, or send that break too.")
        elif larger is not None and p < in_force[larger][1]:
            k = larger
            out[(row, price)] = (
                f"{price} {text} at quantity {qty_text} is lower than {in_force[k][2]} at the "
                f"larger quantity {_plain(k)} of the line known from {in_force[k][0]} (in force "
                f"on {day}); check the breaks, or send that break too.")
    return out


def _numbers():
    """_number, remembered per text during one call (prices and quantities repeat)."""
    seen: dict[str | None, Decimal | None] = {}

    def number(text: str | None) -> Decimal | None:
        try:
            return seen[text]
        except KeyError:
            found = seen[text] = _number(text)
            return found

    return number


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
