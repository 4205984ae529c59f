"""When to try a call again, and how long to wait first: retries by time, not by count.

A call that meets transient trouble (a network error, 429/502/503/504, a lost or unreadable
answer) is tried again with exponential backoff and full jitter (`backoff_delay`) for as long as
its time budget lasts (``retry_budget`` seconds from its first attempt, default 120). Two things
end the retries earlier:

* the optional count cap ``retries`` (unset by default; ``--retries 0`` means "never retry");
* a silent server: when no call at all got an answer that shows the server working (a record or
  a business error) for a whole budget, nobody is being served, and waiting longer only delays
  the "ERP stopped answering" stop. Rows started after the server went silent then give up at
  their first failure, so a run against a dead server ends about one budget after it died.

A Retry-After header is honoured (up to ``retry_after_max`` seconds), but a wait never goes past
the end of the budget: the last attempt is made when the budget ends.
Pure functions and one small value class; the clock is passed in.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable


def backoff_delay(retry: int, base: float, cap: float, retry_after: float | None = None,
                  retry_after_max: float = 120.0,
                  rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before retry number ``retry`` (1 = first retry).

    Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(retry-1))]. When the
    server sent Retry-After, wait at least that long (capped at ``retry_after_max``).
    """
    ceiling = min(cap, base * (2 ** max(0, retry - 1)))
    delay = rand() * ceiling
    if retry_after is not None:
        delay = max(delay, min(retry_after, retry_after_max))
    return delay


@dataclass
class RetryBudget:
    """The retries of one call: ``next_delay()`` says how long to wait, or None to give up."""

    budget: float  # seconds from the first attempt
    started: float  # clock time of the first attempt
    max_retries: int | None = None  # an optional cap on the count
    retries: int = 0  # retries granted so far
    reason: str = ""  # why the retries ended, once next_delay() returned None

    def next_delay(self, now: float, last_answer: float, wanted: float) -> float | None:
        """``wanted`` is the backoff for the next retry; ``last_answer`` the clock time of the
        last answer (from any call) that showed the server working."""
        if self.max_retries is not None and self.retries >= self.max_retries:
            self.reason = ""
            return None
        if now - last_answer >= self.budget:
            self.reason = f"the server answered no call for {now - last_answer:.0f} s"
            return None
        left = self.started + self.budget - now
        if left <= 0:
            self.reason = f"retried for {now - self.started:.0f} s (retry_budget)"
            return None
        self.retries += 1
        return max(0.0, min(wanted, left))
