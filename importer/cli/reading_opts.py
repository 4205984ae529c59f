"""The reading options validate and import share: number and date conventions, saved column names."""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import click


@dataclass(frozen=True)
class ReadingFlags:
    """The raw values of the reading flags, as the command line gave them."""

    decimal_comma: bool = False
    decimal_point: bool = False
    day_first: bool = False
    month_first: bool = False
    maps: tuple[str, ...] = ()
    strict_columns: bool = False

    def options(self, config_file: Path | None = None):
        """ReadOptions: these flags over importer.toml's [reading] and [columns]."""
        from importer.reading.options import read_options

        return read_options(config_file, decimal_comma=self.decimal_comma,
                            decimal_point=self.decimal_point, day_first=self.day_first,
                            month_first=self.month_first, maps=self.maps,
                            strict_columns=self.strict_columns)


_FLAGS = (
    click.option("--decimal-comma", is_flag=True,
                 help="Numbers written as text use a decimal comma (1.245,50) [default: decided "
                      "from the file's numbers, or decimal in importer.toml's [reading]]."),
    click.option("--decimal-point", is_flag=True,
                 help="Numbers written as text use a decimal point (1,245.50)."),
    click.option("--day-first", is_flag=True,
                 help="Slash dates written as text are day/month/year (03/04/2026 is 3 April) "
                      "[default: decided by a day above 12 in the file, else month first]."),
    click.option("--month-first", is_flag=True,
                 help="Slash dates written as text are month/day/year (03/04/2026 is March 4)."),
    click.option("--map", "maps", multiple=True, metavar="HEADER=FIELD",
                 help="Read the column headed HEADER as FIELD, e.g. --map \"Unit Price="
                      "SO_UNIT_PRICE\" (repeatable; saved names go under [columns.<record "
                      "type>] in importer.toml)."),
    click.option("--strict-columns", is_flag=True,
                 help="Refuse the file when a column is no field of the record type (by "
                      "default such helper columns are not sent and are listed)."),
)


def reading_options(func: Callable) -> Callable:
    """Add the reading flags; the command receives them as one `reading` (ReadingFlags)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        reading = ReadingFlags(**{f.name: kwargs.pop(f.name) for f in fields(ReadingFlags)})
        return func(*args, reading=reading, **kwargs)

    for option in reversed(_FLAGS):
        wrapper = option(wrapper)
    return wrapper
