"""The poster's IP 属地 that Weibo shows under every post and comment since 2022.

Posts carry it as ``region_name`` ("发布于 广东"), comments as ``source`` ("来自广东"); abroad
it is a country ("发布于 美国"). It is stored as ``extra.ip_region`` (the place name alone),
which the analysis uses as a weak region signal (``nlp.declared_entities``: only when the text
names no region), so ``entity:广东省`` and ``entity:440000`` find the posts from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ip_region"]

_PREFIX = re.compile(r"^\s*(?:发布于|来自|IP属地[:：]?)\s*")
# "来自iPhone客户端" is the old client field, not a place: a place is a short Chinese name.
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,8}$")


def ip_region(record: Mapping[str, Any]) -> dict[str, str]:
    """``{"ip_region": "广东"}`` from a post's ``region_name`` or a comment's ``source``."""
    for key in ("region_name", "source"):
        raw = record.get(key)
        if not isinstance(raw, str) or not _PREFIX.match(raw):
            continue
        place = _PREFIX.sub("", raw).strip()
        if _PLACE.match(place):
            return {"ip_region": place}
    return {}
