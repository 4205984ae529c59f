"""Reference checks: PART_ID and CUSTOMER_ID against the master data, with the likely fix.

A check set registered with validation (see ``importer.checks.validation.CheckSet``). The test itself is
one set lookup per distinct id of a column; suggestions are worked out only for the
distinct ids that miss, when their message is written, in this order: lost leading zeros
(``417`` -> ``000417``), case (``pump003`` -> ``PUMP003``), stray or inner spaces, hyphens and
underscores (``VALVE 10`` -> ``VALVE-10``), then the ids one edit away (a character missing,
extra or wrong, or two neighbours swapped: ``VALVE10`` -> ``VALVE-10``), for ids of 4 or more
characters. Nothing close: no suggestion.

- an id missing from a master-data file (and not confirmed by the ERP): error ``unknown-part`` /
  ``unknown-customer``;
- with no file, an id the ERP answered as not found on this server and data source (and has not
  confirmed since): warning ``part-not-found-before`` / ``customer-not-found-before``;
- a part whose PART_STATUS is obsolete (``O``, or ``[masterdata] obsolete_statuses``): warning.
"""
from __future__ import annotations

import re
from typing import Iterable

import numpy as np

from importer.checks.masterdata import MasterData, Reference
from importer.model import Severity, Table

REFERENCE_CODES = {
    "unknown-part": "A PART_ID is not in the parts master data; the message suggests the likely "
                    "id.",
    "unknown-customer": "A CUSTOMER_ID is not in the customers master data; the message "
                        "suggests the likely id.",
    "part-not-found-before": "The ERP answered that this PART_ID does not exist in an earlier "
                             "import (warning).",
    "customer-not-found-before": "The ERP answered that this CUSTOMER_ID does not exist in an "
                                 "earlier import (warning).",
    "obsolete-part": "The part is marked obsolete in the parts master data (warning).",
}
_SEPARATORS = (" ", "\t", "\n", "\r", "\xa0", "-", "_")
MAX_SUGGESTIONS = 3


def _compact(text: str) -> str:
    """Upper case without spaces, hyphens and underscores: 'valve 10' -> 'VALVE10'."""
    for sep in _SEPARATORS:  # str.replace runs at C speed, even over 50,000 joined ids
        text = text.replace(sep, "")
    return text.upper()


def _digits(text: str) -> str | None:
    """An all-digit id without its leading zeros ('000417' -> '417'); None otherwise."""
    text = _compact(text)
    return (text.lstrip("0") or "0") if text.isdigit() else None


_JOIN = "\x1f"  # joins ids so a whole list is transformed by one string method (in C)


def _forms(ids: list[str], transform) -> list[str]:
    """``transform`` of every id, worked on all ids joined as one string (50,000 ids at the
    speed of one string method), id by id only when an id holds the joining character."""
    forms = transform(_JOIN.join(ids)).split(_JOIN)
    return forms if len(forms) == len(ids) else [transform(i) for i in ids]


def edit_bound(text: str) -> int:
    """How many single-character edits still count as 'close' for an id of this length: none
    for ids of up to 3 characters (everything short is one edit from something)."""
    return 0 if len(text) <= 3 else 1


def one_edit_away(text: str, alphabet: str, lengths: frozenset[int] | None = None) -> set[str]:
    """Every text one edit from ``text``: a character left out, added, replaced, or two
    neighbours swapped (the typos people make), over the characters known ids use; with
    ``lengths`` (of the known ids) only the edits that give a text of such a length."""
    n = len(text)
    splits = [(text[:i], text[i:]) for i in range(n + 1)]
    out: set[str] = set()
    if lengths is None or n - 1 in lengths:
        out |= {a + b[1:] for a, b in splits if b}
    if lengths is None or n in lengths:
        out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
        out |= {a + c + b[1:] for a, b in splits if b for c in alphabet}
    if lengths is None or n + 1 in lengths:
        out |= {a + c + b for a, b in splits for c in alphabet}
    out.discard(text)
    return out


class _Same:
    """The lookup map of ids that are their own form (every id in capitals): each maps to
    itself, without a dict of 50,000 entries."""

    def __init__(self, ids: frozenset[str]) -> None:
        self._ids = ids

    def get(self, text: str) -> str | None:
        return text if text in self._ids else None

    def keys(self) -> frozenset[str]:
        return self._ids

    def __getitem__(self, text: str) -> str:
        return text

    def __iter__(self):
        return iter(self._ids)


