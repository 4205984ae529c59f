"""Cell addresses shown to people are the ones Excel itself writes."""
import pytest

from importer.model import Issue, column_letter


@pytest.mark.parametrize("sheet,expected", [
    ("Prices", "Prices!D7"),
    ("Product Price", "'Product Price'!D7"),
    ("Q1-2026", "'Q1-2026'!D7"),
    ("2026", "'2026'!D7"),
    ("Bob's prices", "'Bob''s prices'!D7"),
    ("price_list", "price_list!D7"),
])
def test_issue_address_quotes_sheet_names_like_excel(sheet, expected):
    assert Issue("x", "m", sheet=sheet, row=7, column="D").address == expected


def test_row_and_file_level_issues_have_short_addresses():
    assert Issue("x", "m", sheet="Prices", row=7).address == "Prices!7"
    assert Issue("x", "m", sheet="Prices").address == "Prices"


@pytest.mark.parametrize("index,letters", [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                           (702, "AAA"), (16383, "XFD")])
def test_column_letters_match_excel(index, letters):
    assert column_letter(index) == letters
