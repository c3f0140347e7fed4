"""Replay: a recorded Weibo data set played back through the pipeline with its own timing.

Each run releases the records whose scaled time the crawl clock has reached since the last run
(``crawlers.replay``), as items of the same shape the Weibo spider yields, so validation,
dedup, the archive and everything after them cannot tell a replay from a crawl. The original
time of each record is kept in ``extra["original_published_at"]``; ``published_at`` is its
time on the replay's clock, which is what heat, bursts and deadlines must be measured on.

Where the play has got to (the position in the timeline, and the clock time the replay started
at) is per-source state in the archive, written after the run's items are stored: a crash
replays the unfinished part again, and upserts make that harmless.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from archive.models import Reject
from core.clock import parse_instant
from core.text.weibo import repost_chain, weibo_entities
from crawlers.items import MentionItem
from crawlers.replay import ReplayRecord, Timeline, load_timeline, original_until, release_time
from crawlers.spiders.base import SourceSpider
from crawlers.text import clean_text

__all__ = ["ReplaySpider"]

logger = logging.getLogger(__name__)

# Records per run at most: a first run at a high speed would otherwise hold hundreds of
# thousands of items in flight; the rest follow in the next runs, in order.
MAX_PER_RUN = 20_000
# What Weibo shows for a repost that adds no words of its own.
_EMPTY_REPOST = "转发微博"


class ReplaySpider(SourceSpider):
    name = "replay"
    platform = "weibo"

    async def start(self) -> AsyncIterator[Any]:
        source, tally = self.source, self.context.tally
        if source.path is None or not source.path.exists():
            tally.error(f"replay file {source.path} does not exist")
            return
        try:
            timeline = load_timeline(source.path)
        except (OSError, UnicodeDecodeError, EOFError) as exc:
            tally.error(f"replay file {source.path} cannot be read: {exc}")
            return
        tally.start_ok = True
        now = self.now()
        state = self.context.archive.ledger.get_source_state(source.name).state.get("replay", {})
        anchor = parse_instant(state["anchor"]) if state.get("anchor") else now
        position = int(state.get("position", 0))
        if not state:
            self._keep_bad_lines_aside(timeline)
        if timeline.first is None:
            return
        until = original_until(now, timeline.first, anchor, source.speed)
        end = position
        for index, record in timeline.due(position, until):
            if index - position >= MAX_PER_RUN:
                break
            yield self._record_item(record, timeline, anchor)
            end = index + 1
        tally.state_updates["replay"] = {
            "anchor": anchor.isoformat(),
            "position": end,
            "total": len(timeline.records),
            "path": str(source.path),
        }

    def _keep_bad_lines_aside(self, timeline: Timeline) -> None:
        """Lines that are not records, kept aside once, when the play starts."""
        for problem in timeline.problems:
            where, _, reason = problem.partition(": ")
            self.context.archive.ledger.keep_aside(
                Reject(at=self.now(), source=self.source.name, record=where, reason=reason)
            )
            self.context.tally.rejected += 1
            logger.warning("source %s: kept a line aside: %s", self.source.name, problem)

    def _record_item(self, record: ReplayRecord, timeline: Timeline, anchor: datetime) -> Any:
        assert timeline.first is not None
        published = None
        extra: dict[str, Any] = {"site": "微博", "replay_line": record.line, "user_id": record.uid}
        if record.at is not None:
            published = release_time(record.at, timeline.first, anchor, self.source.speed)
            extra["original_published_at"] = record.at.isoformat()
        text = clean_text(record.text) or (_EMPTY_REPOST if record.post is None else "")
        extra.update(weibo_entities(text))
        fields: dict[str, Any] = {
            "url": f"https://weibo.com/{record.uid or 'u'}/{record.mid}",
            "native_id": record.mid,
            "text": text,
            "author": record.uid,
            "published_at": published,
            "published_raw": record.raw_time,
            "extra": extra,
        }
        if record.post is None:
            # The data set does not tell reposts from comments; its ``parent`` links form
            # the repost tree, so every response is stored as a repost of its parent.
            extra["repost_chain"] = repost_chain(text)
            extra["root_id"] = record.root_mid
            fields.update(kind="repost", parent_native_id=record.parent_mid)
        else:
            fields.update(kind="post", metrics=_post_metrics(record.post))
            extra.update(_post_extra(record.post))
        return MentionItem(
            source=self.source.name,
            platform=self.platform,
            region=self.source.region,
            fetched_at=self.now(),
            **fields,
        )


def _post_metrics(post: dict[str, Any]) -> dict[str, Any]:
    user = post.get("user") or {}
    return {
        "reposts": int(post.get("reposts") or 0),
        "comments": int(post.get("comments") or 0),
        "likes": int(post.get("likes") or 0),
        "followers": int(user.get("followers") or 0),
        "verified": bool(user.get("verified")),
        "verified_type": _int(user.get("verified_type"), -1),
    }


def _int(value: Any, default: int) -> int:
    text = str(value if value is not None else "").strip()
    return int(text) if text.lstrip("-").isdigit() else default


def _post_extra(post: dict[str, Any]) -> dict[str, Any]:
    user = post.get("user") or {}
    extra: dict[str, Any] = {
        "replay_id": str(post.get("id") or ""),
        "client": str(post.get("source") or ""),
        "pictures": int(post.get("pics") or 0),
        "user_location": str(user.get("location") or ""),
    }
    if post.get("label"):
        # The data set's own verdict (rumor / non-rumor): for evaluation, never for scoring.
        extra["label"] = str(post["label"])
    return extra
