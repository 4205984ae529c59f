"""Reading freezes what it built in a command (later collections skip a million rows), but not in
the page's long-running process, where cyclic garbage dropped later must still be collected."""
from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

CHILD = textwrap.dedent("""
    import gc, sys
    from pathlib import Path
    from importer.reading import read_table
    if sys.argv[2] == "page":  # the page's app, made as `importer serve` makes it
        from importer.web.app import WebConfig, create_app
        from importer.web.targets import SandboxOptions
        folder = Path(sys.argv[3])
        create_app(WebConfig(journal=folder / "j.sqlite3", temp_root=folder,
                             sandbox=SandboxOptions(folder / "sb.sqlite3")))
    before = gc.get_freeze_count()
    table = read_table(Path(sys.argv[1]))
    print(gc.get_freeze_count() - before, len(table.rows), gc.isenabled())
""")


def _run(path, mode: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path), mode, str(path.parent)],
                         capture_output=True, text=True, check=True, cwd=path.parent)
    return out.stdout.split()


def test_a_command_freezes_the_table_it_read_and_the_page_does_not(tmp_path):
    path = tmp_path / "prices.csv"
    path.write_text("PART_ID,PRICE_CODE,EFFECTIVE_DATE,SO_UNIT_PRICE\n"
                    + "".join(f"{i:06d},LP,2026-12-01,{i}.5\n" for i in range(2000)))
    frozen, rows, enabled = _run(path, "command")
    assert int(frozen) > 2000 and rows == "2000" and enabled == "True"
    frozen, rows, enabled = _run(path, "page")
    assert int(frozen) == 0 and rows == "2000" and enabled == "True"
    assert gc.isenabled()
