"""Complaint platforms (黑猫投诉-style lists): each row a complaint against a company.

The company complained about is the point: ``extra.company`` (an entity of the mention,
``nlp.declared_entities``, and the key of the ``complaints`` rule, alerts/complaint_rules.py),
with the amount in dispute (``extra.amount``, yuan), the demand and the platform's status.

Published complaint figures (全国12315平台 消费投诉信息公示) are the same source type with a
``count`` selector (and ``resolved``): each row is a company's figures for a period — its
complaint count (``extra.complaint_count``), the share resolved (``extra.resolved_share``,
0–1) and its typical complaints as the text. A figures row is a summary, not a complaint,
so the surge rule does not count it; a row whose count is not a number is kept aside with
the row and the value, and the crawl goes on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from parsel import Selector
from scrapy.http import Response

from crawlers.items import MentionItem
from crawlers.spiders.records import RecordListSpider, field_text, parse_amount

__all__ = ["ComplaintSpider", "parse_count", "parse_share"]

_COUNT = re.compile(r"([0-9][0-9,]*)\s*(?:件|条|次)?")
_SHARE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")


def parse_count(text: str) -> int | None:
    """投诉量 "1,356" / "356件" → 1356 / 356; None when the cell holds no whole number."""
    match = _COUNT.fullmatch(text.strip())
    return int(match.group(1).replace(",", "")) if match else None


def parse_share(text: str) -> float | None:
    """处理完结率 "92.13%" → 0.9213; None without a percentage or above 100 %."""
    match = _SHARE.search(text)
    if match is None or float(match.group(1)) > 100:
        return None
    return round(float(match.group(1)) / 100, 4)


class ComplaintSpider(RecordListSpider):
    name = "complaints"
    platform = "complaint"
    kind = "complaint"
    default_selectors: ClassVar[dict[str, str]] = {
        "item": "div.complaint-list div.complaint",
        "url": "h2 a::attr(href)",
        "title": "h2 a",
        "company": ".target",
        "demand": ".demand",
        "amount": ".amount",
        "status": ".status",
        "text": ".summary",
        "author": ".user",
        "time": ".time",
    }
    extra_fields = ("company", "demand", "status")

    def derived(self, values: Mapping[str, str]) -> dict[str, Any]:
        amount = parse_amount(values.get("amount", ""))
        return {"amount": amount} if amount is not None else {}

    def row_item(
        self, response: Response, row: Selector, selectors: Mapping[str, str], number: int
    ) -> MentionItem | None:
        if not selectors.get("count"):
            return super().row_item(response, row, selectors, number)
        raw = field_text(row, selectors["count"])
        count = parse_count(raw)
        if count is None:
            company = field_text(row, selectors.get("company", ""))
            self.keep_aside(
                f"{response.url} row {number}",
                f"a figures row ({company or 'no company'}) whose complaint count {raw!r} "
                "is not a number",
            )
            return None
        item = super().row_item(response, row, selectors, number)
        if item is None:
            return None
        share = parse_share(field_text(row, selectors.get("resolved", "")))
        item.extra["complaint_count"] = count
        if share is not None:
            item.extra["resolved_share"] = share
        item.text = figures_text(item.extra.get("company", item.title), count, share, item.text)
        return item


def figures_text(company: str, count: int, share: float | None, typical: str) -> str:
    """江州优选电器有限公司：投诉 356 件，处理完结率 92.13%。典型投诉：…"""
    resolved = f"，处理完结率 {share * 100:.2f}%" if share is not None else ""
    typical = f"典型投诉：{typical}" if typical and typical != company else ""
    return f"{company}：投诉 {count} 件{resolved}。{typical}".rstrip()
