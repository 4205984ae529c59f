"""One knowledge for every check: for the same file and target, `validate --sandbox`,
`import --sandbox --dry-run` and `import --sandbox` flag the same cells with the same messages:
an id typed without its zeros (417 for 000417, an error with the id suggested, never sent), an
overlapping period and a +900% price (warnings)."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook, load_workbook

from month import Admin

HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "END_DATE", "ORDER_QTY", "CURR_CODE",
          "SO_UNIT_PRICE"]
MONTH_1 = [["PUMP001", "LP", "2026-11-01", None, 1, "USD", 10]]
MONTH_2 = [["PUMP001", "LP", "2026-11-01", None, 1, "USD", 100],  # +900% against month 1
           ["417", "LP", "2026-12-01", None, 100, "USD", 0.31],  # 000417
           ["PUMP002", "LP", "2026-12-01", "2027-06-30", 1, "USD", 410],  # overlaps the next
           ["PUMP002", "LP", "2027-01-01", None, 1, "USD", 420]]
EXPECTED = {("G2", "price-jump"), ("A3", "unknown-part"), ("D4", "overlapping-period"),
            ("C5", "overlapping-period")}


def workbook(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Prices"
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
        ws.cell(ws.max_row, 1).number_format = "@"
    wb.save(path)
    return path


def marked_cells(path: Path, sheet: str = "Prices") -> dict[str, str]:
    """Cell -> its comment, on the data rows of an annotated workbook (the tool's own columns
    left out)."""
    ws = load_workbook(path)[sheet]
    return {c.coordinate: c.comment.text for row in ws.iter_rows(min_row=2, max_col=len(HEADER))
            for c in row if c.comment is not None}


def test_validate_dry_run_and_import_flag_the_same_cells_for_the_sandbox(tmp_path):
    admin = Admin(tmp_path)
    admin.json("import", workbook(admin / "nov.xlsx", MONTH_1), "--sandbox", expect=0)
    dec = workbook(admin / "dec.xlsx", MONTH_2)
    checked = admin.json("validate", dec, "--sandbox", expect=1)
    found = {(i["address"].split("!")[1], i["code"]) for i in checked["issues"]}
    assert {(cell, code) for cell, code in found if code in {c for _, c in EXPECTED}} == \
        EXPECTED, checked["issues"]
    unknown = next(i for i in checked["issues"] if i["code"] == "unknown-part")
    assert "did you mean 000417?" in unknown["message"] and unknown["severity"] == "error"
    validation = marked_cells(Path(checked["workbook"]))
    dry = admin.json("import", dec, "--sandbox", "--dry-run", "-o", admin / "dry.xlsx",
                     expect=1)
    assert marked_cells(Path(dry["results"])) == validation
    done = admin.json("import", dec, "--sandbox", expect=1)
    assert done["counts"]["INVALID"] == 1 and done["calls"] <= 3, done  # 417 is never sent
    assert marked_cells(Path(done["results"])) == validation
    assert set(validation) >= {cell for cell, _ in EXPECTED}


def test_the_pages_check_and_preview_flag_what_validate_flags_for_the_sandbox(tmp_path,
                                                                            monkeypatch):
    """No ERP configured: the page's Check and its sandbox Preview check against the sandbox's
    parts, as `validate --sandbox` does: 417 at A3 with 000417 suggested, the overlap at D4 and
    C5, the same messages."""
    from starlette.testclient import TestClient
    from test_web_routes import BASE, authed, upload

    from importer.web.app import WebConfig, create_app
    from importer.web.security import Secrets
    from importer.web.targets import SandboxOptions

    admin = Admin(tmp_path)
    dec = workbook(admin / "dec.xlsx", MONTH_2[1:])
    checked = admin.json("validate", dec, "--sandbox", expect=1)
    expected = {(i["address"], i["code"], i["message"]) for i in checked["issues"]}
    assert {code for _, code, _ in expected} == {"unknown-part", "overlapping-period"}
    monkeypatch.chdir(tmp_path)
    keys = Secrets()
    config = WebConfig(journal=tmp_path / "page.sqlite3", keys=keys, temp_root=tmp_path,
                       sandbox=SandboxOptions(tmp_path / "sb.sqlite3"))
    with TestClient(create_app(config), base_url=BASE) as client:
        authed(client, keys)
        answer = upload(client, keys, "dec.xlsx", dec.read_bytes()).json()
        page = client.app.state.page
        up = page.workspace.uploads[answer["url"].rsplit("/", 1)[1]]
        assert {(i.address, i.code, i.message) for i in up.report.issues} == expected
        preview = client.get(answer["url"] + "/preview")
        assert preview.status_code == 200 and "did you mean 000417?" in preview.text
