"""Start and stop the sandbox server: uvicorn in a background thread, on a port of your choice.

    from importer.sandbox.server import SandboxConfig, start_sandbox
    with start_sandbox(SandboxConfig(port=0)) as sb:      # 0 = a free port
        sb.url, sb.user, sb.password, sb.data_source

Records live in SQLite: the file ``db_path`` (kept across restarts) or a temporary file that is
removed when the server stops. Master data comes from ``importer.sandbox.demo`` unless
``parts_file`` / ``customers_file`` name CSV or xlsx files.

Fault injection (record endpoints only; every /api call including auth gets the latency):
``latency_ms`` + up to ``jitter_ms`` before answering; ``fail_rate`` answers 503 before doing
anything; ``lost_response_rate`` does the work, commits it, then answers 504 with an HTML body;
``token_ttl`` seconds after login a token answers 401 'Auth Token login failure.'. With ``seed``
the same sequence of record calls meets the same sequence of faults. ``capacity``,
``queue_limit``, ``overload_status`` and ``capacity_schedule`` make an overloadable server
(``capacity.py``).

Failure codes the sandbox adds to the contract's table: 405 METHOD_NOT_ALLOWED, 400 INVALID_JSON,
401 AUTH_TOKEN_MISSING / AUTH_TOKEN_MALFORMED / AUTH_TOKEN_LOGIN_FAILURE, 500 VALUE_NOT_STRING (a
field value that is not a JSON string, e.g. ``"ORDER_QTY": 1000``), 503 SERVICE_UNAVAILABLE
(injected), 404 UNKNOWN_ENDPOINT, 500 SANDBOX_ERROR (a bug in the sandbox itself).
"""
from __future__ import annotations

