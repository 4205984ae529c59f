"""The `importer` command line. Each command lives in its own module below; this one only groups them.

Commands parse options, build settings, make one library call, talk to the person (rich) and set
the exit code. Logic a library user would need does not live here.
"""
from __future__ import annotations

import click

from importer import __version__
from importer.cli.common import JsonErrorsGroup


@click.group(cls=JsonErrorsGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="importer")
def main() -> None:
    """Load price lists and customer part numbers from spreadsheets into Expandable ERP.

    Fill in a template (`importer template`), check it (`importer validate`), load it
    (`importer import`) and open the results workbook it writes to see what happened to every row.
    Rehearse against the built-in sandbox server first (`importer import FILE --sandbox`).
    """


def _register() -> None:
    # One line per command module; each module defines exactly one click command named `command`.
    from importer.cli import check_cmd, entities_cmd, sandbox_cmd
    from importer.cli import template_cmd
    from importer.cli import export_cmd, import_cmd, report_cmd
    from importer.cli import validate_cmd
    from importer.cli import serve_cmd
    from importer.cli import revert_cmd
    from importer.cli import approve_cmd, history_cmd
    from importer.cli import reprice_cmd, remember_cmd

    for module in (entities_cmd, check_cmd, sandbox_cmd, template_cmd, import_cmd, export_cmd,
                   report_cmd, validate_cmd, serve_cmd, revert_cmd, approve_cmd,
                   history_cmd, reprice_cmd, remember_cmd):
        main.add_command(module.command)
    main.add_command(report_cmd.runs_command)


_register()
