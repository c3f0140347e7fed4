"""Per-source rounds and worker liveness, shared by every worker through Redis.

A source is crawled every ``interval``: the worker that sets the source's round key first
(``SET NX PX interval``, once the last round is over) seeds the start pages into the shared
queue for that round; the others find the key taken and only work the queue. ``Heartbeat``
keeps the worker's liveness key; ``WorkerLoop`` (a Scrapy extension) re-queues what dead
workers held, keeps an idle spider open while the crawl goes on elsewhere, and, with
``YUQING_UNTIL_IDLE``, lets it close once the source's queue is empty and no worker holds any
of its requests.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from core.settings import SourceSettings
from core.settings_redis import RedisSettings
from crawlers.distributed.connection import Keys, RedisAbandoned, connect, patient
from crawlers.distributed.health import settle_round

__all__ = ["WorkerLoop", "claim_round", "mark_seeded"]

logger = logging.getLogger(__name__)

# Heartbeat period; the timeout after which a worker counts as dead is ``worker_timeout``.
BEAT_SECONDS = 1.0


def claim_round(crawler: Crawler, source: SourceSettings) -> bool:
    """True when this worker takes the source's current round (and so seeds its start pages)."""
    redis_settings = crawler.settings["YUQING_REDIS"]
    keys = Keys(redis_settings.prefix)
    server = connect(redis_settings)
    interval_ms = max(1000, int(source.interval.total_seconds() * 1000))
    worker = crawler.settings["YUQING_WORKER"]

    def claim() -> bool:
        # A round starts once the last one is over (nothing queued or held): every article
        # it found is in the archive by then, which the next round's list pages rely on.
        if not drained(server, keys, source.name):
            return False
        if not server.set(keys.round(source.name), worker, nx=True, px=interval_ms):
            return False
        # A new round forgets the last one's URLs: list pages 2, 3… must be read again, and
        # articles already archived are skipped by the spider's own archive check, so the
        # filter only has to hold one round's URLs (docs/scale-out.md).
        server.delete(keys.seen(source.name))
        return True

    try:
        if not patient(claim, redis_settings.where()):
            return False
        # The last round's results, if no worker recorded them yet; then the new round's
        # results go to a tally of their own.
        settle_round(crawler, server)
        patient(lambda: server.incr(keys.round_number(source.name)), redis_settings.where())
    except RedisAbandoned:
        # Stopping without Redis. A round claimed but not seeded is seeded by no one until
        # its key expires (one interval): the next round comes then.
        return False
    logger.info("source %s: this worker seeds the round", source.name)
    return True


def drained(server: Any, keys: Keys, source: str) -> bool:
    """Nothing of the source is queued or held by any worker."""
    with server.pipeline(transaction=False) as pipe:
        pipe.zcard(keys.queue(source))
        pipe.smembers(keys.holders(source))
        queued, holders = pipe.execute()
    if queued:
        return False
    if not holders:
        return True
    with server.pipeline(transaction=False) as pipe:
        for held_key in holders:
            pipe.hlen(held_key)
        return not any(pipe.execute())


def mark_seeded(crawler: Crawler, source: SourceSettings) -> None:
    """The round's start pages are all in the queue: workers may now see the source as done."""
    redis_settings = crawler.settings["YUQING_REDIS"]
    server = connect(redis_settings)
    key = Keys(redis_settings.prefix).round(source.name)
    # Stopping without Redis: the round stays unseeded until its key expires (one interval).
    with contextlib.suppress(RedisAbandoned):
        patient(lambda: server.set(key, "seeded", xx=True, keepttl=True), redis_settings.where())


class Heartbeat:
    """The worker's liveness key, renewed from a thread of its own.

    Not from the reactor: a worker busy for seconds in one step (a SQLite write waiting for
    another process's lock, a slow extraction) is alive, and must not have its requests
    handed to others. A killed process stops beating, and its key expires.
    """

    def __init__(self, redis_settings: RedisSettings, worker: str) -> None:
        self.settings = redis_settings
        self.worker = worker
        self.keys = Keys(redis_settings.prefix)
        self.server = connect(redis_settings)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="yuqing-heartbeat", daemon=True)

    def start(self) -> None:
        patient(self.beat, self.settings.where())
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def beat(self) -> None:
        ttl_ms = int(self.settings.worker_timeout * 1000)
        with self.server.pipeline(transaction=False) as pipe:
            pipe.set(self.keys.alive(self.worker), "1", px=ttl_ms)
            pipe.sadd(self.keys.workers(), self.worker)
            pipe.execute()

    def _run(self) -> None:
        while not self._stop.wait(BEAT_SECONDS):
            try:
                patient(self.beat, self.settings.where())
            except RedisAbandoned:
                return  # stopping without Redis: the key expires, others take the work