class Suggester:
    """The likely intended ids for an id that is not known; built once per validation, its
    lookup tables only when an id that misses needs them. No scan of every known id: the
    candidates one edit away are generated from the wrong id and looked up."""

    def __init__(self, known: Iterable[str], known_set: frozenset[str] | None = None) -> None:
        """``known`` in the order that decides ties (the first id wins a shared form; an id
        given twice changes nothing); ``known_set``: the same ids as a set, when there is one."""
        self.known = known if isinstance(known, (list, tuple)) else list(known)
        self._known_set = known_set if known_set is not None else frozenset(self.known)
        self._maps: dict[str, dict[str, str]] | None = None
        self._alphabet = ""
        self._cache: dict[str, list[str]] = {}

    def suggest(self, wrong: str) -> list[str]:
        """The likely ids, best first (usually one); [] when nothing known is close."""
        found = self._cache.get(wrong)
        if found is None:
            found = self._cache[wrong] = self._find(wrong)
        return found

    def _find(self, wrong: str) -> list[str]:
        maps = self._lookup_maps()
        text = wrong.strip()
        for hit in (self._zero_padded(text), maps["upper"].get(text.upper()),
                    maps["compact"].get(_compact(text))):
            if hit is not None and hit != wrong:
                return [hit]
        return self._nearest(text.upper())

    def _zero_padded(self, text: str) -> str | None:
        """The known all-digit id that is ``text`` with its leading zeros put back (or taken
        away): '417' -> '000417'; tried as strings, so no table of all ids is needed."""
        digits = _digits(text)
        if digits is None:
            return None
        for width in range(len(digits), self._longest + 1):
            candidate = digits.zfill(width)
            if candidate in self._known_set:
                return candidate
        return None

    def _lookup_maps(self) -> dict[str, dict[str, str]]:
        if self._maps is None:
            first = self.known[::-1]  # reversed: in a dict the last wins, so the first id does
            joined = _JOIN.join(first)
            plain = joined.isascii() and joined.count(_JOIN) == len(first) - 1
            if plain and joined.upper() == joined:  # every id in capitals: each is its own form
                upper: dict[str, str] | _Same = _Same(self._known_set)
                forms = joined
            else:
                upper_ids = _forms(first, str.upper)
                upper = dict(zip(upper_ids, first))
                forms = _JOIN.join(upper_ids)
            compact_joined = _compact(joined) if plain else ""
            if plain and compact_joined == joined:  # no separators either
                compact: dict[str, str] | _Same = upper
            else:
                compact = dict(zip(compact_joined.split(_JOIN) if plain else
                                   _forms(first, _compact), first))
            self._maps = {"upper": upper, "compact": compact}
            if forms.isascii():  # the characters used, counted in C
                used = np.flatnonzero(np.bincount(np.frombuffer(forms.encode(), np.uint8),
                                                  minlength=128))
                self._alphabet = "".join(chr(c) for c in used.tolist() if chr(c) != _JOIN)
            else:
                self._alphabet = "".join(sorted(set(forms) - {_JOIN}))
            self._lengths = frozenset(map(len, first if plain else upper))
            self._longest = max(self._lengths, default=0)
        return self._maps

    def _nearest(self, text: str) -> list[str]:
        """The known ids one edit away, when the id is long enough for that to mean much."""
        if not edit_bound(text):
            return []
        upper = self._maps["upper"]
        hits = {upper[v] for v in upper.keys() & one_edit_away(text, self._alphabet,
                                                               self._lengths)}
        return sorted(hits)[:MAX_SUGGESTIONS]  # sorted: the same answer on every run


def did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return ""
    return "; did you mean " + " or ".join(suggestions) + "?"


_DID_YOU_MEAN = re.compile(r"; did you mean (.+)\?$")


def suggestions_in(message: str) -> list[str]:
    """The ids `did_you_mean` put in a message (a page offers them as one click)."""
    found = _DID_YOU_MEAN.search(message)
    return found.group(1).split(" or ") if found else []


class ReferenceChecks:
    """The reference checks of one validation run (a validation.CheckSet)."""

    codes = REFERENCE_CODES

    def __init__(self, master: MasterData) -> None:
        self.master = master
        self._suggesters: dict[str, Suggester] = {}
        self._obsolete = master.obsolete_parts()

    def fields(self) -> tuple[str, ...]:
        return ()

    def checks(self, table: Table, cols) -> list[tuple[Severity, str, str, object]]:
        """(severity, field, code, a bool per row: where the check fails): each distinct id
        looked up once."""
        out = []
        for ref, code, before in ((self.master.parts, "unknown-part", "part-not-found-before"),
                                  (self.master.customers, "unknown-customer",
                                   "customer-not-found-before")):
            if ref.field not in cols:
                continue
            col = cols[ref.field]
            if ref.has_file:
                out.append((Severity.ERROR, ref.field, code, col.per_value(
                    ref.known.__contains__, blank=True) ^ True))
            elif ref.not_found:
                out.append((Severity.WARNING, ref.field, before, col.isin(ref.not_found)))
        if self._obsolete and self.master.parts.field in cols:
            out.append((Severity.WARNING, self.master.parts.field, "obsolete-part",
                        cols[self.master.parts.field].isin(self._obsolete)))
        return out

    def suggester(self, ref: Reference) -> Suggester:
        found = self._suggesters.get(ref.field)
        if found is None:
            found = self._suggesters[ref.field] = Suggester(ref.known_in_order, ref.known)
        return found

    def message(self, code: str, row: int, field: str, value: str | None) -> str:
        ref = self.master.for_field(field)
        value = value or ""
        if code == "obsolete-part":
            return (f"Part {value} is obsolete (PART_STATUS {self._obsolete.get(value, '')} in "
                    f"{ref.source}); check that it should still get this record.")
        hint = did_you_mean(self.suggester(ref).suggest(value))
        if code.startswith("unknown-"):
            fix = hint or (f". Correct the id, or add the {ref.label} to the ERP and to the "
                           "file.")
            return f"{field} {value} is not in {ref.described}{fix}"
        where = f"{self.master.server} ({self.master.data_source})"
        return (f"The ERP answered on {ref.not_found.get(value, '')} that {ref.label} {value} "
                f"does not exist on {where}{hint or '; check the id.'}")
