"""Weibo posts, reposts and comments for propagation tests, on a fixed start time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from archive.models import Mention, stable_id

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def weibo(
    mid: str,
    author: str,
    minutes: float,
    parent: str | None = None,
    text: str = "转发微博",
    kind: str = "repost",
    metrics: dict[str, Any] | None = None,
    **extra: Any,
) -> Mention:
    return Mention(
        id=stable_id("weibo", mid),
        source="weibo",
        platform="weibo",
        kind=kind if parent or kind != "repost" else "post",
        url=f"https://weibo.com/u/{mid}",
        text=text,
        published_at=T0 + timedelta(minutes=minutes),
        fetched_at=T0 + timedelta(days=2),
        author=author,
        parent_id=stable_id("weibo", parent) if parent else None,
        metrics=metrics or {},
        extra=extra,
    )
