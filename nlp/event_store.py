"""The events the analyser holds in memory, indexed for finding a mention's event.

``EventStore`` keeps the events' members, the index of their strongest words and of their
links (repost chains, #topics#, names, places: ``nlp.event_links``), each event's span, and
answers the lookups: the active event whose centroid is most similar to a vector (cosine ≥
``JOIN_THRESHOLD``, within ``settings.nlp.event_window`` of the event's span), the event
carrying a link on the most members. Which link a mention joins by, in which order and from
which similarity, is ``nlp.event_join``. Every lookup is ordered (ties: the earlier event, then
the smaller id), so the same mentions in the same order give the same events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta

from nlp.event_links import DISTRICT, NAME, PLACE, QUOTE, NameIndex
from nlp.event_memo import Norms, grown_centroid, same_roots
from nlp.event_scope import Home
from nlp.events import EventState, Member
from nlp.vectors import Vector, top_terms

# Cosine between a mention's vector and an event centroid at or above which the mention joins.
# Tuned on the food-safety news set (benchmarks/nlp_relevance_bench.py --events): the two
# halves of one report (same story, different sentences; 383 reports) against halves of
# different reports (same topic, the hard case; 14,157 pairs):
#   threshold   same story joins   different stories merge (per pair)
#   0.20        90 %               0.88 %
#   0.25        79 %               0.38 %
#   0.30        65 %               0.16 %
# A report's first sentence against the rest (a short post against an event): 63 % / 0.23 %
# at 0.25. 0.25 balances a split story (two events for one happening, merely untidy) against
# a merge (figures of one accident graded into another's event, which can open obligations).
JOIN_THRESHOLD = 0.25
# Candidate events are those sharing one of the mention's strongest words.
CANDIDATE_WORDS = 12
# How near in time a member must be for a place's, a live name's or a told firm's link to
# hold (argued with the floors in nlp.event_join; nlp.event_recheck reads it too).
PLACE_RECENT = timedelta(hours=6)
# Which events a mention may join by its words (nlp.event_scope): event id → allowed.
Keep = Callable[[str], bool]


class EventStore:
    """The events the analyzer holds in memory, with a word index for candidate lookup."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self.events: dict[str, EventState] = {}
        self.member_event: dict[str, str] = {}
        self._index: dict[str, set[str]] = defaultdict(set)
        self._links: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.names = NameIndex()
        self.places = NameIndex()
        self.home = Home()
        # Event id → (first, last) member time. Every lookup reads the span of each candidate
        # event and ``EventState`` computes it over all members each time (a fifth of the
        # ordered analysis step on the scale benchmark's replay); kept here, exactly, as
        # members come and go through ``add`` and ``remove_member``.
        self._spans: dict[str, tuple[datetime, datetime]] = {}
        self._norms = Norms()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self.events

    def get(self, event_id: str) -> EventState | None:
        return self.events.get(event_id)

    def event_of(self, mention_id: str) -> str | None:
        return self.member_event.get(mention_id)

    def ensure(self, event_id: str) -> EventState:
        state = self.events.get(event_id)
        if state is None:
            state = self.events[event_id] = EventState(event_id)
        return state

    def add(self, event_id: str, member: Member) -> None:
        previous = self.member_event.get(member.id)
        if previous is not None and previous != event_id:
            self.remove_member(member.id)
        state = self.ensure(event_id)
        old = state.members.get(member.id)
        # A reply joining its post's event leaves the event's roots, hence its centroid, as
        # they were; EventState.add forgets the centroid on every member, and most members
        # are replies (recomputing it, a sort of the members and a sum of the roots' words,
        # was a tenth of the ordered step). Kept only when the roots provably stay the same.
        kept = state._centroid if same_roots(state, member, old) else None
        # A new root arriving last (most new posts and articles) adds its words to the sum.
        grown = grown_centroid(state, member) if kept is None and old is None else None
        state.add(member)
        if kept is not None:
            state._centroid = kept
        elif grown is not None:
            state._centroid, state._told = grown
        span = self._spans.get(event_id)
        if span is not None and (old is None or old.at == member.at):
            self._spans[event_id] = (min(span[0], member.at), max(span[1], member.at))
        else:
            self._spans.pop(event_id, None)
        self.member_event[member.id] = event_id
        self.home.learn(member.mention.region)
        for word in top_terms(member.vector, CANDIDATE_WORDS):
            self._index[word].add(event_id)
        for key in member.links:
            self._links[key].add(event_id)
            if key[0] in (NAME, QUOTE):
                self.names.add(key[1])
            elif key[0] in (PLACE, DISTRICT):
                self.places.add(key[1])

    def remove_member(self, mention_id: str) -> str | None:
        event_id = self.member_event.pop(mention_id, None)
        if event_id is not None and event_id in self.events:
            self.events[event_id].remove(mention_id)
            self._spans.pop(event_id, None)
        return event_id

    def span(self, event_id: str, state: EventState) -> tuple[datetime, datetime]:
        """(first, last) member time of an event with members: ``state.first_seen`` and
        ``state.last_seen``, kept instead of computed."""
        span = self._spans.get(event_id)
        if span is None:
            times = [m.at for m in state.members.values()]
            span = self._spans[event_id] = (min(times), max(times))
        return span

    def similarity(self, vector: Mapping[str, float], state: EventState) -> float:
        """``cosine(vector, state.centroid)``, the same arithmetic with the norms kept."""
        return self._norms.cosine(vector, state.centroid)

    def best_match(
        self,
        vector: Vector,
        at: datetime,
        threshold: float = JOIN_THRESHOLD,
        keep: Keep | None = None,
    ) -> tuple[str, float] | None:
        """The most similar active event (ties: the earlier event, then the smaller id) of
        those ``keep`` allows."""
        candidates: set[str] = set()
        for word in top_terms(vector, CANDIDATE_WORDS):
            candidates |= self._index.get(word, set())
        best: tuple[str, float] | None = None
        best_key: tuple[float, datetime, str] | None = None
        for event_id in sorted(candidates):
            state = self.active(event_id, at)
            if state is None:
                continue
            similarity = self.similarity(vector, state)
            if similarity < threshold or (keep is not None and not keep(event_id)):
                continue
            key = (-similarity, self.span(event_id, state)[0], event_id)
            if best_key is None or key < best_key:
                best, best_key = (event_id, similarity), key
        return best

    def evict_before(self, horizon: datetime) -> list[str]:
        """Forget events with nothing since ``horizon``; they are reloaded if needed."""
        gone = [
            event_id
            for event_id, state in self.events.items()
            if not state.members or self.span(event_id, state)[1] < horizon
        ]
        for event_id in gone:
            self._spans.pop(event_id, None)
            for mention_id in self.events.pop(event_id).members:
                if self.member_event.get(mention_id) == event_id:
                    del self.member_event[mention_id]
        if gone:
            dropped = set(gone)
            for word in list(self._index):
                self._index[word] -= dropped
                if not self._index[word]:
                    del self._index[word]
            for key in list(self._links):
                self._links[key] -= dropped
                if not self._links[key]:
                    del self._links[key]
                    if key[0] in (NAME, QUOTE) and not self._links.get(_other_name(key)):
                        self.names.discard([key[1]])
                    elif key[0] in (PLACE, DISTRICT) and not self._links.get(_other_place(key)):
                        self.places.discard([key[1]])
        return gone

    def active(self, event_id: str, at: datetime) -> EventState | None:
        state = self.events.get(event_id)
        if state is None or not state.members:
            return None
        first, last = self.span(event_id, state)
        if at > last + self.window or at < first - self.window:
            return None
        return state

    def with_link(self, key: tuple[str, str]) -> AbstractSet[str]:
        """The ids of the events some member of which carries ``key`` (or did: see ``linked``)."""
        return self._links.get(key, set())

    def with_word(self, word: str) -> AbstractSet[str]:
        """The ids of the events ``word`` is among the strongest words of some member of."""
        return self._index.get(word, set())

    def carriers(self, key: tuple[str, str], at: datetime, least: int) -> list[EventState]:
        """The events active at ``at`` carrying ``key`` on at least ``least`` members, by id
        (``nlp.event_context``'s subjects and rare words)."""
        states = (self.active(event_id, at) for event_id in sorted(self._links.get(key, ())))
        return [s for s in states if s is not None and s.link_counts.get(key, 0) >= least]

    def linked(
        self,
        key: tuple[str, str],
        vector: Vector,
        at: datetime,
        floor: float,
        least: int,
        keep: Keep | None = None,
    ) -> tuple[str, float] | None:
        """The active event carrying ``key`` on the most members (at least ``least``) whose
        centroid is at least ``floor`` similar, of those ``keep`` allows; ties: more
        similar, earlier, smaller id."""
        best: tuple[str, float] | None = None
        best_key: tuple[int, float, datetime, str] | None = None
        for event_id in sorted(self._links.get(key, ())):
            state = self.active(event_id, at)
            count = state.link_counts.get(key, 0) if state is not None else 0
            if state is None or count < least:
                continue
            similarity = self.similarity(vector, state) if vector else 0.0
            if similarity < floor or (keep is not None and not keep(event_id)):
                continue
            rank = (-count, -round(similarity, 9), self.span(event_id, state)[0], event_id)
            if best_key is None or rank < best_key:
                best, best_key = (event_id, similarity), rank
        return best

    def recent(self, event_id: str, at: datetime) -> bool:
        """A member within PLACE_RECENT of ``at``, before or after it: a witness's post
        published before the reports (judged again by nlp.event_recheck, or crawled late)."""
        members = self.events[event_id].members.values()
        return any(abs(m.at - at) <= PLACE_RECENT for m in members)


def _other_name(key: tuple[str, str]) -> tuple[str, str]:
    """A name is indexed once for both kinds that carry names."""
    return (QUOTE if key[0] == NAME else NAME, key[1])


def _other_place(key: tuple[str, str]) -> tuple[str, str]:
    """A place name is indexed once for both kinds of place."""
    return (DISTRICT if key[0] == PLACE else PLACE, key[1])
