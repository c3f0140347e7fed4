"""List pages → article pages, the shape of news sites and government information portals.

Crawls are incremental: an article whose canonical URL is already in the archive is not
fetched again, and paging stops at the first list page with nothing new (or ``max_pages``).
That keeps a round over a quiet site to one request per list, which is what lets the runner
poll every few minutes without hammering anyone.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Response

from crawlers.extract import Article
from crawlers.extract_pool import extract_in_pool
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.base import SourceSpider
from crawlers.url import absolute_url

__all__ = ["ListingSpider"]

# Scrapy priority of list pages over articles (0): the frontier is read first.
LIST_PRIORITY = 1

_ARTICLE_SUFFIX = re.compile(r"\.(?:s?html?|jhtml|jsp|php)$", re.IGNORECASE)
_NEXT_WORDS = ("下一页", "下页", "后页", "next", "›", "»", ">")
_MIN_ANCHOR_TEXT = 6


class ListingSpider(SourceSpider):
    """Shared list-page walking; subclasses turn an article response into an item."""

    def parse_start(self, response: Response) -> Iterator[Any]:
        yield from self.parse_list(response, page=1)

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        page_text = self.html_text(response)
        if page_text is None:
            self.context.tally.error(f"{response.url}: not an HTML list page")
            return
        self.context.tally.start_ok = True
        selector = Selector(text=page_text[1])
        links = self._article_links(response.url, selector)
        known = {m.id for m in self.context.archive.get_mentions(list(links.values()))}
        known |= self.context.rejected_before
        fresh = [url for url, mid in links.items() if mid not in known]
        next_url = self._next_page(response.url, selector)
        more = bool(fresh) or not self.context.trust_seen
        if more and next_url and page < self.source.max_pages:
            # The next list page before this one's articles: its articles are then found
            # while these download, instead of one list page per batch of articles (with N
            # crawl workers on a shared queue, a list page queued behind its articles left
            # most connections idle while it waited; docs/scale-out.md, figures).
            yield self.request(
                next_url, self.parse_list, cb_kwargs={"page": page + 1}, priority=LIST_PRIORITY
            )
        for url in fresh:
            yield self.request(url, self.parse_article, meta={"article": True})

    async def parse_article(self, response: Response) -> AsyncIterator[MentionItem]:
        page_text = self.html_text(response)
        if page_text is None:
            return
        decoded, text = page_text
        workers = self.settings.getint("EXTRACT_WORKERS", 0)
        article = await extract_in_pool(
            text, response.url, self.now(), self.source.selectors, workers
        )
        yield self.article_item(decoded, article)

    def article_item(self, response: Response, article: Article) -> MentionItem:
        raise NotImplementedError

    # ---- link discovery --------------------------------------------------------------
    def _article_links(self, page_url: str, selector: Selector) -> dict[str, str]:
        """Canonical article URLs on a list page, in page order, with their mention ids."""
        pattern = self.source.article_pattern
        compiled = re.compile(pattern) if pattern else None
        host = urlsplit(page_url).hostname
        links: dict[str, str] = {}
        for anchor in selector.xpath("//a[@href]"):
            href = anchor.attrib["href"]
            if href.startswith(("javascript:", "mailto:", "#")):
                continue
            url = absolute_url(page_url, href)
            if compiled is not None:
                if not compiled.search(url):
                    continue
            elif not self._looks_like_article(url, host, anchor):
                continue
            links.setdefault(url, mention_id(self.platform, url))
        return links

    @staticmethod
    def _looks_like_article(url: str, host: str | None, anchor: Selector) -> bool:
        """Without an ``article_pattern``: same-site page links with headline-length text."""
        parts = urlsplit(url)
        text = "".join(anchor.xpath(".//text()").getall()).strip()
        return (
            parts.hostname == host
            and bool(_ARTICLE_SUFFIX.search(parts.path))
            and len(text) >= _MIN_ANCHOR_TEXT
        )

    def _next_page(self, page_url: str, selector: Selector) -> str | None:
        pattern = self.source.next_page_pattern
        compiled = re.compile(pattern) if pattern else None
        current = absolute_url(page_url, "")
        candidates: list[str] = []
        for anchor in selector.xpath("//a[@href]"):
            url = absolute_url(page_url, anchor.attrib["href"])
            if url == current:
                continue
            text = "".join(anchor.xpath(".//text()").getall()).strip().lower()
            named_next = any(word in text for word in _NEXT_WORDS)
            if compiled is not None and compiled.search(url):
                if named_next:
                    return url
                candidates.append(url)
            elif compiled is None and named_next:
                return url
        return candidates[0] if candidates else None
