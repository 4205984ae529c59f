"""Screenshots of each step of `importer serve` for docs/ (linked from the README).

    python scripts/web_screenshots.py        # needs Debian's chromium and playwright

Starts `importer serve` on a free port with a throw-away journal and its built-in sandbox, walks
through upload -> check -> correct -> preview -> import -> results with sample_data's mistakes
file (corrected in the page) and the sample price list, and writes docs/web-1-upload.png ... docs/web-5-results.png at 1280x800.
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
            walk(url)
        finally:
            proc.terminate()
            proc.wait(30)


def walk(url: str) -> None:
    DOCS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        page.screenshot(path=DOCS / "web-1-upload.png")
        page.set_input_files("#file", str(ROOT / "sample_data" / "price_list_mistakes.xlsx"))
        page.click("text=Check the file")
        page.wait_for_url("**/u/**")
        page.click("#row-4 [data-edit]")
        page.fill("#editor-value", "2026-03-01")
        page.screenshot(path=DOCS / "web-2-check.png")
        page.keyboard.press("Enter")
        page.wait_for_selector("#row-4:not(.error)")
        page.goto(url.split("?")[0])
        page.set_input_files("#file", str(ROOT / "sample_data" / "price_list.xlsx"))
        page.click("text=Check the file")
        page.wait_for_url("**/u/**")
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        page.screenshot(path=DOCS / "web-3-preview.png")
        page.click("#import-form button[type=submit]")
        page.wait_for_url("**/jobs/**")
        page.wait_for_function("document.getElementById('bar').style.width !== '0%'")
        page.wait_for_timeout(400)  # the bar eases to its width
        page.screenshot(path=DOCS / "web-4-import.png")
        page.wait_for_selector("#results", timeout=60_000)
        page.screenshot(path=DOCS / "web-5-results.png")
        browser.close()
    print(f"wrote {DOCS}/web-*.png")


if __name__ == "__main__":
    main()
