"""The Redis client of the workers, its key names, and waiting out an outage.

Every Redis call of a worker goes through ``patient``: when the server is down or restarting
the call is retried until it answers, so a Redis outage pauses the worker instead of killing
it or dropping the request it was handling. The worker's reactor thread waits with it, which
is what "pause" means here: nothing is fetched while nothing can be recorded.

A stop asked for (``request_stop``, from SIGTERM or SIGINT) ends that wait: the process lets
go of Redis for good (``RedisAbandoned`` from then on, at once), so the stop proceeds without
the server. Nothing is lost by it: what the worker popped stays in its held hash in Redis, and
a live worker (or a restarted one) queues it again once this one's heartbeat is gone.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import TypeVar

import redis

from core.settings_redis import RedisSettings

__all__ = [
    "HOLD_LEASE",
    "Keys",
    "RedisAbandoned",
    "connect",
    "patient",
    "request_stop",
    "worker_id",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
# What a stopped, restarting or still-loading server raises.
OUTAGE = (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)
# Retry quickly at first (a restart takes well under a second), then every 2 s.
_BACKOFF = (0.1, 0.2, 0.5, 1.0, 2.0)
# A backoff is slept in slices this long, so a stop asked for meanwhile is seen at once.
_SLICE = 0.05

# Process-wide (a worker is one process): a stop was asked for; Redis was let go of.
STOP_REQUESTED = threading.Event()
ABANDONED = threading.Event()


class RedisAbandoned(Exception):
    """The process was asked to stop while Redis was unreachable and no longer waits for it."""


def request_stop() -> None:
    """Ask ``patient`` to stop waiting out an outage (safe to call from a signal handler)."""
    STOP_REQUESTED.set()


# A lease (KEYS[1], held by ARGV[1] for ARGV[2] ms) renewed or taken in one step: only its
# holder renews it, an absent key is taken. The analysis lease and the alert leadership use it.
HOLD_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""


def connect(settings: RedisSettings) -> redis.Redis:
    """A client for ``settings`` (binary replies: queued requests are pickled bytes)."""
    password = settings.password.get_secret_value() if settings.password else None
    return redis.Redis.from_url(
        settings.url,
        password=password,
        socket_timeout=10,
        socket_connect_timeout=5,
        health_check_interval=15,
    )


def patient(call: Callable[[], T], where: str, clock: Callable[[], float] = time.monotonic) -> T:
    """``call()``, retried through a Redis outage until the server answers again.

    Raises ``RedisAbandoned`` instead once a stop is asked for during an outage (and, from
    then on, without calling Redis at all: a half-recorded step must not be followed by
    another one once the server is back).
    """
    attempt = 0
    started = clock()
    while True:
        if ABANDONED.is_set():
            raise RedisAbandoned(where)
        try:
            result = call()
        except OUTAGE as exc:
            if STOP_REQUESTED.is_set():
                ABANDONED.set()
                logger.warning("Redis at %s unavailable at a stop; not waiting for it", where)
                raise RedisAbandoned(where) from exc
            if attempt == 0:
                logger.warning("Redis at %s unavailable (%s); waiting for it", where, exc)
            _pause(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
            attempt += 1
            continue
        if attempt:
            logger.warning("Redis at %s back after %.1f s", where, clock() - started)
        return result


def _pause(seconds: float) -> None:
    end = time.monotonic() + seconds
    while not STOP_REQUESTED.is_set() and time.monotonic() < end:
        time.sleep(_SLICE)


def worker_id() -> str:
    """Unique per process and readable in monitoring: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Keys:
    """Every Redis key of the distributed crawl, under the configured prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def queue(self, source: str) -> str:
        return f"{self.prefix}:crawl:{source}:queue"

    def seen(self, source: str) -> str:
        return f"{self.prefix}:crawl:{source}:seen"

    def held(self, source: str, worker: str) -> str:
        return f"{self.prefix}:crawl:{source}:held:{worker}"

    def holders(self, source: str) -> str:
        return f"{self.prefix}:crawl:{source}:holders"

    def round(self, source: str) -> str:
        return f"{self.prefix}:crawl:{source}:round"

    def round_number(self, source: str) -> str:
        return f"{self.prefix}:crawl:{source}:rounds"

    def tally(self, source: str, number: int) -> str:
        return f"{self.prefix}:crawl:{source}:tally:{number}"

    def workers(self) -> str:
        return f"{self.prefix}:crawl:workers"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:crawl:alive:{worker}"

    def rate(self, domain: str) -> str:
        return f"{self.prefix}:rate:{domain}"
