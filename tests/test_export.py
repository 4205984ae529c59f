"""`importer export`: what this tool has seen, ready to edit and import next month."""
from pathlib import Path

from click.testing import CliRunner
from conftest import records
from test_import import price_rows, run_cli, sb, summary, write_csv  # noqa: F401

from importer.cli import main


def export(sb, journal: Path, *args: str):
    return CliRunner().invoke(main, ["export", "product-price", *args, "--url", sb.url,
                                     "--data-source", sb.data_source, "--user", sb.user,
                                     "--journal", str(journal)], catch_exceptions=False)


def test_export_imported_unchanged_updates_every_row_without_errors(sb, tmp_path):
    rows = price_rows(7)
    run_cli([str(write_csv(tmp_path / "p.csv", rows))], sb, journal=tmp_path / "j")
    result = export(sb, tmp_path / "j", "-o", str(tmp_path / "prices.export.xlsx"))
    assert result.exit_code == 0, result.output
    assert "not a full download" in result.output and "7" in result.output
    again = run_cli([str(tmp_path / "prices.export.xlsx"), "--json"], sb, journal=tmp_path / "j")
    assert again.exit_code == 0, again.output
    assert summary(again)["counts"] == {"UPDATED": 7}
    assert len(records(sb.url, "product-price")) == 7


def test_csv_export_needs_no_password_and_sends_nothing(sb, tmp_path):
    run_cli([str(write_csv(tmp_path / "p.csv", price_rows(2)))], sb, journal=tmp_path / "j")
    result = export(sb, tmp_path / "j", "--format", "csv", "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("PART_ID") and len([x for x in lines[1:] if x]) == 2


def test_export_of_another_server_is_empty(sb, sandbox_factory, tmp_path):
    run_cli([str(write_csv(tmp_path / "p.csv", price_rows(2)))], sb, journal=tmp_path / "j")
    other = sandbox_factory()
    result = export(other, tmp_path / "j", "-o", str(tmp_path / "o.xlsx"))
    assert result.exit_code == 0 and "Wrote 0" in result.output
