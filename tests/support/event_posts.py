"""Mentions for the event-linking tests and the analysis run over them: a Weibo ``post``
``minutes`` after ``T0`` (fetched two minutes later; ``fields`` override any of it), a local
paper's ``news`` article, and ``run``: the analysis stage over a real archive."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp.stage import analyze_new
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


def news(mid: str, title: str, text: str, minutes: float, **fields: Any) -> Mention:
    # The local paper's site: its configured region is the home the press office watches.
    values: dict[str, Any] = {"source": "jzrb-news", "platform": "news", "kind": "article"}
    values |= {"region": "江州", "title": title} | fields
    return post(mid, text, minutes, "江州晚报", **values)


def run(archive: Archive, items: list[Mention], hours: float = 60) -> dict[str, Any]:
    archive.upsert_mentions(items)
    analyze_new(archive, Settings(nlp=NlpSettings()), SimulatedClock(T0 + timedelta(hours=hours)))
    return archive.get_analyses([m.id for m in items])
