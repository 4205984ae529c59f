"""The admin's month in the page, in Chromium (Debian's, driven by Playwright) against `importer
serve` as a process and a real sandbox server as the ERP: a filled template uploaded, checked and
previewed (the rehearsal sandbox catches 417 for 000417), a mistyped ERP password refused in
plain words and the right one taken, the results and the rows to fix downloaded, the fixed rows
imported, month 2 with changed prices (a mistyped one held until accepted in the Preview) and
unchanged rows skipped, the month reverted; previews
are no runs, and no page names a command-line option or an environment variable. Extend it when
your feature is a step of the month in the page."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import records
from month import RIGHT, ROWS, Admin, fill, set_cells
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, playwright, serve  # noqa: F401

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no chromium")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+|IMPORTER_[A-Z]+")


SHOTS = os.environ.get("JOURNEY_SHOTS")  # a folder: screenshots of each step, to look at


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def no_option_named(page) -> None:
    text = page.inner_text("body")
    assert not FLAG.search(text), FLAG.search(text).group(0)


def upload(page, base: str, path: Path) -> None:
    page.goto(base + "/")
    page.set_input_files("#file", str(path))
    page.click("text=Check the file")
    page.wait_for_url("**/u/**")
    no_option_named(page)


def import_into_erp(page, password: str | None = None, skip_unchanged: bool = False) -> None:
    page.click("text=Preview the import")
    page.wait_for_url("**/preview**")
    page.goto(page.url.split("?")[0] + "?target=erp")  # what it would do in the ERP
    no_option_named(page)
    page.check("input[value=erp]")
    if password is not None:
        page.fill("#password", password)
    if skip_unchanged:
        page.check("input[name=skip_unchanged]")
    page.click("#import-form button[type=submit]")


def finished(page) -> str:
    try:
        page.wait_for_url("**/jobs/**", timeout=20_000)
    except Exception:  # noqa: BLE001 - say what the page said instead
        raise AssertionError(page.inner_text("main")[:2000]) from None
    page.wait_for_selector("#results", timeout=60_000)
    no_option_named(page)
    return page.inner_text("#results")


def test_the_month_in_the_page(serve, tmp_path):  # noqa: F811
    url, sb = serve
    base = url.split("/?")[0]
    admin = Admin(tmp_path)
    book = admin / "december.xlsx"
    admin.run("template", "product-price", "-o", book, expect=0)
    fill(book, ROWS["product-price"])
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        page.goto(url)
        # the template, filled in, is read as it is: its Fields sheet is the tool's own
        upload(page, base, book)
        assert "0 errors" in page.inner_text("#counts")
        assert "Fields" not in page.inner_text("main")
        # the preview in the rehearsal sandbox knows its parts: 417 is refused, 000417 named
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        rows = page.inner_text("#preview-rows")
        assert "did you mean 000417?" in rows
        no_option_named(page)
        # the ERP: a mistyped password is refused in plain words and the field stays
        page.check("input[value=erp]")
        page.fill("#password", "not-the-password")
        page.click("#import-form button[type=submit]")
        page.wait_for_selector("#import-message.bad, #import-message:has-text('refused')")
        message = page.inner_text("#import-message")
        assert "refused" in message and "password" in message, message
        assert not FLAG.search(message), message
        assert page.locator("#password").is_visible()
        shot(page, "password-refused")
        page.fill("#password", PASSWORD)
        page.click("#import-form button[type=submit]")
        results = finished(page)
        assert "CREATED" in results and "FAILED" in results  # 417: the ERP has no such part
        first_run = re.search(r"Outcome of run (\d+)", results).group(1)
        with page.expect_download() as failed:
            page.click("#download-failed")
        to_fix = tmp_path / "december.failed.xlsx"
        failed.value.save_as(to_fix)
        # the rows to fix, corrected in Excel and uploaded
        set_cells(to_fix, lambda row: setattr(row["PART_ID"], "value", RIGHT)
                  if row["PART_ID"].value in ("417", 417) else None)
        upload(page, base, to_fix)
        import_into_erp(page)  # the password is kept for this page's session
        assert "FAILED" not in finished(page)
        # month 2: two prices raised; the unchanged rows are skipped
        set_cells(book, lambda row: setattr(row["PART_ID"], "value", RIGHT)
                  if row["PART_ID"].value in ("417", 417) else None)
        raised = []

        def raise_two(row):
            if len(raised) < 2:
                raised.append(row["PART_ID"].value)
                row["SO_UNIT_PRICE"].value = round(row["SO_UNIT_PRICE"].value * 1.05, 2)
        set_cells(book, raise_two)
        typo = []

        def mistype_one(row):  # a third price typed ten times too high: a decision
            if row["PART_ID"].value not in raised and not typo:
                typo.append(row["PART_ID"].value)
                row["SO_UNIT_PRICE"].value = round(row["SO_UNIT_PRICE"].value * 10, 2)
        set_cells(book, mistype_one)
        month2 = book.with_name("january.xlsx")
        month2.write_bytes(book.read_bytes())
        upload(page, base, month2)
        # the review: the mistyped price is held until someone accepts it
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        page.goto(page.url.split("?")[0] + "?target=erp")
        assert "1 decision" in page.inner_text("#decisions")
        assert "+900.0%" in page.inner_text("#decisions")
        assert "1 held until accepted" in page.inner_text("#import-button")
        no_option_named(page)
        shot(page, "decisions")
        page.click("[data-accept-all]")  # it was meant
        page.wait_for_function("!document.getElementById('decisions')")
        assert "held" not in page.inner_text("#import-button")
        page.check("input[value=erp]")
        page.check("input[name=skip_unchanged]")
        page.click("#import-form button[type=submit]")
        results = finished(page)
        assert "UPDATED" in results and "SKIPPED" in results and "HELD" not in results
        run_id = re.search(r"Outcome of run (\d+)", results).group(1)
        # past runs: the imports, never a preview; revert month 2
        page.goto(base + "/")
        runs = page.inner_text("main")
        assert "dry run" not in runs
        page.click(f"a[href='/runs/{run_id}/revert']")
        page.wait_for_url("**/revert")
        no_option_named(page)
        shot(page, "revert")
        page.click("#revert-form button[type=submit]")
        assert "UPDATED" in finished(page)
        # the records month 1 created: the API cannot delete them, the list is a download
        page.goto(f"{base}/runs/{first_run}/revert")
        with page.expect_download() as listed:
            page.click("#download-to-remove")
        to_remove = tmp_path / "to-remove.xlsx"
        listed.value.save_as(to_remove)
        ids = [r[0] for r in load_workbook(to_remove).worksheets[0].iter_rows(min_row=2,
                                                                            values_only=True)]
        assert sorted(ids) == ["PUMP001", "PUMP002", "VALVE-100"]
        browser.close()
    held = {r["PART_ID"]: r["SO_UNIT_PRICE"] for r in records(sb.url, "product-price")
            if r["PRICE_CODE"] == "LP" and r["EFFECTIVE_DATE"] == "2026-12-01"}
    assert held["PUMP001"] in ("189", "189.0", "189.00") and held["PUMP002"] == "410.5", held


def test_a_two_sheet_workbook_in_the_page_names_the_sheet_it_leaves_out(serve, tmp_path):  # noqa: F811
    url, _ = serve
    base = url.split("/?")[0]
    from test_journey_month_cli import two_sheet_workbook

    book = two_sheet_workbook(Admin(tmp_path))
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url)
        upload(page, base, book)
        shot(page, "two-sheets-check")
        notice = page.inner_text("#other-sheets")
        assert "Customer Part" in notice and "not part of" in notice
        page.click("text=Preview the import")
        page.wait_for_url("**/preview**")
        assert "Customer Part" in page.inner_text("#other-sheets")
        browser.close()
    assert load_workbook(book).sheetnames[:2] == ["Product Price", "Customer Part"]
