"""What every Yuqing spider shares: its source settings, clock, error reporting and items.

A spider is configured by one ``SourceSettings``; per-source politeness (delay, concurrency,
headers) is written into the crawler's settings before Scrapy freezes them, so Scrapy's own
downloader enforces it exactly as for any hand-written spider.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.models import Reject
from crawlers.context import CrawlContext
from crawlers.encoding import best_encoding
from crawlers.items import MentionItem
from crawlers.normalise import mention_id

__all__ = ["SourceSpider"]

# Answers that say an article is not there: not retried until its list page changes.
_NOT_THERE = (404, 410)

logger = logging.getLogger(__name__)


class SourceSpider(scrapy.Spider):
    """Base of the rss, news, weibo and official spiders; never run on its own."""

    # Scrapy's spider loader skips classes without a name; subclasses set ``name`` to the
    # source type they crawl.
    platform: ClassVar[str] = "other"
    # Start pages fetched with If-None-Match / If-Modified-Since (crawlers.middlewares).
    conditional_start: ClassVar[bool] = True

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
        """A failed request: counted as an error, and kept aside when retrying cannot help.

        An HTTP error or a timeout may pass by the next round; a page over the size limit or
        a redirect loop will not, so those are kept aside with the reason and not fetched
        again every round. Neither those nor an article the site says is not there (404 /
        410: it is asked again whenever its list page changes, since sites sometimes list a
        link before the page is up) make the run incomplete, which would turn off conditional
        GET and early paging stops for the whole source until a perfect round.
        """
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if request is not None and request.meta.get("redirect_urls"):
            url = request.meta["redirect_urls"][0]  # the link as the list page gave it
        response = getattr(failure.value, "response", None)
        message = failure.getErrorMessage() or type(failure.value).__name__
        settled = False
        if response is not None:
            reason = f"HTTP {response.status}"
            article = request is not None and request.meta.get("article")
            settled = bool(article) and response.status in _NOT_THERE
        elif "max size" in message or "larger than" in message:
            reason = f"over the size limit ({self.settings.getint('DOWNLOAD_MAXSIZE')} bytes)"
            self.keep_aside(url, reason)
            settled = True
        elif "max redirections" in message:
            reason = f"redirect loop (more than {self.settings.getint('REDIRECT_MAX_TIMES')})"
            self.keep_aside(url, reason)
            settled = True
        else:
            reason = message
        self.context.tally.error(f"{url}: {reason}", settled=settled)

    def keep_aside(
        self, url: str, reason: str, record: dict[str, Any] | None = None, key: str = ""
    ) -> None:
        """Keep a page that cannot become a mention aside, once, with its source and reason.

        ``key`` names what is remembered as kept aside (default: the page's mention id, so a
        list page does not lead to it again); a note about a whole feed gives its own key.
        """
        context = self.context
        record_id = key or (mention_id(self.platform, url) if url.startswith("http") else "")
        context.tally.rejected += 1
        if record_id and record_id in context.rejected_before:
            return
        logger.warning("source %s: kept %s aside: %s", self.source.name, url, reason)
        context.archive.ledger.keep_aside(
            Reject(
                at=self.now(),
                source=self.source.name,
                record=json.dumps({"url": url, **(record or {})}, ensure_ascii=False),
                reason=reason,
            )
        )
        if record_id:
            context.tally.rejected_ids.append(record_id)
            context.rejected_before.add(record_id)

    def html_text(self, response: Response) -> tuple[Response, str] | None:
        """The page decoded right and its text; None (kept aside) when it is not HTML."""
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        if not hasattr(response, "text"):
            self.keep_aside(response.url, f"not an HTML page ({content_type or 'binary'})")
            return None
        decoded = self.decoded(response)
        text: str = decoded.text
        head = text.lstrip()[:200].lower()
        looks_html = head.startswith("<") and ("<html" in head or "<body" in text[:5000].lower())
        if not text.strip():
            self.keep_aside(response.url, "empty page: the server sent no content")
            return None
        if "html" not in content_type and not looks_html:
            what = content_type.split(";")[0] or "no content type"
            readable = any(kind in what for kind in ("json", "text", "xml"))
            sample = f": {text.strip()[:120]}" if readable else ""
            self.keep_aside(response.url, f"not an HTML page ({what}){sample}")
            return None
        return decoded, text

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
        """The response re-decoded with the source's ``encoding``, or with the charset the
        bytes really are in when the label is wrong (``crawlers.encoding``).

        Sites that lie about their charset are common; the operator's setting wins.
        """
        if not hasattr(response, "text"):
            return response
        encoding = self.source.encoding or best_encoding(
            response.body, getattr(response, "encoding", None)
        )
        if encoding != getattr(response, "encoding", None):
            return response.replace(encoding=encoding)
        return response

    async def start(self) -> AsyncIterator[Any]:
        for url in self.start_urls:
            meta = {"conditional": True} if self.conditional_start else {}
            yield self.request(url, self._parse_start_page, dont_filter=True, meta=meta)

    def _parse_start_page(self, response: Response) -> Any:
        """A 304 answer to a conditional GET: the page is as it was, nothing new to read."""
        if response.status == 304:
            self.context.tally.start_ok = True
            self.context.tally.not_modified += 1
            return []
        return self.parse_start(response)

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
    settings.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(source.concurrency), priority="spider")
    if source.headers:
        headers = dict(settings.getdict("DEFAULT_REQUEST_HEADERS"))
        headers.update({k: v.get_secret_value() for k, v in source.headers.items()})
        settings.set("DEFAULT_REQUEST_HEADERS", headers, priority="spider")
