"""List pages whose rows are the records: complaint platforms and leaders' message boards.

A 黑猫投诉-style complaint list or a 领导留言板 list shows each record's fields in the row
itself (company, amount, status; board, field, replying unit, satisfaction), so the rows are
read where they are, by CSS selectors from the YAML (``selectors``: ``item`` for a row, then
one per field, relative to the row; a selector may end in ``::text`` or ``::attr(name)``),
with defaults for the common markup. A row's link is its identity; a row is read again on
every round (its status and reply change), and paging stops at the first page with nothing
new once a clean run has been seen, as for news lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from parsel import Selector
from scrapy.http import Response

from crawlers.dates import find_datetime
from crawlers.items import MentionItem
from crawlers.normalise import mention_id
from crawlers.spiders.listing import ListingSpider
from crawlers.text import clean_text
from crawlers.url import absolute_url

__all__ = ["RecordListSpider", "field_text", "parse_amount"]

# "投诉对象：某某公司" → "某某公司": a short label and a colon before the value.
_LABEL = re.compile(r"^\s*[\u4e00-\u9fff]{1,6}\s*[:：]\s*")
_FIGURE = r"([0-9][0-9,]*(?:\.[0-9]+)?)"
_AMOUNT = re.compile(_FIGURE + r"\s*(万)?\s*元|[¥￥]\s*" + _FIGURE)


class RecordListSpider(ListingSpider):
    """Rows of list pages as mentions; subclasses name the kind, the fields and defaults."""

    kind: ClassVar[str] = ""
    # Field → default CSS selector (relative to the row), overridden by ``selectors``.
    default_selectors: ClassVar[dict[str, str]] = {}
    # Fields stored in ``extra`` as they are (others are title, url, text, author, time).
    extra_fields: ClassVar[tuple[str, ...]] = ()

    def selectors(self) -> dict[str, str]:
        return {**self.default_selectors, **self.source.selectors}

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        page_text = self.html_text(response)
        if page_text is None:
            self.context.tally.error(f"{response.url}: not an HTML list page")
            return
        self.context.tally.start_ok = True
        selector = Selector(text=page_text[1])
        selectors = self.selectors()
        rows = selector.css(selectors["item"])
        items = []
        for number, row in enumerate(rows, 1):
            item = self.row_item(response, row, selectors, number)
            if item is not None:
                items.append(item)
        if not rows:
            self.context.tally.error(
                f"{response.url}: no rows match the 'item' selector {selectors['item']!r}"
            )
        ids = [mention_id(self.platform, i.url) for i in items]
        known = {m.id for m in self.context.archive.get_mentions(ids)}
        yield from items
        next_url = self._next_page(response.url, selector)
        more = any(i not in known for i in ids) or not self.context.trust_seen
        if more and next_url and page < self.source.max_pages:
            yield self.request(next_url, self.parse_list, cb_kwargs={"page": page + 1})

    def row_item(
        self, response: Response, row: Selector, selectors: Mapping[str, str], number: int
    ) -> MentionItem | None:
        values = {key: field_text(row, css) for key, css in selectors.items() if key != "item"}
        link = values.get("url", "")
        if not link:
            where = f"{response.url} row {number}"
            self.keep_aside(where, "a record without its link (the 'url' selector found none)")
            return None
        url = absolute_url(response.url, link)
        raw_time = values.get("time", "")
        published = find_datetime(raw_time, self.now()) if raw_time else None
        extra: dict[str, Any] = {"site": self.source.name}
        for key in self.extra_fields:
            if values.get(key):
                extra[key] = values[key]
        extra.update(self.derived(values))
        return self.item(
            response,
            url=url,
            kind=self.kind,
            title=values.get("title", ""),
            text=values.get("text", "") or values.get("title", ""),
            author=values.get("author", ""),
            published_at=published,
            published_raw=raw_time,
            extra=extra,
        )

    def derived(self, values: Mapping[str, str]) -> dict[str, Any]:
        """Fields computed from the row's values (an amount as a number, a board's level)."""
        return {}


def field_text(row: Selector, css: str) -> str:
    """The value a selector gives in ``row``: an attribute, or the text without its label."""
    if not css:
        return ""
    if "::attr(" in css:
        return (row.css(css).get() or "").strip()
    if "::text" not in css:
        css = f"{css} ::text"
    text = clean_text(" ".join(t.strip() for t in row.css(css).getall() if t.strip()))
    return _LABEL.sub("", text, count=1)


def parse_amount(text: str) -> float | None:
    """涉诉金额：1,299元 → 1299.0; 2.5万元 → 25000.0; ¥88 → 88.0; None without a figure."""
    match = _AMOUNT.search(text)
    if match is None:
        return None
    figure = match.group(1) or match.group(3)
    value = float(figure.replace(",", ""))
    return value * 10_000 if match.group(2) else value
