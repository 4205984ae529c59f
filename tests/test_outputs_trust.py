"""Outputs an admin can trust: the failed-rows file holds every row not applied, a file the admin
changed is never overwritten, a finished run leaves no stale failed file. Real sandbox, real
HTTP."""
import threading
from decimal import Decimal

import openpyxl
from conftest import free_port, records
from test_import import price_rows, run_cli, same_as_rows, sb, summary, write_csv  # noqa: F401

from importer.runs.runner import run_import
from importer.sandbox.server import SandboxConfig, start_sandbox
from importer.settings import Settings


def _settings(sb, journal, **kw) -> Settings:
    return Settings(url=sb.url, data_source=sb.data_source, user=sb.user, password=sb.password,
                    journal=journal, **kw)


def _sheet_rows(path) -> list[dict]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)
            if any(c.value is not None for c in row)]


def test_erp_going_away_leaves_a_failed_file_that_alone_completes_the_records(tmp_path):
    db, port, journal = tmp_path / "erp.sqlite", free_port(), tmp_path / "j.sqlite"
    rows = price_rows(200)
    rows[0][3] = "ten"  # INVALID
    rows[1][0] = "NO-SUCH-PART"  # FAILED: the ERP does not know the part
    src = write_csv(tmp_path / "p.csv", rows)
    config = SandboxConfig(port=port, db_path=db, latency_ms=30)
    with start_sandbox(config) as sb:
        def progress(done, total, counts):
            if done >= 20 and sb.running:
                sb.stop()

        first = run_import(src, _settings(sb, journal, retries=1, backoff_base=0.05),
                           workers=2, on_progress=progress)
    assert first.exit_code == 3
    counts = first.counts
    assert counts["INVALID"] == 1 and counts["FAILED"] >= 1 and counts["NOT_RUN"] > 100
    assert first.failed_path == tmp_path / "p.failed.xlsx"
    assert first.message.count("same command again") == 1 and "p.failed.xlsx" in first.message
    left = _sheet_rows(first.failed_path)
    assert len(left) == counts["INVALID"] + counts["FAILED"] + counts["NOT_RUN"]
    reasons = [r["REASON"] for r in left]
    assert sum("the run stopped before this row" in r for r in reasons) == counts["NOT_RUN"]
    wb = openpyxl.load_workbook(first.failed_path)
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "ten":
            row[3].value = "1"
        if row[0].value == "NO-SUCH-PART":
            row[0].value = "PUMP002"
    wb.save(first.failed_path)
    rows[0][3], rows[1][0] = "1", "PUMP002"
    with start_sandbox(config) as sb:
        second = run_import(first.failed_path, _settings(sb, journal))
        assert second.exit_code == 0, second.message
        assert len(records(sb.url, "product-price")) == 200
        # the prices come back from the failed-rows file as number cells showing 10.50: the
        # same number (numbers compare as numbers; the reader sends a number cell's value)
        assert same_as_rows(sb, [r[:4] for r in rows], header=["PART_ID", "PRICE_CODE",
                                                                "EFFECTIVE_DATE", "ORDER_QTY"])
        assert {Decimal(r["SO_UNIT_PRICE"]) for r in records(sb.url, "product-price")} == \
            {Decimal(r[4]) for r in rows}


def test_an_edited_failed_file_survives_a_rerun_and_the_new_one_has_another_name(sb, tmp_path):
    rows = price_rows(4)
    rows[2][0] = "NO-SUCH-PART"
    src = write_csv(tmp_path / "p.csv", rows)
    first = run_cli([str(src)], sb, journal=tmp_path / "j")
    assert first.exit_code == 1
    failed = tmp_path / "p.failed.xlsx"
    wb = openpyxl.load_workbook(failed)
    wb.worksheets[0]["A2"].value = "PUMP002"  # the admin fixes the row in the failed file
    wb.save(failed)
    edited = failed.read_bytes()
    again = run_cli([str(src), "--json"], sb, journal=tmp_path / "j")  # the original command
    assert again.exit_code == 1
    assert failed.read_bytes() == edited
    data = summary(again)
    assert data["failed_rows"] == str(tmp_path / "p.failed-2.xlsx")
    assert any("p.failed.xlsx is changed since this tool wrote it" in n for n in data["notes"])
    assert _sheet_rows(tmp_path / "p.failed-2.xlsx")[0]["PART_ID"] == "NO-SUCH-PART"
    shown = run_cli([str(src)], sb, journal=tmp_path / "j")
    assert ("p.failed.xlsx is changed since this tool wrote it, so it was kept as it is; wrote "
            "p.failed-2.xlsx instead") in " ".join(shown.stdout.split())  # -2 was unchanged
    assert not (tmp_path / "p.failed-3.xlsx").exists()


def test_after_a_successful_resume_no_failed_file_of_the_run_remains(sandbox_factory, tmp_path):
    sb = sandbox_factory(latency_ms=20)
    src = write_csv(tmp_path / "p.csv", price_rows(60))
    stop = threading.Event()

    def progress(done, total, counts):
        if done >= 10:
            stop.set()

    settings = _settings(sb, tmp_path / "j.sqlite")
    first = run_import(src, settings, on_progress=progress, stop_event=stop)
    assert first.exit_code == 1 and first.failed_path.exists()
    assert len(_sheet_rows(first.failed_path)) == first.counts["NOT_RUN"]
    second = run_import(src, settings)
    assert second.exit_code == 0 and second.counts == {"CREATED": 60}
    assert not first.failed_path.exists() and second.failed_path is None
    assert second.notes == [f"Removed p.failed.xlsx: every row of this run is applied, nothing "
                            "is left to fix."]


def test_a_failed_file_the_admin_changed_is_not_removed_when_the_run_completes(sandbox_factory,
                                                                            tmp_path):
    sb = sandbox_factory(latency_ms=20)
    src = write_csv(tmp_path / "p.csv", price_rows(40))
    stop = threading.Event()
    settings = _settings(sb, tmp_path / "j.sqlite")
    first = run_import(src, settings, stop_event=stop,
                       on_progress=lambda done, total, counts: done >= 5 and stop.set())
    wb = openpyxl.load_workbook(first.failed_path)
    wb.worksheets[0]["L2"].value = "my note"
    wb.save(first.failed_path)
    second = run_import(src, settings)
    assert second.exit_code == 0 and first.failed_path.exists() and second.notes == []


def test_report_works_from_another_folder(sb, tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    write_csv(work / "p.csv", price_rows(3))
    monkeypatch.chdir(work)
    assert run_cli(["p.csv"], sb, journal=tmp_path / "j").exit_code == 0
    (work / "p.results.xlsx").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    from click.testing import CliRunner
    from importer.cli import main
    result = CliRunner().invoke(main, ["report", "1", "--journal", str(tmp_path / "j")])
    assert result.exit_code == 0, result.output
    assert (work / "p.results.xlsx").exists() and not list(elsewhere.iterdir())
