"""`importer sandbox`: run the local Expandable-compatible API server until Ctrl-C."""
from __future__ import annotations

import contextlib
import signal
import threading

import click

from importer.cli.common import console, translate_errors
from importer.errors import BadOptions
from importer.sandbox import demo

_FILE = click.Path(dir_okay=False, path_type=str)


def _parse_users(values: tuple[str, ...]) -> dict[str, str]:
    users = {}
    for value in values:
        name, sep, password = value.partition(":")
        if not sep or not name or not password:
            raise BadOptions("--user must look like NAME:PASSWORD: a user name and a password "
                             "separated by a colon.")
        users[name] = password
    return users or {demo.DEMO_USER: demo.DEMO_PASSWORD}


def _show(sb, custom_users: bool) -> None:
    cfg = sb.config
    console.print(f"[bold]Expandable sandbox[/bold] listening on [bold]{sb.url}[/bold]",
                  soft_wrap=True)
    lines = [f"  data source: {', '.join(cfg.data_sources)}"]
    for user, password in cfg.users.items():
        lines.append(f"  user: {user}   password: "
                     f"{'(as given with --user)' if custom_users else password}")
    lines.append("  database: " + (str(sb.db_path) if cfg.db_path else
                                   "a temporary file (records are lost on exit; keep them "
                                   "with --db PATH)"))
    lines.append(f"  master data: {sb.parts_count} parts ({cfg.parts_file or 'demo'}), "
                 f"{sb.customers_count} customers ({cfg.customers_file or 'demo'})")
    faults = [f"{n}={getattr(cfg, n)}" for n in ("latency_ms", "jitter_ms", "fail_rate",
                                                   "lost_response_rate") if getattr(cfg, n)]
    if faults:
        lines.append(f"  faults: {', '.join(faults)}, seed={cfg.seed}")
    if cfg.capacity or cfg.capacity_schedule:
        lines.append(f"  capacity: {cfg.capacity or 'unlimited'} record calls at once"
                     + (f", schedule {cfg.capacity_schedule}" if cfg.capacity_schedule else "")
                     + (f", queue limit {cfg.queue_limit} (then {cfg.overload_status})"
                        if cfg.queue_limit is not None else ""))
    if cfg.token_ttl != type(cfg).token_ttl:
        lines.append(f"  tokens expire {cfg.token_ttl:g} s after login")
    lines += [f"  inspect: {sb.url}/_sandbox/records/product-price   {sb.url}/_sandbox/stats",
              f"  try it:  importer import FILE --url {sb.url} "
              f"--data-source {cfg.data_sources[0]} --user {next(iter(cfg.users))}",
              "Press Ctrl-C to stop."]
    for line in lines:  # plain text: a file name like 'parts[1].csv' is not markup
        console.print(line, soft_wrap=True, markup=False)


