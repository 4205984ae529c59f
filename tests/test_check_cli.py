"""`importer check`: what the admin sees when the connection works, and when it does not."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from conftest import isolate_from_user

from importer.cli import main
from importer.sandbox.server import SandboxConfig, start_sandbox


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    isolate_from_user(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def env_for(sb, **changes) -> dict[str, str]:
    env = {"IMPORTER_URL": sb.url, "IMPORTER_DATA_SOURCE": sb.data_source,
           "IMPORTER_USER": sb.user, "IMPORTER_PASSWORD": sb.password}
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def check(*args, env=None):
    return CliRunner().invoke(main, ["check", *args], env=env)


def test_check_logs_in_and_shows_server_time_and_api_version(sandbox_factory):
    sandbox = sandbox_factory(users={"APIUSER": "Recognisable-Pw-77"})
    result = check(env=env_for(sandbox))
    assert result.exit_code == 0, result.output
    assert "Connected and logged in." in result.output
    assert sandbox.url in result.output and "API version:" in result.output
    assert "0.1.0-sandbox" in result.output and "Server time:" in result.output
    assert sandbox.password not in result.output


def test_check_json_is_machine_readable(sandbox):
    result = check("--json", env=env_for(sandbox))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] is True and data["data_sources"] == [sandbox.data_source]
    assert data["url"] == sandbox.url and data["server_time"] and data["api_version"]
    assert "password" not in data


def test_flags_win_over_the_environment(sandbox):
    result = check("--url", sandbox.url, "--user", sandbox.user,
                   env=env_for(sandbox, IMPORTER_URL="http://127.0.0.1:1", IMPORTER_USER="X"))
    assert result.exit_code == 0, result.output


def test_wrong_password_exits_3_with_one_sentence(sandbox):
    result = check(env=env_for(sandbox, IMPORTER_PASSWORD="not-the-password-42"))
    assert result.exit_code == 3
    assert result.output.startswith("Error: The server refused the login: Login failed")
    assert len(result.output.strip().splitlines()) == 1
    assert "not-the-password-42" not in result.output and "Traceback" not in result.output


def test_nothing_listening_exits_3_saying_check_the_url():
    with start_sandbox(SandboxConfig()) as sb:
        env = env_for(sb)
    result = check(env=env)
    assert result.exit_code == 3
    assert f"Cannot reach {sb.url}" in result.output and "Check --url" in result.output


def test_missing_url_exits_2_naming_the_flag_and_variable(sandbox):
    result = check(env=env_for(sandbox, IMPORTER_URL=None))
    assert result.exit_code == 2
    assert "--url" in result.output and "IMPORTER_URL" in result.output


def test_missing_password_without_a_terminal_exits_2_saying_to_set_importer_password(sandbox):
    result = check(env=env_for(sandbox, IMPORTER_PASSWORD=None))
    assert result.exit_code == 2
    assert "IMPORTER_PASSWORD" in result.output


def test_config_file_given_with_config_is_used(sandbox, tmp_path):
    config = tmp_path / "erp.toml"
    config.write_text(f'[connection]\nurl = "{sandbox.url}"\n'
                      f'data_source = "{sandbox.data_source}"\nuser = "{sandbox.user}"\n'
                      f'password = "{sandbox.password}"\n')
    config.chmod(0o600)
    result = check("--config", str(config))
    assert result.exit_code == 0, result.output


def test_importer_toml_in_the_working_directory_is_found(sandbox, isolated):
    (isolated / "importer.toml").write_text(
        f'url = "{sandbox.url}"\ndata_source = "{sandbox.data_source}"\nuser = "{sandbox.user}"\n')
    result = check(env={"IMPORTER_PASSWORD": sandbox.password})
    assert result.exit_code == 0, result.output


def test_typo_in_the_config_file_exits_2_with_the_closest_key(sandbox, isolated):
    (isolated / "importer.toml").write_text('[connection]\ndatasource = "DEMO"\n')
    result = check(env=env_for(sandbox))
    assert result.exit_code == 2
    assert "datasource" in result.output and "'data_source'" in result.output


def test_help_says_where_the_password_comes_from():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert result.exit_code == 0
    assert "IMPORTER_PASSWORD" in result.output and "--password" not in result.output


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs a POSIX terminal")
def test_on_a_terminal_the_password_is_asked_for_and_not_echoed(sandbox_factory, isolated):
    import pty
    import select
    import sys

    secret = "Typed-At-Prompt-31"
    sb = sandbox_factory(users={"APIUSER": secret})
    env = {**os.environ, **env_for(sb, IMPORTER_PASSWORD=None)}
    env.pop("IMPORTER_PASSWORD", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: `importer check` with the pty as its terminal
        os.execve(sys.executable, [sys.executable, "-m", "importer", "check"], env)
    output = b""
    answered = False
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
        if not answered and b"Password" in output:
            os.write(fd, secret.encode() + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert answered, text
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Connected and logged in." in text and secret not in text
