"""A workbook that cannot be written is one sentence and exit 2, and an import finds out before
it sends anything (or, when it happens after, says how to get the results from the journal)."""
import pytest
from click.testing import CliRunner
from conftest import isolate_from_user, stats
from test_import import PASSWORD, price_rows, write_csv

from importer.cli import main
from importer.entities import PRODUCT_PRICE


def run(args, env=None):
    return CliRunner().invoke(main, args, env=env or {}, catch_exceptions=False)


def one_sentence(result, *fragments):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[-1]


def test_import_into_a_missing_folder_stops_before_sending_anything(sandbox_factory, tmp_path):
    sb = sandbox_factory(users={"APIUSER": PASSWORD})
    src = write_csv(tmp_path / "p.csv", price_rows(3))
    result = run(["import", str(src), "-o", str(tmp_path / "nope" / "r.xlsx"), "--url", sb.url,
                  "--data-source", sb.data_source, "--user", sb.user, "--journal",
                  str(tmp_path / "j")], env={"IMPORTER_PASSWORD": PASSWORD})
    one_sentence(result, "nope", "does not exist", "-o")
    assert PRODUCT_PRICE.create_path not in stats(sb.url)["calls"]


def test_a_workbook_failing_after_the_run_names_the_report_command(tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)  # where --sandbox keeps its database
    rows = price_rows(3)
    rows[0][0] = ""  # one invalid row, so a failed-rows workbook is due
    src = write_csv(tmp_path / "p.csv", rows)
    (tmp_path / "p.failed.xlsx").mkdir()  # ... and cannot be written
    result = run(["import", str(src), "--sandbox", "--journal", str(tmp_path / "j")])
    one_sentence(result, "journal (run 1)", "p.failed.xlsx", "importer report 1 -o")
    again = run(["report", "1", "--journal", str(tmp_path / "j"), "-o", str(tmp_path / "r.xlsx")])
    assert again.exit_code == 0 and (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize("args", [
    ["validate", "{src}", "-o", "{missing}"],
    ["template", "product-price", "-o", "{missing}"],
    ["export", "product-price", "--url", "http://erp.example", "--data-source", "D", "--user",
     "U", "--journal", "{journal}", "-o", "{missing}"],
])
def test_writing_into_a_missing_folder_is_one_sentence(args, tmp_path, monkeypatch):
    isolate_from_user(tmp_path / "home", monkeypatch)  # where --sandbox keeps its database
    src = write_csv(tmp_path / "p.csv", price_rows(2))
    run(["import", str(src), "--sandbox", "--journal", str(tmp_path / "j")])
    filled = [a.format(src=src, missing=tmp_path / "nope" / "out.xlsx", journal=tmp_path / "j")
              for a in args]
    one_sentence(run(filled), "nope", "does not exist")
