"""The web page's routes and their error paths, through starlette's TestClient (the app in this
process; imports go to real sandbox servers over loopback)."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from openpyxl import Workbook
from starlette.testclient import TestClient

from conftest import isolate_from_user, records
from importer.web.app import WebConfig, create_app
from importer.web.security import CSRF_HEADER, Secrets
from importer.web.targets import SandboxOptions

BASE = "http://127.0.0.1:8080"
HEADER = ["PART_ID", "PRICE_CODE", "EFFECTIVE_DATE", "ORDER_QTY", "CURR_CODE", "SO_UNIT_PRICE"]


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Product Price"
    for row in [HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def price_rows(n: int, code: str):
    return [["PUMP001", code, "2026-12-01", str(i + 1), "USD", "10.50"] for i in range(n)]


@pytest.fixture
def web(tmp_path, monkeypatch):
    """(client, keys, config): a page with its own journal, sandbox file and temp folder."""
    isolate_from_user(tmp_path / "home", monkeypatch)
    monkeypatch.chdir(tmp_path)
    keys = Secrets()

    def make(**overrides):
        overrides.setdefault("sandbox", SandboxOptions(tmp_path / "sb.sqlite3"))
        config = WebConfig(journal=tmp_path / "j.sqlite3", keys=keys, temp_root=tmp_path,
                           **overrides)
        client = TestClient(create_app(config), base_url=BASE)
        return client, config

    return make, keys


def authed(client: TestClient, keys: Secrets) -> TestClient:
    response = client.get(f"/?token={keys.token}", follow_redirects=False)
    assert response.status_code == 303 and "token" not in response.headers["location"]
    return client


def upload(client, keys, name: str, data: bytes):
    return client.post("/upload", content=data,
                       headers={"X-Filename": name, CSRF_HEADER: keys.csrf})


def test_a_request_without_the_token_is_refused(web):
    make, keys = web
    client, _ = make()
    with client:
        assert client.get("/").status_code == 403
        assert client.get("/static/style.css").status_code == 403
        assert client.get("/?token=wrong").status_code == 403
        authed(client, keys)
        assert client.get("/").status_code == 200
        assert client.get("/static/app.js").status_code == 200


def test_a_foreign_host_header_is_refused_dns_rebinding(web):
    make, keys = web
    client, _ = make()
    with client:
        authed(client, keys)
        response = client.get("/", headers={"Host": "attacker.example:8080"})
        assert response.status_code == 400 and "Host" in response.text


def test_a_post_without_the_right_csrf_token_is_refused(web):
    make, keys = web
    client, _ = make()
    with client:
        authed(client, keys)
        data = xlsx_bytes(price_rows(1, "CSRF"))
        assert client.post("/upload", content=data, headers={"X-Filename": "p.xlsx"}
                           ).status_code == 403
        response = client.post("/upload", content=data,
                               headers={"X-Filename": "p.xlsx", CSRF_HEADER: "guess"})
        assert response.status_code == 403 and "CSRF" in response.text
        assert upload(client, keys, "p.xlsx", data).status_code == 200


def test_a_file_over_the_limit_is_refused_with_the_limit_named_and_no_option(web):
    make, keys = web
    client, _ = make(max_upload_mb=0.01)
    with client:
        authed(client, keys)
        response = upload(client, keys, "big.csv", b"PART_ID\n" + b"X\n" * 10_000)
        assert response.status_code == 413
        error = response.json()["error"]
        assert "higher upload limit" in error and "--" not in error  # the page's own words


def test_an_unreadable_file_is_one_sentence_on_the_check_page(web):
    make, keys = web
    client, _ = make()
    with client:
        authed(client, keys)
        response = upload(client, keys, "broken.xlsx", b"PK\x03\x04 not really a zip")
        body = response.json()
        assert response.status_code == 200 and body["error"]
        page = client.get(body["url"])
        assert page.status_code == 422
        assert "damaged" in page.text and "Traceback" not in page.text
        response = upload(client, keys, "notes.txt", b"hello")
        assert response.status_code == 400 and ".csv" in response.json()["error"]


def test_an_uploaded_name_cannot_leave_the_private_folder(web, tmp_path):
    make, keys = web
    client, config = make()
    with client:
        authed(client, keys)
        body = upload(client, keys, "../../escape.xlsx", xlsx_bytes(price_rows(1, "ESC"))).json()
        assert body["error"] is None
        page = client.app.state.page
        stored = next(iter(page.workspace.uploads.values())).original
        assert stored.name == "escape.xlsx" and page.workspace.root in stored.parents
        assert not (tmp_path / "escape.xlsx").exists()
        root = page.workspace.root
    assert not root.exists(), "uploads are removed when the page stops"


def test_an_unknown_upload_or_job_is_a_404_page(web):
    make, keys = web
    client, _ = make()
    with client:
        authed(client, keys)
        response = client.get("/u/nothing", headers={"Accept": "text/html"})
        assert response.status_code == 404 and "upload the file again" in response.text
        assert client.get("/jobs/nothing/results.xlsx").status_code == 404


def test_a_second_import_while_one_runs_is_refused_and_the_password_never_comes_back(
        web, sandbox_factory, tmp_path):
    sb = sandbox_factory(latency_ms=150, users={"APIUSER": "Pw-9f3kq-never-shown"})
    config_file = tmp_path / "importer.toml"
    config_file.write_text(f'[connection]\nurl = "{sb.url}"\ndata_source = "{sb.data_source}"\n'
                           f'user = "{sb.user}"\n')
    make, keys = web
    client, _ = make(config_file=config_file)
    bodies = []
    with client:
        authed(client, keys)
        first = upload(client, keys, "a.xlsx", xlsx_bytes(price_rows(40, "TWOA"))).json()
        second = upload(client, keys, "b.xlsx", xlsx_bytes(price_rows(3, "TWOB"))).json()
        upload_a, upload_b = first["url"], second["url"]
        preview = client.get(f"{upload_a}/preview?target=erp")
        bodies.append(preview.text)
        assert 'type="password"' in preview.text  # asked for, since none is configured
        no_password = client.post(f"{upload_a}/import", json={"target": "erp"},
                                  headers={CSRF_HEADER: keys.csrf})
        assert no_password.status_code == 400 and "password" in no_password.json()["error"]
        started = client.post(f"{upload_a}/import", json={"target": "erp",
                                                          "password": sb.password},
                              headers={CSRF_HEADER: keys.csrf})
        assert started.status_code == 200, started.text
        job_url = started.json()["url"]
        refused = client.post(f"{upload_b}/import", json={"target": "erp"},
                              headers={CSRF_HEADER: keys.csrf})
        assert refused.status_code == 409 and refused.json()["url"] == job_url
        assert "Another import" in refused.json()["error"]
        bodies += [started.text, refused.text, client.get("/").text, client.get(job_url).text]
        assert client.post(f"{job_url}/stop", headers={CSRF_HEADER: keys.csrf}).status_code == 200
        deadline = time.monotonic() + 60
        while "data-state=\"running\"" in (page := client.get(job_url).text) or \
                'data-state="stopping"' in page:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        bodies.append(page)
        assert "Outcome of run" in page and "NOT_RUN" in page
        events = client.get(f"{job_url}/events")
        bodies.append(events.text)
        assert events.text.startswith("data: ") and '"state": "finished"' in events.text
    assert all(sb.password not in body for body in bodies)


def _wait_for_job(client, job_url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        page = client.get(job_url).text
        if 'data-state="running"' not in page and 'data-state="stopping"' not in page:
            return page
        assert time.monotonic() < deadline, "the import did not finish"
        time.sleep(0.2)


def test_preview_shows_old_to_new_and_a_past_run_can_be_reverted(web):
    from conftest import records

    make, keys = web
    client, _ = make()
    month_a = [["PUMP001", "REV", "2026-12-01", str(q), "USD", "10.50"] for q in (1, 5, 10)]
    month_b = [row[:5] + [price] for row, price in zip(month_a, ("12.00", "10.50", "9.00"))]
    with client:
        authed(client, keys)
        csrf = {CSRF_HEADER: keys.csrf}
        first = upload(client, keys, "a.xlsx", xlsx_bytes(month_a)).json()["url"]
        job = client.post(f"{first}/import", json={"target": "sandbox"}, headers=csrf).json()
        assert "CREATED" in _wait_for_job(client, job["url"])
        second = upload(client, keys, "b.xlsx", xlsx_bytes(month_b)).json()["url"]
        preview = client.get(f"{second}/preview?target=sandbox").text
        assert 'class="count change-changed"><span class="n">2</span>' in preview
        assert 'class="count change-unchanged"><span class="n">1</span>' in preview
        assert "10.50 &rarr; 12.00 (+14.3%)" in preview and "10.50 &rarr; 9.00" in preview
        job = client.post(f"{second}/import", json={"target": "sandbox"}, headers=csrf).json()
        assert "UPDATED" in _wait_for_job(client, job["url"])
        sandbox_url = client.app.state.page.targets._sandbox.url
        held = {r["ORDER_QTY"]: r["SO_UNIT_PRICE"] for r in records(sandbox_url, "product-price")
                if r["PRICE_CODE"] == "REV"}
        assert held == {"1": "12.00", "5": "10.50", "10": "9.00"}
        index = client.get("/").text
        run_b = max(int(n) for n in re.findall(r'/runs/(\d+)/revert', index))
        plan = client.get(f"/runs/{run_b}/revert").text
        assert "records put back" in plan and "12.00" not in plan.split("Values put back")[1]
        job = client.post(f"/runs/{run_b}/revert", json={}, headers=csrf).json()
        assert "UPDATED" in _wait_for_job(client, job["url"])
        held = {r["ORDER_QTY"]: r["SO_UNIT_PRICE"] for r in records(sandbox_url, "product-price")
                if r["PRICE_CODE"] == "REV"}
        assert held == {"1": "10.50", "5": "10.50", "10": "10.50"}


def test_headers_named_in_the_page_are_used_and_saved_for_later_files(web, tmp_path):
    make, keys = web
    client, _ = make()
    data = ("Artikelnummer;Preisliste;Gültig ab;Menge;Währung;Preis\r\n"
            "PUMP001;LP;01.12.2026;1;EUR;189,00\r\n").encode("cp1252")
    with client:
        authed(client, keys)
        url = upload(client, keys, "de.csv", data).json()["url"]
        page = client.get(url)
        assert page.status_code == 422 and "Name the columns" in page.text
        assert 'data-header="Artikelnummer"' in page.text
        names = {"Artikelnummer": "PART_ID", "Preisliste": "PRICE_CODE",
                 "Gültig ab": "EFFECTIVE_DATE", "Menge": "ORDER_QTY", "Währung": "CURR_CODE",
                 "Preis": "SO_UNIT_PRICE"}
        answer = client.post(f"{url}/columns", json={"map": names, "save_as": "product-price"},
                             headers={CSRF_HEADER: keys.csrf}).json()
        assert answer["error"] is None and answer["saved"]
        saved = Path(answer["saved"])
        assert '"Artikelnummer" = "PART_ID"' in saved.read_text(encoding="utf-8")
        assert "[columns.product-price]" in saved.read_text(encoding="utf-8")
        page = client.get(url)
        assert page.status_code == 200 and "<span class=\"n\">0</span> errors" in page.text
        again = upload(client, keys, "de2.csv", data).json()  # a later file, nothing named
        assert again["error"] is None
        workspace = client.app.state.page.workspace
        row = workspace.uploads[again["url"].rsplit("/", 1)[1]].report.table.rows[0]
        assert row.values["SO_UNIT_PRICE"] == "189.00" and row.values["EFFECTIVE_DATE"] == \
            "2026-12-01"


def test_a_wrong_part_number_gets_its_likely_id_as_one_click(web, tmp_path):
    parts = tmp_path / "parts.csv"
    parts.write_text("PART_ID,PART_DESC,PART_STATUS\n000417,Gasket,A\nPUMP003,Pump,A\n")
    make, keys = web
    client, _ = make(sandbox=SandboxOptions(tmp_path / "sb.sqlite3", parts_file=parts))
    rows = [["417", "SUG", "2026-12-01", "1", "USD", "1.00"],
            ["pump003", "SUG", "2026-12-01", "1", "USD", "2.00"],
            ["ZZZ-NOTHING-LIKE", "SUG", "2026-12-01", "1", "USD", "3.00"]]
    with client:
        authed(client, keys)
        url = upload(client, keys, "p.xlsx", xlsx_bytes(rows)).json()["url"]
        page = client.get(url).text
        assert 'data-apply data-letter="A" data-row="2" data-value="000417"' in page
        assert 'data-apply data-letter="A" data-row="3" data-value="PUMP003"' in page
        assert 'data-row="4" data-value="' not in page.split('id="row-4"')[1].split("</tr>")[0] \
            .replace('data-edit data-letter="A" data-row="4" data-value="ZZZ-NOTHING-LIKE"', "")
        fixed = client.post(f"{url}/cell", json={"letter": "A", "row": 2, "value": "000417"},
                            headers={CSRF_HEADER: keys.csrf}).json()
        assert fixed["valid"] and 'class="error"' not in fixed["row_html"].split(">")[0]


def test_with_four_eyes_the_preview_names_who_prepared_and_own_acceptance_is_refused(
        web, sandbox_factory, tmp_path, monkeypatch):
    sb = sandbox_factory(users={"APIUSER": "Pw-4eyes-page"})
    config_file = tmp_path / "importer.toml"
    config_file.write_text(f'[connection]\nurl = "{sb.url}"\ndata_source = "{sb.data_source}"\n'
                           f'user = "{sb.user}"\n\n[approval]\nrequired = true\n')
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setenv("LOGNAME", "alice")
    make, keys = web
    client, _ = make(config_file=config_file)
    with client:
        authed(client, keys)
        url = upload(client, keys, "a.xlsx", xlsx_bytes(price_rows(2, "EYES"))).json()["url"]
        preview = client.get(f"{url}/preview?target=erp").text
        assert "Approval by a second person is required" in preview
        assert "Prepared by alice; approved by nobody yet." in preview
        own = client.post(f"{url}/accept", json={"target": "erp"},
                          headers={CSRF_HEADER: keys.csrf})
        assert own.status_code == 400 and "You (alice) prepared a.xlsx" in own.json()["error"]
        refused = client.post(f"{url}/import", json={"target": "erp", "password": sb.password},
                              headers={CSRF_HEADER: keys.csrf})
        page = _wait_for_job(client, refused.json()["url"])
        assert "approval" in page and records(sb.url, "product-price") == []


def test_a_suggested_id_is_applied_to_every_cell_with_the_same_mistake_in_one_step(web,
                                                                                    tmp_path):
    parts = tmp_path / "parts.csv"
    parts.write_text("PART_ID,PART_DESC,PART_STATUS\n000417,Gasket,A\nPUMP003,Pump,A\n")
    make, keys = web
    client, _ = make(sandbox=SandboxOptions(tmp_path / "sb.sqlite3", parts_file=parts))
    rows = [["417" if n % 2 else "PUMP003", "ALL", "2026-12-01", str(n + 1), "USD", "1.00"]
            for n in range(7)]
    with client:
        authed(client, keys)
        url = upload(client, keys, "p.xlsx", xlsx_bytes(rows)).json()["url"]
        page = client.get(url).text
        assert 'data-apply-all data-letter="A" data-row="3" data-value="000417">in all 3<' in page
        done = client.post(f"{url}/edit", json={"op": "same", "letter": "A", "row": 3,
                                                "value": "000417"},
                           headers={CSRF_HEADER: keys.csrf}).json()
        assert done["edits"] == 3 and "in 3 rows" in done["message"]
        assert "<span class=\"n\">0</span> errors" in client.get(url).text
        undone = client.post(f"{url}/edit", json={"op": "undo"},
                             headers={CSRF_HEADER: keys.csrf}).json()
        assert undone["edits"] == 0 and "<span class=\"n\">3</span> errors" in \
            client.get(url).text
