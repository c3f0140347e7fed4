"""Complaint platforms (黑猫投诉-style lists): each row a complaint against a company.

The company complained about is the point: ``extra.company`` (an entity of the mention,
``nlp.declared_entities``, and the key of the ``complaints`` rule, alerts/complaint_rules.py),
with the amount in dispute (``extra.amount``, yuan), the demand and the platform's status.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from crawlers.spiders.records import RecordListSpider, parse_amount

__all__ = ["ComplaintSpider"]


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
