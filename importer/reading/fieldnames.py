"""Which field a header names: the field's own name, the person's saved names, the registry's
common English names (entities.Field.aliases), and how close an unknown header is to one.

Headers are compared by `header_key`: case, spaces, hyphens, underscores and punctuation do not
count (``Part No.`` = ``PART_NO`` = ``part-no``). The person's names (``[columns.<entity>]`` in
importer.toml, ``--map``) come first, then field names, then the built-in aliases; a header that
two built-in aliases give to two fields is reported, never resolved by a guess.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from importer.entities import Entity
from importer.errors import BadOptions
from importer.reading.options import ANY_ENTITY, ReadOptions

_NOT_KEY = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """'Part No.' -> 'PARTNO': how headers, field names and aliases are compared."""
    return _NOT_KEY.sub("", str(text).upper())


@dataclass(frozen=True)
class Match:
    """What one header names in one entity."""

    fields: tuple[str, ...]  # () unknown, one field, or several (ambiguous)
    by: str = ""  # 'name', 'saved' (the person's names) or 'alias'

    @property
    def field(self) -> str | None:
        return self.fields[0] if len(self.fields) == 1 else None


class Names:
    """The header -> field rules of one entity under the reading options."""

    def __init__(self, entity: Entity, options: ReadOptions) -> None:
        self.entity = entity
        saved = {**options.columns.get(entity.name, {}), **options.columns.get(ANY_ENTITY, {})}
        self.saved = {header_key(h): f for h, f in saved.items() if entity.has_field(f)}
        self.names = {header_key(f): f for f in entity.field_names}
        self.aliases: dict[str, tuple[str, ...]] = {}
        for f in entity.fields:
            for alias in f.aliases:
                key = header_key(alias)
                if f.name not in self.aliases.get(key, ()):
                    self.aliases[key] = self.aliases.get(key, ()) + (f.name,)

    def match(self, header: str) -> Match:
        key = header_key(header)
        if key in self.saved:
            return Match((self.saved[key],), "saved")
        if key in self.names:
            return Match((self.names[key],), "name")
        return Match(self.aliases.get(key, ()), "alias")

    def close_to(self, header: str) -> str | None:
        """The field a header is a typo of (an edit or two from its name or an alias), or None."""
        key = header_key(header)
        if len(key) < 4:
            return None
        allowed = max(1, len(key) // 5)
        best: tuple[int, str] | None = None
        for known, fields in [*((k, (f,)) for k, f in self.names.items()), *self.aliases.items()]:
            if abs(len(known) - len(key)) > allowed:
                continue
            distance = edit_distance(key, known, allowed)
            if distance <= allowed and (best is None or distance < best[0]):
                best = (distance, fields[0])
        return best[1] if best else None


def check_maps(entity: Entity, options: ReadOptions) -> None:
    """Every --map names a field of the file's record type (config entries are checked when the
    config file is read)."""
    for header, target in options.columns.get(ANY_ENTITY, {}).items():
        if not entity.has_field(target):
            near = difflib.get_close_matches(target, entity.field_names, n=1, cutoff=0.5)
            hint = f" (closest: {near[0]})" if near else ""
            raise BadOptions(f"--map \"{header}={target}\": {target} is no {entity.label} "
                             f"field{hint}; see importer entities and importer entities "
                             f"--aliases.")


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of a and b, or limit + 1 as soon as it must exceed limit."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
