"""Settings: where each value comes from (flags > IMPORTER_* > importer.toml); the hidden password."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import isolate_from_user

from importer.errors import BadOptions
from importer.settings import Settings, default_journal_path, load_settings

BASE_ENV = {"IMPORTER_URL": "http://env.example", "IMPORTER_DATA_SOURCE": "ENVDS",
            "IMPORTER_USER": "envuser", "IMPORTER_PASSWORD": "env-secret"}


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No IMPORTER_* from the real environment, no real config file; cwd is an empty directory."""
    isolate_from_user(tmp_path, monkeypatch)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def write_toml(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # it may hold a password
    return path


FULL_TOML = """
[connection]
url = "http://toml.example"
data_source = "TOMLDS"
user = "tomluser"
password = "toml-secret"
retries = 2

[import]
workers = 3
"""


def test_flags_beat_environment_which_beats_the_config_file(isolated, monkeypatch):
    write_toml(isolated / "importer.toml", FULL_TOML)
    monkeypatch.setenv("IMPORTER_URL", "http://env.example")
    monkeypatch.setenv("IMPORTER_USER", "envuser")
    monkeypatch.setenv("IMPORTER_RETRIES", "7")
    s = load_settings(url="http://flag.example/")
    assert s.url == "http://flag.example"          # flag
    assert s.user == "envuser"                     # env over file
    assert s.retries == 7                          # env over file
    assert s.data_source == "TOMLDS"               # file
    assert s.password == "toml-secret"             # file
    assert s.workers == 3                          # file, [import] table
    assert s.config_path == isolated / "importer.toml"


def test_config_file_in_the_user_config_directory_is_used_when_cwd_has_none(tmp_path):
    write_toml(tmp_path / "xdg" / "importer" / "importer.toml", FULL_TOML)
    s = load_settings()
    assert (s.url, s.user, s.retries) == ("http://toml.example", "tomluser", 2)


def test_cwd_config_file_wins_over_the_user_config_directory(tmp_path, isolated):
    write_toml(tmp_path / "xdg" / "importer" / "importer.toml", FULL_TOML)
    write_toml(isolated / "importer.toml", FULL_TOML.replace("tomluser", "localuser"))
    assert load_settings().user == "localuser"


def test_explicit_config_path_is_read_and_a_missing_one_is_named(tmp_path):
    path = write_toml(tmp_path / "elsewhere.toml", FULL_TOML)
    assert load_settings(config_file=path).data_source == "TOMLDS"
    with pytest.raises(BadOptions, match="nope.toml does not exist.*--config"):
        load_settings(config_file=tmp_path / "nope.toml")


def test_flat_config_file_without_tables_works(isolated):
    write_toml(isolated / "importer.toml", 'url = "http://flat"\ndata_source = "D"\n'
                                           'user = "u"\npassword = "p"\nworkers = 9\n')
    s = load_settings()
    assert (s.url, s.workers) == ("http://flat", 9)


def test_unknown_config_key_is_named_with_the_closest_valid_one(isolated):
    write_toml(isolated / "importer.toml", FULL_TOML.replace("retries = 2", "retires = 2"))
    with pytest.raises(BadOptions, match=r"unknown key \[connection\] retires.*'retries'"):
        load_settings()


def test_key_in_the_wrong_table_is_refused(isolated):
    write_toml(isolated / "importer.toml", FULL_TOML + 'url = "http://again"\n')
    with pytest.raises(BadOptions, match=r"unknown key \[import\] url"):
        load_settings()


def test_config_file_that_is_not_toml_says_so(isolated):
    write_toml(isolated / "importer.toml", "[connection\nurl = ")
    with pytest.raises(BadOptions, match="not valid TOML"):
        load_settings()


def test_config_value_of_the_wrong_type_names_the_key(isolated):
    write_toml(isolated / "importer.toml", FULL_TOML.replace("workers = 3", 'workers = "many"'))
    with pytest.raises(BadOptions, match=r"\[import\] workers.*whole number"):
        load_settings()


@pytest.mark.parametrize("key, value, unit", [
    ("max_price_change", '"lots"', "a percentage"),
    ("max_answer_mb", '"big"', "a number of megabytes"),
    ("retry_budget", '"long"', "a number of seconds"),
])
def test_an_unusable_number_says_what_kind_of_number(isolated, key, value, unit):
    write_toml(isolated / "importer.toml", f"[import]\n{key} = {value}\n"
               if key == "max_price_change" else f"[connection]\n{key} = {value}\n")
    with pytest.raises(BadOptions, match=rf"{key}: expected {unit}\."):
        load_settings()


def test_unusable_environment_value_names_the_variable(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("IMPORTER_RETRIES", "lots")
    with pytest.raises(BadOptions, match="IMPORTER_RETRIES.*whole number"):
        load_settings()


@pytest.mark.parametrize("missing, flag, variable", [
    ("IMPORTER_URL", "--url", "IMPORTER_URL"),
    ("IMPORTER_DATA_SOURCE", "--data-source", "IMPORTER_DATA_SOURCE"),
    ("IMPORTER_USER", "--user", "IMPORTER_USER"),
])
def test_missing_connection_value_says_which_flag_or_variable_to_set(monkeypatch, missing, flag,
                                                                     variable):
    for key, value in BASE_ENV.items():
        if key != missing:
            monkeypatch.setenv(key, value)
    with pytest.raises(BadOptions) as caught:
        load_settings()
    assert flag in str(caught.value) and variable in str(caught.value)


def test_missing_password_without_a_terminal_says_to_set_importer_password(monkeypatch):
    for key, value in BASE_ENV.items():
        if key != "IMPORTER_PASSWORD":
            monkeypatch.setenv(key, value)
    with pytest.raises(BadOptions, match="IMPORTER_PASSWORD"):
        load_settings()


def test_missing_password_is_asked_for_when_a_prompt_is_available(monkeypatch):
    for key, value in BASE_ENV.items():
        if key != "IMPORTER_PASSWORD":
            monkeypatch.setenv(key, value)
    asked = []
    s = load_settings(password_prompt=lambda: asked.append(1) or "typed-secret")
    assert s.password == "typed-secret" and asked == [1]


def test_password_given_elsewhere_is_not_asked_for(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    s = load_settings(password_prompt=lambda: pytest.fail("asked for a password it had"))
    assert s.password == "env-secret"


def test_password_never_shows_in_repr_str_or_public_dict():
    s = Settings(url="http://x", data_source="D", user="u", password="Sup3r-Secret!")
    for text in (repr(s), str(s), str(s.public_dict()), f"{s}"):
        assert "Sup3r-Secret!" not in text
    assert "password='***'" in repr(s)
    assert s.public_dict()["password"] == "***"


def test_url_without_scheme_is_refused_with_an_example(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(BadOptions, match="must start with http:// or https://"):
        load_settings(url="erp.example.com")


def test_certificate_options_give_verify(tmp_path, monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not checked here")
    assert load_settings().verify is True
    assert load_settings(ca_bundle=bundle).verify == str(bundle)
    assert load_settings(insecure=True).verify is False
    monkeypatch.setenv("IMPORTER_INSECURE", "true")
    assert load_settings().verify is False
    assert load_settings(insecure=False).verify is False  # an unset flag does not undo the env


def test_ca_bundle_and_insecure_together_or_a_missing_bundle_are_refused(tmp_path, monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("x")
    with pytest.raises(BadOptions, match="either --ca-bundle or --insecure"):
        load_settings(ca_bundle=bundle, insecure=True)
    with pytest.raises(BadOptions, match="missing.pem does not exist"):
        load_settings(ca_bundle=tmp_path / "missing.pem")


def test_defaults_for_the_import(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    s = load_settings()
    assert s.workers == "auto" and s.max_workers == 32 and s.auto_workers
    assert s.retry_budget == 120.0 and s.retries is None  # retried by time, not by count
    assert s.exists_patterns == ("already exist", "duplicate")
    assert s.exists_codes == ("RECORD_EXISTS",) and s.not_found_codes == ("RECORD_NOT_FOUND",)
    assert s.journal == default_journal_path()
    assert s.journal.name == "journal.sqlite3"
    assert s.timeout == (s.connect_timeout, s.read_timeout)


def test_workers_auto_from_the_config_file_or_the_environment(monkeypatch, tmp_path):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "importer.toml"
    config.write_text('[import]\nworkers = "auto"\nmax_workers = 12\n')
    s = load_settings(config_file=config)
    assert s.auto_workers and s.max_workers == 12
    monkeypatch.setenv("IMPORTER_WORKERS", "6")
    assert load_settings(config_file=config).workers == 6
    monkeypatch.setenv("IMPORTER_WORKERS", "many")
    with pytest.raises(BadOptions, match='IMPORTER_WORKERS .* expected a whole number or "auto"'):
        load_settings()


def test_list_settings_from_the_environment_take_commas_or_json(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("IMPORTER_EXISTS_CODES", "RECORD_EXISTS, DUPLICATE")
    monkeypatch.setenv("IMPORTER_NOT_FOUND_PATTERNS", '["not found", "no (record|row){1,2}"]')
    s = load_settings()
    assert s.exists_codes == ("RECORD_EXISTS", "DUPLICATE")
    assert s.not_found_patterns == ("not found", "no (record|row){1,2}")


def test_a_broken_message_pattern_is_refused(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("IMPORTER_EXISTS_PATTERNS", "already (exists")
    with pytest.raises(BadOptions, match="not a valid regular expression"):
        load_settings()


def test_timeout_flag_sets_the_read_timeout_and_zero_workers_is_refused(monkeypatch):
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    assert load_settings(timeout=7).read_timeout == 7.0
    with pytest.raises(BadOptions, match="workers"):
        load_settings(workers=0)


def test_a_run_that_sends_nothing_does_not_need_the_password(monkeypatch):
    for key, value in BASE_ENV.items():
        if key != "IMPORTER_PASSWORD":
            monkeypatch.setenv(key, value)
    s = load_settings(password_needed=False,
                      password_prompt=lambda: pytest.fail("asked for an unneeded password"))
    assert s.password == "" and s.url == "http://env.example"


def test_paths_in_a_config_file_are_relative_to_that_file(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "company-ca.pem").write_text("x")
    text = FULL_TOML.replace("retries = 2", 'retries = 2\nca_bundle = "company-ca.pem"')
    path = write_toml(tmp_path / "conf" / "erp.toml", text + 'journal = "runs/journal.sqlite3"\n')
    s = load_settings(config_file=path)
    assert s.verify == str(path.parent / "company-ca.pem")
    assert s.journal == path.parent / "runs" / "journal.sqlite3"


@pytest.mark.skipif(os.name == "nt", reason="POSIX mode bits")
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_password_in_a_config_file_others_may_read_is_refused_with_the_chmod(isolated, mode):
    path = write_toml(isolated / "importer.toml", FULL_TOML)
    path.chmod(mode)
    with pytest.raises(BadOptions, match=r"other users may read or change it .*run: chmod 600 "
                                         + re.escape(str(path)) + "$"):
        load_settings()


def test_the_refusal_is_one_sentence_and_exit_2_from_the_cli(isolated):
    from click.testing import CliRunner
    from importer.cli import main

    write_toml(isolated / "importer.toml", FULL_TOML).chmod(0o644)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: Config file {isolated / 'importer.toml'} holds a password but other users may "
        f"read or change it (mode 644); run: chmod 600 {isolated / 'importer.toml'}"]
    assert "toml-secret" not in result.output


def test_a_config_file_without_a_password_may_be_readable_by_all(isolated):
    write_toml(isolated / "importer.toml", FULL_TOML.replace('password = "toml-secret"\n', ""))
    (isolated / "importer.toml").chmod(0o644)
    assert load_settings(password="from-env").url == "http://toml.example"
