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

from dataclasses import dataclass
from itertools import repeat

import numpy as np

from importer.checks.columns import _NUMBER, Column, Columns, _date_ok, _factorize, combine
from importer.entities import Entity


@dataclass
class Lines:
    """Every line of the rows and records, sorted by group and start (then rows in file order,
    then records in the journal's order): its source (an excel row, or -(k+1) for the k-th
    record), start, end ('' when open) and the position of the next line of its group (-1)."""

    src: np.ndarray
    start: np.ndarray  # object: text
    end: np.ndarray  # object: text, '' when blank
    nxt: np.ndarray

    def candidates(self) -> np.ndarray:
        """Positions of the lines with an explicit end and a next line (the only ones that can
        overlap or leave a gap)."""
        return np.flatnonzero((self.end != "") & (self.nxt >= 0))


def find_overlaps(entity: Entity, cols: Columns, group: list[str],
                  records: list[dict[str, str]], found=...) -> dict[tuple[int, str], str]:
    """(excel row, field) -> message, for both lines of every overlapping pair (rows only).
    ``found``: `consecutive()` of the same arguments, when already computed."""
    found = consecutive(entity, cols, group, records) if found is ... else found
    if found is None:
        return {}
    start, end = entity.start_date_field, entity.end_date_field
    out: dict[tuple[int, str], str] = {}
    same = _same(group)
    for k in found.candidates().tolist():
        n = found.nxt[k]
        first_start, first_end, later_start = found.start[k], found.end[k], found.start[n]
        if not (later_start > first_start and first_end >= later_start):
            continue
        earlier, later = int(found.src[k]), int(found.src[n])
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


def consecutive(entity: Entity, cols: Columns, group: list[str],
                records: list[dict[str, str]]) -> Lines | None:
    """Every line of the rows and records sorted by group and start, each with the next line of
    its group, or None when no line has an explicit end date (nothing to compare). A group's
    numbers compare as numbers (a blank quantity is 0, the server's default), other fields as
    text ('' when blank); rows with an invalid start or end date, or a group number that is no
    plain number, are left out."""
    start, end = entity.start_date_field, entity.end_date_field
    if start not in cols:
        return None
    ends = cols.get(end)
    if not ends.given.any() and not any(r.get(end) for r in records):
        return None
    tables: list[dict] = [{} for _ in group]
    ids = [_row_ids(entity, g, cols, t) for g, t in zip(group, tables)]
    good = cols[start].per_value(_date_ok) & ends.per_value(_date_ok, blank=True)
    for col in ids:
        good &= col >= 0
    where = np.flatnonzero(good)
    starts = np.asarray(cols[start].uniques + [None], dtype=object)[cols[start].codes[where]]
    line_ends = np.asarray(ends.uniques + [""], dtype=object)[ends.codes[where]]
    src = cols.excel_rows[where]
    ids = [i[where] for i in ids]
    lines = _record_lines(entity, group, records, tables) if records else None
    if lines is not None and len(lines[3]):
        rec_ids, rec_starts, rec_ends, rec_src = lines
        texts: dict[str, int] = {}
        both = np.concatenate([starts, rec_starts])
        start_ids = np.fromiter(map(lambda t: texts.setdefault(t, len(texts)), both),
                                dtype=np.int64, count=len(both))
        whole = combine([np.concatenate([a, b]) for a, b in zip(ids, rec_ids)] + [start_ids])
        kept = ~np.isin(whole[len(src):], whole[:len(src)])  # a row replaces its record
        ids = [np.concatenate([a, b[kept]]) for a, b in zip(ids, rec_ids)]
        starts = np.concatenate([starts, rec_starts[kept]])
        line_ends = np.concatenate([line_ends, rec_ends[kept]])
        src = np.concatenate([src, rec_src[kept]])
    if not len(src):
        return Lines(src, starts, line_ends, np.empty(0, dtype=np.int64))
    ranks = [_ranks(t)[i] for t, i in zip(tables, ids)]
    start_rank = _text_ranks(starts)
    order = np.lexsort((np.arange(len(src)), start_rank, *reversed(ranks)))
    gid = combine([i[order] for i in ids])
    nxt = np.full(len(src), -1, dtype=np.int64)
    same = np.flatnonzero(gid[1:] == gid[:-1])
    nxt[same] = same + 1
    return Lines(src[order], starts[order], line_ends[order], nxt)


