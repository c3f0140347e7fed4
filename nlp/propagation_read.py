"""The mentions an event's cascade is built from, read from the archive.

An event's members are the mentions the analysis put in it; the post a member reposted, the
comment's post or the original of a reprint may not be a member (it was not relevant on its
own, or joined another event) but is archived. Those ancestors are fetched so that the tree
reaches its real root instead of a placeholder; what the archive does not hold stays a
placeholder (``nlp.propagation``).

The analysis stores each event's figures with it (``nlp.propagation_stage``); readers take
them through ``stored_figures`` while the event has not grown since, else compute them here.
"""

from __future__ import annotations

import logging

from archive.base import Archive
from archive.models import Event, Mention
from nlp.propagation_figures import Figures

__all__ = ["MAX_MENTIONS", "ancestors", "cascade_mentions", "stored_figures"]

logger = logging.getLogger(__name__)

# The most members read for one event; the largest events of the CED replay have a few
# thousand, and building a cascade of 100,000 takes well under a second
# (benchmarks/propagation_bench.py), so this bounds memory, not time.
MAX_MENTIONS = 200_000
# Ancestors are fetched one generation per round; real repost chains are rarely deeper.
MAX_ROUNDS = 50


def _wanted(mention: Mention) -> list[str]:
    ids = [mention.parent_id] if mention.parent_id else []
    original = mention.extra.get("duplicate_of")
    if isinstance(original, str) and original:
        ids.append(original)
    return ids


def ancestors(archive: Archive, mentions: list[Mention], known: set[str]) -> list[Mention]:
    """The archived ancestors of ``mentions`` (parents, originals of reprints, theirs in
    turn) not in ``known``; one generation per round, what the archive lacks left out."""
    found: dict[str, Mention] = {}
    missing: set[str] = set()
    frontier = list(mentions)
    for _ in range(MAX_ROUNDS):
        wanted = sorted({i for m in frontier for i in _wanted(m)} - known - found.keys() - missing)
        if not wanted:
            break
        fetched = archive.get_mentions(wanted)
        missing.update(set(wanted) - {m.id for m in fetched})
        for m in fetched:
            found[m.id] = m
        frontier = fetched
    return list(found.values())


def cascade_mentions(
    archive: Archive, event_id: str, limit: int = MAX_MENTIONS
) -> tuple[Event | None, list[Mention]]:
    """The event and its members plus their archived ancestors; (None, []) if no such event."""
    event = archive.get_event(event_id)
    if event is None:
        return None, []
    members = archive.event_mentions(event_id, limit=limit)
    return event, [*members, *ancestors(archive, members, {m.id for m in members})]


def stored_figures(event: Event) -> Figures | None:
    """The figures the analysis stored with ``event`` when they are current (computed when the
    event had the members it has now, ``nlp.propagation_stage``); None: compute them."""
    stored = event.propagation
    if not stored or stored.get("mention_count") != event.mention_count:
        return None
    try:
        return Figures.from_json(stored["figures"])
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning("event %s: stored propagation figures unreadable (%s)", event.id, exc)
        return None
