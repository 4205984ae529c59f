"""The web page in a real browser: headless Chromium from Debian's packages, driven by Playwright,
against `importer serve` started as a process and a real sandbox server as the ERP."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from openpyxl import Workbook, load_workbook

from conftest import records, stats, workbook_cells

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install "
                                       "chromium); .ci/run installs it")
playwright = pytest.importorskip("playwright.sync_api")

PASSWORD = "Pw-browser-7Hq2-never-shown"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE",
          "NOTES"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def mistakes_workbook(path: Path) -> Path:
    """Six price rows; row 3 has ORDER_QTY 'ten', row 5 a price 'abc'. Formats and a second
    sheet that a correction must leave as they were."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Product Price"
    rows = [["PUMP001", "WEB", "2026-12-01", "1", "USD", 10.5, "first"],
            ["PUMP002", "WEB", "2026-12-01", "ten", "USD", 20.25, "qty typo"],
            ["PUMP003", "WEB", "2026-12-01", "1", "USD", 30, "third"],
            ["PUMP004", "WEB", "2026-12-01", "5", "USD", "abc", "price typo"],
            ["000417", "WEB", "2026-12-01", "100", "USD", 0.31, "zeros kept"],
            ["VALVE-100", "WEB", "2026-12-01", "10", "USD", 4.12, "last"]]
    for row in [HEADER, *rows]:
        sheet.append(row)
    sheet["F2"].number_format = "#,##0.00"
    sheet.column_dimensions["G"].width = 30
    book.create_sheet("Notes")["A1"] = "Approved by the pricing team"
    book.save(path)
    return path


@pytest.fixture
def serve(tmp_path, sandbox_factory):
    """(page url with token, sandbox): `importer serve` as a process, the ERP a sandbox."""
    sb = sandbox_factory(users={"APIUSER": PASSWORD})
    home = tmp_path / "home"
    config = tmp_path / "importer.toml"
    config.write_text(f'[connection]\nurl = "{sb.url}"\ndata_source = "{sb.data_source}"\n'
                      f'user = "{sb.user}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPORTER_")}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "xdg"),
               XDG_DATA_HOME=str(home / "data"), TMPDIR=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "importer", "serve", "--port", "0", "--config", str(config),
         "--journal", str(tmp_path / "journal.sqlite3")],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env, cwd=tmp_path)
    url = None
    deadline = time.monotonic() + 30
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        found = re.search(r"(http://\S+\?token=\S+)", line)
        url = found.group(1) if found else None
    assert url, "importer serve printed no address"
    yield url, sb
    proc.terminate()
    proc.wait(timeout=30)
    assert not list(tmp_path.glob("importer-web-*")), "uploads are removed when serve stops"


def test_check_fix_in_place_download_then_import_in_a_real_browser(serve, tmp_path):
    url, sb = serve
    base = url.split("/?")[0]
    source = mistakes_workbook(tmp_path / "prices.xlsx")
    before = workbook_cells(source)
    assert requests.get(base + "/", timeout=10).status_code == 403  # no token, no page
    bodies: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)

        def keep_body(response):
            try:
                bodies.append(response.text())
            except Exception:  # noqa: BLE001 - downloads and streams have no text body
                pass

        page.on("response", keep_body)
        page.goto(url)
        page.set_input_files("#file", str(source))
        page.click("text=Check the file")
        page.wait_for_url("**/u/**")
        assert "2 errors" in page.inner_text("#counts")
        qty = page.locator("#row-3 td.error[data-letter=D]")
        assert "ORDER_QTY" in qty.inner_text() and "ten" in qty.inner_text()
        assert page.locator("#row-5 td.error[data-letter=F]").count() == 1

        page.click("#row-3 [data-edit]")
        page.fill("#editor-value", "2")
        page.keyboard.press("Enter")
        page.wait_for_selector("#row-3:not(.error)")
        assert "1 error" in page.inner_text("#counts")
        with page.expect_download() as first:
            page.click("#download-corrected")
        one_fix = tmp_path / "one_fix.xlsx"
        first.value.save_as(one_fix)
        after = workbook_cells(one_fix)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        assert changed == {("Product Price", "D3")}
        assert after[("Product Price", "D3")][0] == 2  # a number cell, as a quantity is

        page.click("#row-5 [data-edit]")
        page.fill("#editor-value", "40.00")
        page.click("text=Save and check")
        page.wait_for_selector("#row-5:not(.error)")
        assert "0 errors" in page.inner_text("#counts")
        with page.expect_download() as second:
            page.click("#download-corrected")
        fixed = tmp_path / "fixed.xlsx"
        second.value.save_as(fixed)

        page.goto(base + "/")
        page.set_input_files("#file", str(fixed))
        page.click("text=Check the file")
        page.wait_for_url("**/u/**")
        assert "0 errors" in page.inner_text("#counts")
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        assert "6" in page.inner_text(".count >> nth=0")  # would be created
        page.check("input[value=erp]")
        page.fill("#password", PASSWORD)
        page.click("#import-form button[type=submit]")
        page.wait_for_url("**/jobs/**")
        page.wait_for_selector("#results", timeout=60_000)
        assert "6 of 6 rows" in page.inner_text("#progress-text")
        with page.expect_download() as results:
            page.click("#download-results")
        results_path = tmp_path / "results.xlsx"
        results.value.save_as(results_path)
        browser.close()
    sheet = load_workbook(results_path)["Product Price"]
    header = [c.value for c in sheet[1]]
    status = header.index("STATUS") + 1
    assert [sheet.cell(r, status).value for r in range(2, 8)] == ["CREATED"] * 6
    held = {(r["PART_ID"], r["ORDER_QTY"]): r for r in records(sb.url, "product-price")
            if r["PRICE_CODE"] == "WEB"}
    assert held[("PUMP002", "2")]["SO_UNIT_PRICE"] == "20.25"
    assert held[("PUMP004", "5")]["SO_UNIT_PRICE"] == "40.00"
    assert ("000417", "100") in held and len(held) == 6
    assert sum(stats(sb.url)["calls"].get("/api/product-price-create", {}).values()) == 6
    assert bodies and all(PASSWORD not in body for body in bodies)
