"""The review in the page, in a real Chromium against `importer serve` as a process and a real
sandbox as the ERP: the Preview of month B shows its three decisions at the top, the Import
button says how many rows stay held, and accepting one sends it (the others keep their old
prices)."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import records
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, serve  # noqa: F401 - fixture

from importer.cli import main
from importer.sandbox.demo import DEMO_PARTS

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian chromium")

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE", "ORDER_QTY", "CURR_CODE",
          "SO_UNIT_PRICE"]
PARTS = [p["PART_ID"] for p in DEMO_PARTS if p["PART_STATUS"] == "A"]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def test_preview_lists_the_decisions_first_and_accepting_one_sends_it(serve, tmp_path):  # noqa: F811
    url, sb = serve
    base = url.split("/?")[0]
    a = [[PARTS[i], "LP", "2026-12-01", "", "1", "USD", f"{100 + i}.00"] for i in range(5)]
    a[4][3] = "2027-06-30"
    b = [[*r[:6], f"{101 + i}.00"] for i, r in enumerate(a[:4])]
    b[1][6], b[3][6] = "1010.00", "1.03"  # rows 3 and 5: +900% and -99%
    b.append([PARTS[4], "LP", "2027-01-01", "", "1", "USD", "104.00"])  # row 6: overlaps
    month_a = CliRunner().invoke(main, [
        "import", str(write_csv(tmp_path / "a.csv", a)), "--url", sb.url, "--data-source",
        sb.data_source, "--user", sb.user, "--journal", str(tmp_path / "journal.sqlite3")],
        env={"IMPORTER_PASSWORD": PASSWORD})
    assert month_a.exit_code == 0, month_a.output
    source = write_csv(tmp_path / "month-b.csv", b)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        page.set_input_files("#file", str(source))
        page.click("text=Check the file")
        page.wait_for_url("**/u/**")
        page.goto(page.url.split("?")[0] + "/preview?target=erp")
        first = page.locator("section.card").first
        assert first.get_attribute("id") == "decisions"
        assert "3 decisions" in first.inner_text()
        cells = page.locator("#decision-rows tbody tr td:first-child").all_inner_texts()
        assert cells == ["'month-b'!G3", "'month-b'!G5", "'month-b'!C6"]
        changes = page.locator("#decision-rows .decision-change").all_inner_texts()
        assert changes[:2] == ["101.00 \u2192 1010.00 (+900.0%)", "103.00 \u2192 1.03 (-99.0%)"]
        assert "--" not in page.inner_text("main")  # no command-line option named in the page
        assert "3 held until accepted" in page.inner_text("#import-button")
        page.screenshot(path=str(tmp_path / "review.png"), full_page=True)
        page.click("[data-history='3']")  # the changed row's record, as importer history has it
        page.wait_for_selector("#history[open] #history-lines li")
        line = page.inner_text("#history-lines li")
        assert "run 1 (a.csv): CREATED" in line and "SO_UNIT_PRICE 101.00" in line
        assert "ERP user APIUSER" in line
        page.screenshot(path=str(tmp_path / "history.png"))
        page.click("[data-close-history]")

        page.click("[data-accept-row='3']")
        page.wait_for_function("document.querySelectorAll('#decision-rows tbody tr').length == 2")
        assert "2 held until accepted" in page.inner_text("#import-button")
        page.check("input[value=erp]")
        page.fill("#password", PASSWORD)
        page.click("#import-button")
        page.wait_for_url("**/jobs/**")
        page.wait_for_selector("#results", timeout=60_000)
        browser.close()
    prices = {(r["PART_ID"], r["EFFECTIVE_DATE"]): r["SO_UNIT_PRICE"]
              for r in records(sb.url, "product-price")}
    assert prices[(PARTS[1], "2026-12-01")] == "1010.00"  # accepted: sent
    assert prices[(PARTS[3], "2026-12-01")] == "103.00"  # still held: the old price
    assert (PARTS[4], "2027-01-01") not in prices
    assert prices[(PARTS[0], "2026-12-01")] == "101.00"
