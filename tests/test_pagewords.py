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
