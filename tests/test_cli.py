"""The command line as a whole: every command explains itself, and nothing registered is a stub."""
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from importer import __version__
from importer.cli import main

COMMANDS = sorted(main.commands)


def test_every_documented_command_is_registered():
    assert set(COMMANDS) == {"approve", "check", "entities", "export", "history", "import",
                             "remember", "report", "reprice", "revert", "runs", "sandbox",
                             "serve", "template", "validate"}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_and_option_has_help_text(name):
    command = main.commands[name]
    assert command.help and len(command.help.split()) >= 5, f"{name} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"importer {name} {param.opts[0]} has no help text"
    result = CliRunner().invoke(main, [name, "--help"], prog_name="importer")
    assert result.exit_code == 0 and "Usage: importer " + name in result.output


def test_python_dash_m_importer_runs_the_same_cli():
    proc = subprocess.run([sys.executable, "-m", "importer", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_an_unknown_option_is_one_sentence_and_exit_2():
    result = CliRunner().invoke(main, ["import", "x.csv", "--colour"])
    assert result.exit_code == 2 and "Traceback" not in result.output
