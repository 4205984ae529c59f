"""The failed-rows workbook comes back as a file the person fixes and imports again."""
import openpyxl
from conftest import records
from test_import import price_rows, run_cli, sb, summary, write_csv  # noqa: F401


def _header(ws) -> tuple[int, dict[str, int]]:
    for row in ws.iter_rows():
        names = {str(c.value): c.column for c in row if c.value is not None}
        if "PART_ID" in names:
            return row[0].row, names
    raise AssertionError("no header row with PART_ID")


def test_failed_rows_workbook_imports_cleanly_once_its_mistakes_are_fixed(sb, tmp_path):
    rows = price_rows(5)
    rows[1][3] = "ten"  # INVALID: not a number
    rows[3][0] = "NO-SUCH-PART"  # FAILED: the ERP does not know the part
    first = run_cli([str(write_csv(tmp_path / "p.csv", rows)), "--json"], sb,
                    journal=tmp_path / "j")
    assert first.exit_code == 1
    assert summary(first)["counts"] == {"CREATED": 3, "INVALID": 1, "FAILED": 1}
    failed = tmp_path / "p.failed.xlsx"
    wb = openpyxl.load_workbook(failed)
    ws = wb.worksheets[0]
    header_row, col = _header(ws)
    data = [r for r in ws.iter_rows(min_row=header_row + 1) if r[col["PART_ID"] - 1].value]
    assert len(data) == 2
    for cells in data:
        if str(cells[col["ORDER_QTY"] - 1].value) == "ten":
            cells[col["ORDER_QTY"] - 1].value = "7"
        if cells[col["PART_ID"] - 1].value == "NO-SUCH-PART":
            cells[col["PART_ID"] - 1].value = "PUMP002"
    wb.save(failed)
    second = run_cli([str(failed), "--json"], sb, journal=tmp_path / "j")
    assert second.exit_code == 0, second.output
    assert summary(second)["counts"] == {"CREATED": 2}
    assert len(records(sb.url, "product-price")) == 5
