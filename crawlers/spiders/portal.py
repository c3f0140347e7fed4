"""Portal apps' article feeds (今日头条-style): a JSON feed of articles, each then read whole.

The feed gives what the article page does not say plainly: the publishing account
(``source``: a 头条号 or the outlet a story is syndicated from), the platform's id
(``group_id``: one mention however the article URL is written), the publish time and the
comment and read counts. Article pages go through the extraction chain like news. Paging
follows the feed's cursor (``has_more`` and ``next.max_behot_time``) up to ``max_pages``,
stopping at the first page with nothing new after a clean run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from crawlers.dates import find_datetime
from crawlers.extract import Article
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.listing import ListingSpider
from crawlers.url import absolute_url

__all__ = ["PortalSpider"]


class PortalSpider(ListingSpider):
    name = "portal"
    platform = "portal"

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        try:
            data = json.loads(response.body)
            entries = data.get("data")
            if not isinstance(entries, list):
                raise ValueError("no 'data' list")
        except (ValueError, AttributeError) as exc:
            sample = response.body[:120].decode("utf-8", "replace")
            self.context.tally.error(f"{response.url}: not an article feed ({exc}): {sample}")
            return
        self.context.tally.start_ok = True
        found: dict[str, dict[str, Any]] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            url = str(
                entry.get("article_url") or entry.get("display_url") or entry.get("url") or ""
            )
            native = str(entry.get("group_id") or entry.get("item_id") or "")
            if not url:
                self.keep_aside(response.url, "a feed entry without its article URL", entry)
                continue
            found[mention_id(self.platform, url, native)] = {**entry, "_url": url, "_id": native}
        known = {m.id for m in self.context.archive.get_mentions(list(found))}
        known |= self.context.rejected_before
        fresh = [entry for mid, entry in found.items() if mid not in known]
        for entry in fresh:
            url = absolute_url(response.url, entry["_url"])
            yield self.request(url, self.parse_article, meta={"article": True, "feed": entry})
        cursor = (data.get("next") or {}).get("max_behot_time") if data.get("has_more") else None
        more = bool(fresh) or not self.context.trust_seen
        if more and cursor and page < self.source.max_pages:
            next_url = add_or_replace_parameter(response.url, "max_behot_time", str(cursor))
            yield self.request(next_url, self.parse_list, cb_kwargs={"page": page + 1})

    def article_item(self, response: Response, article: Article) -> MentionItem:
        feed: dict[str, Any] = response.meta.get("feed") or {}
        published, raw = article.published_at, article.published_raw
        stamp = feed.get("publish_time") or feed.get("behot_time")
        if isinstance(stamp, int | float) or (isinstance(stamp, str) and stamp.isdigit()):
            published, raw = datetime.fromtimestamp(int(stamp), UTC), str(stamp)
        elif isinstance(stamp, str) and stamp:
            published, raw = find_datetime(stamp, self.now()), stamp
        account = str(feed.get("source") or feed.get("media_name") or "")
        metrics = {
            key: int(feed[name])
            for key, name in (("comments", "comment_count"), ("reads", "read_count"))
            if str(feed.get(name, "")).isdigit()
        }
        extra: dict[str, Any] = {"site": self.source.name}
        if account:
            extra["outlet"] = account
        return self.item(
            response,
            kind="article",
            native_id=str(feed.get("_id") or ""),
            title=article.title or str(feed.get("title") or ""),
            text=article.text,
            author=account or article.author,
            published_at=published,
            published_raw=raw,
            metrics=metrics,
            extra=extra,
        )
