"""Incremental event clustering, and the Event record built from an event's mentions.

An event's state is a pure function of its member mentions (and, for heat and status, of
"now"): its centroid is recomputed from the members in (published_at, id) order, never
accumulated, so an event rebuilt from the archive after a restart is bit-for-bit the event
the running process had, and clustering does not depend on batch boundaries.

How a mention finds its event is ``nlp.event_join`` (over the events ``nlp.event_store``
holds); one that finds none starts a new event whose id is
``stable_id("event", <first mention id>)``. Comments and reposts join their parent's event.
A mention keeps the event it was first given when it is
analysed again (alerts and obligations refer to event ids, which must not move).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from archive.models import (
    ENTITY_KINDS,
    EVENT_ENTITIES_PER_KIND,
    EntityCount,
    EntityRef,
    Event,
    Mention,
)
from nlp.heat import Activity, burst_at, status_at
from nlp.severity import SourcedFigures, grade_event
from nlp.text import is_summary
from nlp.vectors import Vector, cosine, normalise, top_terms

K = TypeVar("K")

# The centroid is built from at most this many root members (articles, posts, notices),
# the earliest first: enough to describe a story, and a bound on the cost of a huge event.
CENTROID_MEMBERS = 200
KEYWORDS = 10
# The strongest words of an event a live mention's domain term is looked for in.
TOP_WORDS = 3
MAX_TOPICS = 3
# A topic is an event's when it carries at least this share of its members' topic evidence.
TOPIC_SHARE = 0.2
# Members whose rumour score reaches this are not trusted for casualty figures.
CREDIBLE_RUMOR_MAX = 0.5
OFFICIAL_PLATFORMS = ("official",)
OFFICIAL_KINDS = ("official", "debunk")


@dataclass
class Member:
    """What an event needs to know about one of its mentions."""

    mention: Mention
    title: str  # the mention's title, or a Weibo post's 【headline】
    vector: Vector
    title_vector: Vector
    lead: str
    relevance: float
    topic_evidence: dict[str, float]
    rumor_score: float | None
    figures: SourcedFigures
    grams: frozenset[str] = frozenset()
    doubting: bool = False  # a comment or repost that questions its parent
    weight: float = 1.0  # nlp.heat.mention_weight: engagement × source authority
    regions: tuple[str, ...] = ()  # regions the text names (nlp.entities), cities first
    entities: tuple[EntityRef, ...] = ()  # its analysis's, each once
    links: tuple[tuple[str, str], ...] = ()  # nlp.event_links.member_links
    # Joined by a link (a place, a #topic#, a name), not relevant by its own words: it counts
    # for the event's volume and heat, not for what the event is about (its centroid).
    linked: bool = False

    @property
    def id(self) -> str:
        return self.mention.id

    @property
    def at(self) -> datetime:
        return self.mention.published_at

    def order(self) -> tuple[datetime, str]:
        return (self.mention.published_at, self.mention.id)


def is_official(mention: Mention) -> bool:
    return mention.platform in OFFICIAL_PLATFORMS or mention.kind in OFFICIAL_KINDS


@dataclass(frozen=True)
class Told:
    """What an event's centroid sums: ``count`` members, the last of them in member order
    ``last`` (None: none), and whether they are its roots relevant by their own words
    (``unlinked``) or, as there are none, all its roots."""

    count: int
    last: tuple[datetime, str] | None
    unlinked: bool


@dataclass
class EventState:
    id: str
    members: dict[str, Member] = field(default_factory=dict)
    _centroid: Vector | None = None
    # parent id → ids of the members replying to it, so a reply finds its siblings without
    # scanning the event (a viral post has thousands).
    _children: dict[str, set[str]] = field(default_factory=dict)
    # entity → number of members naming it, kept as members come and go, so an event's
    # entities cost its distinct entities per build, not a pass over its members.
    entity_counts: dict[EntityRef, int] = field(default_factory=dict)
    # platform → number of members from it, kept the same way (a member replaced counts
    # under its new mention's platform).
    platform_counts: dict[str, int] = field(default_factory=dict)
    # (link kind, value) → number of members carrying it (nlp.event_links), kept the same way.
    link_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    _top_words: list[str] | None = None
    _top_of: Vector | None = None
    # What ``_centroid`` sums (``Told``), so that a root arriving last can be added to it
    # (nlp.event_memo.grown_centroid) instead of summing every root again.
    _told: Told | None = None

    def add(self, member: Member) -> None:
        old = self.members.get(member.id)
        if old is not None:
            if old.mention.parent_id:
                self._children.get(old.mention.parent_id, set()).discard(member.id)
            self._count(old, -1)
        self.members[member.id] = member
        if member.mention.parent_id:
            self._children.setdefault(member.mention.parent_id, set()).add(member.id)
        self._count(member, 1)
        self._centroid = None

    def remove(self, mention_id: str) -> None:
        member = self.members.pop(mention_id, None)
        if member is not None:
            if member.mention.parent_id:
                self._children.get(member.mention.parent_id, set()).discard(mention_id)
            self._count(member, -1)
            self._centroid = None

    def _count(self, member: Member, step: int) -> None:
        """Add (step 1) or take away (step -1) a member's entities and platform."""
        for entity in member.entities:
            _add(self.entity_counts, entity, step)
        _add(self.platform_counts, member.mention.platform, step)
        for key in member.links:
            _add(self.link_counts, key, step)

    def ordered(self) -> list[Member]:
        return sorted(self.members.values(), key=Member.order)

    def is_child(self, member: Member) -> bool:
        """A reply to another member: it counts for heat, not for what the event is about.
        Decided from the member set alone, so the answer does not depend on arrival order."""
        parent = member.mention.parent_id
        return parent is not None and parent in self.members

    def roots(self) -> list[Member]:
        return [m for m in self.ordered() if not self.is_child(m)]

    @property
    def centroid(self) -> Vector:
        """The words of the event's root members that are relevant by their own words (all
        roots when none is): a witness post joined by the street it names ("锦江广场那边怎么了？
        一下子过去七八辆消防车") would otherwise pull the event away from the reports the next
        hearsay is measured against."""
        if self._centroid is None:
            total: dict[str, float] = {}
            roots = self.roots()
            unlinked = [m for m in roots if not m.linked]
            telling = (unlinked or roots)[:CENTROID_MEMBERS]
            for member in telling:
                for word, value in member.vector.items():
                    total[word] = total.get(word, 0.0) + value
            self._centroid = total
            last = telling[-1].order() if telling else None
            self._told = Told(len(telling), last, bool(unlinked))
        return self._centroid

    @property
    def first_seen(self) -> datetime:
        return min(m.at for m in self.members.values())

    @property
    def last_seen(self) -> datetime:
        return max(m.at for m in self.members.values())

    @property
    def top_words(self) -> list[str]:
        """The centroid's TOP_WORDS strongest words (ties: in order), cached with it."""
        centroid = self.centroid
        if self._top_words is None or self._top_of is not centroid:
            self._top_words = top_terms(centroid, TOP_WORDS)
            self._top_of = centroid
        return self._top_words

    def children_of(self, parent_id: str) -> list[Member]:
        ids = self._children.get(parent_id, ())
        return sorted((self.members[i] for i in ids), key=Member.order)

    def reply_count(self, parent_id: str) -> int:
        return len(self._children.get(parent_id, ()))


