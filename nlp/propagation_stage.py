"""Each event's propagation figures, kept up to date by the analysis stage (issue 19).

The stage calls ``PropagationTracker.update`` once per batch, after the analyser and before
the writes: for every event the batch touched, the event's ``CascadeBuilder`` takes the
batch's new members (and the archived posts they repost, comment on or reprint), the figures
are recomputed over the whole cascade and set on the event, which the stage then stores.
A batch in publication order is added to the builder in place, so a batch costs the batch
plus one pass of the figures (``benchmarks/propagation_bench.py``, part 5).

What is held is rebuilt from the archive: the first time an event is touched after a start
its members are read (``archive.event_mentions``) with their ancestors, like the analyser's
own state. Figures are stored as ``{"mention_count", "computed_at", "figures"}``; readers use
them while the event's mention count is the one they were computed at
(``nlp.propagation_read.stored_figures``).

``carry`` keeps the figures on the events ``nlp.stage.refresh_events`` writes again (heat and
status move, the cascade does not), so a refresh never wipes them.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from archive.base import Archive
from archive.models import Analysis, Event, Mention
from nlp.propagation import CascadeBuilder
from nlp.propagation_figures import cascade_figures
from nlp.propagation_read import MAX_MENTIONS, ancestors

log = logging.getLogger(__name__)

__all__ = ["STORED_TOP", "PropagationTracker", "forget", "tracker_for"]

# Spreaders stored per ranking: the CLI's default --top, more than the alert (1) and the 专报
# (3) cite.
STORED_TOP = 10


@dataclass
class _Held:
    builder: CascadeBuilder
    members: set[str] = field(default_factory=set)  # the rest of the builder's are ancestors


class PropagationTracker:
    """The cascades of the events the analyser holds, and the figures last stored."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.held: dict[str, _Held] = {}
        self.stored: dict[str, dict[str, Any] | None] = {}

    def _load(self, event_id: str) -> _Held:
        """The event's cascade as the archive has it (members before this batch)."""
        members = self.archive.event_mentions(event_id, limit=MAX_MENTIONS)
        known = {m.id for m in members}
        builder = CascadeBuilder([*members, *ancestors(self.archive, members, known)])
        return _Held(builder, known)

    def update(
        self,
        mentions: Sequence[Mention],
        analyses: Sequence[Analysis],
        events: list[Event],
        now: datetime,
    ) -> None:
        """Set ``propagation`` on ``events`` (the batch's touched events, about to be stored)
        from their cascades with the batch's ``analyses`` applied."""
        batch = {m.id: m for m in mentions}
        event_of = {a.mention_id: a.event_id for a in analyses}
        joined: dict[str, list[str]] = {}
        for mention_id, event_id in event_of.items():
            if event_id:
                joined.setdefault(event_id, []).append(mention_id)
        for event in events:
            if event.mention_count == 0:
                self.held.pop(event.id, None)
                event.propagation = None
                self.stored[event.id] = None
                continue
            held = self.held.get(event.id) or self._load(event.id)
            self.held[event.id] = held
            left = {i for i in held.members if i in event_of and event_of[i] != event.id}
            if left:
                # A member moved to another event (rare): rebuild without it.
                held.members -= left
                kept = [m for m in held.builder.mentions.values() if m.id not in left]
                held.builder = CascadeBuilder(kept)
            new_ids = [i for i in joined.get(event.id, []) if i not in held.builder.mentions]
            new = [batch[i] for i in new_ids if i in batch]
            outside = [i for i in new_ids if i not in batch]
            if outside:
                new += self.archive.get_mentions(outside)
            held.members.update(joined.get(event.id, []))
            present = held.builder.mentions.keys() | {m.id for m in new}
            held.builder.add([*new, *ancestors(self.archive, new, set(present))])
            figures = cascade_figures(held.builder.cascade(), top=STORED_TOP)
            if len(held.members) != event.mention_count:
                log.debug(
                    "event %s: cascade holds %d members, the event %d",
                    event.id,
                    len(held.members),
                    event.mention_count,
                )
            event.propagation = {
                "mention_count": event.mention_count,
                "computed_at": now.isoformat(),
                "figures": figures.to_json(),
            }
            self.stored[event.id] = event.propagation

    def carry(self, events: list[Event]) -> None:
        """Put the stored figures back on ``events`` rebuilt without them (a refresh)."""
        for event in events:
            if event.id not in self.stored:
                found = self.archive.get_event(event.id)
                self.stored[event.id] = found.propagation if found is not None else None
            event.propagation = self.stored[event.id]

    def retain(self, active: Container[str]) -> None:
        """Drop the cascades and figures of events no longer ``active`` (the analyser let them
        go; they are read again from the archive if a late mention touches them)."""
        for event_id in [e for e in self.held if e not in active]:
            del self.held[event_id]
        for event_id in [e for e in self.stored if e not in active]:
            del self.stored[event_id]


# One tracker per open archive object, beside the analyser (nlp.stage).
_TRACKERS: weakref.WeakKeyDictionary[Archive, PropagationTracker] = weakref.WeakKeyDictionary()


def tracker_for(archive: Archive) -> PropagationTracker:
    tracker = _TRACKERS.get(archive)
    if tracker is None:
        tracker = _TRACKERS[archive] = PropagationTracker(archive)
    return tracker


def forget(archive: Archive) -> None:
    """Drop the archive's cascades; the next batch reads them from the archive again."""
    _TRACKERS.pop(archive, None)
