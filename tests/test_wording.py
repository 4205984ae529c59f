"""What the terminal says reads right: counts with the right plural, the column names the
workbook really has, rows done vs calls made, and tables that wrap between words at 80 columns."""
import pytest
from click.testing import CliRunner
from test_import import HEADER, PASSWORD, price_rows, run_cli, sb, write_csv  # noqa: F401

from importer.cli import main
from importer.cli.common import console


@pytest.fixture
def narrow(monkeypatch):
    monkeypatch.setattr(console, "width", 80)


def test_dry_run_names_the_call_made_column_and_counts_one_warning(tmp_path, narrow):
    rows = price_rows(2)
    src = write_csv(tmp_path / "p.csv", [r[:4] + ["US", r[4]] for r in rows],
                    header=HEADER[:4] + ["CURR_CODE", "SO_UNIT_PRICE"])
    result = CliRunner().invoke(main, ["import", str(src), "--dry-run", "--journal",
                                       str(tmp_path / "j")])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "the CALL_MADE column of the results workbook shows the call" in out
    assert "ACTION column" not in out
    assert "2 warnings: see the amber cells" in out


def test_skipped_rows_are_done_without_a_call_and_the_line_says_so(sb, tmp_path, narrow):
    rows = price_rows(3)
    run_cli([str(write_csv(tmp_path / "a.csv", rows))], sb, journal=tmp_path / "j")
    again = [["SKIP", *rows[0]], ["", *rows[1]], ["CREATE", *price_rows(4)[3]]]
    src = write_csv(tmp_path / "b.csv", again, ["ACTION", *HEADER])
    result = run_cli([str(src)], sb, journal=tmp_path / "j")
    out = " ".join(result.stdout.split())
    assert "3 rows done" in out and "2 calls made (skipped rows need no call)" in out
    assert "rows sent" not in out


def test_runs_table_wraps_between_words_at_80_columns(sb, tmp_path, narrow):
    rows = price_rows(4)
    rows[0][3] = "ten"
    rows[1][0] = "NO-SUCH-PART"
    run_cli([str(write_csv(tmp_path / "a-rather-long-file-name.csv", rows))], sb,
            journal=tmp_path / "j")
    result = CliRunner().invoke(main, ["runs", "--journal", str(tmp_path / "j")])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for word in ("CREATED", "FAILED", "INVALID", "product-price", "upsert"):
        assert any(word in line for line in lines), (word, result.stdout)
