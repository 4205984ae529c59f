"""Naming a sheet's columns once: the header cells a person may map to fields, and saving such a
mapping as importer.toml's ``[columns.<entity>]`` table, which reading applies from then on.

    sheet, headers = header_cells(path, sheet=None)     # [("A", "Artikelnummer"), ...]
    sheet, headers, samples = header_samples(path)     # ... and {"A": ["4711", "4712"]}
    save_column_names(config_path, "product-price", {"Artikelnummer": "PART_ID"})

Saving edits the file as text, so the person's comments and layout stay: an existing
``[columns.<entity>]`` table gets the new lines under its header (a header named again is
replaced), otherwise the table is added at the end. A new file is created readable by its owner
only (it may later hold a password).
"""
from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from importer.entities import get_entity
from importer.errors import BadOptions, UnusableFile
from importer.model import Table, column_letter
from importer.reading.values import display
from importer.reading.header import HEADER_SEARCH_ROWS, sheet_picker
from importer.reading.limits import ReadLimits
from importer.reading.scan import column_index
from importer.reading.sources import load_grid


def header_cells(path: Path, sheet: str | None = None,
                 limits: ReadLimits | None = None) -> tuple[str, list[tuple[str, str]]]:
    """(sheet, [(column letter, header text)]) of the first row among the first rows that holds
    two or more texts: the row the person calls the header. Raises UnusableFile for a file that
    cannot be read."""
    found, headers, _ = header_samples(path, sheet, limits, 0)
    return found, headers


def header_samples(path: Path, sheet: str | None = None, limits: ReadLimits | None = None,
                   samples: int = 2
                   ) -> tuple[str, list[tuple[str, str]], dict[str, list[str]]]:
    """`header_cells` and, per column letter, the first ``samples`` values under the header as
    the cells show them (for naming the columns by what they hold)."""
    grid = load_grid(Path(path), sheet_picker(Path(path), sheet, None), limits or ReadLimits())
    for h, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        texts = [(column_letter(i), str(v).strip()) for i, v in enumerate(row)
                 if isinstance(v, str) and v.strip()]
        if len(texts) >= 2:
            return grid.sheet, texts, _samples(grid.rows[h + 1:], texts, samples)
    raise UnusableFile(f"Sheet {grid.sheet!r} of {Path(path).name} has no header row: write the "
                       "field names in the first row.")


def table_samples(table: Table, samples: int = 2
                  ) -> tuple[list[tuple[str, str]], dict[str, list[str]]]:
    """`header_samples` of a sheet already read: its header cells and the first values each
    column shows."""
    headers = [(c.letter, c.header) for c in table.columns if c.header.strip()]
    found: dict[str, list[str]] = {letter: [] for letter, _ in headers}
    at = {c.letter: k for k, c in enumerate(table.columns)}
    for row in table.rows[:1000]:
        for letter, values in found.items():
            shown = row.cells[at[letter]].strip()
            if shown and len(values) < samples:
                values.append(shown)
        if all(len(v) >= samples for v in found.values()):
            break
    return headers, found


def _samples(rows: list[list], headers: list[tuple[str, str]], wanted: int
             ) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {letter: [] for letter, _ in headers}
    if not wanted:
        return found
    index = {letter: column_index(letter) for letter, _ in headers}
    for row in rows[:1000]:
        for letter, i in index.items():
            shown = display(row[i]).strip() if i < len(row) else ""
            if shown and len(found[letter]) < wanted:
                found[letter].append(shown)
        if all(len(v) >= wanted for v in found.values()):
            break
    return found


def save_column_names(config: Path, entity_name: str, mapping: dict[str, str]) -> Path:
    """Add ``mapping`` (header -> field) to ``config``'s [columns.<entity>] table."""
    entity = get_entity(entity_name)
    for header, target in mapping.items():
        if not entity.has_field(target):
            raise BadOptions(f"{target} is not a {entity.label} field; choose one of its fields "
                             f"for {header!r}.")
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    table = f"[columns.{entity.name}]"
    lines = text.splitlines()
    wanted = {header: f"{json.dumps(header, ensure_ascii=False)} = {json.dumps(target)}"
              for header, target in mapping.items()}
    start = next((i for i, line in enumerate(lines) if line.strip() == table), None)
    if start is None:
        lines += ([""] if lines and lines[-1].strip() else []) + [table, *wanted.values()]
    else:
        end = next((i for i in range(start + 1, len(lines))
                    if re.match(r"\s*\[", lines[i])), len(lines))
        kept = [line for line in lines[start + 1:end] if _key_of(line) not in wanted]
        lines[start + 1:end] = [*wanted.values(), *kept]
    new_text = "\n".join(lines) + "\n"
    try:
        tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise BadOptions(f"{config} could not take the column names ({exc}); add them by hand "
                         f"under {table}.") from None
    _write(config, new_text)
    return config


def _key_of(line: str) -> str | None:
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(parsed), None) if len(parsed) == 1 else None


def _write(config: Path, text: str) -> None:
    config.parent.mkdir(parents=True, exist_ok=True)
    mode = config.stat().st_mode & 0o777 if config.exists() else 0o600
    staged = config.with_name(f".{config.name}.tmp")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(staged, config)
