"""The item every spider yields: a mention as collected, before validation.

Spiders fill what the page offers and leave the rest empty; ``published_at`` stays ``None``
with ``published_raw`` set when a time could not be parsed, so the validate pipeline can keep
the record aside with the reason instead of the spider guessing or dropping it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class MentionItem:
    """Scrapy item (itemadapter handles dataclasses) carrying one collected mention."""

    source: str
    platform: str
    kind: str
    url: str
    # Weibo: the platform's id (mid); pages: empty, the id comes from the canonical URL.
    native_id: str = ""
    title: str = ""
    text: str = ""
    author: str = ""
    region: str = ""
    published_at: datetime | None = None
    published_raw: str = ""
    fetched_at: datetime | None = None
    # Native id of the post a repost or comment belongs to (same platform).
    parent_native_id: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
