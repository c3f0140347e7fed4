"""What ``nlp.event_store.EventStore`` keeps instead of recomputing, with the same results:
the norms of the vectors it compares, whether adding a member leaves an event's centroid as
it was, and the centroid grown by a root that arrives last (the scale benchmark's profile:
centroids recomputed after every reply, spans and norms computed for every candidate event,
a third of the ordered analysis step; then centroids recomputed for new roots, a tenth).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from nlp.events import CENTROID_MEMBERS, EventState, Member, Told
from nlp.vectors import Vector

__all__ = ["Norms", "grown_centroid", "same_place", "same_roots"]

# Norms remembered (``Norms``) before it starts again: the centroids of the events in memory
# and the mentions' vectors being linked, a few thousand at a time.
NORMS_KEPT = 20_000


def same_roots(state: EventState, member: Member, old: Member | None) -> bool:
    """Whether adding ``member`` (replacing ``old``) leaves the event's centroid as it is:
    it is ``old`` analysed again with the same parent, time, words and linking (a post
    re-scored as its replies come), or it replies to another member and either replaces a
    reply or no member replies to it (a post arriving after its replies would turn them from
    roots into replies)."""
    if old is not None and same_place(old, member):
        return True
    parent = member.mention.parent_id
    if parent is None or parent == member.id or not state.is_child(member):
        return False
    if old is not None:
        return state.is_child(old) and old.mention.parent_id != old.id
    return state.reply_count(member.id) == 0


def grown_centroid(state: EventState, member: Member) -> tuple[Vector, Told] | None:
    """The centroid of ``state`` once ``member`` (not in it yet) is added, and what it sums,
    when that follows from the centroid kept; None: compute it afresh.

    It follows when the member will be a root that no member replies to (the other roots
    stay roots) and it either does not count (linked while members relevant by their own
    words are summed; after the CENTROID_MEMBERS summed) or comes last in member order among
    those summed: then ``EventState.centroid`` would add its words after the same sums, so
    the new centroid is the kept one plus its words, the same floats in the same order. A new
    dict, never the kept one changed: norms and top words are kept by object."""
    kept, told = state._centroid, state._told
    parent = member.mention.parent_id
    child = parent is not None and (parent == member.id or parent in state.members)
    if kept is None or told is None or child or state.reply_count(member.id):
        return None
    if member.linked and told.unlinked:
        return kept, told  # not summed: the roots relevant by their own words are
    if not member.linked and not told.unlinked:
        # The first root relevant by its own words: the centroid is its words alone.
        return {w: 0.0 + v for w, v in member.vector.items()}, Told(1, member.order(), True)
    if told.last is not None and member.order() < told.last:
        return None  # it would be summed before others
    if told.count >= CENTROID_MEMBERS:
        return kept, told
    total = dict(kept)
    for word, value in member.vector.items():
        total[word] = total.get(word, 0.0) + value
    return total, Told(told.count + 1, member.order(), told.unlinked)


def same_place(old: Member, new: Member) -> bool:
    """The same member for the centroid: the same parent (so a root or a reply as before),
    the same place in the event's order, the same linking and the same words in the same
    order (the centroid's sums, and the order of its words, are then the same)."""
    return (
        old.mention.parent_id == new.mention.parent_id
        and old.at == new.at
        and old.linked == new.linked
        and (old.vector is new.vector or list(old.vector.items()) == list(new.vector.items()))
    )


class Norms:
    """Vector norms by object, for ``cosine`` without recomputing them: an event's centroid
    is compared with every candidate mention, a mention's vector with every candidate event.
    Keyed by identity with the vector held, so an id is never reused while it is kept; the
    vectors compared (TextParts' vectors, EventState's centroids) are never changed in place.
    """

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Mapping[str, float], float]] = {}

    def norm(self, vector: Mapping[str, float]) -> float:
        kept = self._kept.get(id(vector))
        if kept is not None and kept[0] is vector:
            return kept[1]
        if len(self._kept) >= NORMS_KEPT:
            self._kept.clear()
        norm = math.sqrt(sum(v * v for v in vector.values()))
        self._kept[id(vector)] = (vector, norm)
        return norm

    def cosine(self, a: Mapping[str, float], b: Mapping[str, float]) -> float:
        """``nlp.vectors.cosine``, operation for operation (the same float)."""
        if len(a) > len(b):
            a, b = b, a
        dot = sum(value * b.get(word, 0.0) for word, value in a.items())
        if dot == 0:
            return 0.0
        return dot / (self.norm(a) * self.norm(b))
