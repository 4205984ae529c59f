"""The concurrency limiter of --workers auto, fed with plain numbers (a modelled server)."""
from __future__ import annotations

import pytest

from importer.erp.limiter import OK, OTHER, OVERLOAD, LimitStats, VegasLimiter


def serve(limiter: VegasLimiter, capacity: int, calls: int, base: float = 0.025,
          queue_limit: int | None = None, now: float = 0.0,
          client_cost: float = 0.0) -> tuple[float, int]:
    """Model a server serving ``capacity`` calls at once: with n in flight every answer takes
    base * max(1, n / capacity), plus ``client_cost * n`` spent by a busy client itself; beyond
    capacity + queue_limit the extra calls are refused.
    Returns (clock, overload answers)."""
    overloads = 0
    for _ in range(calls):
        n = limiter.limit
        if queue_limit is not None and n > capacity + queue_limit:
            overloads += 1
            limiter.on_result(now, OVERLOAD, 0.001, n)
            continue
        rtt = base * max(1.0, n / capacity) + client_cost * n
        now += rtt / n
        limiter.on_result(now, OK, rtt, n)
    return now, overloads


def test_starts_low_and_grows_to_the_maximum_on_a_server_that_never_queues():
    limiter = VegasLimiter(max_limit=32)
    assert limiter.limit == 2
    serve(limiter, capacity=1000, calls=2000)
    assert limiter.limit == 32


def test_keeps_growing_while_more_calls_bring_more_answers_though_each_takes_longer():
    # a busy client machine: every call in flight adds 1 ms to every answer, yet 32 calls at
    # once still give more answers per second than 16
    limiter = VegasLimiter(max_limit=32)
    serve(limiter, capacity=1000, calls=6000, client_cost=0.001)
    assert limiter.limit == 32


def limits_seen(limiter: VegasLimiter, calls: int, now: float = 0.0,
                **server) -> tuple[list[int], float]:
    """The limit after each of ``calls`` answers of `serve`'s modelled server; and the clock."""
    seen = []
    for _ in range(calls):
        now, _ = serve(limiter, calls=1, now=now, **server)
        seen.append(limiter.limit)
    return seen, now


def test_doubles_while_each_doubling_brings_many_more_answers_on_a_busy_client():
    # every call in flight adds 1 ms to every answer (latency grows, 25 ms -> 57 ms at 32), yet
    # each doubling up to 32 brings 1.5x the answers: slow start goes on to the maximum
    limiter = VegasLimiter(max_limit=32)
    seen, _ = limits_seen(limiter, 100, capacity=1000, client_cost=0.001)
    assert seen.index(32) < 50 and sorted(set(seen)) == [2, 4, 8, 16, 32]


def test_a_latency_cut_that_costs_answers_is_undone_and_latency_cuts_no_more_there():
    # at 32 calls in flight the client machine turns four times busier: answers take 89 ms
    # instead of 41 ms, which looks like a queue in the server; a cut to 22 only loses answers
    # (the server queues nothing), so it is undone and the limit stays at 32
    limiter = VegasLimiter(max_limit=32)
    seen, now = limits_seen(limiter, 300, capacity=1000, client_cost=0.0005)
    assert seen[-1] == 32
    seen, now = limits_seen(limiter, 3000, now, capacity=1000, client_cost=0.002)
    assert min(seen) >= 22 and min(seen[300:]) == 32 and limiter.floor == 32
    # the floor is forgotten when the server itself slows down: a capacity of 2 (no queue
    # limit) is followed down as before
    seen, _ = limits_seen(limiter, 3000, now, capacity=2, client_cost=0.002)
    assert limiter.floor == 1 and 2 <= seen[-1] <= 4


@pytest.mark.parametrize("capacity", [2, 8])
def test_settles_between_the_capacity_and_twice_the_capacity(capacity):
    # settled: most of the time between C and 2C; a probe above 2C (every 8 windows, one step
    # of limit / 5) is cut back by the latency it inflates
    limiter = VegasLimiter(max_limit=64)
    seen, _ = limits_seen(limiter, 6000, capacity=capacity)
    tail = seen[2000:]
    assert capacity <= min(tail) and max(tail) <= 2.5 * capacity
    assert sum(capacity <= x <= 2 * capacity for x in tail) >= 0.8 * len(tail)


def test_follows_a_capacity_that_drops_and_rises_again():
    limiter = VegasLimiter(max_limit=32)
    now, _ = serve(limiter, capacity=8, calls=3000)
    assert limiter.limit >= 8
    now, _ = serve(limiter, capacity=2, calls=3000, now=now)
    assert 2 <= limiter.limit <= 4
    serve(limiter, capacity=16, calls=5000, now=now)
    assert limiter.limit >= 16


def test_a_short_queue_sees_few_overload_answers():
    limiter = VegasLimiter(max_limit=32)
    _, overloads = serve(limiter, capacity=2, calls=2000, queue_limit=2)
    assert overloads <= 20  # 1% of calls


def test_an_overload_answer_cuts_the_limit_once_per_window():
    limiter = VegasLimiter(max_limit=32, start=20)
    limiter.on_result(1.0, OVERLOAD, 0.01, 20)
    assert limiter.limit == 14 and not limiter.slow_start
    limiter.on_result(1.1, OVERLOAD, 0.01, 14)  # sent before the cut: says nothing new
    assert limiter.limit == 14


def test_failures_that_say_nothing_about_load_change_nothing():
    limiter = VegasLimiter(max_limit=32, start=6)
    for i in range(100):
        limiter.on_result(float(i), OTHER, 5.0, 6)
    assert limiter.limit == 6


def test_the_summary_weighs_each_limit_by_how_long_it_held():
    stats = LimitStats.starting(0.0, 2)
    stats.change(1.0, 10)
    stats.change(3.0, 4)
    assert (stats.low, stats.high) == (2, 10)
    assert stats.mean(4.0) == pytest.approx((2 * 1 + 10 * 2 + 4 * 1) / 4)
