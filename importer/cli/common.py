"""Pieces every command shares: error translation and the console."""
from __future__ import annotations

import functools
import sys
from typing import Callable

import click
from rich.console import Console

from importer.entities import ENTITIES, get_entity
from importer.errors import ImporterError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class ExitCodeError(click.ClickException):
    """A ClickException with our own exit code (click's default is 1)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:  # one clear sentence, no traceback, no 'Error: Error:'
        click.echo(f"Error: {self.format_message()}", err=True)


def translate_errors(func: Callable) -> Callable:
    """Turn the library's known exceptions into a one-sentence message and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ImporterError as exc:
            raise ExitCodeError(str(exc), exc.exit_code) from None

    return wrapper


def entity_choice() -> click.Choice:
    return click.Choice(sorted(ENTITIES), case_sensitive=False)


def resolve_entity(name: str | None):
    return get_entity(name) if name else None


def is_terminal() -> bool:
    return sys.stdout.isatty()
