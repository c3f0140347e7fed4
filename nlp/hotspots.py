"""Is an event a hotspot (热点): enough mentions, from enough independent publishers.

An event is a cluster; a hotspot is a cluster the public is talking about. One news item with
its reprint, or one post and its comments, is a mention, not public opinion: the 热点 list
filled up with such items (a CPI report, one 警情通报) and buried the stories that spread. The
rule (``settings.nlp.hotspot``): at least ``min_mentions`` mentions (comments and reposts
included: they are the talk) and at least ``min_publishers`` distinct publishers among its
posts, reposts, articles and notices (comments are talk about a publication, not a
publication). A publisher is the author as the source gives it (a Weibo account, a reporter's
byline), else the source. The defaults, 3 and 2, are the smallest that say "more than one
voice, more than a single item": a lone report, a report and its reprint by the same outlet, or
a post with one reply all stay out; two outlets and a comment, or three posts by two users, are
in. The same test serves the 热点 pages and the hot-event alert rule, so the list and the alert
never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.base import Archive
from archive.models import Event, Mention
from core.settings import HotspotSettings

# Members read to count publishers: enough to find a handful of distinct ones in any event
# that passes the size test (the gate stops as soon as it has found enough).
PUBLISHER_SCAN = 500


def publisher(mention: Mention) -> str | None:
    """Who published ``mention``; None for a comment (talk about a publication)."""
    if mention.kind == "comment":
        return None
    return f"{mention.platform}:{mention.author or mention.source}"


def count_publishers(mentions: Iterable[Mention], enough: int | None = None) -> int:
    """Distinct publishers among ``mentions``, stopping at ``enough`` when given."""
    seen: set[str] = set()
    for mention in mentions:
        who = publisher(mention)
        if who is not None:
            seen.add(who)
            if enough is not None and len(seen) >= enough:
                break
    return len(seen)


def is_hotspot(event: Event, archive: Archive, settings: HotspotSettings) -> bool:
    """Whether ``event`` has the size and the spread of a hotspot."""
    if event.mention_count < settings.min_mentions:
        return False
    if settings.min_publishers <= 1:
        return True
    mentions = archive.event_mentions(event.id, limit=PUBLISHER_SCAN)
    if not mentions:
        # The archive no longer holds its members (purged, or an event written by another
        # tool): its spread cannot be told, so it is judged on its size alone.
        return True
    return count_publishers(mentions, settings.min_publishers) >= settings.min_publishers


def hotspot_reason(event: Event, archive: Archive, settings: HotspotSettings) -> str:
    """The spread in words, for an alert's evidence."""
    mentions = archive.event_mentions(event.id, limit=PUBLISHER_SCAN)
    if not mentions:
        return f"传播范围：{event.mention_count} 条提及"
    return f"传播范围：{count_publishers(mentions)} 个发布者、{event.mention_count} 条提及"