import errno
import logging
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from importer.errors import BadOptions, ImporterError
from importer.sandbox import demo
from importer.sandbox.app import SandboxApp
from importer.sandbox.capacity import OVERLOAD_STATUSES, CapacityGate, parse_schedule
from importer.sandbox.faults import FaultPlan
from importer.sandbox.http import SandboxHttpProtocol
from importer.sandbox.master import load_customers, load_parts
from importer.sandbox.service import Service
from importer.sandbox.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 = a free port
    db_path: Path | str | None = None  # None = a temporary SQLite file
    users: dict[str, str] = field(default_factory=lambda: {demo.DEMO_USER: demo.DEMO_PASSWORD})
    data_sources: tuple[str, ...] = (demo.DEMO_DATA_SOURCE,)
    parts_file: Path | str | None = None
    customers_file: Path | str | None = None
    latency_ms: float = 0
    jitter_ms: float = 0
    fail_rate: float = 0.0
    lost_response_rate: float = 0.0
    token_ttl: float = 1800.0
    seed: int | None = None
    capacity: int | None = None  # record calls served at once (None: no limit)
    queue_limit: int | None = None  # calls waiting beyond the capacity (None: no limit)
    overload_status: int = 503  # the answer to a call that finds the queue full (503 or 429)
    capacity_schedule: str = ""  # "0:8,30:2,60:16": seconds since the first record call:capacity

    def check(self) -> None:
        """Raise BadOptions for values that cannot work."""
        for name in ("fail_rate", "lost_response_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise BadOptions(f"--{name.replace('_', '-')} must be between 0 and 1, "
                                 f"not {value}.")
        for name in ("latency_ms", "jitter_ms"):
            if getattr(self, name) < 0:
                raise BadOptions(f"--{name.replace('_', '-')} cannot be negative.")
        if self.token_ttl <= 0:
            raise BadOptions("--token-ttl must be a positive number of seconds.")
        if not self.users:
            raise BadOptions("The sandbox needs at least one user (--user NAME:PASSWORD).")
        if not self.data_sources:
            raise BadOptions("The sandbox needs at least one data source (--data-source NAME).")
        if self.capacity is not None and self.capacity < 1:
            raise BadOptions("--capacity must be at least 1.")
        if self.queue_limit is not None and self.queue_limit < 0:
            raise BadOptions("--queue-limit cannot be negative.")
        if self.overload_status not in OVERLOAD_STATUSES:
            raise BadOptions("--overload-status must be 503 or 429.")
        parse_schedule(self.capacity_schedule)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise BadOptions(f"Port {port} is already in use on {host}; "
                             "choose another with --port.") from None
        raise BadOptions(f"Cannot listen on {host}:{port} ({exc.strerror}); "
                         "check --host and --port.") from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class Sandbox:
    """A running sandbox server. Stop it with ``stop()`` or by leaving the ``with`` block."""

    def __init__(self, config: SandboxConfig) -> None:
        config.check()
        self.config = config
        self.user, self.password = next(iter(config.users.items()))
        self.data_source = config.data_sources[0]
        parts, customers = load_parts(config.parts_file), load_customers(config.customers_file)
        self._tmp = None
        if config.db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="importer-sandbox-")
            self.db_path = Path(self._tmp.name) / "sandbox.sqlite"
        else:
            self.db_path = Path(config.db_path)
        try:
            self._sock = bind_socket(config.host, config.port)
        except BadOptions:
            if self._tmp is not None:
                self._tmp.cleanup()
            raise
        self.port = self._sock.getsockname()[1]
        host = f"[{config.host}]" if ":" in config.host else config.host
        self.url = f"http://{host}:{self.port}"
        try:
            self.store = Store(self.db_path)
        except Exception as exc:
            self._sock.close()
            raise BadOptions(f"Cannot use {self.db_path} as the sandbox database ({exc}); "
                             "give another --db path.") from None
        service = Service(self.store, parts, customers, config.users, config.data_sources,
                          config.token_ttl)
        faults = FaultPlan(config.latency_ms, config.jitter_ms, config.fail_rate,
                           config.lost_response_rate, config.seed)
        schedule = parse_schedule(config.capacity_schedule)
        capacity = None
        if config.capacity is not None or schedule:
            capacity = CapacityGate(config.capacity, config.queue_limit, schedule)
        self.app = SandboxApp(service, faults, capacity, config.overload_status)
        self._server = uvicorn.Server(uvicorn.Config(
            self.app.build(), loop="asyncio", http=SandboxHttpProtocol, lifespan="off",
            log_config=None, log_level="warning", access_log=False, timeout_graceful_shutdown=2,
            timeout_keep_alive=30))
        self._thread: threading.Thread | None = None
        self._done = threading.Event()

    @property
    def parts_count(self) -> int:
        return len(self.app.service.parts)

    @property
    def customers_count(self) -> int:
        return len(self.app.service.customers)

    def start(self, timeout: float = 10.0) -> "Sandbox":
        self._thread = threading.Thread(target=self._serve, name=f"sandbox-{self.port}",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if self._done.is_set() or time.monotonic() > deadline:
                self.stop()
                raise ImporterError(f"The sandbox server did not start on {self.url}.")
            time.sleep(0.005)
        log.info("Sandbox listening on %s (database %s)", self.url, self.db_path)
        return self

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._done.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._done.is_set()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server stops (or ``timeout`` seconds pass).

        An Event, not Thread.join: a Ctrl-C that interrupts join() can leave the thread marked
        as finished while it still runs (CPython 3.11), and the server would lose its socket.
        """
        self._done.wait(timeout)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None and not self._done.wait(15):
            log.warning("The sandbox server on %s did not stop within 15 s.", self.url)
            return
        self._thread = None
        self._sock.close()
        self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_sandbox(config: SandboxConfig | None = None, **overrides) -> Sandbox:
    """Start a sandbox in a background thread and return it once it answers."""
    if config is None:
        config = SandboxConfig(**overrides)
    elif overrides:
        from dataclasses import replace

        config = replace(config, **overrides)
    return Sandbox(config).start()
