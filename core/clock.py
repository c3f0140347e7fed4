"""Clocks: real time for production, simulated time for replay, backtests, demo and tests.

Everything that depends on time takes a ``Clock``. A simulated clock only moves when
``sleep`` or ``advance`` is called, so a replay gives the same result every run however fast
the machine is; its ``speed`` only decides how long each simulated step takes in real time.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        ...

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        """Let ``seconds`` of this clock's time pass, returning early when ``stop`` is set."""
        ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        if stop is None:
            time.sleep(max(0.0, seconds))
        else:
            stop.wait(max(0.0, seconds))


class SimulatedClock:
    """Stepped simulated time. ``speed`` is simulated seconds per real second (0 = no wait)."""

    def __init__(self, start: datetime, speed: float = 0.0) -> None:
        if start.tzinfo is None:
            raise ValueError("simulated clock start must be timezone-aware")
        self._now = start.astimezone(UTC)
        self.speed = speed
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self._now += timedelta(seconds=seconds)
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)

    def sleep(self, seconds: float, stop: threading.Event | None = None) -> None:
        if self.speed > 0:
            real = seconds / self.speed
            if stop is None:
                time.sleep(real)
            else:
                stop.wait(real)
        if stop is None or not stop.is_set():
            self.advance(seconds)


MIN_YEAR = 1900
MAX_YEAR = 2199


def parse_instant(text: str) -> datetime:
    """ISO 8601 instant; a naive one is Asia/Shanghai time, as everywhere in this product.

    Years outside 1900–2199 are refused with a ``ValueError``: no mention or deadline lies
    there, and arithmetic on them (time zones, deadlines) overflows ``datetime``.
    """
    value = datetime.fromisoformat(text.strip())
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"{text.strip()!r} is out of range (years {MIN_YEAR}–{MAX_YEAR})")
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    """The instant shown to people: Asia/Shanghai."""
    return value.astimezone(SHANGHAI)
