"""The Scrapy scheduler of a crawl worker: scrapy-redis' scheduler on the reliable queue.

Wired by the worker's Scrapy settings (``SCHEDULER``). Per source: the queue
``<prefix>:crawl:<source>:queue`` and the duplicate filter ``<prefix>:crawl:<source>:seen``
(scrapy-redis' ``RFPDupeFilter``, a Redis set of request fingerprints: exact, see
docs/scale-out.md for why not a Bloom filter). The scheduler also keeps the ``TaskTracker``
that decides when a popped request is acknowledged. Every Redis call waits out an outage.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from core.settings_redis import RedisSettings
from crawlers.distributed.connection import Keys, RedisAbandoned, connect, patient
from crawlers.distributed.health import TallyShipper
from crawlers.distributed.queue import TASK, ReliableQueue

__all__ = ["ReliableScheduler", "TaskTracker"]

logger = logging.getLogger(__name__)


class TaskTracker:
    """When a held request may be acknowledged: its callback is over and its items stored.

    The spider middleware counts the items a response's callback yields and says when the
    callback is done; the item signals say when each item left the pipelines (stored or
    dropped, or failed). Only the last of these events acknowledges; a failed item puts the
    request back in the queue instead.
    """

    def __init__(
        self,
        queue: ReliableQueue,
        where: str,
        before_ack: Callable[[Callable[[Any], object] | None], None] | None = None,
    ) -> None:
        self.queue = queue
        self.where = where
        # Ships the page's results to the round's tally (health.TallyShipper) first, so a
        # round seen drained has every result of its pages; an acknowledgement goes in the
        # same transaction (given as a function adding it to the shipper's pipeline).
        self.before_ack = before_ack
        self.inflight: set[str] = set()
        self._items: Counter[str] = Counter()
        self._done: set[str] = set()
        self._failed: set[str] = set()

    def popped(self, task: str) -> None:
        self.inflight.add(task)

    def item_started(self, task: str) -> None:
        self._items[task] += 1

    def item_finished(self, task: str, stored: bool) -> None:
        if task not in self.inflight:
            return
        self._items[task] -= 1
        if not stored:
            self._failed.add(task)
        self._settle(task)

    def output_done(self, task: str) -> None:
        if task in self.inflight:
            self._done.add(task)
            self._settle(task)

    def replaced(self, task: str) -> None:
        self._forget(task)

    def _settle(self, task: str) -> None:
        if task not in self._done or self._items[task] > 0:
            return
        ship = self.before_ack
        try:
            if task in self._failed:
                if ship is not None:
                    patient(lambda: ship(None), self.where)
                patient(lambda: self.queue.nack(task), self.where)
            elif ship is not None:
                patient(lambda: ship(lambda pipe: self.queue.ack(task, pipe)), self.where)
            else:
                patient(lambda: self.queue.ack(task), self.where)
        except RedisAbandoned:
            # Stopping without Redis: the request stays held there and is fetched again.
            pass
        self._forget(task)

    def _forget(self, task: str) -> None:
        self.inflight.discard(task)
        self._done.discard(task)
        self._failed.discard(task)
        self._items.pop(task, None)


class ReliableScheduler(Scheduler):
    """scrapy-redis' scheduler with per-source keys, held requests and outage waiting."""

    def __init__(self, crawler: Crawler) -> None:
        self.redis_settings: RedisSettings = crawler.settings["YUQING_REDIS"]
        self.worker: str = crawler.settings["YUQING_WORKER"]
        self.keys = Keys(self.redis_settings.prefix)
        self.where = self.redis_settings.where()
        server = connect(self.redis_settings)
        patient(server.ping, self.where)
        super().__init__(server, persist=True, serializer=picklecompat)
        self.stats = crawler.stats
        self.crawler = crawler
        self.tracker: TaskTracker | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReliableScheduler:
        return cls(crawler)

    def open(self, spider: Spider) -> None:
        self.spider = spider
        source = getattr(spider, "context").source.name  # noqa: B009 - a SourceSpider
        self.queue = ReliableQueue(
            self.server,
            spider,
            self.keys.queue(source),
            self.keys.held(source, self.worker),
            self.serializer,
            self.keys.holders(source),
        )
        self.df = RFPDupeFilter(self.server, key=self.keys.seen(source))
        shipper = TallyShipper(self.server, self.keys, source, getattr(spider, "context").tally)  # noqa: B009
        self.tracker = TaskTracker(self.queue, self.where, shipper.ship)
        setattr(spider, "yuqing_tasks", self.tracker)  # noqa: B010 - read by the components

    def close(self, reason: str) -> None:
        """Hand back what this worker still holds (a clean stop loses nothing either)."""
        queue = getattr(self, "queue", None)
        if queue is None:
            return
        try:
            patient(lambda: queue.requeue_held(queue.held_key), self.where)
        except RedisAbandoned:
            logger.warning(
                "stopped without Redis: what this worker held stays in %s; a live worker "
                "queues it again once this one's heartbeat has been gone for worker_timeout",
                queue.held_key,
            )

    def __len__(self) -> int:
        try:
            return int(patient(lambda: len(self.queue), self.where))
        except RedisAbandoned:
            return 0

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except RedisAbandoned:
            # Not queued; the page that found it is not acknowledged either, so whoever
            # fetches that page again finds this request again.
            return False

    def _enqueue(self, request: Request) -> bool:
        old = request.meta.get(TASK)
        assert self.tracker is not None
        # Filter and queue in one step (ReliableQueue.replace): never "seen" but not queued.
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        seen = self.df.key
        if old is not None and old in self.tracker.inflight:
            # A retry or redirect of a held request: the new one takes its place in one step.
            if not patient(lambda: self.queue.replace(old, request, seen, fingerprint), self.where):
                self.tracker.output_done(old)
                return False
            self.tracker.replaced(old)
            return True
        request.meta.pop(TASK, None)
        if not patient(lambda: self.queue.push(request, seen, fingerprint), self.where):
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self._downloads_waiting():
            return None
        try:
            request: Request | None = patient(self.queue.pop, self.where)
        except RedisAbandoned:
            return None
        if request is None:
            return None
        assert self.tracker is not None
        self.tracker.popped(request.meta[TASK])
        self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _downloads_waiting(self) -> bool:
        """A request taken earlier still waits for a download slot (or for its politeness
        delay) in this process: take no more from the shared queue until it starts.

        Scrapy's engine pulls from the scheduler until ``CONCURRENT_REQUESTS`` (16) are in
        its downloader, whatever the per-domain concurrency (the source's, e.g. 2). From a
        process's own queue that costs nothing; from the shared one, each worker held 14
        requests it could not start yet, so a list page that another worker's article
        download had just found waited in some worker's local line behind them (~3.5 s at
        0.5 s a page) and the frontier advanced one list page per ~3 s whatever the number
        of workers: the ceiling of the 4-worker figure (docs/scale-out.md, crawl). Held
        requests are also what a dead worker's colleagues must wait ``worker_timeout`` for.
        """
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is None:
            return False
        transferring = sum(len(slot.transferring) for slot in downloader.slots.values())
        return len(downloader.active) > transferring

    def has_pending_requests(self) -> bool:
        return len(self) > 0
