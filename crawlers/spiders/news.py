"""News sites: list pages → article pages, text extracted by ``crawlers.extract``."""

from __future__ import annotations

import re

from parsel import Selector
from scrapy.http import Response

from crawlers.extract import Article
from crawlers.items import MentionItem
from crawlers.spiders.listing import ListingSpider

__all__ = ["NewsSpider"]

_TITLE_SEPARATORS = re.compile(r"^[\s_|｜\-—–:：]+|[\s_|｜\-—–]+$")
_OUTLET = re.compile(r"来源\s*[:：]\s*([\u4e00-\u9fffA-Za-z0-9·（）()]{2,20})")


class NewsSpider(ListingSpider):
    name = "news"
    platform = "news"

    def article_item(self, response: Response, article: Article) -> MentionItem:
        page = Selector(text=response.text)
        extra: dict[str, object] = {"site": _site_name(page, article.title) or self.source.name}
        outlet = _OUTLET.search(" ".join(page.xpath("//body//text()").getall()[:400]))
        if outlet:
            # The outlet that first published the story (转载 pages name the original).
            extra["outlet"] = outlet.group(1)
        return self.item(
            response,
            kind="article",
            title=article.title,
            text=article.text,
            author=article.author,
            published_at=article.published_at,
            published_raw=article.published_raw,
            extra=extra,
        )


def _site_name(page: Selector, title: str) -> str:
    """og:site_name, else what <title> adds to the headline ("标题_江州日报" → 江州日报)."""
    named = (page.xpath("//meta[@property='og:site_name']/@content").get() or "").strip()
    if named:
        return named
    head = (page.xpath("string(//title)").get() or "").strip()
    if title and title in head:
        rest = _TITLE_SEPARATORS.sub("", head.replace(title, "", 1))
        if 2 <= len(rest) <= 20:
            return rest
    return ""
