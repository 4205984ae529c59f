"""The README renders as written: its tables are whole, its links stay in the repository, and the
1st-of-the-month checklist comes before the reference sections."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_commands_table_is_one_table():
    section = README.split("## Commands", 1)[1].split("\n### ", 1)[0]
    lines = section.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| command"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    rest = "\n".join(lines[start + len(table):])
    assert "`importer serve" in "\n".join(table) and "`importer sandbox" in "\n".join(table)
    assert not re.search(r"^\| `importer", rest, re.M), "a row after a blank line is stray text"


def test_no_link_leaves_the_repository():
    for target in re.findall(r"\]\(([^)]+)\)", README):
        if target.startswith(("http://", "https://", "#")):
            continue
        path = (ROOT / target.split("#")[0]).resolve()
        assert ROOT in path.parents or path == ROOT, target
        assert path.exists(), target


def test_the_first_of_the_month_checklist_comes_before_the_reference():
    first = README.index("## The 1st of the month")
    assert first < README.index("## Commands") and first < README.index("## Configuration")
    steps = README[first:].split("\n## ", 1)[0]
    for command in ("importer export", "validate", "--sandbox", "--dry-run", "importer import",
                    "failed.xlsx", "importer revert"):
        assert command in steps, command
