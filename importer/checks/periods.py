"""Overlapping validity periods of price lines, and gaps between them, found over the whole file
at once (vectorised).

Rows and the journal's last known records are put in one frame, grouped by the fields that make
two lines compete (PART_ID, PRICE_CODE, ORDER_QTY as a number, currency), sorted by their start
date; a line overlaps the next later line of its group when its explicit end date falls on or
after that line's start, and leaves a gap (days without a price) when that line starts later than
the day after its end. A blank end date never overlaps: the later line supersedes it. A journal
record with the same key as a row is left out (the row replaces it). Only rows get messages.
"""
from __future__ import annotations

import pandas as pd

from importer.entities import Entity


def find_overlaps(entity: Entity, frame: pd.DataFrame, group: list[str],
                  records: list[dict[str, str]], found=...) -> dict[tuple[int, str], str]:
    """(excel row, field) -> message, for both lines of every overlapping pair (rows only).
    ``found``: `consecutive()` of the same arguments, when already computed."""
    found = consecutive(entity, frame, group, records) if found is ... else found
    if found is None:
        return {}
    data, nxt = found
    start, end = entity.start_date_field, entity.end_date_field
    hit = (data["_end"] != "") & nxt["_start"].notna() & (nxt["_start"] > data["_start"]) & \
        (data["_end"] >= nxt["_start"].fillna(""))
    out: dict[tuple[int, str], str] = {}
    pairs = zip(data.loc[hit, "_src"].tolist(), nxt.loc[hit, "_src"].tolist(),
                data.loc[hit, "_start"].tolist(), data.loc[hit, "_end"].tolist(),
                nxt.loc[hit, "_start"].tolist())
    same = _same(group)
    for earlier, later, first_start, first_end, later_start in pairs:
        earlier, later = int(earlier), int(later)
        if earlier > 0:
            other = _line(later)
            out[(earlier, end)] = (
                f"{end} {first_end} runs past {start} {later_start} of {other} with the same "
                f"{same}, so the ERP would hold two prices for those days; end this period "
                f"before {later_start} or leave {end} blank.")
        if later > 0:
            other = _line(earlier)
            out[(later, start)] = (
                f"{start} {later_start} falls within the period of {other} ({first_start} to "
                f"{first_end}) with the same {same}, so the ERP would hold two prices for those "
                f"days; end that period before {later_start}.")
    return out


def consecutive(entity: Entity, frame: pd.DataFrame, group: list[str],
                 records: list[dict[str, str]]):
    """(every line of the rows and records sorted by group and start, the next line of its
    group beside each), or None when no line has an explicit end date (nothing to compare)."""
    from importer.checks.columns import _valid_or_false, per_value

    start, end = entity.start_date_field, entity.end_date_field
    if start not in frame:
        return None
    ends = frame[end] if end in frame else pd.Series(None, index=frame.index, dtype=object)
    if ends.isna().all() and not any(r.get(end) for r in records):
        return None
    rows = pd.DataFrame({g: _canonical(entity, g, frame[g] if g in frame else None, frame.index)
                         for g in group})
    rows["_start"], rows["_end"], rows["_src"] = frame[start], ends.fillna(""), frame.index
    good = per_value(frame[start], _valid_or_false) & (
        ends.isna() | per_value(ends.fillna(""), _valid_or_false))
    rows = rows[good & rows[group].notna().all(axis=1)]
    data = pd.concat([rows, _records_frame(entity, group, records, rows)], ignore_index=True)
    data = data.sort_values(group + ["_start"], kind="stable")
    return data, data.groupby(group, sort=False)[["_start", "_src"]].shift(-1)


def find_gaps(entity: Entity, frame: pd.DataFrame, group: list[str],
              records: list[dict[str, str]], found=...) -> dict[tuple[int, str], str]:
    """(excel row, field) -> message where a line's explicit end date is followed, in its group,
    by a line starting later than the next day: days without a price (rows only)."""
    found = consecutive(entity, frame, group, records) if found is ... else found
    if found is None:
        return {}
    data, nxt = found
    start, end = entity.start_date_field, entity.end_date_field
    ended = data["_end"] != ""
    after = pd.to_datetime(data["_end"].where(ended, None), errors="coerce") + pd.Timedelta(days=1)
    following = pd.to_datetime(nxt["_start"], errors="coerce")
    hit = ended & following.notna() & after.notna() & (following > after)
    out: dict[tuple[int, str], str] = {}
    same = _same(group)
    for earlier, later, first_end, free, later_start, last_free in zip(
            data.loc[hit, "_src"].tolist(), nxt.loc[hit, "_src"].tolist(),
            data.loc[hit, "_end"].tolist(), after[hit].dt.strftime("%Y-%m-%d").tolist(),
            nxt.loc[hit, "_start"].tolist(),
            (following[hit] - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d").tolist()):
        earlier, later = int(earlier), int(later)
        days = f"{free} to {last_free}" if free != last_free else free
        if earlier > 0:
            other = _line(later)
            out[(earlier, end)] = (
                f"{end} {first_end} leaves {days} without a price before {other} with the same "
                f"{same} starts on {later_start}; end this period on {last_free}, or start the "
                f"next one on {free}.")
        if later > 0:
            other = _line(earlier)
            out[(later, start)] = (
                f"{start} {later_start} leaves {days} without a price after {other} with the "
                f"same {same} ends on {first_end}; start this period on {free}, or end that "
                f"one on {last_free}.")
    return out


def _same(group: list[str]) -> str:
    """The fields two lines share, as a message names them ("PART_ID, PRICE_CODE and ORDER_QTY")."""
    return ", ".join(group[:-1]) + " and " + group[-1] if len(group) > 1 else group[0]


def _line(row: int) -> str:
    """The other line of a pair: a row of the file, or a record the journal knows (row <= 0)."""
    return f"row {row}" if row > 0 else "a price line imported earlier"


def _canonical(entity: Entity, name: str, col: pd.Series | None, index) -> pd.Series:
    """A group column comparable across rows and records: numbers as floats (blank quantity =
    0, the server's default), other fields as text ('' when blank)."""
    from importer.checks.columns import _numbers

    if col is None:
        col = pd.Series(None, index=index, dtype=object)
    if entity.field(name).numeric:
        return _numbers(col.fillna("0"))
    return col.fillna("")


def _records_frame(entity: Entity, group: list[str], records: list[dict[str, str]],
                   rows: pd.DataFrame) -> pd.DataFrame:
    """The journal's records as negative-numbered lines, those a row replaces left out."""
    start, end = entity.start_date_field, entity.end_date_field
    if not records:
        return pd.DataFrame([], columns=group + ["_start", "_end", "_src"])
    taken = set(zip(*(rows[g] for g in group), rows["_start"]))
    lines = []
    for i, record in enumerate(records):
        if not record.get(start):
            continue
        values = []
        for g in group:
            text = record.get(g, "") or ""
            if entity.field(g).numeric:
                try:
                    text = float(text or "0")
                except ValueError:
                    break
            values.append(text)
        else:
            if (*values, record[start]) not in taken:
                lines.append((*values, record[start], record.get(end) or "", -(i + 1)))
    return pd.DataFrame(lines, columns=group + ["_start", "_end", "_src"])
