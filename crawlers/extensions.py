"""Extensions: record each run in the source's crawl state, and catch callback errors.

The state is written when the spider closes, after the pipelines have flushed, so
``items_last_run`` counts what really reached the archive. Times come from the crawl's clock.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.context import CrawlContext

__all__ = ["SourceStateRecorder", "record_run"]

logger = logging.getLogger(__name__)

# Errors listed in the state's detail; the count keeps growing past this.
_KEPT_ERRORS = 5
# Runs kept in the state's history (items, new, rejected, errors per run) for the dashboard.
_KEPT_RUNS = 20
# Ids of rejected records remembered per source, newest kept.
_KEPT_REJECTED_IDS = 2000


class SourceStateRecorder:
    """Writes ``SourceState`` (runs, errors, last success, items) at spider close."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SourceStateRecorder:
        return cls(crawler)

    def _context(self) -> CrawlContext | None:
        context = getattr(self.crawler.spider, "context", None)
        return context if isinstance(context, CrawlContext) else None

    def spider_opened(self, spider: Any) -> None:
        """Mark the run as under way, so that a crash leaves the source marked incomplete."""
        context = self._context()
        if context is None:
            return
        state = context.archive.ledger.get_source_state(context.source.name)
        context.trust_seen = bool(state.state.get("complete", False))
        context.rejected_before = set(state.state.get("rejected_ids", []))
        state.state["complete"] = False
        context.archive.ledger.save_source_state(state)

    def spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        context = self._context()
        if context is not None:
            context.tally.error(f"{response.url}: {type(failure.value).__name__}: {failure.value}")

    def spider_closed(self, spider: Any, reason: str) -> None:
        context = self._context()
        if context is None:
            return
        try:
            record_run(context, reason)
        finally:
            if context.owns_archive:
                context.archive.close()


def record_run(context: CrawlContext, reason: str) -> None:
    """Add this run to the source's stored state (runs, errors, last success, items)."""
    tally, now = context.tally, context.clock.now()
    if reason not in ("finished", "shutdown") and not tally.errors:
        tally.error(f"crawl ended early: {reason}")
    state = context.archive.ledger.get_source_state(context.source.name)
    state.runs += 1
    state.last_run_at = now
    state.items_last_run = tally.items
    if tally.errors:
        state.errors += len(tally.errors)
        state.last_error = tally.errors[-1] if not tally.blocked else tally.blocked
        state.last_error_at = now
    if tally.start_ok and not tally.blocked:
        state.last_success_at = now
    failed = bool(tally.errors or tally.blocked)
    state.state["failed_runs"] = int(state.state.get("failed_runs", 0)) + failed
    history = list(state.state.get("history", []))[-(_KEPT_RUNS - 1) :]
    history.append(
        {
            "at": now.isoformat(),
            "items": tally.items,
            "new": tally.inserted,
            "rejected": tally.rejected,
            "errors": len(tally.errors),
            "not_modified": tally.not_modified,
        }
    )
    state.state.update(
        {
            "history": history,
            "last_not_modified": tally.not_modified,
            # Conditional GET and "stop paging at the first known article" are only safe
            # when nothing is missing: a kept-aside page is accounted for, a timeout is not.
            "complete": reason == "finished" and not tally.unsettled and not tally.blocked,
            "blocked": tally.blocked,
            "last_new": tally.inserted,
            "last_updated": tally.updated,
            "last_rejected": tally.rejected,
            "last_errors": tally.errors[:_KEPT_ERRORS],
        }
    )
    if tally.state_updates and not tally.write_failed:
        state.state.update(tally.state_updates)
    if tally.rejected_ids:
        remembered = [i for i in state.state.get("rejected_ids", []) if i not in tally.rejected_ids]
        state.state["rejected_ids"] = (remembered + tally.rejected_ids)[-_KEPT_REJECTED_IDS:]
    context.archive.ledger.save_source_state(state)
    if tally.errors:
        logger.warning(
            "source %s: %d error(s), last: %s",
            context.source.name,
            len(tally.errors),
            state.last_error,
        )
