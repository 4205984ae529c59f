"""How many calls may be in flight (``--workers auto``): a pure state machine, fed with outcomes.

No clock, no threads, no I/O: the caller (`importer.erp.gate.CallGate`) passes the time, each
answered call's latency and how many calls were in flight when it ended, and asks `limit`.

The rule is TCP Vegas's, as in Netflix's concurrency-limits: a server serving ``C`` calls at once
with a base latency ``rtt_min`` answers ``n <= C`` calls in flight in ``rtt_min``; beyond ``C``
the extra calls wait in its queue and every answer takes ``rtt = rtt_min * n / C``. So the number
of calls waiting in the server's queue can be estimated from latencies alone::

    queue = n * (1 - rtt_min / rtt)          (n: calls in flight, rtt: the window's median)

Latencies are judged per window of ``max(16, 2 * limit)`` answers (in slow start
``max(8, limit)``: the first doublings are judged on few answers, as each window at a low limit
costs the most time): ``rtt`` is the window's
median and ``rtt_min`` the smallest window median of the run (medians, not single samples: on a
busy client machine single latencies jump by a factor of two for reasons no server causes). With
``alpha = max(1, limit / 5)`` and ``beta = max(2, limit / 2)``.

Latency alone misreads a busy *client*: with many threads on a loaded machine every answer takes
longer although the server queues nothing, and more calls in flight still bring more answers per
second. So each window also measures its throughput ``rate`` (answers per second), and a growth
step has *paid off* when ``rate >= rate_before * (1 + 0.3 * (limit / limit_before - 1))``
(``rate_before``, ``limit_before``: the window before the last step up). At the end of each
window:

* ``queue < alpha`` (the server has room), or the last step paid off, or the limit has held for
  8 windows (a probe), and the limit was reached: grow. While in slow start ``limit *= 2``;
  slow start lasts while each doubling either leaves clearly no queue (``queue < alpha / 2``) or
  paid off by half of its rise at least (``rate >= 1.5 * rate_before``: on a busy client machine
  every answer takes longer with more calls in flight although the server queues nothing, so
  latency alone would end the fast start early). After it ``limit += alpha``; never above the
  *ceiling*, ``limit - 1`` of the last overload answer, which is lifted by a window with
  ``queue < alpha / 2`` (clearly no queue: the server has room again).
* ``queue > beta`` in two windows in a row, the last step up not having paid off (latency
  inflation that lasts, throughput flat: calls pile up in the server):
  ``limit = max(n * rtt_min / rtt + alpha, 0.7 * limit, floor)``: ``n * rtt_min / rtt``
  estimates what the server serves without a queue (``C``), plus a small queue that keeps it
  busy; never more than a 30% cut at once, so one noisy pair of windows costs little.
* otherwise keep the limit.

A latency cut is a guess (a busy client looks like a queueing server), so it is checked: when
the window after it answers at a lower rate than the window before it, by more than
``0.25 * (the cut's share)``, the calls were not queueing in the server but waiting for the
client's own CPU, and fewer of them only cost throughput. The cut is undone and that limit
becomes the *floor* below which latency no longer cuts. The undo is checked the same way: unless
the window after it brings back ``0.25`` of its rise at least, the rate fell for another reason
(the server slowed down meanwhile) and the floor is removed; so is it by an overload answer or a
window at less than half the rate seen when the floor was set.

An overload answer (429, 503, a Retry-After, a read timeout) cuts at once:
``limit = max(1, 0.7 * limit)``, at most once per ``limit`` answers (the answers of calls sent
before the cut say nothing about the new limit). Other failures (a dropped connection, a lost
answer) say nothing about load and are ignored. The limit starts at ``start`` (2) and stays
within ``[1, max_limit]``.

`LimitStats` keeps the limit's range and its time-weighted mean for the run's summary.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

OK, OVERLOAD, OTHER = "ok", "overload", "other"
MIN_WINDOW = 16
SLOW_WINDOW = 8  # the smallest window in slow start
INFLATED_WINDOWS = 2
CUT = 0.7
PAYOFF = 0.3
PROBE_AFTER = 8  # windows without a change, then one step up to see whether it pays off
SLOW_PAYOFF = 0.5  # slow start goes on doubling while a doubling brings 1.5x the answers
UNDO = 0.25  # a latency cut whose rate fell by more than this share of the cut is undone


def alpha(limit: float) -> float:
    return max(1.0, limit / 5)


def beta(limit: float) -> float:
    return max(2.0, limit / 2)


@dataclass
class LimitStats:
    """The limit over time: smallest, largest, and mean weighted by how long each value held."""

    low: int
    high: int
    _since: float
    _value: int
    _area: float = 0.0
    _start: float = 0.0

    @classmethod
    def starting(cls, now: float, value: int) -> "LimitStats":
        return cls(value, value, now, value, 0.0, now)

    def change(self, now: float, value: int) -> None:
        self._area += self._value * max(0.0, now - self._since)
        self._since, self._value = now, value
        self.low, self.high = min(self.low, value), max(self.high, value)

    def mean(self, now: float) -> float:
        total = now - self._start
        area = self._area + self._value * max(0.0, now - self._since)
        return area / total if total > 0 else float(self._value)


@dataclass
class VegasLimiter:
    """See the module docstring. ``limit`` is the number of calls that may be in flight."""

    max_limit: int = 32
    start: int = 2
    now: float = 0.0
    value: float = field(init=False)
    rtt_min: float = field(init=False, default=math.inf)
    slow_start: bool = field(init=False, default=True)
    stats: LimitStats = field(init=False)
    _rtts: list[float] = field(init=False, default_factory=list)
    _in_flight: list[int] = field(init=False, default_factory=list)
    _since_cut: int = field(init=False, default=1 << 30)  # results since the last cut
    _inflated: int = field(init=False, default=0)  # windows in a row with queue > beta
    ceiling: int = field(init=False, default=1 << 30)  # below the last overload answer
    _window_start: float = field(init=False, default=-1.0)
    _growth: tuple[float, float] | None = field(init=False, default=None)  # (limit, rate) before
    _held: int = field(init=False, default=0)  # windows since the limit last changed
    floor: int = field(init=False, default=1)  # latency never cuts below (an undone cut's limit)
    _floor_rate: float = field(init=False, default=0.0)  # the rate when the floor was set
    _cut: tuple[float, float] | None = field(init=False, default=None)  # (limit, rate) before
    _undone: tuple[float, float] | None = field(init=False, default=None)  # (limit, rate) cut

    def __post_init__(self) -> None:
        self.value = float(max(1, min(self.start, self.max_limit)))
        self.stats = LimitStats.starting(self.now, self.limit)

    @property
    def limit(self) -> int:
        return max(1, int(self.value))

    def on_result(self, now: float, signal: str, rtt: float, in_flight: int) -> None:
        """One call ended at ``now`` after ``rtt`` seconds with ``in_flight`` calls (itself
        included) in flight; ``signal`` is OK (answered), OVERLOAD or OTHER."""
        self._since_cut += 1
        if signal == OVERLOAD:
            if self._since_cut >= self.limit:
                self.ceiling = max(1, self.limit - 1)
                self._set(now, self.value * CUT)
                self.slow_start, self.floor, self._cut, self._undone = False, 1, None, None
            return
        if signal != OK or rtt <= 0:
            return
        if not self._rtts and self._window_start < 0:
            self._window_start = now - rtt
        self._rtts.append(rtt)
        self._in_flight.append(in_flight)
        window = max(SLOW_WINDOW, self.limit) if self.slow_start else max(MIN_WINDOW,
                                                                             2 * self.limit)
        if len(self._rtts) >= window:
            self._end_window(now)

    def _end_window(self, now: float) -> None:
        rtt = statistics.median(self._rtts)
        n = statistics.fmean(self._in_flight)
        reached = max(self._in_flight) >= self.limit
        rate = len(self._rtts) / max(now - self._window_start, 1e-9)
        self._rtts, self._in_flight, self._window_start = [], [], now
        self.rtt_min = min(self.rtt_min, rtt)
        queue = n * (1 - self.rtt_min / rtt)
        if self.floor > 1 and rate < self._floor_rate / 2:  # the server changed: forget it
            self.floor = 1
        if self._undo_cut(now, rate):
            return
        paid_off = self._growth_paid_off(rate)
        self._inflated = self._inflated + 1 if queue > beta(self.value) and not paid_off else 0
        if self._inflated >= INFLATED_WINDOWS:
            self._inflated, self._growth, self._held = 0, None, 0
            cut = max(n * self.rtt_min / rtt + alpha(self.value), self.value * CUT, self.floor)
            if cut < self.value:
                self._cut = (self.value, rate)
                self._set(now, cut)
                self.slow_start = False
        elif reached and (queue < alpha(self.value) or paid_off or self._held >= PROBE_AFTER):
            clear = queue < alpha(self.value) / 2  # clearly no queue: the server has room
            if clear:
                self.ceiling = self.max_limit
            self.slow_start = self.slow_start and (clear or self._growth_paid_off(rate,
                                                                                 SLOW_PAYOFF))
            grown = self.value * 2 if self.slow_start else self.value + alpha(self.value)
            grown = max(self.value, min(grown, self.ceiling))
            if grown > self.value:  # at the maximum, the last real step stays the reference
                self._growth, self._held = (self.value, rate), 0
            self._set(now, grown)
            return
        self._held += 1

    def _undo_cut(self, now: float, rate: float) -> bool:
        """In the window after a latency cut: undo it if it cost answers; in the window after
        an undo: keep its floor only if the answers came back (see the docstring)."""
        if self._undone is not None:
            (low, low_rate), self._undone = self._undone, None
            if rate < low_rate * (1 + UNDO * (self.value / low - 1)):
                self.floor = 1  # not the cut: the server slowed down meanwhile
        if self._cut is None:
            return False
        (before, before_rate), self._cut = self._cut, None
        if rate >= before_rate * (1 - UNDO * (1 - self.value / before)):
            return False
        self.floor, self._floor_rate, self._undone = int(before), before_rate, (self.value, rate)
        self._set(now, before)
        self._held = 0
        return True

    def _growth_paid_off(self, rate: float, payoff: float = PAYOFF) -> bool:
        """Did the last growth raise the throughput (by ``payoff`` of the limit's rise at least)?"""
        if self._growth is None:
            return False
        limit, before = self._growth
        rise = self.value / limit - 1
        return rise > 0 and rate >= before * (1 + payoff * rise)

    def _set(self, now: float, value: float) -> None:
        before = self.limit
        self.value = max(1.0, min(float(self.max_limit), value))
        if self.value < before:
            self._since_cut = 0
        if self.limit != before:
            self.stats.change(now, self.limit)
