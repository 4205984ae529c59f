"""Every command with --json prints exactly one JSON document on stdout, whatever its exit code:
a script never has to parse the human sentence on stderr. Real sandbox over loopback."""
import json

import pytest
from click.testing import CliRunner
from conftest import free_port
from test_import import PASSWORD, price_rows, write_csv

from importer.cli import main


@pytest.fixture(scope="module")
def erp(tmp_path_factory):
    from importer.sandbox.server import SandboxConfig, start_sandbox

    with start_sandbox(SandboxConfig(users={"APIUSER": PASSWORD})) as sb:
        yield sb


def invoke(args, password=PASSWORD):
    return CliRunner().invoke(main, [str(a) for a in args], env={"IMPORTER_PASSWORD": password},
                              catch_exceptions=False)


def one_json(result, exit_code):
    assert result.exit_code == exit_code, result.output
    data = json.loads(result.stdout)  # one document, nothing else on stdout
    if exit_code >= 2:
        assert data["exit_code"] == exit_code and data["error"]
        assert "Traceback" not in result.output
    return data


def conn(sb, port=None):
    url = f"http://127.0.0.1:{port}" if port else sb.url
    return ["--url", url, "--data-source", sb.data_source, "--user", sb.user]


def test_import_json_for_every_exit_code(erp, tmp_path):
    good = write_csv(tmp_path / "good.csv", price_rows(2, code="J0"))
    rows = price_rows(2, code="J1")
    rows[0][3] = "ten"
    bad = write_csv(tmp_path / "bad.csv", rows)
    journal = ["--journal", tmp_path / "j"]
    assert one_json(invoke(["import", good, "--json", *journal, *conn(erp)]), 0)["counts"] == {
        "CREATED": 2}
    assert one_json(invoke(["import", bad, "--json", *journal, *conn(erp)]), 1)["counts"][
        "INVALID"] == 1
    one_json(invoke(["import", good, "--json", "--workers", "0", *conn(erp)]), 2)
    one_json(invoke(["import", tmp_path / "missing.csv", "--json", *conn(erp)]), 2)
    one_json(invoke(["import", good, "--json", "--mode", "update"]), 2)  # no server settings
    refused = one_json(invoke(["import", good, "--json", "--retries", "0", *journal,
                               *conn(erp, free_port())]), 3)
    assert "127.0.0.1" in refused["error"]
    one_json(invoke(["import", good, "--json", *journal, *conn(erp)], password="wrong"), 3)


def test_validate_check_entities_and_runs_json_for_every_exit_code(erp, tmp_path):
    good = write_csv(tmp_path / "good.csv", price_rows(2))
    rows = price_rows(2)
    rows[0][0] = ""
    bad = write_csv(tmp_path / "bad.csv", rows)
    one_json(invoke(["validate", good, "--json"]), 0)
    one_json(invoke(["validate", bad, "--json"]), 1)
    one_json(invoke(["validate", tmp_path / "none.csv", "--json"]), 2)
    one_json(invoke(["check", "--json", *conn(erp)]), 0)
    one_json(invoke(["check", "--json"]), 2)
    one_json(invoke(["check", "--json", *conn(erp)], password="wrong"), 3)
    one_json(invoke(["check", "--json", "--retries", "0", *conn(erp, free_port())]), 3)
    one_json(invoke(["entities", "--json"]), 0)
    one_json(invoke(["runs", "--json", "--journal", tmp_path / "none.sqlite"]), 2)
    invoke(["import", good, "--json", "--journal", tmp_path / "j", *conn(erp)])
    assert one_json(invoke(["runs", "--json", "--journal", tmp_path / "j"]), 0)[0]["run_id"] == 1
