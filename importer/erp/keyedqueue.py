"""The dispatcher's queue: hands out jobs so that rows whose keys could name the same record are
never in flight at once."""
from __future__ import annotations

import itertools
import threading
from collections import deque
from typing import Iterable

from importer.entities import Entity
from importer.erp.decisions import Job, keys_collide


class KeyedQueue:
    """Hands out jobs so that no two jobs whose keys collide are in flight at once."""

    def __init__(self, entity: Entity, jobs: Iterable[Job], window: int,
                 stop: threading.Event) -> None:
        self._entity = entity
        self._pending = deque(jobs)
        self._busy: list[tuple[str, ...]] = []
        self._cond = threading.Condition()
        self._window = window
        self._stop = stop

    def take(self) -> Job | None:
        """The next job free to run, waiting while every candidate collides; None at the end."""
        with self._cond:
            while self._pending and not self._stop.is_set():
                index = self._free_index()
                if index is not None:
                    job = self._pending[index]
                    del self._pending[index]
                    self._busy.append(self._key(job))
                    return job
                self._cond.wait(0.5)
            return None

    def done(self, job: Job) -> None:
        with self._cond:
            self._busy.remove(self._key(job))
            self._cond.notify_all()

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def remaining(self) -> list[Job]:
        with self._cond:
            return list(self._pending)

    def _key(self, job: Job) -> tuple[str, ...]:
        return self._entity.key_of(job.row.values)

    def _free_index(self) -> int | None:
        for index, job in enumerate(itertools.islice(self._pending, self._window)):
            key = self._key(job)
            if not any(keys_collide(self._entity, key, busy) for busy in self._busy):
                return index
        return None