def _title(state: EventState, roots: list[Member]) -> str:
    """A clean summary: the title (a news or official title, a post's 【headline】) most
    like the event; else the lead sentence of the post most like it. A label (【转需】,
    【警情通报】), a bare repost or an emoticon is never the title."""
    centroid = state.centroid
    titled = [m for m in roots if is_summary(m.title)]
    if titled:
        best = min(
            titled,
            key=lambda m: (-round(cosine(m.title_vector, centroid), 9), m.at, m.id),
        )
        return best.title.strip()
    led = [m for m in roots if m.lead] or [m for m in state.ordered() if m.lead]
    if led:
        # An original post before a repost (its words are its own), then the most similar.
        best = min(
            led,
            key=lambda m: (
                m.mention.parent_id is not None,
                -round(cosine(m.vector, centroid), 9),
                m.at,
                m.id,
            ),
        )
        return best.lead
    first = roots[0] if roots else state.ordered()[0]
    return first.title.strip() if is_summary(first.title) else ""


def _most_named(named: list[str]) -> str:
    """The most frequent; among equals, the first named."""
    if not named:
        return ""
    counts = Counter(named)
    first_at: dict[str, int] = {}
    for position, name in enumerate(named):
        first_at.setdefault(name, position)
    return min(counts, key=lambda name: (-counts[name], first_at[name]))


