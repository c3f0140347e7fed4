"""What every Yuqing spider shares: its source settings, clock, error reporting and items.

A spider is configured by one ``SourceSettings``; per-source politeness (delay, concurrency,
headers) is written into the crawler's settings before Scrapy freezes them, so Scrapy's own
downloader enforces it exactly as for any hand-written spider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.context import CrawlContext
from crawlers.items import MentionItem

__all__ = ["SourceSpider"]


class SourceSpider(scrapy.Spider):
    """Base of the rss, news, weibo and official spiders; never run on its own."""

    # Scrapy's spider loader skips classes without a name; subclasses set ``name`` to the
    # source type they crawl.
    platform: ClassVar[str] = "other"

    def __init__(self, context: CrawlContext, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context = context
        self.source = context.source
        self.start_urls = list(context.source.start_urls)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        """Build from the engine's ``context=`` or from ``-a source=NAME -a config=PATH``."""
        context = kwargs.pop("context", None)
        if context is None:
            source_name = kwargs.pop("source", None)
            if not source_name:
                raise ValueError(f"`scrapy crawl {cls.name}` needs -a source=NAME")
            config = kwargs.pop("config", "yuqing.yaml")
            context = CrawlContext.from_config(config, source_name, cls.name)
        spider = super().from_crawler(crawler, *args, context=context, **kwargs)
        _apply_source_settings(crawler, context)
        return spider

    # ---- helpers for subclasses -------------------------------------------------------
    def now(self) -> datetime:
        return self.context.clock.now()

    def request(self, url: str, callback: Callable[..., Any], **kwargs: Any) -> scrapy.Request:
        """A request that reports its failure in the source state instead of only the log."""
        cookies: dict[str | bytes, str | bytes | bool | float | int] = {
            k: v.get_secret_value() for k, v in self.source.cookies.items()
        }
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, cookies=cookies or None, **kwargs
        )

    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason = f"HTTP {response.status}"
        else:
            reason = failure.getErrorMessage() or type(failure.value).__name__
        self.context.tally.error(f"{url}: {reason}")

    def item(self, response: Response, **fields: Any) -> MentionItem:
        """An item stamped with this source, its region and the crawl clock's fetch time."""
        fields.setdefault("url", response.url)
        fields.setdefault("region", self.source.region)
        return MentionItem(
            source=self.source.name,
            platform=self.platform,
            fetched_at=self.now(),
            **fields,
        )

    def decoded(self, response: Response) -> Response:
        """The response re-decoded with the source's configured ``encoding``, if any.

        Sites that lie about their charset are common; the operator's setting wins.
        """
        encoding = self.source.encoding
        if encoding and hasattr(response, "text"):
            return response.replace(encoding=encoding)
        return response

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            yield self.request(url, self.parse_start, dont_filter=True)

    def parse_start(self, response: Response) -> Any:
        raise NotImplementedError


def _apply_source_settings(crawler: Crawler, context: CrawlContext) -> None:
    """Per-source politeness as spider-priority settings (before Scrapy freezes them)."""
    source = context.source
    settings = crawler.settings
    if settings.frozen:
        return
    settings.set("DOWNLOAD_DELAY", source.delay, priority="spider")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", source.concurrency, priority="spider")
    if source.headers:
        headers = dict(settings.getdict("DEFAULT_REQUEST_HEADERS"))
        headers.update({k: v.get_secret_value() for k, v in source.headers.items()})
        settings.set("DEFAULT_REQUEST_HEADERS", headers, priority="spider")