def _row_ids(entity: Entity, name: str, cols: Columns, table: dict) -> np.ndarray:
    """An id per row for a group field (-1: a number field that holds no plain number)."""
    col = cols.get(name)
    numeric = entity.field(name).numeric
    if numeric:
        forms = [float(u) if _NUMBER.fullmatch(u) else None for u in col.uniques] + [0.0]
    else:
        forms = list(col.uniques) + [""]
    ids = np.fromiter((-1 if v is None else table.setdefault(v, len(table)) for v in forms),
                      dtype=np.int64, count=len(forms))
    return ids[col.codes]


def _record_lines(entity: Entity, group: list[str], records: list[dict[str, str]],
                  tables: list[dict]) -> tuple[list[np.ndarray], np.ndarray, np.ndarray,
                                             np.ndarray]:
    """The journal's records with a start date, column by column: (group ids per field,
    starts, ends ('' when open), -(k+1) for the k-th record); a record whose group number is no
    number is left out."""
    start, end = entity.start_date_field, entity.end_date_field
    n = len(records)
    starts = np.array(list(map(dict.get, records, repeat(start))) + [None], dtype=object)[:-1]
    keep = np.fromiter(map(bool, starts), dtype=bool, count=n)
    ids = []
    for g, table in zip(group, tables):
        col = Column.of(g, [t or "" for t in map(dict.get, records, repeat(g))])
        if entity.field(g).numeric:
            forms = list(map(_float_or_none, col.uniques))
        else:
            forms = col.uniques
        found = np.fromiter((-1 if v is None else table.setdefault(v, len(table))
                             for v in forms), dtype=np.int64, count=len(forms))[col.codes]
        keep &= found >= 0
        ids.append(found)
    where = np.flatnonzero(keep)
    ends = np.array([e or "" for e in map(dict.get, records, repeat(end))] + [None],
                    dtype=object)[:-1]
    return [i[where] for i in ids], starts[where], ends[where], -(where.astype(np.int64) + 1)


def _float_or_none(text) -> float | None:
    """A record's group number (blank = 0), None when it is no number (or NaN: in no group)."""
    try:
        value = float(text or "0")
    except ValueError:
        return None
    return None if value != value else value


def _ranks(table: dict) -> np.ndarray:
    """id -> its value's rank in sorted order."""
    out = np.empty(len(table), dtype=np.int64)
    for rank, value in enumerate(sorted(table)):
        out[table[value]] = rank
    return out


def _text_ranks(texts: np.ndarray) -> np.ndarray:
    codes, uniques = _factorize(texts.tolist())
    order = {u: k for k, u in enumerate(sorted(uniques))}
    return np.fromiter((order[u] for u in uniques), dtype=np.int64, count=len(uniques))[codes]


def find_gaps(entity: Entity, cols: Columns, group: list[str],
              records: list[dict[str, str]], found=...) -> dict[tuple[int, str], str]:
    """(excel row, field) -> message where a line's explicit end date is followed, in its group,
    by a line starting later than the next day: days without a price (rows only)."""
    found = consecutive(entity, cols, group, records) if found is ... else found
    if found is None or not len(found.candidates()):
        return {}
    import pandas as pd  # its date parsing: only when a line ends and another follows

    start, end = entity.start_date_field, entity.end_date_field
    ended = found.end != ""
    has_next = found.nxt >= 0
    following_text = np.where(has_next, found.start[np.where(has_next, found.nxt, 0)], None)
    after = pd.to_datetime(pd.Series(np.where(ended, found.end, None)), errors="coerce") + \
        pd.Timedelta(days=1)
    following = pd.to_datetime(pd.Series(following_text), errors="coerce")
    hit = ended & following.notna().to_numpy() & after.notna().to_numpy() & \
        (following > after).to_numpy()
    where = np.flatnonzero(hit)
    out: dict[tuple[int, str], str] = {}
    same = _same(group)
    for k, free, last_free in zip(
            where.tolist(), after[hit].dt.strftime("%Y-%m-%d").tolist(),
            (following[hit] - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d").tolist()):
        n = found.nxt[k]
        earlier, later = int(found.src[k]), int(found.src[n])
        first_end, later_start = found.end[k], found.start[n]
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
