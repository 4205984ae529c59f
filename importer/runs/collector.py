"""The garbage collector paused while a run does its bulk work in Python.

Planning, journaling and finishing a run of 100,000 rows make hundreds of thousands of
long-lived objects (outcomes, issues, journal parameters) and no reference cycles; each of the
collector's full passes then walks every row the table holds, which cost the dry run about a
sixth of its CPU time. `paused()` turns it off for such a step and back on after it (if it was
on), so cycles made meanwhile are collected then. Nothing here waits on the network: a real
run's sending keeps the collector running.
"""
from __future__ import annotations

import contextlib
import gc
from typing import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No collector passes inside; it runs again afterwards when it was running before."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