def _region(members: list[Member]) -> str:
    """The sources' configured region (where the mentions were published), else the region
    the texts name most (where it happened, as far as the words say)."""
    configured = [m.mention.region for m in members if m.mention.region]
    return _most_named(configured) or _most_named([m.regions[0] for m in members if m.regions])


def _topics(members: list[Member]) -> list[str]:
    evidence: dict[str, float] = defaultdict(float)
    for member in members:
        for topic, value in member.topic_evidence.items():
            evidence[topic] += value
    total = sum(evidence.values())
    if total <= 0:
        return []
    ranked = sorted(evidence.items(), key=lambda kv: (-kv[1], kv[0]))
    return [topic for topic, value in ranked if value / total >= TOPIC_SHARE][:MAX_TOPICS]


def _add(counts: dict[K, int], key: K, step: int) -> None:
    """``counts[key] += step``, the key dropped when nothing is left of it."""
    left = counts.get(key, 0) + step
    if left > 0:
        counts[key] = left
    else:
        counts.pop(key, None)


def _entities(state: EventState) -> list[EntityCount]:
    """The most named entities of each kind (ENTITY_KINDS order), by members naming them;
    among equals by name, so the list depends on the members alone, not on their order."""
    by_kind: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for entity, count in state.entity_counts.items():
        by_kind[entity.kind].append((-count, entity.name, entity.code))
    found = []
    for kind in sorted(by_kind, key=lambda k: (_kind_rank(k), k)):
        for negative, name, code in sorted(by_kind[kind])[:EVENT_ENTITIES_PER_KIND]:
            found.append(EntityCount(kind, name, code, -negative))
    return found


def _kind_rank(kind: str) -> int:
    return ENTITY_KINDS.index(kind) if kind in ENTITY_KINDS else len(ENTITY_KINDS)


def _platforms(state: EventState) -> dict[str, int]:
    """Members per platform, the most first and among equals by name: the stored JSON then
    depends on the members alone, not on the order they arrived in."""
    ranked = sorted(state.platform_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return dict(ranked)


def build_event(state: EventState, now: datetime, window: timedelta) -> Event:
    """The Event record for the current members, as of ``now``."""
    members = state.ordered()
    if not members:
        return Event(
            id=state.id,
            title="",
            first_seen=now,
            last_seen=now,
            mention_count=0,
            status="closed",
            updated_at=now,
            entities=[],
            platforms={},
        )
    roots = state.roots()
    activities = [Activity(m.at, m.weight, m.mention.platform) for m in members]
    status, heat = status_at(activities, now, state.last_seen, window)
    credible = [
        SourcedFigures(
            m.figures.mention_id,
            m.figures.published_at,
            m.figures.official,
            m.figures.credible
            and m.mention.kind != "comment"
            and (m.rumor_score is None or m.rumor_score < CREDIBLE_RUMOR_MAX),
            m.figures.best,
            m.figures.accident_context,
        )
        for m in members
        if m.figures.best or m.figures.accident_context
    ]
    severity, basis = grade_event(credible)
    rumor_scores = [m.rumor_score for m in members if m.rumor_score is not None]
    return Event(
        id=state.id,
        title=_title(state, roots),
        first_seen=state.first_seen,
        last_seen=state.last_seen,
        mention_count=len(members),
        heat=round(heat, 4),
        burst=round(burst_at(activities, now), 4),
        status=status,
        topics=_topics(members),
        keywords=top_terms(state.centroid, KEYWORDS),
        region=_region(members),
        severity=severity,
        severity_basis=basis,
        rumor_score=max(rumor_scores) if rumor_scores else None,
        updated_at=now,
        entities=_entities(state),
        platforms=_platforms(state),
    )


def title_vector(words: Iterable[str]) -> Vector:
    from nlp.vectors import idf, keep_word

    counts = Counter(word for word in words if keep_word(word))
    return normalise({word: count * idf(word) for word, count in counts.items()})
