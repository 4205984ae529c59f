"""Deterministic fault injection: what goes wrong with each call, drawn from a seeded generator.

Every record call draws exactly three numbers, in the order the calls arrive, under a lock: its
jitter, whether it fails (503 before anything is done) and whether its response is lost (the
change is committed, then a 504 with an HTML body is answered). Other /api calls (auth, data
sources, server time, API version) get latency only, drawn from a second generator, so a client
that logs in again at another moment does not shift the faults of its record calls. The same seed
and the same sequence of record calls give the same sequence of faults.
"""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    delay: float  # seconds to wait before answering
    fail: bool  # answer 503 without doing anything
    lose: bool  # do the work, then answer 504 without a JSON body


class FaultPlan:
    def __init__(self, latency_ms: float = 0, jitter_ms: float = 0, fail_rate: float = 0.0,
                 lost_response_rate: float = 0.0, seed: int | None = None) -> None:
        self.latency = max(latency_ms, 0) / 1000
        self.jitter = max(jitter_ms, 0) / 1000
        self.fail_rate = fail_rate
        self.lost_rate = lost_response_rate
        self._records = random.Random(seed)
        self._other = random.Random(None if seed is None else f"{seed}/other")
        self._lock = threading.Lock()

    @property
    def active(self) -> bool:
        return bool(self.latency or self.jitter or self.fail_rate or self.lost_rate)

    def _delay(self, rng: random.Random) -> float:
        return self.latency + rng.uniform(0, self.jitter)

    def for_record_call(self) -> Fault:
        with self._lock:
            delay = self._delay(self._records)
            fail = self._records.random() < self.fail_rate
            lose = self._records.random() < self.lost_rate
        return Fault(delay, fail, lose and not fail)

    def for_other_call(self) -> Fault:
        with self._lock:
            delay = self._delay(self._other)
        return Fault(delay, False, False)


LOST_RESPONSE_HTML = (
    "<html><head><title>504 Gateway Time-out</title></head><body>"
    "<center><h1>504 Gateway Time-out</h1></center><hr><center>sandbox proxy</center>"
    "</body></html>\n"
)
