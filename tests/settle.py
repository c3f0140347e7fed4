"""Waiting for a running ``yuqing run`` to settle, for the tests that start one.

A runner has settled when what it has stored stopped changing for a while *and* every stage
has caught up: under load one analysis pass can outlast any fixed quiet time, and mentions
waiting in the Elasticsearch spool are not stored yet however quiet the archive looks.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

S = TypeVar("S")


def wait_until_settled(
    snapshot: Callable[[], S | None],
    caught_up: Callable[[S], bool],
    settle: float = 6.0,
    timeout: float = 240.0,
    poll: float = 0.5,
) -> S:
    """Poll ``snapshot`` (None: not readable yet) until it stays equal for ``settle`` seconds
    while ``caught_up``; returns it, or fails naming the last snapshot after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: S | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        current = snapshot()
        if current is None or current != last:
            last, since = current, time.monotonic()
        elif time.monotonic() - since >= settle and caught_up(current):
            return current
        time.sleep(poll)
    raise AssertionError(f"the runner did not settle within {timeout:g} s (last: {last})")
