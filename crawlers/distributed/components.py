"""The Scrapy components a crawl worker adds, each wired by the worker's settings.

- ``AckMiddleware`` (spider middleware): counts the items of each held request, says when its
  callback is done, and lets a source's start requests through only in the worker that
  claimed the source's round.
- ``StoreNowPipeline`` (last item pipeline): writes each mention to the archive before the
  item counts as processed, so an acknowledgement means "in the archive".
- ``SharedRateLimit`` (downloader middleware): one request per ``delay`` per domain across
  all workers, from a budget in Redis, instead of every worker waiting ``delay`` on its own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet import reactor
from twisted.internet.task import deferLater
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from archive.models import Mention
from crawlers.distributed.connection import Keys, RedisAbandoned, connect, patient
from crawlers.distributed.queue import TASK
from crawlers.distributed.schedule import claim_round, mark_seeded
from crawlers.distributed.scheduler import TaskTracker

__all__ = ["AckMiddleware", "SharedRateLimit", "StoreNowPipeline"]

logger = logging.getLogger(__name__)

# One atomic step of the shared budget: the next free slot of the domain, at least now (the
# server's clock, the same for every host), and the wait until it in milliseconds.
TAKE_SLOT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, free)
redis.call('SET', KEYS[1], slot + tonumber(ARGV[1]), 'PX', tonumber(ARGV[1]) + 60000)
return slot - now
"""


def _tracker(spider: Spider | None) -> TaskTracker | None:
    tracker = getattr(spider, "yuqing_tasks", None)
    return tracker if isinstance(tracker, TaskTracker) else None


def _task_of(response: Response | Failure | None) -> str | None:
    request = getattr(response, "request", None)
    return None if request is None else request.meta.get(TASK)


class AckMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.item_stored, signal=signals.item_scraped)
        crawler.signals.connect(self.item_stored, signal=signals.item_dropped)
        crawler.signals.connect(self.item_failed, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckMiddleware:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The start pages, only in the worker that claims this round of the source."""
        spider = self.crawler.spider
        source = getattr(spider, "context").source  # noqa: B009 - a SourceSpider
        if not claim_round(self.crawler, source):
            return
        async for request in start:
            yield request
        mark_seeded(self.crawler, source)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        task, tracker = _task_of(response), _tracker(self.crawler.spider)
        try:
            for output in result:
                yield self._count(output, task, tracker)
        finally:
            if task is not None and tracker is not None:
                tracker.output_done(task)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        task, tracker = _task_of(response), _tracker(self.crawler.spider)
        try:
            async for output in result:
                yield self._count(output, task, tracker)
        finally:
            if task is not None and tracker is not None:
                tracker.output_done(task)

    @staticmethod
    def _count(output: Any, task: str | None, tracker: TaskTracker | None) -> Any:
        if isinstance(output, Request):
            # A new page found by the callback is a new task, not a retry of this one.
            output.meta.pop(TASK, None)
        elif task is not None and tracker is not None:
            tracker.item_started(task)
        return output

    def item_stored(self, item: Any, response: Any, spider: Spider, **kwargs: Any) -> None:
        task, tracker = _task_of(response), _tracker(spider)
        if task is not None and tracker is not None:
            tracker.item_finished(task, stored=True)

    def item_failed(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        task, tracker = _task_of(response), _tracker(spider)
        if task is not None and tracker is not None:
            tracker.item_finished(task, stored=False)


class StoreNowPipeline:
    """Upsert each mention at once; an archive error fails the item (its request is retried)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreNowPipeline:
        return cls(crawler)

    async def process_item(self, item: Mention) -> Mention:
        context = self.crawler.spider.context  # type: ignore[union-attr]
        # In a thread of the reactor's pool, not on the reactor: the write waits for the
        # archive's lock while other workers write (SQLite: one writer per file), and the
        # reactor must go on downloading meanwhile (the archive serialises its own callers).
        result = await deferToThread(context.archive.upsert_mentions, [item])
        context.tally.items += 1
        context.tally.inserted += result.inserted
        context.tally.updated += result.updated
        return item


class SharedRateLimit:
    """Wait for the domain's next slot in the shared budget before each download."""

    def __init__(self, crawler: Crawler) -> None:
        redis_settings = crawler.settings["YUQING_REDIS"]
        self.server = connect(redis_settings)
        self.where = redis_settings.where()
        self.keys = Keys(redis_settings.prefix)
        self.take = self.server.register_script(TAKE_SLOT)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateLimit:
        return cls(crawler)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        owner = self.crawler.spider
        delay = float(getattr(owner, "context").source.delay)  # noqa: B009 - a SourceSpider
        domain = urlsplit(request.url).netloc
        if delay <= 0 or not domain:
            return None
        interval = max(1, round(delay * 1000))
        key = self.keys.rate(domain)
        try:
            wait_ms = int(patient(lambda: self.take(keys=[key], args=[interval]), self.where))
        except RedisAbandoned:
            # Stopping without Redis: not fetched here; the request stays held in Redis.
            raise IgnoreRequest(f"stopping: {request.url} left to other workers") from None
        if wait_ms > 0:
            await deferLater(reactor, wait_ms / 1000.0, lambda: None)
        return None
