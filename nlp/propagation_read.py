"""The mentions an event's cascade is built from, read from the archive.

An event's members are the mentions the analysis put in it; the post a member reposted, the
comment's post or the original of a reprint may not be a member (it was not relevant on its
own, or joined another event) but is archived. Those ancestors are fetched so that the tree
reaches its real root instead of a placeholder; what the archive does not hold stays a
placeholder (``nlp.propagation``).
"""

from __future__ import annotations

from archive.base import Archive
from archive.models import Event, Mention

__all__ = ["MAX_MENTIONS", "cascade_mentions"]

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


def cascade_mentions(
    archive: Archive, event_id: str, limit: int = MAX_MENTIONS
) -> tuple[Event | None, list[Mention]]:
    """The event and its members plus their archived ancestors; (None, []) if no such event."""
    event = archive.get_event(event_id)
    if event is None:
        return None, []
    members = archive.event_mentions(event_id, limit=limit)
    found = {m.id: m for m in members}
    missing: set[str] = set()
    frontier = list(members)
    for _ in range(MAX_ROUNDS):
        wanted = sorted({i for m in frontier for i in _wanted(m)} - found.keys() - missing)
        if not wanted:
            break
        fetched = archive.get_mentions(wanted)
        missing.update(set(wanted) - {m.id for m in fetched})
        for m in fetched:
            found[m.id] = m
        frontier = fetched
    return event, list(found.values())
