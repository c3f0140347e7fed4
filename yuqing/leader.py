"""Leader election for the one alert process of a scale-out deployment (``yuqing run`` with
``redis:`` in the YAML).

Rules must be evaluated and notifications delivered by exactly one process, or an alert is
raised and sent twice. Several ``yuqing run`` processes may be started on any hosts (a hot
standby); they elect a leader through one Redis key, the standard lock-with-a-lease pattern
(the one the analysis lease of ``yuqing.analyze_worker`` uses):

- a candidate takes ``<prefix>:alert:leader`` with ``SET NX PX ttl``; the holder renews it
  from a thread of its own every ``ttl / 3`` (renew-only-if-mine, one Lua step), so a tick
  that runs long (a slow SMTP server) does not lose the lease;
- the holder counts itself leader only until its last successful renewal plus 0.8 × ttl by
  its own monotonic clock: if Redis is unreachable or the process was paused, it stops acting
  *before* the key expires and another process can take it;
- a holder killed (even ``kill -9``) stops renewing; its key expires after ``ttl`` and a
  standby takes over from the archive's durable cursors (alerts, outbox), which is what makes
  the takeover lose nothing and send nothing twice;
- a clean stop deletes the key (only if still its own), so the standby takes over at once.

The runner asks ``held()`` before it evaluates and before it delivers, and stops its loop
when the lease is lost; the command line then campaigns again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import redis

from core.settings_redis import RedisSettings
from crawlers.distributed.connection import HOLD_LEASE, OUTAGE, connect, worker_id

__all__ = ["Leadership"]

logger = logging.getLogger(__name__)

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
# The share of the lease a holder trusts by its own clock: it stops acting a fifth of the
# lease before Redis would give the key to another process (clock rate drift, a slow reply).
TRUST = 0.8


class Leadership:
    """One process's candidacy for ``role`` (``alert``); see the module docstring."""

    def __init__(
        self,
        settings: RedisSettings,
        role: str = "alert",
        ttl: float = 10.0,
        server: redis.Redis | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.key = f"{settings.prefix}:{role}:leader"
        self.where = settings.where()
        self.me = worker_id()
        self.ttl = ttl
        self.server = server or connect(settings)
        self.clock = clock
        self._hold = self.server.register_script(HOLD_LEASE)
        self._release = self.server.register_script(_RELEASE)
        self._valid_until = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_take(self) -> bool:
        """Take or renew the lease once; False when another process holds it or Redis is down."""
        asked = self.clock()
        try:
            held = bool(self._hold(keys=[self.key], args=[self.me, int(self.ttl * 1000)]))
        except OUTAGE as exc:
            logger.warning("Redis at %s unavailable for %s (%s)", self.where, self.key, exc)
            return self.held()
        # Measured from before the call: the key may have been set at any time during it.
        self._valid_until = asked + self.ttl * TRUST if held else 0.0
        return held

    def held(self) -> bool:
        """Leader now: the lease was renewed recently enough by this process's own clock."""
        return self.clock() < self._valid_until

    def acquire(self, stop: threading.Event) -> bool:
        """Wait until this process leads (then keep the lease renewed); False if ``stop``."""
        waiting = False
        while not stop.is_set():
            if self.try_take():
                logger.warning("%s leads (%s on %s)", self.me, self.key, self.where)
                self._start_renewing()
                return True
            if not waiting:
                holder = self._holder()
                logger.warning("%s is on standby: %s leads", self.me, holder or "nobody yet")
                waiting = True
            stop.wait(self.ttl / 3)
        return False

    def release(self) -> None:
        """Stop renewing and hand the lease over at once (if it is still this process's)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl)
            self._thread = None
        if self._valid_until:
            with contextlib.suppress(*OUTAGE):  # else the key expires by itself
                self._release(keys=[self.key], args=[self.me])
        self._valid_until = 0.0

    def _holder(self) -> str | None:
        try:
            value = self.server.get(self.key)
        except OUTAGE:
            return None
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    def _start_renewing(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="yuqing-leader", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            if not self.try_take() and not self.held():
                logger.warning("%s lost the %s lease", self.me, self.key)
                return
