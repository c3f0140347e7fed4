"""Weibo posts for the event-linking tests: one post, ``minutes`` after ``T0``, fetched two
minutes later, by ``author``; ``fields`` override any of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from archive.models import Mention
from tests.conftest import T0


def post(mid: str, text: str, minutes: float, author: str, **fields: Any) -> Mention:
    values: dict[str, Any] = {
        "id": mid,
        "source": "test-weibo",
        "platform": "weibo",
        "kind": "post",
        "url": f"http://127.0.0.1/{mid}",
        "text": text,
        "published_at": T0 + timedelta(minutes=minutes),
        "fetched_at": T0 + timedelta(minutes=minutes + 2),
        "author": author,
    }
    values.update(fields)
    return Mention(**values)
