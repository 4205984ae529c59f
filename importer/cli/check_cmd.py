"""`importer check`: can we reach the ERP and log in? Shows the server's time and API version."""
from __future__ import annotations

import json

import click

from importer.cli.common import connection_options, console, settings_from_options, translate_errors
from importer.settings import Settings


def check_connection(settings: Settings) -> dict:
    """Log in and ask the token-free information endpoints; raises LoginFailed/ConnectionFailed."""
    from importer.erp.client import ErpClient  # requests only when connecting

    with ErpClient(settings) as client:
        client.login()
        info = client.server_info()
    return {"ok": True, "url": settings.url, "data_source": settings.data_source,
            "user": settings.user, "certificate_check": _certificate_check(settings), **info}


def _certificate_check(settings: Settings) -> str:
    if not settings.url.lower().startswith("https://"):
        return "not https"
    if settings.verify is False:
        return "off (--insecure)"
    return f"CA bundle {settings.verify}" if isinstance(settings.verify, str) else "on"


def _shown(value) -> str:
    if value is None:
        return "(not offered by this server)"
    return ", ".join(value) if isinstance(value, list) else str(value)


@click.command("check")
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@translate_errors
def command(connection, as_json: bool) -> None:
    """Connect to the ERP, log in, and show the server's time and API version.

    Exits 0 when the login works, 3 when the server cannot be reached or refuses the login,
    2 when options are missing or wrong. Nothing is created or changed.
    """
    result = check_connection(settings_from_options(connection))
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    console.print("[green]Connected and logged in.[/green]")
    for label, key in (("Server", "url"), ("Data source", "data_source"), ("User", "user"),
                       ("Certificate check", "certificate_check"), ("Server time", "server_time"),
                       ("API version", "api_version"), ("Data sources", "data_sources")):
        console.print(f"  {label + ':':<19}{_shown(result[key])}")
