"""The Check page's grid in a real browser (Debian's chromium, Playwright) against `importer serve`
as a process and a real sandbox as the ERP: any cell edited, bulk fixes (apply to all, find and
replace, fill down), skip, undo and redo, typed numbers in the file's convention, and a failed row
fixed on the results page and sent again. Every corrected download is compared with the upload
cell by cell: exactly the edited cells differ."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from conftest import records, workbook_cells
from test_web_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, playwright, serve  # noqa: F401

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]
WRONG = {3, 5, 6, 9, 12, 14, 17, 20, 21, 25, 28, 31}  # Excel rows whose 000417 became 417


def thirty_rows(path: Path, code: str = "GRID") -> Path:
    """30 price rows; twelve have PART_ID 417 (a number cell: Excel dropped the zeros)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Prices"
    sheet.append(HEADER)
    for excel_row in range(2, 32):
        part = 417 if excel_row in WRONG else f"PUMP00{excel_row % 5 + 1}"
        currency = "Euro" if excel_row in (4, 7, 10, 15, 22) else "EUR"
        sheet.append([part, code, "2026-12-01", str(excel_row), currency, 10.5 + excel_row])
    book.save(path)
    return path


def changed_cells(before: Path, after: Path) -> dict:
    a, b = workbook_cells(before), workbook_cells(after)
    return {k[1]: b.get(k, (None,))[0] for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


@pytest.fixture
def browser_page(serve):
    url, sb = serve
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        page.set_default_timeout(30_000)
        yield page, url, sb
        browser.close()


def upload(page, url: str, path: Path) -> None:
    page.goto(url)
    page.set_input_files("#file", str(path))
    page.click("text=Check the file")
    page.wait_for_url("**/u/**")


def after_change(page, action, wait_for: str) -> None:
    """Do ``action`` (a click or key) and wait for the page the edit reloads to show
    ``wait_for`` in the last-step sentence."""
    with page.expect_navigation():
        action()
    page.wait_for_selector(f"#last-step:has-text('{wait_for}')")


def download(page, path: Path) -> Path:
    with page.expect_download() as got:
        page.click("#download-corrected")
    got.value.save_as(path)
    return path


def test_apply_to_all_then_undo_and_redo(browser_page, tmp_path):
    page, url, _ = browser_page
    source = thirty_rows(tmp_path / "prices.xlsx")
    upload(page, url, source)
    assert "0 errors" in page.inner_text("#counts")
    page.click("#row-2 td[data-letter=B]")  # the keyboard: arrows move, Escape cancels
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowLeft")
    assert page.get_attribute("#grid td.selected", "data-letter") == "A"
    assert "Cell A3" in page.inner_text("#cell-detail")
    page.keyboard.press("Enter")
    page.wait_for_selector("#editor[open]")
    page.fill("#editor-value", "typed, then cancelled")
    page.keyboard.press("Escape")
    page.wait_for_selector("#editor:not([open])", state="hidden")
    assert page.locator("#download-corrected").count() == 0  # nothing was saved
    page.click("#row-3 td[data-letter=A]")  # a valid cell: any cell can be corrected
    page.keyboard.press("Enter")
    page.wait_for_selector("#editor[open]")
    page.fill("#editor-value", "000417")
    page.wait_for_selector("#editor-all-label:has-text('Apply to all 12 cells')")
    page.check("#editor-all")
    after_change(page, lambda: page.click("text=Save and check"), "in 12 rows")
    assert all(page.inner_text(f"#row-{r} td[data-letter=A]").strip() == "000417"
               for r in WRONG)
    first = changed_cells(source, download(page, tmp_path / "fixed.xlsx"))
    assert first == {f"A{r}": "000417" for r in WRONG}

    after_change(page, lambda: page.click("#undo"), "Undone")
    assert page.locator("#download-corrected").count() == 0  # no edit left
    assert page.inner_text("#row-3 td[data-letter=A]").strip() == "417"
    after_change(page, lambda: page.click("#redo"), "Redone")
    assert changed_cells(source, download(page, tmp_path / "again.xlsx")) == first


def test_find_replace_fill_down_and_skip(browser_page, tmp_path):
    page, url, sb = browser_page
    source = thirty_rows(tmp_path / "prices.xlsx", code="REPL")
    upload(page, url, source)
    page.click("#open-replace")
    page.select_option("#replace-column", "E")
    page.fill("#replace-find", "Euro")
    page.fill("#replace-with", "EUR")
    page.wait_for_selector("#replace-count:has-text('5 cells will change')")
    after_change(page, lambda: page.click("#replace-go"), "in 5 cells")
    replaced = changed_cells(source, download(page, tmp_path / "replaced.xlsx"))
    assert replaced == {f"E{r}": "EUR" for r in (4, 7, 10, 15, 22)}

    page.click("#row-2 td[data-letter=B]")  # fill down B2 into B3:B4 with Shift+arrows
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_selector("#selection:has-text('3 cells selected')")
    page.click("#row-2 td[data-letter=B]")
    page.keyboard.press("Enter")
    page.fill("#editor-value", "FILLED")
    after_change(page, lambda: page.click("text=Save and check"), "B2 set to")
    page.click("#row-2 td[data-letter=B]")
    page.keyboard.press("Shift+ArrowDown")
    page.keyboard.press("Shift+ArrowDown")
    after_change(page, lambda: page.click("#fill-down"), "filled down")
    filled = changed_cells(source, download(page, tmp_path / "filled.xlsx"))
    assert {k: v for k, v in filled.items() if k.startswith("B")} == {
        "B2": "FILLED", "B3": "FILLED", "B4": "FILLED"}

    page.click("#row-5 td[data-letter=C]")
    after_change(page, lambda: page.click("#skip-row"), "row 5 skipped")
    assert page.locator("#row-5.skipped").count() == 1
    skipped_too = changed_cells(source, download(page, tmp_path / "skipped.xlsx"))
    assert skipped_too == filled  # no ACTION column: the row is kept in the file as it was

    page.click("text=Preview the import")
    page.wait_for_url("**/preview**")
    page.click("#import-form button[type=submit]")  # the built-in sandbox
    page.wait_for_url("**/jobs/**")
    page.wait_for_selector("#results", timeout=60_000)
    assert "SKIPPED" in page.inner_text("#results")

    page.set_viewport_size({"width": 800, "height": 800})  # the past runs at 800 px
    page.goto(url.split("?")[0])
    link = page.locator("#runs a", has_text="results").first
    box = link.bounding_box()
    assert box and box["x"] + box["width"] <= 800 and link.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800  # nothing cut off


def test_the_grids_header_stays_opaque_over_scrolled_rows(browser_page, tmp_path):
    page, url, _ = browser_page
    upload(page, url, thirty_rows(tmp_path / "prices.xlsx", code="STICKY"))
    page.locator(".grid-wrap").evaluate("e => { e.style.maxHeight = '200px'; e.scrollTop = 300; }")
    covered = page.evaluate("""() => {
        const th = document.querySelector('#grid thead tr:nth-child(2) th.rownum');
        const r = th.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const head = document.querySelector('#grid thead tr:nth-child(2) th:nth-child(3)');
        const h = head.getBoundingClientRect();
        const other = document.elementFromPoint(h.left + 4, h.top + h.height / 2);
        return [hit === th, other === head, getComputedStyle(head).backgroundColor];
    }""")
    assert covered[0] and covered[1]  # the header cells, not the rows scrolled under them
    assert covered[2] not in ("rgba(0, 0, 0, 0)", "transparent")


def decimal_comma_csv(path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for n, price in enumerate(["10,50", "1.234,50", "9,99", "12,00"], start=1):
        writer.writerow([f"PUMP00{n}", "COMMA", "2026-12-01", str(n), "EUR", price])
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def decimal_comma_xlsx(path: Path) -> Path:
    """Prices written as text with a decimal comma, as some exports do."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Preise"
    sheet.append(HEADER)
    for n, price in enumerate(["10,50", "7,25", "9,99", "12,75"], start=1):
        sheet.append([f"PUMP00{n}", "COMMA", "2026-12-01", str(n), "EUR", price])
    book.save(path)
    return path


def type_price(page, row: int, text: str) -> None:
    page.click(f"#row-{row} td[data-letter=F]")
    page.keyboard.press("Enter")
    page.fill("#editor-value", text)


def test_a_price_typed_in_the_files_decimal_convention(browser_page, tmp_path):
    page, url, _ = browser_page
    source = decimal_comma_csv(tmp_path / "komma.csv")
    upload(page, url, source)
    type_price(page, 3, "14.46")  # the other convention: refused with a sentence
    page.click("text=Save and check")
    page.wait_for_selector("#editor-error:has-text('writes decimals with a comma')")
    assert "type 14,46" in page.inner_text("#editor-error")
    page.fill("#editor-value", "14,46")
    after_change(page, lambda: page.click("text=Save and check"), "F3 set to")
    corrected = download(page, tmp_path / "komma-fixed.csv").read_bytes()
    old, new = source.read_bytes().split(b"\r\n"), corrected.split(b"\r\n")
    assert [i for i, (a, b) in enumerate(zip(old, new)) if a != b] == [2]
    assert new[2] == b"PUMP002;COMMA;2026-12-01;2;EUR;14,46" and len(old) == len(new)

    book = decimal_comma_xlsx(tmp_path / "komma.xlsx")
    upload(page, url, book)
    type_price(page, 4, "14,46")
    after_change(page, lambda: page.click("text=Save and check"), "F4 set to")
    fixed = download(page, tmp_path / "komma-fixed.xlsx")
    assert changed_cells(book, fixed) == {"F4": 14.46}
    cell = load_workbook(fixed)["Preise"]["F4"]
    assert cell.data_type == "n" and cell.value == 14.46
    assert "14.46" in page.inner_text("#row-4 td[data-letter=F]")


def test_a_failed_row_fixed_on_the_results_page_and_sent_again(browser_page, tmp_path):
    page, url, sb = browser_page
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["PUMP001", "RETRY", "2026-12-01", "1", "USD", 10.5])
    sheet.append([417, "RETRY", "2026-12-01", "1", "USD", 0.31])  # the ERP: no part 417
    sheet.append(["PUMP002", "RETRY", "2026-12-01", "1", "USD", 20.25])
    book.save(tmp_path / "retry.xlsx")
    upload(page, url, tmp_path / "retry.xlsx")
    page.click("text=Preview the import")
    page.wait_for_url("**/preview**")
    page.check("input[value=erp]")
    page.fill("#password", PASSWORD)
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/jobs/**")
    page.wait_for_selector("#results", timeout=60_000)
    assert "Part 417 does not exist" in page.inner_text("#failed-rows")
    page.click("[data-fix='3']")
    page.fill("#fix-3 input[name=A]", "000417")
    with page.expect_navigation():
        page.click("#fix-3 button[type=submit]")
    page.wait_for_selector("#results", timeout=60_000)
    assert page.locator("#failed-rows").count() == 0
    held = {r["PART_ID"] for r in records(sb.url, "product-price") if r["PRICE_CODE"] == "RETRY"}
    assert held == {"PUMP001", "000417", "PUMP002"}


NAV = "(() => { const n = performance.getEntriesByType('navigation')[0]; " \
      "return {response: n.responseEnd, ready: n.domContentLoadedEventEnd, load: n.loadEventEnd};" \
      " })()"


def settled(page) -> dict:
    page.wait_for_load_state("load")
    page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
    return page.evaluate(NAV)


def test_a_100000_row_file_stays_usable(browser_page, tmp_path):
    """The first screen after the check, paging to row 90,000, the errors-only filter and the
    issue list's last page; the times (ms from the request to the page loaded, measured with the
    browser's performance clock) are printed for BENCHMARKS.md, not asserted."""
    page, url, _ = browser_page
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(100_000):
            qty = "ten" if n % 5000 == 17 else str(n % 900 + 1)
            currency = "EURO" if n % 10 == 3 else "EUR"
            writer.writerow([f"PUMP{n:06d}", "BIG", "2026-12-01", qty, currency,
                             f"{10 + n % 97}.50"])
    page.set_default_timeout(300_000)
    page.goto(url)
    page.set_input_files("#file", str(path))
    started = time.monotonic()
    page.click("text=Check the file")
    page.wait_for_url("**/u/**", timeout=600_000)
    times = {"first screen": settled(page)}
    check_seconds = time.monotonic() - started
    assert "100000 rows" in page.inner_text("#counts").replace(",", "")
    assert page.locator("#grid tbody tr").count() == 100
    scroll = page.evaluate("""() => new Promise((done) => {
        const box = document.querySelector('.grid-wrap'), t0 = performance.now();
        box.scrollTop = box.scrollHeight;
        requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t0)));
    })""")
    page.fill("#goto-row", "90000")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    times["go to row 90,000"] = settled(page)
    assert page.locator("#row-90000").count() == 1
    with page.expect_navigation():
        page.click("#next-page")
    times["next page"] = settled(page)
    assert page.locator("#row-90100").count() == 1
    page.click("#grid tbody tr:last-child td[data-letter=C]")
    with page.expect_navigation():  # the arrow key at the page's last row: the next page
        page.keyboard.press("ArrowDown")
    page.wait_for_selector("#grid td.selected")
    assert page.evaluate("document.querySelector('#grid td.selected').closest('tr').dataset.row") \
        == "90102"
    with page.expect_navigation():
        page.select_option("select[name=show]", "errors")
    times["errors only"] = settled(page)
    assert page.locator("#grid tbody tr").count() == 20
    link = page.locator("#issues a").nth(1)  # the second error: D5019
    assert link.inner_text().endswith("D5019")
    with page.expect_navigation():
        link.click()
    page.wait_for_selector("#grid td.selected")
    assert page.evaluate("(() => { const td = document.querySelector('#grid td.selected'); "
                         "return td.dataset.letter + td.closest('tr').dataset.row; })()") == "D5019"
    assert "ORDER_QTY" in page.inner_text("#cell-detail")
    with page.expect_navigation():
        page.select_option("select[name=show]", "warnings")
    times["warnings only"] = settled(page)
    page.fill("#page-number", "100")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    times["warnings page 100"] = settled(page)
    assert "Page" in page.inner_text(".pager")
    page.click("#grid tbody tr:first-child td[data-letter=D]")
    page.keyboard.press("Enter")
    page.fill("#editor-value", "7")
    started = time.monotonic()
    after_change(page, lambda: page.click("text=Save and check"), "set to")
    edit_seconds = time.monotonic() - started
    print(f"\nupload, read and check to the first screen: {check_seconds:.1f} s; edit of one "
          f"cell, the whole file written and checked again: {edit_seconds:.1f} s")
    print(f"\n100,000-row CSV in the page (ms, request to loaded; grid scroll {scroll:.0f} ms):")
    for step, t in times.items():
        print(f"  {step}: response {t['response']:.0f}, ready {t['ready']:.0f}, "
              f"load {t['load']:.0f}")
