"""Run Scrapy crawls on demand from ordinary, blocking code: the runner, the CLI, the demo.

Twisted's reactor cannot be restarted, and the runner wants to crawl again every few seconds
for hours. So the reactor runs once per process in a daemon thread, Scrapy's ``CrawlerRunner``
schedules crawls on it, and ``CrawlEngine.crawl`` hands each round over with
``blockingCallFromThread`` and waits for its reports. The reactor is the platform's default
(epoll on Linux), installed on purpose instead of Scrapy's asyncio default, because an asyncio
loop is tied to the thread that made it and this one lives in a thread of its own.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerRunner
from scrapy.settings import Settings as ScrapySettings
from twisted.internet import defer, error
from twisted.internet.threads import blockingCallFromThread
from twisted.python.failure import Failure

from archive.base import Archive
from core.clock import Clock
from core.settings import Settings, SourceSettings
from crawlers.context import CrawlContext
from crawlers.copies import CopyDetector
from crawlers.extensions import record_run
from crawlers.plugins import PluginError, spider_for

__all__ = ["CrawlEngine", "CrawlReport", "crawl_once", "quiet_logging", "scrapy_settings"]

logger = logging.getLogger(__name__)

# Third-party loggers that are chatty at INFO/WARNING about pages that are simply unusual.
_QUIET_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")


@dataclass
class CrawlReport:
    """What one source's crawl did; ``errors`` empty means it went well."""

    source: str
    items: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    updated: int = 0
    rejected: int = 0
    # Why the site refused us (login wall, captcha, rate limit); "" when it did not.
    blocked: str = ""


def scrapy_settings(overrides: Mapping[str, Any] | None = None) -> ScrapySettings:
    """The project's Scrapy settings (``crawlers.settings``) plus ``overrides``.

    Overrides sit at project priority, so the per-source delay and concurrency that the
    spiders set (spider priority) still win, as they do under ``scrapy crawl``.
    """
    settings = ScrapySettings()
    settings.setmodule("crawlers.settings", priority="project")
    if overrides:
        settings.setdict(dict(overrides), priority="project")
    return settings


class _ReactorThread:
    """The process's one Twisted reactor, running in a daemon thread once started."""

    _lock = threading.Lock()
    _thread: threading.Thread | None = None

    @classmethod
    def ensure_running(cls) -> Any:
        with cls._lock:
            from twisted.internet import default

            with suppress(error.ReactorAlreadyInstalledError):
                default.install()
            from twisted.internet import reactor as installed

            reactor: Any = installed
            if cls._thread is None and not reactor.running:
                started = threading.Event()
                reactor.callWhenRunning(started.set)
                cls._thread = threading.Thread(
                    target=reactor.run,
                    kwargs={"installSignalHandlers": False},
                    name="yuqing-crawl-reactor",
                    daemon=True,
                )
                cls._thread.start()
                if not started.wait(30):
                    raise RuntimeError("the crawl reactor did not start within 30 s")
                atexit.register(cls.stop)
            return reactor

    @classmethod
    def in_reactor_thread(cls) -> bool:
        return cls._thread is not None and threading.current_thread() is cls._thread

    @classmethod
    def stop(cls) -> None:
        from twisted.internet import reactor as installed

        reactor: Any = installed

        if cls._thread is not None and reactor.running:
            with suppress(Exception):
                reactor.callFromThread(reactor.stop)
            cls._thread.join(timeout=5)


class CrawlEngine:
    """Crawl sources into the archive, round after round, from any non-reactor thread."""

    def __init__(
        self,
        settings: Settings,
        archive: Archive,
        clock: Clock,
        *,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.archive = archive
        self.clock = clock
        # Shared by every round, so a story syndicated to two sites is recognised as a copy
        # even when the sites are crawled in different rounds.
        self.copies = CopyDetector()
        self._scrapy_settings = scrapy_settings(overrides)
        quiet_logging(self._scrapy_settings.get("LOG_LEVEL", "WARNING"))
        self._reactor = _ReactorThread.ensure_running()
        self._runner = CrawlerRunner(self._scrapy_settings)
        self._round_lock = threading.Lock()
        self._closed = False

    def crawl(self, sources: Sequence[SourceSettings]) -> list[CrawlReport]:
        """Crawl ``sources`` concurrently; block until all are done; one report per source."""
        if self._closed:
            raise RuntimeError("this CrawlEngine is closed")
        if _ReactorThread.in_reactor_thread():
            raise RuntimeError("CrawlEngine.crawl blocks; call it from outside the reactor")
        if not sources:
            return []
        contexts = [
            CrawlContext(
                source=source,
                archive=self.archive,
                clock=self.clock,
                copies=self.copies,
            )
            for source in sources
        ]
        with self._round_lock:
            reports: list[CrawlReport] = blockingCallFromThread(
                self._reactor, self._crawl_round, contexts
            )
        return reports

    def close(self) -> None:
        """Stop this engine's crawls still running. The shared reactor thread stays up.

        (The reactor cannot be restarted, so it lives as long as the process; it is a daemon
        thread and is stopped at interpreter exit.)
        """
        if self._closed:
            return
        self._closed = True
        if self._runner.crawlers and not _ReactorThread.in_reactor_thread():
            blockingCallFromThread(self._reactor, self._runner.stop)

    def __enter__(self) -> CrawlEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- in the reactor thread -------------------------------------------------------
    def _crawl_round(self, contexts: Iterable[CrawlContext]) -> defer.Deferred[list[CrawlReport]]:
        runs = [self._crawl_one(context) for context in contexts]
        return defer.gatherResults(runs)

    def _crawl_one(self, context: CrawlContext) -> defer.Deferred[CrawlReport]:
        started = time.monotonic()
        try:
            spider = spider_for(context.source)
        except PluginError as exc:
            return defer.succeed(self._failed(context, started, str(exc)))
        try:
            running = self._runner.crawl(spider, context=context)
        except Exception as exc:  # a spider that cannot even start is one source's problem
            return defer.succeed(self._failed(context, started, f"could not start: {exc}"))

        def finished(result: Any) -> CrawlReport:
            if isinstance(result, Failure):
                return self._failed(context, started, f"crawl failed: {result.getErrorMessage()}")
            return _report(context, started)

        return running.addBoth(finished)

    @staticmethod
    def _failed(context: CrawlContext, started: float, message: str) -> CrawlReport:
        logger.error("source %s: %s", context.source.name, message)
        context.tally.error(message)
        with suppress(Exception):
            record_run(context, "failed")
        return _report(context, started)


def _report(context: CrawlContext, started: float) -> CrawlReport:
    tally = context.tally
    return CrawlReport(
        source=context.source.name,
        items=tally.items,
        new=tally.inserted,
        errors=list(tally.errors),
        seconds=time.monotonic() - started,
        updated=tally.updated,
        rejected=tally.rejected,
        blocked=tally.blocked,
    )


def quiet_logging(level: str) -> None:
    """Apply LOG_LEVEL to Scrapy's loggers: no CrawlerProcess is there to do it for us."""
    logging.getLogger("scrapy").setLevel(level)
    logging.getLogger("protego").setLevel(level)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def crawl_once(
    settings: Settings,
    archive: Archive,
    clock: Clock,
    source_names: Sequence[str] | None = None,
) -> list[CrawlReport]:
    """Crawl the named sources (all enabled ones when none are named) once: `yuqing crawl`."""
    if source_names:
        sources = [settings.source(name) for name in source_names]
    else:
        sources = [source for source in settings.sources if source.enabled]
    engine = CrawlEngine(settings, archive, clock)
    try:
        return engine.crawl(sources)
    finally:
        engine.close()
