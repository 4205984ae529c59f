"""Who a process is, and whether it is still running: what the run lease records about its owner.

An `Owner` is (host, pid, start token). The start token tells a process from a later one that got
the same pid: on Linux it is the boot id and pid namespace, then the process's start time in clock
ticks (``/proc/<pid>/stat`` field 22); on Windows the process creation time; elsewhere it is
unknown ('') and a reused pid is caught by the lease's heartbeat instead (a program that merely got
the pid never refreshes it).

Only processes of this machine can be examined: same host name and, on Linux, same boot and pid
namespace (a container sharing the journal and the host name sees other pids). Any other owner is
judged by its heartbeat alone.
"""
from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class Owner:
    """A process that can hold a run: the host it runs on, its pid and its start token."""

    host: str
    pid: int
    started: str = ""  # '' when this platform cannot tell

    @classmethod
    def me(cls) -> "Owner":
        pid = os.getpid()
        return cls(this_host(), pid, start_token(pid))

    def on_this_host(self) -> bool:
        """Whether this owner's pid can be looked up here (see the module docstring)."""
        return self.host == this_host() and _space(self.started) == _space(start_token(os.getpid()))

    def where(self) -> str:
        return "on this machine" if self.on_this_host() else f"on host {self.host}"

    def gone(self) -> str | None:
        """Why this owner (on this host) is no longer running, or None while it is."""
        if not is_running(self.pid):
            return f"process {self.pid} is no longer running"
        token = start_token(self.pid)
        if self.started and token and token != self.started:
            return f"process {self.pid} is now another program"
        return None


@lru_cache(maxsize=1)
def this_host() -> str:
    return socket.gethostname() or "localhost"


def start_token(pid: int) -> str:
    """What tells this process from a later one with the same pid ('' when unknown)."""
    if sys.platform.startswith("linux"):
        fields = _proc_stat(pid)
        return f"{_boot_id()}:{_pid_namespace()}:{fields[19]}" if fields else ""
    if sys.platform == "win32":
        return _windows_creation_time(pid)
    return ""


def is_running(pid: int) -> bool:
    """Whether a process with this pid runs on this host (a zombie, dead but not reaped, is not)."""
    if pid <= 0:
        return False
    if sys.platform.startswith("linux") and _PROC.is_dir():
        fields = _proc_stat(pid)
        return bool(fields) and fields[0] not in ("Z", "X")
    if sys.platform == "win32":
        return bool(_windows_creation_time(pid))  # os.kill would terminate it there
    try:
        os.kill(pid, 0)  # POSIX: signal 0 only checks that the pid exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists and belongs to another user
        return True
    return True


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name: [state, ppid, ...]."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    return text[text.rfind(")") + 2:].split()


def _space(token: str) -> str:
    """The part of a start token naming where pids are counted (boot and namespace)."""
    return token.rpartition(":")[0]


@lru_cache(maxsize=1)
def _pid_namespace() -> str:
    try:
        return os.readlink(_PROC / "self/ns/pid")
    except OSError:
        return ""


@lru_cache(maxsize=1)
def _boot_id() -> str:
    try:
        return (_PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _windows_creation_time(pid: int) -> str:
    """The process's creation time (FILETIME ticks) while it runs, else ''."""
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ""
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value != 259:
            return ""  # 259 = STILL_ACTIVE
        times = [wintypes.FILETIME() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return ""
        return str((times[0].dwHighDateTime << 32) | times[0].dwLowDateTime)
    finally:
        kernel32.CloseHandle(handle)
