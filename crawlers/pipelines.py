"""Item pipelines: validate → dedup → write to the archive (orders 100, 200, 300 in settings).

Each is a small Scrapy component built with ``from_crawler``; they reach the run's archive,
clock and tally through ``crawler.spider.context``. The writer stores items in small batches
at least once a second, so a crawler process that dies loses at most a second of work, and
nothing downstream waits for a whole crawl to finish.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import task

from archive.models import Mention, Reject
from crawlers.context import CrawlContext
from crawlers.items import MentionItem
from crawlers.normalise import InvalidRecord, mention_id, record_json, to_mention

__all__ = ["ArchiveWriterPipeline", "DedupPipeline", "ValidatePipeline"]

logger = logging.getLogger(__name__)


class _ContextComponent:
    """Base for components that work on the spider's ``CrawlContext``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    @property
    def context(self) -> CrawlContext:
        spider = self.crawler.spider
        context = getattr(spider, "context", None)
        if not isinstance(context, CrawlContext):
            raise RuntimeError(f"{type(self).__name__} needs a Yuqing spider with a context")
        return context


class ValidatePipeline(_ContextComponent):
    """Turn items into mentions; bad records go to the archive's rejects with the reason."""

    def process_item(self, item: Any) -> Mention:
        if isinstance(item, Mention):
            return item
        context = self.context
        now = context.clock.now()
        try:
            if not isinstance(item, MentionItem):
                raise InvalidRecord(f"not a mention item: {type(item).__name__}")
            return to_mention(item, now)
        except InvalidRecord as exc:
            self._keep_aside(context, item, str(exc))
            raise DropItem(str(exc), log_level="DEBUG") from None

    @staticmethod
    def _keep_aside(context: CrawlContext, item: Any, reason: str) -> None:
        """Store the reject once: a record that is still bad next round is not stored again."""
        record_id = _record_id(item)
        context.tally.rejected += 1
        if record_id and record_id in context.rejected_before:
            return
        context.archive.ledger.keep_aside(
            Reject(
                at=context.clock.now(),
                source=context.source.name,
                record=record_json(item),
                reason=reason,
            )
        )
        if record_id:
            context.tally.rejected_ids.append(record_id)
            context.rejected_before.add(record_id)
        logger.warning("source %s: kept a record aside: %s", context.source.name, reason)


class DedupPipeline(_ContextComponent):
    """One item per id per run; reprints and copy-pastes are linked to their original.

    A copy is kept (a syndicated story on a second site is still reach) but carries
    ``extra["duplicate_of"]`` with the id of the original and ``extra["similarity"]`` (the
    estimated Jaccard of their character 3-grams), so counting and clustering can treat the
    two as one story (``crawlers.copies``).
    """

    def open_spider(self) -> None:
        self.seen: set[str] = set()

    def process_item(self, item: Mention) -> Mention:
        if item.id in self.seen:
            raise DropItem(f"duplicate of an item already seen in this run: {item.id}", "DEBUG")
        self.seen.add(item.id)
        match = self.context.copies.original_of(self.context.archive, item)
        if match is not None and match.original != item.id:
            item.extra["duplicate_of"] = match.original
            item.extra["similarity"] = match.similarity
        relinked = self.context.copies.take_relinks()
        if relinked:  # an earlier original arrived after its copies: they now point to it
            self.context.archive.upsert_mentions(relinked)
        return item


class ArchiveWriterPipeline(_ContextComponent):
    """Upsert mentions promptly: every ``batch_size`` items, every second, and at close."""

    batch_size = 50
    flush_interval = 1.0

    def open_spider(self) -> None:
        self.buffer: list[Mention] = []
        self.loop = task.LoopingCall(self.flush)
        self.loop.start(self.flush_interval, now=False)

    def process_item(self, item: Mention) -> Mention:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def close_spider(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.flush(final=True)

    def flush(self, final: bool = False) -> None:
        """Store the buffer; on failure keep it for the next flush and report the error."""
        if not self.buffer:
            return
        context = self.context
        batch, self.buffer = self.buffer, []
        try:
            result = context.archive.upsert_mentions(batch)
        except Exception as exc:  # the archive's errors are varied; none may kill the crawl
            self.buffer = batch + self.buffer
            message = f"archive write failed for {len(batch)} items: {exc}"
            if final:
                context.tally.error(message)
                context.tally.write_failed = True
            logger.error("source %s: %s", context.source.name, message)
            return
        context.tally.items += len(batch)
        context.tally.inserted += result.inserted
        context.tally.updated += result.updated


def _record_id(item: Any) -> str:
    if not isinstance(item, MentionItem) or not (item.url or item.native_id):
        return ""
    return mention_id(item.platform, item.url, item.native_id)
