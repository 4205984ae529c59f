"""Colours, fonts and the text rule shared by every workbook this tool writes.

Every string goes into a workbook as text, never as a formula, and characters XML cannot hold
(control characters other than tab and line breaks) are shown as their visible Unicode "control
pictures" (U+2400 block: BEL becomes '␇'), so the person sees that something odd was in the cell.
"""
from __future__ import annotations

from openpyxl.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from importer.model import Status

MAX_CELL_CHARS = 32767  # Excel's limit for one cell
AUTHOR = "importer"

# Control characters XML 1.0 cannot carry -> the visible control picture; other non-characters and
# lone surrogates -> U+FFFD.
_VISIBLE = {c: 0x2400 + c for c in range(32) if c not in (9, 10, 13)}
_VISIBLE.update({0xFFFE: 0xFFFD, 0xFFFF: 0xFFFD})
_VISIBLE.update({c: 0xFFFD for c in range(0xD800, 0xE000)})


def clean_text(value: object) -> str:
    """The string as it may be stored in a workbook: visible control characters, Excel's length."""
    text = str(value).translate(_VISIBLE)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "\u2026"
    return text


def set_text(cell: Cell, value: object) -> Cell:
    """Write a value as a text cell (openpyxl makes a string starting with '=' a formula)."""
    if value is None or value == "":
        cell.value = None
        return cell
    cell.value = clean_text(value)
    cell.data_type = "s"
    return cell


def set_value(cell: Cell, value: object) -> Cell:
    """Numbers stay numbers; everything else is text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value = value
        return cell
    return set_text(cell, value)


def comment_size(text: str) -> tuple[int, int]:
    """(width, height) in pixels of a comment box that shows the text without resizing."""
    lines = sum(len(part) // 48 + 1 for part in str(text).split("\n"))
    return 320, min(40 + 15 * lines, 400)


def comment(text: str) -> Comment:
    """A cell comment sized to its text, so the message can be read without resizing the box."""
    width, height = comment_size(text)
    return Comment(clean_text(text), AUTHOR, height=height, width=width)


# --- colours (Excel's familiar "good / bad / neutral" palette) -------------------------------
GREEN = "C6EFCE"
LIGHT_GREEN = "E2EFDA"
RED = "FFC7CE"
STRONG_RED = "FF8B8B"
ORANGE = "F8CBAD"
AMBER = "FFEB9C"
GREY = "D9D9D9"
HEADER = "305496"
TOOL_HEADER = "7F7F7F"
ERP_HEADER = "2F75B5"
REQUIRED = "FFD966"
CHANGED = "B4C6E7"  # a cell whose value differs from the last known one (blue, not a status)

LAVENDER = "D9D2E9"
PALE_BLUE = "DDEBF7"
PEACH = "FCE4D6"  # HELD rows: waiting for a person, neither failed nor invalid
STATUS_COLOURS: dict[Status, str | None] = {  # row fills: FAILED red, INVALID clearly not red
    Status.CREATED: GREEN,
    Status.UPDATED: LIGHT_GREEN,
    Status.FAILED: RED,
    Status.INVALID: LAVENDER,
    Status.SKIPPED: GREY,
    Status.NOT_RUN: PALE_BLUE,
    Status.HELD: PEACH,
}
CHART_COLOURS: dict[Status, str] = {  # the Summary chart's bars: the same hues, stronger
    Status.CREATED: "70AD47",
    Status.UPDATED: "A9D08E",
    Status.FAILED: "E05A5A",
    Status.INVALID: "8E7CC3",
    Status.SKIPPED: "A5A5A5",
    Status.NOT_RUN: "5B9BD5",
    Status.HELD: "F4B183",
}
STATUS_MEANING: dict[Status, str] = {
    Status.CREATED: "The ERP created the record.",
    Status.UPDATED: "The ERP updated the existing record.",
    Status.FAILED: "The ERP refused the row or could not be reached; see MESSAGE.",
    Status.INVALID: "Not sent: the row has errors; the red cells carry the message.",
    Status.SKIPPED: ("Not sent: its ACTION is SKIP, it is unchanged (--skip-unchanged), or it "
                     "gives only the key of a record the ERP already holds (nothing to change)."),
    Status.NOT_RUN: "Not sent: the run stopped before reaching the row.",
    Status.HELD: ("Not sent: held until someone accepts its decision (a price jump, an "
                  "overlapping period, an obsolete part); the Decisions sheet lists them."),
}
VALIDATION_COLOURS = {"VALID": GREEN, "WARNING": AMBER, "INVALID": STRONG_RED}


def fill(colour: str | None) -> PatternFill:
    return PatternFill("solid", fgColor=colour) if colour else PatternFill()


FONT = "Calibri"  # named everywhere: a Font without a name renders in a serif face in LibreOffice
PLAIN = Font(name=FONT, size=11)
BOLD = Font(name=FONT, size=11, bold=True)
WHITE_BOLD = Font(name=FONT, size=11, bold=True, color="FFFFFF")
ERROR_FONT = Font(name=FONT, size=11, bold=True, color="9C0006")
LINK = Font(name=FONT, size=11, color="0563C1", underline="single")
TITLE = Font(name=FONT, size=14, bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center")
THICK_LEFT = Border(left=Side(style="medium", color="000000"))


def width_for(texts, minimum: int = 8, maximum: int = 50) -> float:
    """A column width that shows the longest of the given texts (capped); the first text is the
    header, in bold capitals, which needs more room per character."""
    texts = [str(t) for t in texts]
    longest = max((len(t) for t in texts[1:] if t), default=0)
    if texts:
        longest = max(longest, round(len(texts[0]) * 1.2))
    return float(min(max(longest + 3, minimum), maximum))


def print_wide(ws, title_row: int | None = None) -> None:
    """Print landscape, all columns on one page width, the header repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
