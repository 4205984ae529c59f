"""The target of a command that reads what the journal knows of a server without logging in
(reprice, remember): --url/--data-source, or --sandbox (the rehearsal server of import
--sandbox, named by its database), and --journal."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import click

from importer.cli.common import ConnectionOptions, lenient_settings
from importer.errors import BadOptions


@dataclass(frozen=True)
class Target:
    settings: object  # importer.settings.Settings (lenient: no password)
    server: str  # what the journal calls the server
    data_source: str

    @property
    def scope(self) -> tuple[str, str]:
        return (self.server, self.data_source)

    @property
    def journal(self) -> Path:
        return self.settings.journal


_FLAGS = (
    click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
                 help="Journal to use (default: IMPORTER_JOURNAL, journal in importer.toml, or "
                      "the user's data directory)."),
    click.option("--sandbox", "use_sandbox", is_flag=True,
                 help="The built-in sandbox that import --sandbox loads, instead of --url."),
    click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
                 help="With --sandbox: the sandbox database import --sandbox-db used."),
)


def target_options(func: Callable) -> Callable:
    """Add --journal, --sandbox and --sandbox-db; below @connection_options (which it needs),
    the command receives one `target` (Target) besides `connection`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        kwargs["target"] = target_of(kwargs["connection"], kwargs.pop("journal"),
                                     kwargs.pop("use_sandbox"), kwargs.pop("sandbox_db"))
        return func(*args, **kwargs)

    for option in reversed(_FLAGS):
        wrapper = option(wrapper)
    return wrapper


def target_of(connection: ConnectionOptions, journal: Path | None, use_sandbox: bool,
              sandbox_db: Path | None) -> Target:
    if sandbox_db and not use_sandbox:
        raise BadOptions("--sandbox-db only goes with --sandbox.")
    settings = lenient_settings(connection, journal=journal)
    server, data_source = settings.url, settings.data_source
    if use_sandbox:
        from importer.runs.rehearsal import rehearsal_db, server_name
        from importer.sandbox.demo import DEMO_DATA_SOURCE

        data_source = data_source or DEMO_DATA_SOURCE
        server = server_name(rehearsal_db(data_source, sandbox_db))
    return Target(settings, server, data_source)
