"""RSS and Atom feeds, parsed with feedparser.

feedparser gets the raw bytes and the HTTP headers, so it can weigh the HTTP charset against
the XML declaration (a GBK feed labelled gb2312 and served without a charset is common on
Chinese sites). A source ``encoding`` overrides both. Entry times are parsed from the text the
feed carries, not from feedparser's UTC tuples, because feedparser reads a time without zone
as UTC while Chinese feeds mean Beijing time.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import Any

import feedparser
from scrapy.http import Response

from crawlers.dates import DateParseError, parse_datetime
from crawlers.encoding import best_encoding
from crawlers.items import MentionItem
from crawlers.spiders.base import SourceSpider
from crawlers.text import fragment_to_text

__all__ = ["RssSpider"]


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"')
    return None


def _normal_name(name: str) -> str:
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return name
    return "gb18030" if found in ("gbk", "gb2312", "cp936") else found


class RssSpider(SourceSpider):
    name = "rss"
    platform = "rss"

    def parse_start(self, response: Response) -> Iterator[MentionItem]:
        feed = feedparser.parse(*self._transcoded(response))
        if not feed.entries and feed.bozo:
            self.context.tally.error(f"{response.url}: not a feed ({feed.get('bozo_exception')})")
            return
        self.context.tally.start_ok = True
        if feed.bozo and not isinstance(
            feed.get("bozo_exception"), feedparser.CharacterEncodingOverride
        ):
            # What could be read is used; the breakage is reported once with the feed.
            self.keep_aside(
                response.url,
                f"malformed feed, {len(feed.entries)} entries read: {feed.get('bozo_exception')}",
                key=f"feed:{response.url}",
            )
        feed_title = str(feed.feed.get("title", "")).strip()
        for entry in feed.entries:
            yield self._entry_item(response, entry, feed_title)

    def _transcoded(self, response: Response) -> tuple[bytes, dict[str, str]]:
        """The feed's bytes and headers, as UTF-8 when its charset label is wrong.

        feedparser falls back to windows-1252 when the labelled charset fails, which turns a
        GBK feed labelled UTF-8 into Latin mojibake; ``best_encoding`` finds the real one.
        """
        headers = self._headers(response)
        if self.source.encoding:
            return response.body, headers
        declared = _charset(headers.get("content-type", ""))
        actual = best_encoding(response.body, declared)
        if declared and actual == _normal_name(declared):
            return response.body, headers
        try:
            text = response.body.decode(actual)
        except (UnicodeDecodeError, LookupError):
            return response.body, headers
        media_type = headers.get("content-type", "").split(";")[0].strip() or "application/xml"
        return text.encode("utf-8"), {"content-type": f"{media_type}; charset=utf-8"}

    def _headers(self, response: Response) -> dict[str, str]:
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if self.source.encoding:
            media_type = content_type.split(";")[0].strip() or "application/xml"
            content_type = f"{media_type}; charset={self.source.encoding}"
        return {"content-type": content_type} if content_type else {}

    def _entry_item(self, response: Response, entry: Any, feed_title: str) -> MentionItem:
        raw_time = str(entry.get("published") or entry.get("updated") or "")
        published = None
        if raw_time:
            try:
                published = parse_datetime(raw_time, self.now())
            except DateParseError:
                published = None
        content = entry.get("content") or []
        body = content[0].get("value", "") if content else entry.get("summary", "")
        link = str(entry.get("link") or "")
        guid = str(entry.get("id") or "")
        return self.item(
            response,
            kind="article",
            url=response.urljoin(link) if link else response.url,
            # Without a link the guid is the only identity the entry has.
            native_id="" if link else guid,
            title=fragment_to_text(str(entry.get("title", ""))),
            text=fragment_to_text(str(body)),
            author=str(entry.get("author", "")),
            published_at=published,
            published_raw=raw_time,
            extra={
                "site": feed_title,
                "tags": [t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
            },
        )
