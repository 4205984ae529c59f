"""The call gate of --workers auto with real threads: a call that ends lets exactly as many
waiting threads go as there are free places, and none is left waiting while a place is free."""
from __future__ import annotations

import threading

from importer.erp.gate import CallGate
from importer.erp.limiter import OK


class SteppedLimiter:
    """A limiter whose limit the test sets (the gate only reads ``limit``, tells ``on_result``)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.next_limit: int | None = None

    def on_result(self, now, signal, rtt, in_flight) -> None:
        if self.next_limit is not None:
            self.limit, self.next_limit = self.next_limit, None


def _waiters(gate: CallGate, n: int, entered: list, release: threading.Event) -> list:
    def call() -> None:
        ticket = gate.acquire()
        entered.append(ticket)
        release.wait(10)

    threads = [threading.Thread(target=call, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


def _settle(entered: list, expected: int, patience: int = 1000) -> None:
    """Wait until ``expected`` threads got a place (at most ``patience`` hundredths of a second:
    a thread that wrongly gets a place has had the time to take it)."""
    done = threading.Event()
    for _ in range(patience):
        if len(entered) > expected or (expected and len(entered) == expected):
            break
        done.wait(0.01)


def test_a_raised_limit_lets_every_freed_place_be_taken_at_once():
    limiter = SteppedLimiter(1)
    gate = CallGate(limiter)
    first = gate.acquire()
    entered: list = []
    release = threading.Event()
    threads = _waiters(gate, 5, entered, release)
    _settle(entered, 0, patience=30)
    assert entered == [] and gate.in_flight == 1
    limiter.next_limit = 4  # the call that ends raises the limit from 1 to 4: four places free
    gate.release(first, OK)
    _settle(entered, 4)
    assert len(entered) == 4 and gate.in_flight == 4  # not one: every free place is taken
    limiter.next_limit = 4
    release.set()
    for ticket in list(entered):
        gate.release(ticket, OK)
    for t in threads:
        t.join(10)
    assert len(entered) == 5  # the last waiter went too
    release.set()


def test_a_lowered_limit_lets_no_one_go_until_the_calls_in_flight_drop_below_it():
    limiter = SteppedLimiter(3)
    gate = CallGate(limiter)
    tickets = [gate.acquire() for _ in range(3)]
    entered: list = []
    release = threading.Event()
    _waiters(gate, 2, entered, release)
    limiter.next_limit = 1
    gate.release(tickets[0], OK)  # 2 in flight, limit 1: nobody may go
    _settle(entered, 0, patience=30)
    assert entered == [] and gate.in_flight == 2
    gate.release(tickets[1], OK)
    gate.release(tickets[2], OK)  # none in flight: one place
    _settle(entered, 1)
    assert len(entered) == 1 and gate.in_flight == 1
    release.set()
