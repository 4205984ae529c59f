"""XML text helpers shared by the streamed parts of a workbook."""
from __future__ import annotations

from openpyxl.utils import get_column_letter

from importer.workbooks.styles import clean_text


def escape(text: str) -> str:
    """Escape for element content; a carriage return is written as a reference, because XML
    readers turn a literal one into a line feed."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;") if "\r" in text else text


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def escape_text(value: object) -> str:
    """Any value as the escaped content of an XML element, shown the way styles.clean_text says."""
    return escape(clean_text(value))


MAX_COLUMNS = 16384  # A .. XFD


class Letters:
    """Column letters by 0-based index, computed once for every column a sheet can have."""

    def __init__(self) -> None:
        self.all = [get_column_letter(i + 1) for i in range(MAX_COLUMNS)]

    def __getitem__(self, index: int) -> str:
        return self.all[index]


LETTERS = Letters()


def letters(index: int) -> str:
    return LETTERS[index]
