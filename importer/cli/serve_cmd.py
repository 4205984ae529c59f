"""`importer serve`: the local web page (check, correct, preview, import, results) until Ctrl-C."""
from __future__ import annotations

import webbrowser
from pathlib import Path

import click

from importer.cli.common import FiniteFloat, err_console, translate_errors
from importer.errors import BadOptions

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this computer can reach the default; another "
                   "address lets other machines try (the token still protects it).")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@click.option("--journal", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (default: IMPORTER_JOURNAL, journal in importer.toml, or the "
                   "user's data directory).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file naming the ERP (default: ./importer.toml or the user's).")
@click.option("--sandbox-db", type=click.Path(dir_okay=False, path_type=Path),
              help="Where the built-in sandbox keeps its records between runs (default: "
                   "web-sandbox.sqlite3 beside the journal).")
@click.option("--parts", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Parts master data (csv/xlsx with PART_ID, ...) the sandbox serves.")
@click.option("--customers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Customers master data (csv/xlsx with CUSTOMER_ID, ...) the sandbox serves.")
@click.option("--max-upload-mb", type=FiniteFloat(min=0.01), default=50.0,
              show_default=True, help="Largest file the page accepts.")
@translate_errors
def command(host: str, port: int, open_browser: bool, journal: Path | None,
            config_file: Path | None, sandbox_db: Path | None, parts: Path | None,
            customers: Path | None, max_upload_mb: float) -> None:
    """Run a local web page where you upload a spreadsheet, see its problems cell by cell,
    correct them, preview what the import would do, import (into the built-in sandbox or the
    configured ERP) and download the results. It prints its address with a private token;
    Ctrl-C stops it and removes every uploaded file."""
    import uvicorn

    from importer.runs.reports import journal_path
    from importer.sandbox.server import bind_socket
    from importer.web.app import WebConfig, create_app
    from importer.web.security import Secrets
    from importer.web.targets import SandboxOptions

    jpath = journal_path(journal)
    jpath.parent.mkdir(parents=True, exist_ok=True)
    sock = bind_socket(host, port)  # BadOptions when the port is taken: one sentence
    port = sock.getsockname()[1]
    keys = Secrets()
    config = WebConfig(journal=jpath, host=host, port=port, max_upload_mb=max_upload_mb,
                       config_file=config_file, keys=keys, sandbox=SandboxOptions(
                           sandbox_db or jpath.with_name("web-sandbox.sqlite3"), parts,
                           customers))
    app = create_app(config)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/?token={keys.token}"
    if host not in LOOPBACK:
        err_console.print(f"[yellow]Listening on {host}: other computers on the network can "
                          "reach this page (they still need the token).[/yellow]")
    click.echo(f"importer serve: open {url}", err=True)
    click.echo("Press Ctrl-C to stop (uploaded files are removed).", err=True)
    if open_browser:
        webbrowser.open(url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    if not server.started:
        raise BadOptions(f"The page could not start on {host}:{port}.")
