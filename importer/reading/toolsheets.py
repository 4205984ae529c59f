"""The tool's own helper sheets in a workbook it wrote (the template's Fields, a results
workbook's Summary, the validation workbook's Issues, an export's About, "<sheet> results"):
recognised, not guessed, so that a file the tool wrote reads back as input with no option.

    helpers = helper_sheets(zf)      # the names the workbook's custom property lists, or None
    looks_like_helper("Summary")     # the names the tool gives them (files written before the mark)

Every .xlsx the tool writes names its helper sheets in the custom document property
``model.HELPER_SHEETS_PROPERTY`` (a JSON list; workbooks/helpers.py writes it). Reading leaves
those sheets out of the sheets it chooses from; `--sheet NAME` can still name one.
"""
from __future__ import annotations

import json
import re
import zipfile
from xml.etree import ElementTree

from importer.entities import normalize_name
from importer.model import HELPER_SHEETS_PROPERTY

CUSTOM_PART = "docProps/custom.xml"
MAX_PART_BYTES = 1 << 20  # the property part is a few hundred bytes; a larger one is not ours
KNOWN = frozenset({"FIELDS", "SUMMARY", "ISSUES", "ABOUT", "LEGEND"})
_NUMBERED = re.compile(r"^(.*?)_*\(?\d+\)?$")  # safe_title's "Summary (2)"


def helper_sheets(zf: zipfile.ZipFile) -> frozenset[str] | None:
    """The sheet names the workbook's helper-sheet property lists; None when it has none."""
    try:
        info = zf.getinfo(CUSTOM_PART)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        return None
    try:
        root = ElementTree.fromstring(zf.read(info))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return None
    for prop in root:
        if prop.get("name") != HELPER_SHEETS_PROPERTY:
            continue
        text = "".join(prop.itertext())
        try:
            names = json.loads(text)
        except ValueError:
            return None
        if isinstance(names, list) and all(isinstance(n, str) for n in names):
            return frozenset(names)
        return None
    return None


def looks_like_helper(sheet: str) -> bool:
    """Whether ``sheet`` carries a name the tool gives its helper sheets (for workbooks written
    before the property existed): Fields, Summary, Issues, About, Legend (also numbered, as
    "Summary (2)"), or "<sheet> results"."""
    name = normalize_name(sheet)
    numbered = _NUMBERED.match(name)
    if name in KNOWN or (numbered and numbered.group(1) in KNOWN):
        return True
    return sheet.strip().lower().endswith(" results")
