"""The place where worker threads wait their turn to make a call (``--workers auto``).

`CallGate` lets at most ``limiter.limit`` record requests be in flight; the client asks it
before each request (`acquire`) and tells it the outcome (`release`), which it hands to the
limiter (`importer.erp.limiter`) with the latency and the number of calls that were in flight.
Threads wait on a condition variable; a call that ends wakes only as many waiting threads as
there are free places (not every waiting thread, of which all but those would go back to sleep:
with 32 threads that herd cost more CPU per call than the call itself). Nothing else here sleeps
or does I/O.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from importer.erp.limiter import VegasLimiter

CONCURRENCY = "concurrency"  # in the progress counts with --workers auto: calls allowed in flight


class CallGate:
    def __init__(self, limiter: VegasLimiter, clock: Callable[[], float] = time.monotonic) -> None:
        self.limiter = limiter
        self._clock = clock
        self._cond = threading.Condition()
        self._in_flight = 0

    @classmethod
    def auto(cls, max_limit: int) -> "CallGate":
        return cls(VegasLimiter(max_limit=max_limit, now=time.monotonic()))

    @property
    def limit(self) -> int:
        return self.limiter.limit

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def acquire(self) -> float:
        """Wait until a call may be sent; returns the ticket (its start time) for `release`."""
        with self._cond:
            while self._in_flight >= self.limiter.limit:
                self._cond.wait()
            self._in_flight += 1
        return self._clock()

    def release(self, ticket: float, signal: str) -> None:
        now = self._clock()
        with self._cond:
            self.limiter.on_result(now, signal, now - ticket, self._in_flight)
            self._in_flight -= 1
            free = self.limiter.limit - self._in_flight
            if free > 0:  # a raised limit frees several places at once
                self._cond.notify(free)

    def summary(self) -> dict[str, float]:
        """{'min', 'max', 'mean'}: the limit's range and its time-weighted mean so far."""
        with self._cond:
            stats = self.limiter.stats
            return {"min": stats.low, "max": stats.high,
                    "mean": round(stats.mean(self._clock()), 1)}
