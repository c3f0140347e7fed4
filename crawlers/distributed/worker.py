"""``yuqing crawl-worker``: one Scrapy process crawling its sources from the shared frontier.

The worker runs the project's own spiders and pipelines (``crawlers.settings``) with the
distributed components swapped in by settings, Scrapy's way: the scheduler, the store-now
writer instead of the batching one, the ack middleware, the shared rate budget and the
worker loop. Any number of workers on any hosts may run the same sources at once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import CrawlerProcess
from twisted.python.failure import Failure

from archive import open_archive
from core.clock import RealClock
from core.settings import Settings, SourceSettings
from core.text.segment import ensure_loaded
from crawlers.context import CrawlContext
from crawlers.copies import THRESHOLD, CopyDetector
from crawlers.distributed.connection import connect, request_stop, worker_id
from crawlers.distributed.copies import SharedCopyMemory
from crawlers.distributed.queue import TASK
from crawlers.distributed.scheduler import TaskTracker
from crawlers.engine import quiet_logging, scrapy_settings
from crawlers.extract_pool import start_pool
from crawlers.spiders import SPIDERS
from crawlers.spiders.base import SourceSpider

__all__ = ["WorkerProcess", "distributed_spider", "run_worker", "warm_up", "worker_settings"]

logger = logging.getLogger(__name__)

# An idle worker asks the shared queue for work this often (Scrapy's default is every 5 s,
# fine for one process, slow when the work is pushed by another one).
IDLE_POLL_SECONDS = 0.5


class WorkerProcess(CrawlerProcess):
    """Scrapy's process whose stop signals also end a wait for Redis.

    Scrapy's handler only schedules the stop on the reactor, which an outage holds (every
    Redis call waits for the server, ``connection.patient``): without this a worker would
    stop only once Redis came back. (``_signal_shutdown``/``_signal_kill`` are Scrapy's
    handlers for the first and a repeated SIGTERM/SIGINT; tests/test_scale_crawl.py stops a
    worker during an outage.)
    """

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        request_stop()
        super()._signal_shutdown(signum, frame)

    def _signal_kill(self, signum: int, frame: Any) -> None:
        request_stop()
        super()._signal_kill(signum, frame)


def worker_settings(settings: Settings, worker: str, until_idle: bool) -> dict[str, Any]:
    """The Scrapy settings that turn the project's crawler into a distributed worker."""
    pipelines = dict(scrapy_settings().getdict("ITEM_PIPELINES"))
    pipelines["crawlers.pipelines.ArchiveWriterPipeline"] = None
    pipelines["crawlers.distributed.components.StoreNowPipeline"] = 300
    middlewares = dict(scrapy_settings().getdict("DOWNLOADER_MIDDLEWARES"))
    middlewares["crawlers.distributed.components.SharedRateLimit"] = 50
    extensions = dict(scrapy_settings().getdict("EXTENSIONS"))
    extensions["crawlers.distributed.schedule.WorkerLoop"] = 100
    # A run is a round of all workers, recorded by crawlers.distributed.health, not a
    # spider's close.
    extensions["crawlers.extensions.SourceStateRecorder"] = None
    extensions["crawlers.distributed.health.RoundStateRecorder"] = 500
    return {
        "SCHEDULER": "crawlers.distributed.scheduler.ReliableScheduler",
        "ITEM_PIPELINES": pipelines,
        "DOWNLOADER_MIDDLEWARES": middlewares,
        # Order 10: its output side runs last, so it counts only what reaches the engine.
        "SPIDER_MIDDLEWARES": {"crawlers.distributed.components.AckMiddleware": 10},
        "EXTENSIONS": extensions,
        "YUQING_REDIS": settings.redis,
        "YUQING_WORKER": worker,
        "YUQING_UNTIL_IDLE": until_idle,
        # A worker runs until stopped; a round is not a crawl with an end.
        "CLOSESPIDER_TIMEOUT": 0,
        # Logging is the command line's (level from -v), not a second root handler.
        "LOG_INSTALL_ROOT_HANDLER": False,
    }


def distributed_spider(base: type[SourceSpider]) -> type[SourceSpider]:
    """``base`` whose failed requests are acknowledged too (a download error is handled)."""

    def on_error(self: SourceSpider, failure: Failure) -> None:
        base.on_error(self, failure)
        request = getattr(failure, "request", None)
        tracker = getattr(self, "yuqing_tasks", None)
        if request is not None and isinstance(tracker, TaskTracker) and TASK in request.meta:
            tracker.output_done(request.meta[TASK])

    def from_crawler(cls: type[SourceSpider], crawler: Any, *args: Any, **kwargs: Any) -> Any:
        spider = base.from_crawler.__func__(cls, crawler, *args, **kwargs)  # type: ignore[attr-defined]
        # The shared rate budget replaces each process's own delay (else N workers, N x rate).
        if not crawler.settings.frozen:
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        return spider

    return type(
        f"Distributed{base.__name__}",
        (base,),
        {"on_error": on_error, "from_crawler": classmethod(from_crawler)},
    )


def warm_up(extract_workers: int) -> None:
    """Load what the first pages would otherwise load while crawling: the segmenter the
    archive indexes mentions with (jieba's dictionaries, ~1-3 s of CPU on the first write)
    and the extraction processes with their imports. A worker runs for days; paid up front,
    the loading neither holds up the first pages nor competes with the other workers'."""
    ensure_loaded()
    start_pool(extract_workers)


def run_worker(
    settings: Settings, sources: Sequence[SourceSettings], until_idle: bool = False
) -> str:
    """Crawl ``sources`` from the shared frontier until stopped (or, ``until_idle``, done)."""
    if settings.redis is None:
        raise ValueError("the crawl worker needs 'redis:' in the configuration")
    worker = worker_id()
    ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = IDLE_POLL_SECONDS
    overrides = worker_settings(settings, worker, until_idle)
    process = WorkerProcess(scrapy_settings(overrides))
    # CrawlerProcess sets Scrapy's loggers to DEBUG (its default logging dict); without a
    # root handler of its own, every page and every scraped item (its whole text) would
    # reach the command line's handler: formatting and writing them cost a worker a large
    # share of its CPU (docs/scale-out.md, figures). -v keeps them.
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        quiet_logging(process.settings.get("LOG_LEVEL", "WARNING"))
    warm_up(process.settings.getint("EXTRACT_WORKERS", 0))
    archive = open_archive(settings.archive)
    # One near-duplicate memory for every worker (Redis), not one per process.
    memory = SharedCopyMemory(
        connect(settings.redis), settings.redis.prefix, settings.redis.where(), THRESHOLD
    )
    copies = CopyDetector(memory=memory)
    try:
        for source in sources:
            spider = distributed_spider(SPIDERS[source.type])
            context = CrawlContext(source=source, archive=archive, clock=RealClock(), copies=copies)
            crawler = process.create_crawler(spider)
            process.crawl(crawler, context=context)
        logger.warning(
            "crawl worker %s on %s: %d sources", worker, settings.redis.where(), len(sources)
        )
        process.start()
    finally:
        archive.close()
    return worker
