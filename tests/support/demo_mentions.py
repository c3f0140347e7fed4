"""The demo corpus (yuqing/demo/corpus.jsonl: news, official notices, Weibo posts and their
comments over six days, with real stories that form events and rumours) as mentions, in
publication order, for the scale-out analysis tests and benchmark. ``copies`` repeats it with
other ids and shifted days, for a larger stream of the same shape; with ``distinct`` each
copy's texts differ too (a copy number added), so that no text is analysed twice, as in a
real stream where most texts are new."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from archive.models import Mention

CORPUS = Path(__file__).resolve().parents[2] / "yuqing" / "demo" / "corpus.jsonl"
START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)


def demo_mentions(copies: int = 1, distinct: bool = False) -> list[Mention]:
    records = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    mentions: list[Mention] = []
    for copy in range(copies):
        shift = timedelta(days=7 * copy)
        mark = f"（第{copy + 1}期）" if distinct and copy else ""
        for raw in records:
            weibo = raw["channel"] == "weibo"
            mid = f"c{copy}-{raw['id']}"
            at = START + shift + timedelta(minutes=raw["offset_minutes"])
            user = (raw.get("weibo") or {}).get("user") or {}
            metrics = {k: user[k] for k in ("verified", "verified_type", "followers") if k in user}
            mentions.append(
                Mention(
                    id=mid,
                    source=f"demo-{raw['channel']}",
                    platform="weibo" if weibo else "news",
                    kind="post" if weibo else "article",
                    url=f"http://127.0.0.1/{mid}",
                    text=raw["text"] + mark,
                    title=raw.get("title") or "",
                    published_at=at,
                    fetched_at=at + timedelta(minutes=2),
                    author=raw.get("author") or "",
                    region=raw.get("region") or "",
                    metrics=metrics,
                )
            )
            for i, comment in enumerate(raw.get("comments") or []):
                when = START + shift + timedelta(minutes=comment["offset_minutes"])
                mentions.append(
                    Mention(
                        id=f"{mid}-r{i}",
                        source="demo-weibo",
                        platform="weibo",
                        kind="comment",
                        url="",
                        text=comment["text"] + mark,
                        title="",
                        published_at=max(when, at),
                        fetched_at=max(when, at) + timedelta(minutes=1),
                        author=comment.get("user") or "",
                        parent_id=mid,
                    )
                )
    mentions.sort(key=lambda m: (m.published_at, m.id))
    return mentions
