"""Screenshots of each step of `importer serve` for docs/ (linked from the README).

    python scripts/web_screenshots.py        # needs Debian's chromium and playwright

Starts `importer serve` on a free port with a throw-away journal and its built-in sandbox, walks
through upload -> check -> correct -> preview -> import -> results with sample_data's files, and
writes docs/web-*.png at 1280x800 and, for the pages whose layout changes most, at 800x800
(docs/web-*-800.png):

- web-1-upload: the upload and the past runs;
- web-2-check: the grid with a cell selected and its issue in full in the side panel;
- web-2-replace: find and replace in a column with the count of cells it will change;
- web-2-columns: German headers with the suggested fields and two values of each column;
- web-3-preview, web-4-import; web-5-results: a failed row opened for fixing on the results page.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPORTER_")}
        env.update(HOME=tmp, XDG_DATA_HOME=f"{tmp}/data", XDG_CONFIG_HOME=f"{tmp}/config")
        proc = subprocess.Popen([sys.executable, "-m", "importer", "serve", "--port", "0",
                                 "--journal", f"{tmp}/journal.sqlite3"], cwd=tmp, env=env,
                                stderr=subprocess.PIPE, text=True)
        try:
            url = None
            while url is None:
                found = re.search(r"(http://\S+\?token=\S+)", proc.stderr.readline())
                url = found.group(1) if found else None
            walk(url, Path(tmp))
        finally:
            proc.terminate()
            proc.wait(30)


def german_file(folder: Path) -> Path:
    """A price list with the headers a German office writes (the column-naming panel)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Preise"
    sheet.append(["Artikelnummer", "Preisliste", "Gültig ab", "Menge", "Währung", "Preis",
                  "Bemerkung"])
    for n in range(1, 6):
        sheet.append([f"PUMP00{n}", "LP", "2026-12-01", n * 10, "EUR", f"{100 + n},50",
                      "Staffelpreis"])
    path = folder / "preise.xlsx"
    book.save(path)
    return path


def walk(url: str, folder: Path) -> None:
    DOCS.mkdir(exist_ok=True)
    base = url.split("?")[0].rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)

        def both(name: str) -> None:
            page.screenshot(path=DOCS / f"{name}.png")
            page.set_viewport_size({"width": 800, "height": 800})
            page.screenshot(path=DOCS / f"{name}-800.png")
            page.set_viewport_size({"width": 1280, "height": 800})

        def upload(path: Path) -> None:
            page.goto(base + "/")
            page.set_input_files("#file", str(path))
            page.click("text=Check the file")
            page.wait_for_url("**/u/**")

        def change(action) -> None:
            with page.expect_navigation():
                action()
            page.wait_for_load_state("load")

        upload(ROOT / "sample_data" / "price_list_mistakes.xlsx")
        page.click("#row-4 [data-edit]")
        page.fill("#editor-value", "2026-03-01")
        change(lambda: page.keyboard.press("Enter"))
        page.click("#row-5 td[data-letter=A]")
        page.evaluate("document.getElementById('rows').scrollIntoView()")
        both("web-2-check")
        page.click("#open-replace")
        page.select_option("#replace-column", "F")
        page.fill("#replace-find", "DOLLAR")
        page.wait_for_selector("#replace-count:has-text('will change')")
        page.fill("#replace-with", "USD")
        page.screenshot(path=DOCS / "web-2-replace.png")
        page.keyboard.press("Escape")

        upload(german_file(folder))
        page.locator("#columns").scroll_into_view_if_needed()
        page.screenshot(path=DOCS / "web-2-columns.png", full_page=True)

        upload(ROOT / "sample_data" / "price_list.xlsx")
        page.click("#row-3 td[data-letter=A]")  # a part the sandbox does not know: one FAILED row
        page.keyboard.press("Enter")
        page.fill("#editor-value", "417")
        change(lambda: page.click("text=Save and check"))
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        page.screenshot(path=DOCS / "web-3-preview.png")
        page.click("#import-form button[type=submit]")
        page.wait_for_url("**/jobs/**")
        page.wait_for_function("document.getElementById('bar').style.width !== '0%'")
        page.wait_for_timeout(400)  # the bar eases to its width
        page.screenshot(path=DOCS / "web-4-import.png")
        page.wait_for_selector("#results", timeout=60_000)
        page.click("[data-fix='3']")
        both("web-5-results")
        page.goto(base + "/")
        both("web-1-upload")
        browser.close()
    print(f"wrote {DOCS}/web-*.png")


if __name__ == "__main__":
    main()
