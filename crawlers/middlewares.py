"""Downloader middlewares: conditional GET for feeds and list pages, retries with backoff.

Both are ordinary Scrapy components wired in ``crawlers.settings``: one concern each, built
with ``from_crawler``, reaching the run's ``CrawlContext`` through the spider.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.task import deferLater

from crawlers.context import CrawlContext

__all__ = ["BackoffRetryMiddleware", "ConditionalGetMiddleware", "RedirectLoopMiddleware"]

logger = logging.getLogger(__name__)

# Validators remembered per source; feeds and first list pages are few, so this is generous.
_KEPT_VALIDATORS = 200


def _context(crawler: Crawler) -> CrawlContext | None:
    context = getattr(crawler.spider, "context", None)
    return context if isinstance(context, CrawlContext) else None


class ConditionalGetMiddleware:
    """Ask feeds and list pages "has it changed?" with the validators of the last good run.

    Requests marked ``meta["conditional"]`` carry ``If-None-Match`` / ``If-Modified-Since``
    from the source's stored state; a ``304 Not Modified`` reaches the spider, which then
    knows there is nothing new without downloading or parsing the page. Validators are only
    sent when the previous run finished cleanly: after a crash the page must be read again,
    because the articles it lists may never have been fetched.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._validators: dict[str, dict[str, str]] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def _load(self, context: CrawlContext) -> dict[str, dict[str, str]]:
        if self._validators is None:
            state = context.archive.ledger.get_source_state(context.source.name).state
            stored = state.get("validators", {})
            self._validators = dict(stored) if isinstance(stored, dict) else {}
        return self._validators

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        context = _context(self.crawler)
        if context is None or not request.meta.get("conditional"):
            return
        request.meta.setdefault("handle_httpstatus_list", [304])
        if not context.trust_seen:
            return
        known = self._load(context).get(request.url, {})
        if known.get("etag"):
            request.headers.setdefault(b"If-None-Match", known["etag"].encode("latin-1"))
        if known.get("last_modified"):
            request.headers.setdefault(
                b"If-Modified-Since", known["last_modified"].encode("latin-1")
            )

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        context = _context(self.crawler)
        if context is None or not request.meta.get("conditional") or response.status != 200:
            return response
        etag = (response.headers.get(b"ETag") or b"").decode("latin-1")
        modified = (response.headers.get(b"Last-Modified") or b"").decode("latin-1")
        validators = self._load(context)
        if etag or modified:
            validators[request.url] = {"etag": etag, "last_modified": modified}
        else:
            validators.pop(request.url, None)
        kept = dict(list(validators.items())[-_KEPT_VALIDATORS:])
        # Stored with the run's state, and only when the run's items reached the archive.
        context.tally.state_updates["validators"] = kept
        return response


class RedirectLoopMiddleware:
    """Recognise a redirect back to a page already visited in the same chain.

    Scrapy's duplicate filter silently drops the request that closes a loop (A → B → A), so
    the page would vanish without a word; here the loop is raised as an error naming the
    chain, which the spider reports and keeps aside. Runs before RedirectMiddleware (its
    ``process_response`` sits later in the order, 610 against 600).
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise IgnoreRequest(f"max redirections reached: redirect loop {' → '.join(chain)}")
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, each one later than the last: 1 s, 2 s, 4 s… (``RETRY_BACKOFF_*``).

    Scrapy retries at once, which turns a struggling server's 503 into three more requests in
    the same second. The wait holds the request's download slot, so the whole domain slows
    down, and a ``Retry-After`` from the server is honoured up to ``RETRY_BACKOFF_MAX``.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.maximum = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, _retry_after(response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result

    async def _wait(self, retry: Request, asked: float | None) -> None:
        attempt = int(retry.meta.get("retry_times", 1))
        delay = self.base * 2 ** (attempt - 1)
        if asked is not None:
            delay = max(delay, asked)
        delay = min(delay, self.maximum)
        if delay > 0:
            logger.debug("retrying %s in %.1f s (attempt %d)", retry.url, delay, attempt)
            from twisted.internet import reactor  # the running one; imported late on purpose

            await deferLater(reactor, delay, lambda: None)


def _retry_after(response: Response) -> float | None:
    value = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
    return float(value) if value.isdigit() else None
