"""Where the page imports to: the built-in sandbox (started on first use, records kept in a file,
with the admin's master data when given) or the ERP configured in importer.toml / IMPORTER_*.

A password typed in the page is kept in this object's memory only: never sent back to the
browser, logged or stored (Settings hides it from repr, and nothing here writes it anywhere).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from importer.errors import BadOptions
from importer.model import RunInfo
from importer.runs.login import try_login
from importer.sandbox.server import Sandbox, SandboxConfig, start_sandbox
from importer.settings import Settings, default_journal_path, load_settings
from importer.web.workspace import Target


@dataclass
class SandboxOptions:
    db_path: Path
    parts_file: Path | None = None
    customers_file: Path | None = None


class Targets:
    def __init__(self, sandbox: SandboxOptions, config_file: Path | None = None,
                 journal: Path | None = None) -> None:
        self.sandbox_options = sandbox
        self.config_file = config_file
        self.journal = journal
        self._sandbox: Sandbox | None = None
        self._password: str = ""
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()

    def sandbox(self) -> Target:
        with self._lock:
            if self._sandbox is None:
                o = self.sandbox_options
                self._sandbox = start_sandbox(SandboxConfig(
                    db_path=o.db_path, parts_file=o.parts_file, customers_file=o.customers_file))
        sb = self._sandbox
        settings = Settings(url=sb.url, data_source=sb.data_source, user=sb.user,
                            password=sb.password, journal=self.journal or default_journal_path())
        return Target(settings, server_name=self.sandbox_name, label="the built-in sandbox")

    @property
    def sandbox_name(self) -> str:
        """What the journal calls the page's sandbox (kept in its database file)."""
        return f"sandbox:{self.sandbox_options.db_path.resolve()}"

    def erp_description(self) -> dict:
        """What the page shows about the configured ERP (never the password)."""
        try:
            settings = load_settings(config_file=self.config_file, password_needed=False)
        except BadOptions as exc:
            return {"configured": False, "problem": str(exc)}
        return {"configured": True, "url": settings.url, "data_source": settings.data_source,
                "user": settings.user, "needs_password": not (settings.password
                                                              or self._password)}

    def erp(self, password: str = "") -> Target:
        """The configured ERP; a ``password`` typed in the page is tried with one login first
        and kept only when the ERP takes it (a refused one raises LoginFailed and the page asks
        again)."""
        settings = load_settings(config_file=self.config_file, password_needed=False,
                                 journal=self.journal)
        if not settings.password:
            if password and password != self._password:
                try_login(settings.replace(password=password))  # refused: nothing is kept
                with self._lock:
                    self._password = password
            if not self._password:
                raise BadOptions("Type the ERP password to import (it is kept in memory only, "
                                 "until this page is stopped).")
            settings = settings.replace(password=self._password)
        return Target(settings, label=f"{settings.url} ({settings.data_source})")

    def for_run(self, run: RunInfo, password: str = "") -> Target:
        """The target a past run was sent to, for reverting it."""
        if run.server_url == self.sandbox_name:
            return self.sandbox()
        configured = self.erp_description()
        if configured.get("configured") and (configured["url"], configured["data_source"]) == (
                run.server_url, run.data_source):
            return self.erp(password)
        if run.server_url.startswith("sandbox:") or run.server_url.startswith("http://127.0.0.1"):
            raise BadOptions(f"Run {run.run_id} went to a sandbox this page does not run; "
                             "revert it with importer revert on the command line.")
        target = self.erp(password)
        if (target.settings.url, target.settings.data_source) != (run.server_url,
                                                                   run.data_source):
            raise BadOptions(f"Run {run.run_id} went to {run.server_url} ({run.data_source}), "
                             "not to the ERP configured for this page; revert it with "
                             "importer revert on the command line.")
        return target

    def planning(self, name: str) -> Target | None:
        """The target a preview and an acceptance are keyed to, without a password (nothing
        is sent): the sandbox, the configured ERP, or None when it is not configured."""
        if name == "sandbox":
            return self.sandbox()
        try:
            settings = load_settings(config_file=self.config_file, password_needed=False,
                                     journal=self.journal)
        except BadOptions:
            return None
        return Target(settings, label=f"{settings.url} ({settings.data_source})")

    def get(self, name: str, password: str = "") -> Target:
        if name == "sandbox":
            return self.sandbox()
        if name == "erp":
            return self.erp(password)
        raise BadOptions("Choose where to import: the built-in sandbox or the ERP.")
