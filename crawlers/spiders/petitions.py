"""Leaders' message boards (领导留言板): each row a citizen's message to a leader.

A message carries its board (the leader addressed: a province's, a city's or a county's),
its field (领域: 市场监管, 食品安全...), status (已回复, 办理中), the unit that replied and the
writer's satisfaction with the reply. The board's level (``extra.board_level``) tells a
press office whether the message sits with its own government or above it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from crawlers.spiders.records import RecordListSpider

__all__ = ["PetitionSpider", "board_level"]

_LEVELS = {
    "自治区": "province", "省": "province",
    "自治州": "city", "市": "city", "州": "city", "盟": "city",
    "县": "county", "区": "county", "旗": "county",
}  # fmt: skip
_DIVISION = re.compile(r"[\u4e00-\u9fff]{2,}?(自治区|自治州|省|市|州|盟|县|区|旗)")


class PetitionSpider(RecordListSpider):
    name = "petitions"
    platform = "board"
    kind = "petition"
    default_selectors: ClassVar[dict[str, str]] = {
        "item": "ul.message-list li.message",
        "url": "h3 a::attr(href)",
        "title": "h3 a",
        "board": ".board",
        "field": ".domain",
        "status": ".state",
        "replying_unit": ".reply-unit",
        "satisfaction": ".satisfaction",
        "reply": ".reply-text",
        "text": ".content",
        "author": ".writer",
        "time": ".time",
    }
    extra_fields = ("board", "field", "status", "replying_unit", "satisfaction", "reply")

    def derived(self, values: Mapping[str, str]) -> dict[str, Any]:
        level = board_level(values.get("board", ""))
        return {"board_level": level} if level else {}


def board_level(board: str) -> str:
    """江南省委书记 → province; 江州市长 → city; 青禾县委书记 / 东城区长 → county.

    The first division suffix after a name of at least two characters decides (贵州省 is a
    province although 州 is also a suffix; 甘南藏族自治州 a prefecture).
    """
    match = _DIVISION.match(board.strip())
    return _LEVELS[match.group(1)] if match else ""
