"""The change options shared by validate and import: --skip-unchanged, --max-price-change,
--strict; and the summary line of change classes."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import click

from importer.cli.common import FiniteFloat
from importer.checks.changes import DEFAULT_MAX_PRICE_CHANGE, ChangeRules


@dataclass(frozen=True)
class ChangeFlags:
    """The raw values of the change flags (None = not given on the command line)."""

    skip_unchanged: bool | None = None
    max_price_change: float | None = None
    strict: bool = False

    def rules(self, settings=None) -> ChangeRules:
        """Flags > the settings' values (importer.toml / IMPORTER_*) > the defaults."""
        skip = self.skip_unchanged
        if skip is None:
            skip = bool(getattr(settings, "skip_unchanged", False))
        limit = self.max_price_change
        if limit is None:
            limit = getattr(settings, "max_price_change", DEFAULT_MAX_PRICE_CHANGE)
        return ChangeRules(skip_unchanged=skip, max_price_change=limit, strict=self.strict)


_SKIP = click.option(
    "--skip-unchanged/--no-skip-unchanged", "skip_unchanged", default=None,
    help="Do not send rows whose every given cell equals the last known value (what the ERP "
         "returned the last time this tool wrote the key): they are SKIPPED, 'unchanged since "
         "run N'. Off by default (or skip_unchanged in importer.toml), because someone may have "
         "edited the record in the ERP since.")
_LIMIT = click.option(
    "--max-price-change", "max_price_change", type=FiniteFloat(min=0), metavar="PCT",
    default=None,
    help=f"Warn on a price that moves by more than PCT percent against its last known value "
         f"(default {DEFAULT_MAX_PRICE_CHANGE:g}, or max_price_change in importer.toml).")
_STRICT = click.option(
    "--strict", is_flag=True, default=False,
    help="Treat every warning (a price jump included) as an error: the row is not sent.")


def change_options(func: Callable) -> Callable:
    """Add --max-price-change and --strict (and, with ``skip``, --skip-unchanged); the command
    receives them as one `change_flags` argument (a ChangeFlags)."""
    return _decorate(func, skip=True)


def guard_options(func: Callable) -> Callable:
    """--max-price-change and --strict only (validate sends nothing, so skips nothing)."""
    return _decorate(func, skip=False)


def _decorate(func: Callable, skip: bool) -> Callable:
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        flags = ChangeFlags(kwargs.pop("skip_unchanged", None), kwargs.pop("max_price_change"),
                            kwargs.pop("strict"))
        return func(*args, change_flags=flags, **kwargs)

    for option in ((_SKIP, _LIMIT, _STRICT) if skip else (_LIMIT, _STRICT))[::-1]:
        wrapper = option(wrapper)
    return wrapper


def change_lines(counts: dict[str, int] | None) -> list[str]:
    """'Against the last known records: CHANGED 3, NEW 1, UNCHANGED 39.' (nothing if None)."""
    if counts is None:
        return []
    shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    return [f"Against the last known records: {shown or 'no rows'}."]
