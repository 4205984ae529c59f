"""How a file is to be read, besides its name and sheet: `ReadOptions`.

Built from the command line (``--decimal-comma``, ``--day-first``, ``--map``, ``--strict-columns``)
over importer.toml's ``[reading]`` and ``[columns.*]`` tables by `read_options()`::

    [reading]
    decimal = "comma"            # or "point"; default: decided from the file's own numbers
    date_order = "day-first"     # or "month-first"; default: decided from the file's slash dates

    [columns]
    ignore = ["PART_DESC", "Margin %"]   # helper columns not sent and not listed

    [columns.product-price]
    "Artikelnummer" = "PART_ID"
    "Unit Price" = "SO_UNIT_PRICE"

    [values.product-price.CURR_CODE]     # values meaning another (reading/valuemaps.py)
    Euro = "EUR"
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from importer.errors import BadOptions
from importer.reading.locale import COMMA, DAY_FIRST, MONTH_FIRST, POINT, Conventions

DECIMAL_WORDS = {"comma": COMMA, ",": COMMA, "point": POINT, ".": POINT, "dot": POINT}
ORDER_WORDS = {"day-first": DAY_FIRST, "dmy": DAY_FIRST, "month-first": MONTH_FIRST,
               "mdy": MONTH_FIRST}
ANY_ENTITY = "*"  # the --map entries: they apply to whichever record type the file holds


@dataclass(frozen=True)
class ReadOptions:
    decimal: str | None = None  # locale.COMMA / POINT; None: from the file
    date_order: str | None = None  # locale.DAY_FIRST / MONTH_FIRST; None: from the file
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # entity -> header -> field
    ignore: tuple[str, ...] = ()  # headers of columns not sent and not listed
    strict_columns: bool = False  # any column that is no field refuses the file
    # value maps (reading/valuemaps.py): record type or '*' -> field -> written -> (meant, why)
    values: dict[str, dict[str, dict[str, tuple[str, str]]]] = field(default_factory=dict)

    @property
    def conventions(self) -> Conventions:
        return Conventions(self.decimal, self.date_order)

    def with_day_first(self, day_first: bool) -> "ReadOptions":
        return replace(self, date_order=DAY_FIRST) if day_first else self


def decimal_of(value: str, source: str) -> str:
    try:
        return DECIMAL_WORDS[str(value).strip().lower()]
    except KeyError:
        raise BadOptions(f"{source} has decimal = {value!r}; use \"comma\" or \"point\".") \
            from None


def date_order_of(value: str, source: str) -> str:
    try:
        return ORDER_WORDS[str(value).strip().lower()]
    except KeyError:
        raise BadOptions(f"{source} has date_order = {value!r}; use \"day-first\" or "
                         f"\"month-first\".") from None


def parse_maps(maps: tuple[str, ...] | list[str]) -> dict[str, str]:
    """--map "Unit Price=SO_UNIT_PRICE" (repeatable) -> {header: field}."""
    out: dict[str, str] = {}
    for item in maps:
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise BadOptions(f"--map {item!r} is not HEADER=FIELD; write it like "
                             f"--map \"Unit Price=SO_UNIT_PRICE\".")
        header = header.strip()
        if header in out and out[header] != target.strip().upper():
            raise BadOptions(f"--map gives {header!r} twice ({out[header]} and "
                             f"{target.strip().upper()}); keep one.")
        out[header] = target.strip().upper()
    return out


def read_options(config_file: str | Path | None = None, *, decimal_comma: bool = False,
                 decimal_point: bool = False, day_first: bool = False, month_first: bool = False,
                 maps: tuple[str, ...] = (), strict_columns: bool = False,
                 environ: dict[str, str] | None = None) -> ReadOptions:
    """The flags over importer.toml's [reading] and [columns] (see the module docstring)."""
    from importer.settings import reading_config
    from importer.settings.values import with_reasons

    if decimal_comma and decimal_point:
        raise BadOptions("Give either --decimal-comma or --decimal-point, not both.")
    if day_first and month_first:
        raise BadOptions("Give either --day-first or --month-first, not both.")
    config = reading_config(config_file, environ)
    source = f"Config file {config['path']}" if "path" in config else "The environment"
    decimal = COMMA if decimal_comma else POINT if decimal_point else (
        decimal_of(config["decimal"], source) if config.get("decimal") else None)
    order = DAY_FIRST if day_first else MONTH_FIRST if month_first else (
        date_order_of(config["date_order"], source) if config.get("date_order") else None)
    columns = {k: dict(v) for k, v in config.get("columns", {}).items()}
    if maps:
        columns[ANY_ENTITY] = parse_maps(maps)
    values = with_reasons(config.get("values", {}), Path(config.get("path", "")).name)
    return ReadOptions(decimal, order, columns, tuple(config.get("ignore", ())), strict_columns,
                       values)
