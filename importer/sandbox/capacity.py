"""A sandbox that can be overloaded: at most N record calls served at once, the rest queued.

``--capacity N`` serves at most N record calls at a time (their injected latency included, so a
call's answer takes ``latency * calls ahead of it / N`` longer, as in a real server); the others
wait in a first-come-first-served queue. With ``--queue-limit M`` a call that finds M calls
already waiting is answered at once with 503 (the API's failure body, SERVICE_UNAVAILABLE) or,
with ``--overload-status 429``, 429 with ``Retry-After: 1``. ``--capacity-schedule
"0:8,30:2,60:16"`` changes the capacity during a run: seconds since the first record call, then
the capacity from then on. Other endpoints (auth, information) are never queued.

Runs inside the server's event loop: `CapacityGate` uses asyncio futures, no threads.
"""
from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Awaitable, Callable

from importer.errors import BadOptions

OVERLOAD_STATUSES = (503, 429)
RETRY_AFTER_SECONDS = 1


def parse_schedule(text: str | None) -> tuple[tuple[float, int], ...]:
    """'0:8,30:2,60:16' -> ((0.0, 8), (30.0, 2), (60.0, 16)); BadOptions when unusable."""
    if not text or not text.strip():
        return ()
    steps = []
    for part in text.split(","):
        seconds, sep, capacity = part.strip().partition(":")
        try:
            step = (float(seconds), int(capacity))
        except ValueError:
            step = None
        if not sep or step is None or step[0] < 0 or step[1] < 1:
            raise BadOptions(f"--capacity-schedule has an unusable step {part.strip()!r}: write "
                             f"SECONDS:CAPACITY steps separated by commas, e.g. "
                             f"\"0:8,30:2,60:16\".")
        steps.append(step)
    return tuple(sorted(steps))


def capacity_at(schedule: tuple[tuple[float, int], ...], base: int | None,
                elapsed: float) -> int | None:
    """The capacity ``elapsed`` seconds after the first record call (None: unlimited)."""
    current = base
    for start, capacity in schedule:
        if elapsed >= start:
            current = capacity
    return current


class CapacityGate:
    """At most ``capacity`` calls inside; up to ``queue_limit`` waiting (None: any number)."""

    def __init__(self, capacity: int | None, queue_limit: int | None = None,
                 schedule: tuple[tuple[float, int], ...] = (),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._base, self._schedule, self._clock = capacity, schedule, clock
        self.queue_limit = queue_limit
        self._serving = 0
        self._waiting: deque[asyncio.Future] = deque()
        self._first: float | None = None

    def capacity(self) -> int | None:
        if self._first is None:
            self._first = self._clock()
        return capacity_at(self._schedule, self._base, self._clock() - self._first)

    async def enter(self) -> bool:
        """Wait for a place; False (at once) when the queue is full: answer 'overloaded'."""
        self._grant()
        capacity = self.capacity()
        if capacity is None or (self._serving < capacity and not self._waiting):
            self._serving += 1
            return True
        if self.queue_limit is not None and len(self._waiting) >= self.queue_limit:
            return False
        place = asyncio.get_running_loop().create_future()
        self._waiting.append(place)
        try:
            await place
        except asyncio.CancelledError:  # the client left while waiting
            if place.done() and not place.cancelled():
                self.leave()  # it had been given a place: pass it on
            else:
                self._waiting.remove(place)
            raise
        return True

    def leave(self) -> None:
        self._serving -= 1
        self._grant()

    def _grant(self) -> None:
        capacity = self.capacity()
        while self._waiting and (capacity is None or self._serving < capacity):
            place = self._waiting.popleft()
            if not place.done():
                self._serving += 1
                place.set_result(None)


def limit_concurrency(endpoint: Callable[..., Awaitable], gate: CapacityGate,
                      overloaded: Callable[[], Awaitable]) -> Callable[..., Awaitable]:
    """The endpoint, served through the gate; ``overloaded()`` answers when the queue is full."""

    async def limited(request):
        if not await gate.enter():
            return await overloaded()
        try:
            return await endpoint(request)
        finally:
            gate.leave()

    return limited
