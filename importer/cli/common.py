"""Pieces every command shares: error translation and the console."""
from __future__ import annotations

import functools
import json
import math
import sqlite3
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable

import click
from rich.console import Console

from importer.entities import ENTITIES, get_entity
from importer.errors import EXIT_UNUSABLE, ImporterError
from importer.settings import Settings, load_settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class FiniteFloat(click.FloatRange):
    """A number in a range that is also a number: nan and inf are refused like any bad value."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number of seconds, megabytes or percent; give a "
                      f"finite number.", param, ctx)
        return number


class ExitCodeError(click.ClickException):
    """A ClickException with our own exit code (click's default is 1)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # one clear sentence, no traceback, no 'Error: Error:'
        click.echo(f"Error: {self.format_message()}", err=True)


class JsonErrorsGroup(click.Group):
    """A group whose commands, given --json, also print errors as one JSON object on stdout:
    ``{"exit_code": N, "error": "..."}`` (the sentence still goes to stderr), so a script reading
    stdout gets an object for every exit code, option errors click finds included."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["importer.json"] = "--json" in args[: args.index("--")] if "--" in args \
            else "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            if not ctx.meta.get("importer.json"):
                raise
            exc.show()
            click.echo(json.dumps({"exit_code": exc.exit_code, "error": exc.format_message()}))
            raise click.exceptions.Exit(exc.exit_code) from None


def translate_errors(func: Callable) -> Callable:
    """Turn the library's known exceptions into a one-sentence message and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ImporterError as exc:
            raise ExitCodeError(str(exc), exc.exit_code) from None
        except sqlite3.Error as exc:  # the library names the journal; this is the safety net
            raise ExitCodeError(f"The journal could not be used ({exc}); check the disk and "
                                f"the file given with --journal.", EXIT_UNUSABLE) from None

    return wrapper


def entity_choice() -> click.Choice:
    return click.Choice(sorted(ENTITIES), case_sensitive=False)


def resolve_entity(name: str | None):
    return get_entity(name) if name else None


def is_terminal() -> bool:
    return sys.stdout.isatty()


# ---------------------------------------------------------------------------------------------
# Connection options (shared by check, import, export)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConnectionOptions:
    """The raw values of the connection flags (None = not given on the command line)."""

    url: str | None = None
    data_source: str | None = None
    user: str | None = None
    config_file: Path | None = None
    ca_bundle: Path | None = None
    insecure: bool = False
    timeout: float | None = None
    retries: int | None = None
    retry_budget: float | None = None


_CONNECTION_FLAGS = (
    click.option("--url", metavar="URL",
                 help="The ERP's REST API address, e.g. https://erp.example.com "
                      "(or IMPORTER_URL, or url in importer.toml)."),
    click.option("--data-source", metavar="NAME",
                 help="The ERP data source (company database), e.g. DEMO "
                      "(or IMPORTER_DATA_SOURCE)."),
    click.option("--user", metavar="NAME",
                 help="The API user (or IMPORTER_USER). The password comes from IMPORTER_PASSWORD, "
                      "the config file, or a hidden prompt on a terminal; never from a flag."),
    click.option("--config", "config_file", metavar="PATH",
                 type=click.Path(dir_okay=False, path_type=Path),
                 help="Config file to read instead of ./importer.toml or the user's "
                      "importer.toml."),
    click.option("--ca-bundle", metavar="PATH", type=click.Path(dir_okay=False, path_type=Path),
                 help="CA certificates (PEM) to check an https server's certificate against, "
                      "for a company certificate authority."),
    click.option("--insecure", is_flag=True, default=False,
                 help="Do not check the https server's certificate. Only for a test server: "
                      "the password and data can then be read by others on the network."),
    click.option("--timeout", type=FiniteFloat(min=0, min_open=True), metavar="SECONDS",
                 help="Seconds to wait for the server's whole answer to one call attempt "
                      "(default 60; connecting may take connect_timeout more)."),
    click.option("--retry-budget", type=FiniteFloat(min=0), metavar="SECONDS",
                 help="How long one call is retried after a network error, a lost answer or "
                      "an overloaded server, with growing pauses (default 120)."),
    click.option("--retries", type=click.IntRange(min=0), metavar="N",
                 help="Also stop retrying a call after N retries (default: no count, only "
                      "--retry-budget)."),
)


def connection_options(func: Callable) -> Callable:
    """Add the connection flags to a command; it receives them as one `connection` argument
    (a ConnectionOptions). Build Settings with `settings_from_options(connection)`."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        names = [f.name for f in fields(ConnectionOptions)]
        connection = ConnectionOptions(**{n: kwargs.pop(n) for n in names})
        return func(*args, connection=connection, **kwargs)

    for option in reversed(_CONNECTION_FLAGS):
        wrapper = option(wrapper)
    return wrapper


def settings_from_options(connection: ConnectionOptions, password_needed: bool = True,
                          connection_needed: bool = True, **overrides) -> Settings:
    """Settings from the flags > IMPORTER_* > importer.toml; asks for the password (hidden) only
    when stdin is a terminal (--insecure is warned about by the client, once, in the log).
    ``overrides`` are further settings from the command's own flags
    (e.g. ``workers=8``, ``journal=path``); None values count as not given.
    ``password_needed=False`` neither asks nor insists (a dry run). Raises BadOptions."""
    prompt = _password_prompt if password_needed and sys.stdin.isatty() else None
    return load_settings(url=connection.url, data_source=connection.data_source,
                         user=connection.user, config_file=connection.config_file,
                         ca_bundle=connection.ca_bundle, insecure=connection.insecure,
                         timeout=connection.timeout, retries=connection.retries,
                         retry_budget=connection.retry_budget,
                         password_prompt=prompt, password_needed=password_needed,
                         connection_needed=connection_needed, **overrides)


def lenient_settings(connection: ConnectionOptions, **overrides) -> Settings:
    """Settings for a command that never logs in (validate, a dry run): url, data source and
    user may be missing, and no password is asked for."""
    return settings_from_options(connection, password_needed=False, connection_needed=False,
                                 **overrides)


_MASTERDATA_FLAGS = (
    click.option("--parts", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="CSV or xlsx of the ERP's parts (PART_ID, optional PART_DESC, "
                      "PART_STATUS, ...): PART_IDs not in it are errors, with the likely id "
                      "suggested (or parts under [masterdata] in importer.toml)."),
    click.option("--customers", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
                 help="CSV or xlsx of the ERP's customers (CUSTOMER_ID, optional CUST_NAME), "
                      "checked like --parts."),
)


def masterdata_options(func: Callable) -> Callable:
    """Add --parts and --customers (the reference checks; --strict comes with the change
    options and makes every warning, an overlapping period included, an error)."""
    for option in reversed(_MASTERDATA_FLAGS):
        func = option(func)
    return func


def _password_prompt() -> str:
    return click.prompt("Password", hide_input=True, default="", show_default=False, err=True)
