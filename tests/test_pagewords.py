"""The page's words: the library's own sentences, as the page shows them, name no command-line
option and no environment variable (the page's admin has neither)."""
from __future__ import annotations

import re

import pytest
from conftest import isolate_from_user

from importer.errors import BadOptions
from importer.runs.pagewords import page_error
from importer.settings import load_settings

OPTION_OR_VARIABLE = re.compile(r"(?<![\w-])--[a-z][\w-]*|IMPORTER_[A-Z_]+")


@pytest.mark.parametrize("given", [
    {}, {"url": "http://erp.example"}, {"url": "http://erp.example", "data_source": "LIVE"},
])
def test_an_erp_that_is_not_configured_is_said_in_the_pages_words(tmp_path, monkeypatch, given):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BadOptions) as refused:  # what the preview shows beside "the ERP"
        load_settings(**given)
    said = page_error(str(refused.value))
    assert OPTION_OR_VARIABLE.search(str(refused.value))  # the CLI's sentence names them ...
    assert not OPTION_OR_VARIABLE.search(said), said  # ... the page's does not
    assert "under [connection] in importer.toml" in said and ",," not in said, said


def _refusal(path, **options) -> str:
    from importer.errors import ImporterError
    from importer.reading import read_table

    with pytest.raises(ImporterError) as refused:
        read_table(path, **options)
    return str(refused.value)


def test_the_readers_sentences_name_the_pages_lists_and_importer_toml(tmp_path):
    from openpyxl import Workbook

    from importer.reading.locale import invalid_date_hint

    ambiguous = tmp_path / "prices.csv"  # numbers that read two ways, and nothing says which
    ambiguous.write_text("PART_ID,PRICE_CODE,EFFECTIVE_DATE,ORDER_QTY,SO_UNIT_PRICE\n"
                         "PUMP001,LP,2026-12-01,1,\"1,234\"\n", encoding="utf-8")
    book = tmp_path / "two.xlsx"
    wb = Workbook()
    wb.active.append(["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY"])
    wb.save(book)
    sentences = [_refusal(ambiguous), _refusal(book, sheet="Nope"),
                 invalid_date_hint("13/01/2026"), invalid_date_hint("01/13/2026")]
    for sentence in sentences:
        assert OPTION_OR_VARIABLE.search(sentence), sentence  # the CLI's words ...
        said = page_error(sentence)
        assert not OPTION_OR_VARIABLE.search(said), said  # ... and the page's
    assert "[reading] in importer.toml" in page_error(sentences[0])
    assert "choose one in the Sheet list" in page_error(sentences[1])
    assert 'date_order = "day-first"' in page_error(sentences[2])
