"""Background imports: `run_import` in a thread, with a progress snapshot anyone may read.

    job = ImportJob(lambda on_progress, stop: run_import(..., on_progress=on_progress,
                                                          stop_event=stop)).start()
    job.snapshot()   # {"state": "running", "done": 120, "total": 400, "rate": 85.2, ...}
    job.stop()       # like Ctrl-C: calls in flight finish, the run stays resumable

A program that shows an import while it runs (the web page) holds one of these; the import itself
is the same library call the CLI makes. `JobSlot` allows one import at a time per journal in this
process and tells a second caller which one is running.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from importer.errors import ImporterError

log = logging.getLogger(__name__)

ImportCall = Callable[[Callable[[int, int, dict], None], threading.Event], Any]


@dataclass
class Progress:
    done: int = 0
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class ImportJob:
    """One import running in a background thread."""

    def __init__(self, call: ImportCall, label: str = "") -> None:
        self.label = label
        self._call = call
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._progress = Progress()
        self._started = time.monotonic()
        self._finished: float | None = None
        self.result: Any = None
        self.error: str | None = None
        self.exit_code: int | None = None
        self._thread = threading.Thread(target=self._run, name="import-job", daemon=True)

    def start(self) -> "ImportJob":
        self._thread.start()
        return self

    def _on_progress(self, done: int, total: int, counts: dict) -> None:
        with self._lock:
            self._progress = Progress(done, total, dict(counts))

    def _run(self) -> None:
        try:
            self.result = self._call(self._on_progress, self._stop)
            self.exit_code = getattr(self.result, "exit_code", 0)
        except ImporterError as exc:
            self.error, self.exit_code = str(exc), exc.exit_code
        except Exception:  # noqa: BLE001 - shown to the person as one sentence, logged in full
            log.exception("import job failed")
            self.error, self.exit_code = "The import stopped on an unexpected error; see the " \
                                         "log.", 2
        finally:
            self._finished = time.monotonic()

    def stop(self) -> None:
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._finished is None

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def snapshot(self) -> dict[str, Any]:
        """Plain values for a progress display: state, rows done/total, rate, ETA, counts."""
        with self._lock:
            p = self._progress
        elapsed = (self._finished or time.monotonic()) - self._started
        rate = p.done / elapsed if elapsed > 0 else 0.0
        eta = (p.total - p.done) / rate if rate > 0 and p.total > p.done else 0.0
        if self.running:
            state = "stopping" if self._stop.is_set() else "running"
        else:
            state = "failed" if self.error else "finished"
        return {"state": state, "label": self.label, "done": p.done, "total": p.total,
                "counts": p.counts, "rate": round(rate, 1), "eta_seconds": round(eta),
                "elapsed_seconds": round(elapsed, 1), "error": self.error,
                "exit_code": self.exit_code}


class JobSlot:
    """At most one running ImportJob per journal file in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, ImportJob] = {}

    def start(self, journal: str, job: ImportJob) -> ImportJob:
        """Start ``job`` unless another import on ``journal`` runs; then return that one
        (the caller compares and tells the person)."""
        with self._lock:
            running = self._jobs.get(journal)
            if running is not None and running.running:
                return running
            self._jobs[journal] = job.start()
            return job

    def running(self, journal: str) -> ImportJob | None:
        job = self._jobs.get(journal)
        return job if job is not None and job.running else None
