"""What one import did (`ImportResult`, also the CLI's --json summary) and where its workbooks go by
default."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.filenames import beside
from importer.model import RunInfo


@dataclass
class ImportResult:
    """What `run_import` did; `to_dict()` is the CLI's --json summary."""

    run: RunInfo
    counts: dict[str, int]  # status -> rows, over every row of the run
    exit_code: int
    seconds: float  # this session's wall time, reading and writing workbooks included
    send_seconds: float  # wall time spent sending rows (the rows/s denominator)
    cpu_seconds: float  # this process's CPU time during this session
    rows_sent: int  # rows dispatched in this session
    already_done: int  # rows final before this session (a resumed run)
    calls: int  # HTTP calls made to record endpoints in this session
    resumed: bool
    interrupted: bool
    results_path: Path | None
    failed_path: Path | None
    journal_path: Path
    message: str = ""  # what to do next, when something needs doing
    warnings: int = 0  # validation warnings
    took_over: str = ""  # said when this session took over the run of a process that was gone
    changes: dict[str, int] | None = None  # change class -> rows (None: not classified)
    notices: list[str] = field(default_factory=list)  # about the whole file (columns not sent...)
    notes: list[str] = field(default_factory=list)  # a kept file, a removed stale file, ...
    already_complete: bool = False  # the run of this file was complete: nothing was sent
    workers: int | str = 4  # a number, or "auto"
    concurrency: dict[str, float] | None = None  # with auto: the limit's min, max, mean
    decisions: list[dict] = field(default_factory=list)  # checks.decisions.Decision.to_dict + held
    people: dict[str, list[str]] = field(default_factory=dict)  # four eyes: prepared/approved/sent

    @property
    def rows_per_second(self) -> float:
        return self.rows_sent / self.send_seconds if self.send_seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run.run_id, "input": self.run.input_path, "sheet": self.run.sheet,
            "sha256": self.run.input_sha256, "entity": self.run.entity, "mode": self.run.mode,
            "dry_run": self.run.dry_run, "server_url": self.run.server_url,
            "data_source": self.run.data_source, "user": self.run.user,
            "counts": self.counts, "rows": sum(self.counts.values()),
            "rows_sent": self.rows_sent, "already_done": self.already_done,
            "calls": self.calls, "seconds": round(self.seconds, 3),
            "send_seconds": round(self.send_seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "cpu_seconds": round(self.cpu_seconds, 3), "resumed": self.resumed,
            "interrupted": self.interrupted, "warnings": self.warnings,
            "results": str(self.results_path) if self.results_path else None,
            "failed_rows": str(self.failed_path) if self.failed_path else None,
            "journal": str(self.journal_path), "exit_code": self.exit_code,
            "message": self.message, "took_over": self.took_over, "changes": self.changes,
            "notices": self.notices,
            "notes": self.notes, "already_complete": self.already_complete,
            **({"error": self.message} if self.exit_code >= 2 else {}),
            "workers": self.workers, "concurrency": self.concurrency,
            "decisions": self.decisions, "people": self.people,
        }


def default_results_path(input_path: Path) -> Path:
    return beside(input_path, ".results.xlsx")


def default_failed_path(input_path: Path) -> Path:
    return beside(input_path, ".failed.xlsx")
