"""Build mentions and run the analysis stage over a real archive on a simulated clock."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp import stage
from nlp.stage import analyze_new
from tests.conftest import T0


def mention(
    mid: str,
    text: str,
    hours: float,
    *,
    kind: str = "post",
    platform: str = "weibo",
    title: str = "",
    parent: str | None = None,
    region: str = "",
    metrics: dict[str, Any] | None = None,
) -> Mention:
    return Mention(
        id=mid,
        source=f"test-{platform}",
        platform=platform,
        kind=kind,
        url=f"http://127.0.0.1/{mid}",
        text=text,
        title=title,
        published_at=T0 + timedelta(hours=hours),
        fetched_at=T0 + timedelta(hours=hours, minutes=2),
        parent_id=parent,
        region=region,
        metrics=metrics or {},
    )


def run(
    archive: Archive, items: list[Mention], now_hours: float = 10, **nlp: Any
) -> stage.AnalyzeReport:
    archive.upsert_mentions(items)
    clock = SimulatedClock(T0 + timedelta(hours=now_hours))
    return analyze_new(archive, Settings(nlp=NlpSettings(**nlp)), clock)