class WorkerLoop:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.redis_settings = crawler.settings["YUQING_REDIS"]
        self.worker: str = crawler.settings["YUQING_WORKER"]
        self.until_idle = crawler.settings.getbool("YUQING_UNTIL_IDLE")
        self.keys = Keys(self.redis_settings.prefix)
        self.where = self.redis_settings.where()
        self.server = connect(self.redis_settings)
        self.heart = Heartbeat(self.redis_settings, self.worker)
        # Other workers found without a heartbeat, and since when (monotonic seconds).
        self.missing: dict[str, float] = {}
        self.loop = LoopingCall(self.reap)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLoop:
        return cls(crawler)

    @property
    def source(self) -> SourceSettings:
        return self.crawler.spider.context.source  # type: ignore[union-attr]

    def opened(self, spider: Any) -> None:
        self.heart.start()
        self.loop.start(BEAT_SECONDS, now=False)

    def closed(self, spider: Any) -> None:
        self.heart.stop()
        if self.loop.running:
            self.loop.stop()

    def reap(self) -> None:
        try:
            patient(self._reap, self.where)
        except RedisAbandoned:
            if self.loop.running:
                self.loop.stop()

    def _reap(self) -> None:
        engine = self.crawler.engine
        slot = engine._slot if engine is not None else None
        scheduler = slot.scheduler if slot is not None else None
        queue = getattr(scheduler, "queue", None)
        tracker = getattr(scheduler, "tracker", None)
        if queue is None or tracker is None:
            return
        prefix = self.keys.held(self.source.name, "")
        for raw in self.server.smembers(self.keys.holders(self.source.name)):
            held_key = raw.decode() if isinstance(raw, bytes) else str(raw)
            owner = held_key[len(prefix) :]
            if owner == self.worker:
                # Held here but not in flight: a pop whose reply was lost in an outage.
                for task in queue.held_tasks() - tracker.inflight:
                    queue.nack(task)
            elif self._gone(owner):
                count = queue.requeue_held(held_key)
                if count:
                    logger.warning(
                        "source %s: worker %s is gone; %d requests it held are queued again",
                        self.source.name,
                        owner,
                        count,
                    )

    def _gone(self, owner: str) -> bool:
        """Dead: no heartbeat seen for a whole ``worker_timeout`` by this worker's own clock.

        The key's expiry alone is not enough: after a Redis outage every worker's key has
        expired, and the live ones need a beat to come back before their work is taken.
        """
        if self.server.exists(self.keys.alive(owner)):
            self.missing.pop(owner, None)
            return False
        first = self.missing.setdefault(owner, time.monotonic())
        return time.monotonic() - first >= self.redis_settings.worker_timeout

    def idle(self, spider: Any) -> None:
        """Stay open while the source's crawl goes on anywhere; record a round that is over;
        seed the next round when due."""
        try:
            self._idle(spider)
        except RedisAbandoned:
            return  # stopping without Redis: let the spider close

    def _idle(self, spider: Any) -> None:
        if patient(self._over, self.where):
            settle_round(self.crawler, self.server)
        if not self.until_idle:
            if claim_round(self.crawler, self.source):
                Deferred.fromCoroutine(self._seed(spider))
            raise DontCloseSpider
        if not patient(self._finished, self.where):
            raise DontCloseSpider

    async def _seed(self, spider: Any) -> None:
        async for request in spider.start():
            self.crawler.engine.crawl(request)
        mark_seeded(self.crawler, self.source)

    def _over(self) -> bool:
        """The round's start pages were all queued, and nothing of it is queued or held."""
        source = self.source.name
        if self.server.get(self.keys.round(source)) not in (b"seeded", None):
            return False
        return drained(self.server, self.keys, source)

    def _finished(self) -> bool:
        source = self.source.name
        if not drained(self.server, self.keys, source):
            return False
        return self.server.get(self.keys.round(source)) == b"seeded"
