"""Fast start: `importer --help`, `entities` and `template` never import pandas, pandera or
calamine (checked in a fresh interpreter, where nothing was imported before)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "pandera", "python_calamine")
PROBE = """
import json, sys
from importer.cli import main
try:
    main(sys.argv[1:], prog_name="importer")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


@pytest.mark.parametrize("args", [["--help"], ["entities"], ["entities", "--json"],
                                  ["template", "product-price", "-o", "t.xlsx"],
                                  ["template", "customer-part", "-o", "t.csv"],
                                  ["import", "--help"], ["validate", "--help"]])
def test_light_commands_import_no_data_libraries(tmp_path, args):
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "heavy": []}, proc.stderr


def test_import_time_shows_no_data_library_for_help(tmp_path):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "importer", "--help"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "click" in imported and not imported & set(HEAVY)