def _list_master(parts_file, customers_file, parts: bool, customers: bool) -> None:
    """The master data as tab-separated text with a header row (plain text, no markup)."""
    from importer.sandbox.master import load_customers, load_parts

    shown = []
    if parts:
        shown.append((demo.PART_COLUMNS, load_parts(parts_file)))
    if customers:
        shown.append((demo.CUSTOMER_COLUMNS, load_customers(customers_file)))
    for i, (columns, records) in enumerate(shown):
        if i:
            click.echo("")
        click.echo("\t".join(columns))
        for record in records.values():
            click.echo("\t".join(record.get(c, "") for c in columns))


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event):
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) set ``stop``; the server then stops cleanly and the
    temporary database goes. A flag, not KeyboardInterrupt: an exception raised by a signal can
    be swallowed (e.g. inside a garbage-collection callback) and the server would never stop."""
    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.command("sandbox")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep 127.0.0.1 unless others must reach it.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 = any free port).")
@click.option("--db", "db_path", type=_FILE, default=None,
              help="SQLite file that keeps the records across restarts "
                   "(default: a temporary file removed on exit).")
@click.option("--user", "users", multiple=True, metavar="NAME:PASSWORD",
              help=f"A login the sandbox accepts; repeat for more "
                   f"(default: {demo.DEMO_USER}:{demo.DEMO_PASSWORD}).")
@click.option("--data-source", "data_sources", multiple=True, metavar="NAME",
              help=f"A data source the sandbox accepts; repeat for more "
                   f"(default: {demo.DEMO_DATA_SOURCE}).")
@click.option("--parts", "parts_file", type=_FILE, default=None,
              help=f"CSV or xlsx of your parts ({', '.join(demo.PART_COLUMNS)}; only "
                   "PART_ID is required). Default: the built-in demo parts.")
@click.option("--customers", "customers_file", type=_FILE, default=None,
              help="CSV or xlsx of your customers (CUSTOMER_ID, optional CUST_NAME). "
                   "Default: the built-in demo customers.")
@click.option("--latency-ms", default=0.0, type=float, show_default=True,
              help="Delay every API call by this many milliseconds.")
@click.option("--jitter-ms", default=0.0, type=float, show_default=True,
              help="Add a random delay of up to this many milliseconds.")
@click.option("--fail-rate", default=0.0, type=float, show_default=True, metavar="P",
              help="Share of record calls (0-1) answered 503 without doing anything.")
@click.option("--lost-response-rate", default=0.0, type=float, show_default=True, metavar="P",
              help="Share of record calls (0-1) that are carried out but answered with a 504 "
                   "proxy page, as when a slow ERP's answer is lost.")
@click.option("--token-ttl", default=1800.0, type=float, show_default=True, metavar="SECONDS",
              help="Seconds a login token stays valid.")
@click.option("--capacity", default=None, type=click.IntRange(min=1), metavar="N",
              help="Serve at most N record calls at once; the others wait in a queue, so answers "
                   "slow down as in a busy real server (default: no limit).")
@click.option("--queue-limit", default=None, type=click.IntRange(min=0), metavar="M",
              help="With --capacity: a call that finds M calls waiting is answered at once "
                   "with --overload-status (default: the queue has no limit).")
@click.option("--overload-status", default=503, show_default=True, type=click.Choice(["503", "429"]),
              callback=lambda ctx, param, value: int(value),
              help="The answer to a call beyond the queue: 503, or 429 with Retry-After: 1.")
@click.option("--capacity-schedule", default="", metavar="SECONDS:N,...",
              help="Change the capacity during a run, e.g. \"0:8,30:2,60:16\": from 0 s after "
                   "the first record call serve 8 at once, from 30 s 2, from 60 s 16.")
@click.option("--seed", default=None, type=int,
              help="Seed for the injected faults: the same seed and calls give the same faults.")
@click.option("--list-parts", is_flag=True,
              help="Print the parts the sandbox serves (--parts, else the demo parts) and exit.")
@click.option("--list-customers", is_flag=True,
              help="Print the customers the sandbox serves (--customers, else the demo "
                   "customers) and exit.")
@translate_errors
def command(users, data_sources, list_parts, list_customers, **options) -> None:
    """Run a local stand-in for the Expandable API, to rehearse an import safely.

    It keeps real records (SQLite), enforces the API's documented rules, knows the demo parts
    and customers (or yours, with --parts/--customers) and can misbehave on purpose (latency,
    failures, lost responses, expiring tokens). It prints the URL and the login it accepts, then
    runs until Ctrl-C.
    """
    if list_parts or list_customers:
        _list_master(options["parts_file"] if list_parts else None,
                     options["customers_file"] if list_customers else None,
                     list_parts, list_customers)
        return
    from importer.sandbox.server import SandboxConfig, start_sandbox  # starlette, uvicorn

    config = SandboxConfig(users=_parse_users(users),
                           data_sources=tuple(data_sources) or (demo.DEMO_DATA_SOURCE,), **options)
    stop = threading.Event()
    with _stop_on_signals(stop), start_sandbox(config) as sb:
        _show(sb, custom_users=bool(users))
        while sb.running and not stop.wait(0.5):
            pass
    console.print("Sandbox stopped.", soft_wrap=True)
