"""`importer report` re-renders a results workbook from the journal; `importer runs` lists runs."""
import json

import openpyxl
from click.testing import CliRunner
from test_import import price_rows, run_cli, sb, write_csv  # noqa: F401

from importer.cli import main


def _texts(path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None}


def test_report_last_rewrites_the_results_workbook_without_the_input(sb, tmp_path):
    rows = price_rows(3)
    rows[2][3] = "ten"
    src = write_csv(tmp_path / "p.csv", rows)
    run_cli([str(src)], sb, journal=tmp_path / "j")
    results = tmp_path / "p.results.xlsx"
    results.unlink()
    src.unlink()
    out = CliRunner().invoke(main, ["report", "--last", "--journal", str(tmp_path / "j")])
    assert out.exit_code == 0, out.output
    texts = _texts(results)
    assert {"CREATED", "INVALID", "PUMP001", "ten"} <= texts


def test_report_of_a_chosen_run_to_a_chosen_file(sb, tmp_path):
    run_cli([str(write_csv(tmp_path / "a.csv", price_rows(1)))], sb, journal=tmp_path / "j")
    run_cli([str(write_csv(tmp_path / "b.csv", price_rows(2, code="XP")))], sb,
            journal=tmp_path / "j")
    out = CliRunner().invoke(main, ["report", "1", "-o", str(tmp_path / "first.xlsx"),
                                    "--journal", str(tmp_path / "j")])
    assert out.exit_code == 0, out.output
    assert "XP" not in _texts(tmp_path / "first.xlsx")


def test_report_of_an_unknown_run_says_how_to_list_runs(sb, tmp_path):
    run_cli([str(write_csv(tmp_path / "a.csv", price_rows(1)))], sb, journal=tmp_path / "j")
    out = CliRunner().invoke(main, ["report", "99", "--journal", str(tmp_path / "j")])
    assert out.exit_code == 2 and "importer runs" in out.output


def test_runs_lists_every_run_with_its_counts_and_no_dry_run(sb, tmp_path):
    run_cli([str(write_csv(tmp_path / "a.csv", price_rows(2)))], sb, journal=tmp_path / "j")
    run_cli([str(tmp_path / "a.csv"), "--dry-run"], sb, journal=tmp_path / "j")
    out = CliRunner().invoke(main, ["runs", "--json", "--journal", str(tmp_path / "j")])
    runs = json.loads(out.stdout)
    assert [r["run_id"] for r in runs] == [1]  # a dry run sent nothing: it is no run
    assert runs[0]["counts"] == {"CREATED": 2} and not runs[0]["dry_run"]
    last = CliRunner().invoke(main, ["report", "--last", "--journal", str(tmp_path / "j"),
                                     "-o", str(tmp_path / "last.xlsx")])
    assert last.exit_code == 0 and "Results of run 1 " in last.output, last.output
    table = CliRunner().invoke(main, ["runs", "--journal", str(tmp_path / "j")],
                               env={"COLUMNS": "200"})
    assert "a.csv" in table.stdout and "CREATED 2" in table.stdout


def test_runs_without_a_journal_says_so(tmp_path):
    out = CliRunner().invoke(main, ["runs", "--journal", str(tmp_path / "none.sqlite")])
    assert out.exit_code == 2 and "No journal" in out.output
