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
    stall: float | None = None,
) -> S:
    """Poll ``snapshot`` (None: not readable yet) until it stays equal for ``settle`` seconds
    while ``caught_up``; returns it, or fails naming the last snapshot after ``timeout``.

    With ``stall``, the limit is on progress instead of on wall time: every new snapshot gives
    the runner ``stall`` more seconds, so a runner still working through a loaded machine is
    waited for, and one that stopped moving fails (the test's own timeout bounds the rest).
    """
    deadline = time.monotonic() + (stall if stall is not None else timeout)
    last: S | None = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        current = snapshot()
        if current is None or current != last:
            if stall is not None and current is not None:
                deadline = time.monotonic() + stall
            last, since = current, time.monotonic()
        elif time.monotonic() - since >= settle and caught_up(current):
            return current
        time.sleep(poll)
    limit = f"no change for {stall:g} s" if stall is not None else f"not within {timeout:g} s"
    raise AssertionError(f"the runner did not settle ({limit}; last: {last})")
