"""WeChat public-account articles reached through a search page (搜狗微信-style).

The search page lists articles with their account and title behind temporary links that
redirect to ``mp.weixin.qq.com/s?...&timestamp=...&signature=...`` and expire within hours:
an article is read the moment it is found, in the same round, and stored whole. Its identity
is the account and the title (``native_id``), known from the search page itself, so a later
search that finds it again under a new temporary link does not fetch it again. A link that
has already expired answers a "链接已过期" page, which is kept aside, never stored as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from parsel import Selector
from scrapy.http import Response

from crawlers.context import CrawlContext
from crawlers.extract import Article
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.listing import ListingSpider
from crawlers.spiders.records import field_text
from crawlers.url import absolute_url

__all__ = ["WechatSpider", "wechat_id"]

_EXPIRED = ("链接已过期", "该内容已被发布者删除", "此内容因违规无法查看", "访问过于频繁")
_SCRIPT_VAR = r"var\s+{name}\s*=\s*[\"']?([0-9A-Za-z=_\-]+)[\"']?"


def wechat_id(account: str, title: str) -> str:
    """An article's identity across temporary links: its account and its title."""
    return f"{account.strip()}/{' '.join(title.split())}"


class WechatSpider(ListingSpider):
    name = "wechat"
    platform = "wechat"
    # Search results (sogou's markup) and the article page (mp.weixin.qq.com's); a source's
    # ``selectors`` override any of them.
    default_selectors: ClassVar[dict[str, str]] = {
        "item": "ul.news-list > li",
        "url": "h3 a::attr(href)",
        "result_title": "h3 a",
        "account": ".s-p .account",
        "title": "#activity-name",
        "text": "#js_content",
        "author": "#js_name",
    }

    def __init__(self, context: CrawlContext, **kwargs: Any) -> None:
        super().__init__(context, **kwargs)
        # The article selectors reach the extraction chain through the source's selectors.
        merged = {**self.default_selectors, **self.source.selectors}
        self.source = self.source.model_copy(update={"selectors": merged})

    def selectors(self) -> dict[str, str]:
        return dict(self.source.selectors)

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        page_text = self.html_text(response)
        if page_text is None:
            self.context.tally.error(f"{response.url}: not an HTML search page")
            return
        self.context.tally.start_ok = True
        selector = Selector(text=page_text[1])
        selectors = self.selectors()
        found: dict[str, tuple[str, str]] = {}
        for row in selector.css(selectors["item"]):
            link = field_text(row, selectors["url"])
            title = field_text(row, selectors["result_title"])
            account = field_text(row, selectors["account"])
            if link and title:
                native = wechat_id(account, title)
                found[mention_id(self.platform, "", native)] = (
                    absolute_url(response.url, link),
                    native,
                )
        known = {m.id for m in self.context.archive.get_mentions(list(found))}
        fresh = [(url, native) for mid, (url, native) in found.items() if mid not in known]
        for url, native in fresh:
            meta = {"article": True, "native_id": native}
            yield self.request(url, self.parse_article, meta=meta)
        next_url = self._next_page(response.url, selector)
        more = bool(fresh) or not self.context.trust_seen
        if more and next_url and page < self.source.max_pages:
            yield self.request(next_url, self.parse_list, cb_kwargs={"page": page + 1})

    async def parse_article(self, response: Response) -> Any:
        body = response.text if hasattr(response, "text") else ""
        expired = next((words for words in _EXPIRED if words in body[:20000]), None)
        if expired and "js_content" not in body:
            self.keep_aside(response.url, f"the temporary link answered 「{expired}」")
            self.context.tally.error(f"{response.url}: WeChat link expired ({expired})", True)
            return
        async for item in super().parse_article(response):
            yield item

    def article_item(self, response: Response, article: Article) -> MentionItem:
        html = response.text
        native = str(response.meta.get("native_id") or "")
        published, raw = article.published_at, article.published_raw
        created = re.search(_SCRIPT_VAR.format(name="ct"), html)
        if created and created.group(1).isdigit():
            # The page's own Unix publish time, exact where the visible date is only a day.
            published, raw = datetime.fromtimestamp(int(created.group(1)), UTC), created.group(1)
        extra: dict[str, Any] = {"site": "微信公众号", "account": article.author}
        for name in ("biz", "mid", "idx"):
            value = re.search(_SCRIPT_VAR.format(name=name), html)
            if value:
                extra[name] = value.group(1)
        return self.item(
            response,
            kind="article",
            native_id=native or wechat_id(article.author, article.title),
            title=article.title,
            text=article.text,
            author=article.author,
            published_at=published,
            published_raw=raw,
            extra=extra,
        )
