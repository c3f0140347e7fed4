"""The read layer of the hotspot and event pages (cached like ``dashboard.data``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from alerts.messages import mention_label
from alerts.post_rules import reach
from archive.base import Archive
from archive.models import (
    Alert,
    EntityCount,
    Event,
    Mention,
    Obligation,
    Reason,
    platform_breakdown,
)
from archive.search import FacetCount, HistogramBucket, SearchFilters, SearchHit, SearchRequest
from core.clock import SHANGHAI, local
from dashboard.context import reader
from dashboard.data import _ttl_cached, hottest, rumor_threshold
from dashboard.formatting import fmt_time
from dashboard.labels import OBLIGATION_KIND_LABELS, PLATFORM_LABELS, shown
from nlp.entities import EntitySummary, Region, extract, gazetteer, summarise
from nlp.text import make_document
from nlp.vectors import TITLE_WEIGHT, idf, keep_word

SCAN_LIMIT = 1_000_000
# Posts read to choose the representative ones and the rumour evidence of an event: the
# newest this many (an event of thousands of posts is judged on its latest ones).
SAMPLE = 300
REPRESENTATIVE = 5
HOTSPOTS = 50
EVIDENCE_POSTS = 5
RUMOR_REASON_KINDS = ("signal", "feature", "match")
TERMS = 60  # words in the event's word cloud
SENTIMENTS = ("negative", "neutral", "positive")
# The event page's timeline is hourly over an event's first two days, where the disclosure
# deadlines fall (authoritative information within 5 h, a press conference within 24 h of a
# major emergency, a clarification within 24 h), and daily after.
HOURLY_SPAN = timedelta(hours=48)


def deadline_marks(obligations: list[Obligation], start: datetime) -> list[tuple[timedelta, str]]:
    """(offset from ``start``, label) of the deadlines of the event's own obligations that
    fall in its first HOURLY_SPAN: a rumour owes a clarification, not the 5 h release and
    24 h press conference of a major emergency, so those are drawn only when owed."""
    marks: dict[tuple[timedelta, str], None] = {}
    for ob in sorted(obligations, key=lambda o: (o.due_at, o.kind)):
        offset = ob.due_at - start
        if timedelta(0) <= offset <= HOURLY_SPAN:
            marks[(offset, f"{OBLIGATION_KIND_LABELS.get(ob.kind, ob.kind)}截止")] = None
    return list(marks)


def bucket_starts(since: datetime, until: datetime, interval: str) -> list[datetime]:
    """Every bucket start from ``since`` to ``until`` as the archive's histogram makes them:
    whole hours, or midnights in Beijing time."""
    start = local(since)
    if interval == "hour":
        start = start.replace(minute=0, second=0, microsecond=0)
        step = timedelta(hours=1)
    else:
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        step = timedelta(days=1)
    starts = []
    while start <= until:
        starts.append(start)
        # Step in Beijing wall time (no daylight saving there, so this is exact).
        start = (start + step).astimezone(SHANGHAI)
    return starts


def filled(buckets: list[HistogramBucket], starts: list[datetime]) -> list[int]:
    counts = {local(b.start).replace(tzinfo=None): b.count for b in buckets}
    return [counts.get(s.replace(tzinfo=None), 0) for s in starts]


@dataclass
class Hotspot:
    event: Event
    trend: list[int]  # mentions per bucket over the page's window, oldest first

    @property
    def platforms(self) -> str:
        """The event's members by platform, "微博 120 · 新闻网站 8"; "" for an event written
        before platforms were kept (the analyser fills them when it next updates the event)."""
        if self.event.platforms is None:
            return ""
        return platform_breakdown(self.event.platforms, " · ", PLATFORM_LABELS)


@_ttl_cached
def hotspots(config: str, at: datetime, window: timedelta, interval: str) -> list[Hotspot]:
    """Events active in the window, hottest first, each with its volume trend."""
    archive = reader(config)
    since = at - window
    starts = bucket_starts(since, at, interval)
    made = []
    for event in hottest(config, archive, since, HOTSPOTS):
        request = SearchRequest(filters=SearchFilters(since=since, events=[event.id]))
        made.append(Hotspot(event, filled(archive.histogram(request, interval), starts)))
    return made


@dataclass
class Timeline:
    """An event's spread over time: hourly over its first ``HOURLY_SPAN``, daily over all of it
    when it has lasted longer."""

    start: datetime
    hours: list[tuple[datetime, int]]
    days: list[HistogramBucket]


def event_timeline(archive: Archive, event: Event, request: SearchRequest) -> Timeline:
    """Hourly counts (zeros filled) from the event's first hour for up to ``HOURLY_SPAN``, and
    the daily histogram when the event has outlived that span."""
    start = event.first_seen
    end = min(event.last_seen, start + HOURLY_SPAN)
    window = replace(
        request, filters=replace(request.filters, since=start, until=start + HOURLY_SPAN)
    )
    starts = bucket_starts(start, end, "hour")
    counts = filled(archive.histogram(window, "hour"), starts)
    days = archive.histogram(request, "day") if event.last_seen > end else []
    return Timeline(start=start, hours=list(zip(starts, counts, strict=True)), days=days)


def event_terms(hits: list[SearchHit], size: int = TERMS) -> list[tuple[str, float]]:
    """The event's characteristic words over its sampled mentions: each word's count (title
    words double, as in the clustering's vectors) times its IDF, so 电梯 and 困人 outweigh
    words every post uses."""
    weights: dict[str, float] = {}
    for hit in hits:
        document = make_document(hit.mention)
        for words, weight in ((document.title_words, TITLE_WEIGHT), (document.body_words, 1.0)):
            for word in words:
                if keep_word(word):
                    weights[word] = weights.get(word, 0.0) + weight * idf(word)
    ranked = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:size]


def sentiment_series(
    archive: Archive, request: SearchRequest, interval: str
) -> list[tuple[datetime, str, int]]:
    """Mentions per bucket and sentiment (negative, neutral, positive) for ``request``."""
    rows = []
    for sentiment in SENTIMENTS:
        filters = replace(request.filters, sentiments=[sentiment])
        for bucket in archive.histogram(replace(request, filters=filters), interval):
            rows.append((bucket.start, sentiment, bucket.count))
    return rows


@dataclass
class RumorPost:
    hit: SearchHit
    score: float
    reasons: list[Reason]


@dataclass
class EventDetail:
    event: Event
    timeline: Timeline
    sentiments: list[tuple[datetime, str, int]]
    terms: list[tuple[str, float]]
    platforms: list[FacetCount]
    sources: list[FacetCount]
    representative: list[SearchHit]
    first_post: SearchHit | None
    rumor_posts: list[RumorPost]
    known_rumors: list[Reason]
    rumor_threshold: float
    basis_mentions: dict[str, Mention] = field(default_factory=dict)
    alerts: list[Alert] = field(default_factory=list)
    obligations: list[Obligation] = field(default_factory=list)
    entities: EntitySummary = field(default_factory=EntitySummary)


def _rumor_posts(hits: list[SearchHit], threshold: float) -> list[RumorPost]:
    found = []
    for hit in hits:
        analysis = hit.analysis
        if analysis is None or analysis.rumor_score is None:
            continue
        if analysis.rumor_score < threshold:
            continue
        reasons = [r for r in analysis.reasons if r.kind in RUMOR_REASON_KINDS]
        found.append(RumorPost(hit, analysis.rumor_score, reasons))
    found.sort(key=lambda p: p.score, reverse=True)
    return found[:EVIDENCE_POSTS]


def _known_rumors(hits: list[SearchHit]) -> list[Reason]:
    """Matches against registered debunks (``Reason.kind == "match"``), best first, once each."""
    best: dict[str, Reason] = {}
    for hit in hits:
        for reason in hit.analysis.reasons if hit.analysis else []:
            if reason.kind != "match":
                continue
            key = reason.mention_id or reason.text
            if key not in best or reason.weight > best[key].weight:
                best[key] = reason
    return sorted(best.values(), key=lambda r: r.weight, reverse=True)


def _stored_entities(counts: list[EntityCount]) -> EntitySummary:
    """The event's stored entities (counted over all its members by the analyser)."""
    names = gazetteer()

    def region(count: EntityCount) -> Region:
        known = names.get(count.name)
        return known if known is not None else Region(count.code, count.name, "")

    def of(kind: str) -> tuple[tuple[str, int], ...]:
        return tuple((c.name, c.count) for c in counts if c.kind == kind)

    return EntitySummary(
        regions=tuple((region(c), c.count) for c in counts if c.kind == "region"),
        companies=of("company"),
        brands=of("brand"),
        products=of("product"),
    )


def stored_platforms(event: Event) -> list[FacetCount] | None:
    """The event's members per platform as counted by the analyser, the most first; None for
    an event written before they were kept (the page then asks the archive's facets)."""
    if event.platforms is None:
        return None
    ranked = sorted(event.platforms.items(), key=lambda kv: (-kv[1], kv[0]))
    return [FacetCount(platform, count) for platform, count in ranked if count > 0]


def _entities(event: Event, hits: list[SearchHit]) -> EntitySummary:
    """Who and what the event's mentions name: as stored with the event, or for an event
    written before entities were kept (``entities`` None), read from the sampled mentions."""
    if event.entities is not None:
        return _stored_entities(event.entities)
    found = []
    for hit in hits:
        document = make_document(hit.mention)  # the analysis's own reading of the text
        found.append(extract(document.full_text, [*document.title_words, *document.body_words]))
    return summarise(found)


@_ttl_cached
def event_detail(config: str, event_id: str) -> EventDetail | None:
    archive = reader(config)
    event = archive.get_event(event_id)
    if event is None:
        return None
    request = SearchRequest(filters=SearchFilters(events=[event_id]), limit=SAMPLE)
    platforms = stored_platforms(event)
    fields = ["source"] if platforms is not None else ["platform", "source"]
    counts = archive.facets(request, fields, size=10)
    hits = archive.search(request).hits
    ranked = sorted(hits, key=lambda h: reach(h.mention), reverse=True)
    first = archive.event_mentions(event_id, limit=1)
    first_hit = None
    if first:
        analyses = archive.get_analyses([first[0].id])
        first_hit = SearchHit(first[0], analyses.get(first[0].id), 0.0)
    threshold = rumor_threshold(config)
    basis_ids = [r.mention_id for r in event.severity_basis if r.mention_id]
    basis = {m.id: m for m in archive.get_mentions(basis_ids)} if basis_ids else {}
    return EventDetail(
        event=event,
        timeline=event_timeline(archive, event, request),
        sentiments=sentiment_series(
            archive, request, "hour" if event.last_seen - event.first_seen <= HOURLY_SPAN else "day"
        ),
        terms=event_terms(hits),
        platforms=platforms if platforms is not None else counts.get("platform", []),
        sources=counts.get("source", []),
        representative=ranked[:REPRESENTATIVE],
        first_post=first_hit,
        rumor_posts=_rumor_posts(hits, threshold),
        known_rumors=_known_rumors(hits),
        rumor_threshold=threshold,
        basis_mentions=basis,
        alerts=[a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT) if a.event_id == event_id],
        obligations=[
            o for o in archive.ledger.list_obligations(limit=SCAN_LIMIT) if o.event_id == event_id
        ],
        entities=_entities(event, hits),
    )


@_ttl_cached
def event_choices(config: str, limit: int = 200) -> list[Event]:
    """Events to pick from on the event page when none is in the address: hottest first."""
    return reader(config).list_events(limit=limit)


def severity_rows(event: Event, basis: dict[str, Mention]) -> list[dict[str, object]]:
    """The 严重程度依据 table: each reason of the event's grade with where it was read
    (``basis``: the reasons' mentions by id)."""
    rows: list[dict[str, object]] = []
    for reason in event.severity_basis:
        mention = basis.get(reason.mention_id or "")
        rows.append(
            {
                "依据（数字与原文）": reason.text,
                # A grade's rule or an official response is a signal, not a count: no 0 shown.
                "数值": reason.weight if reason.kind == "figure" else None,
                "出处": mention_label(mention) if mention else "",
                "来源": shown(mention.source) if mention else "",
                "发布时间": fmt_time(mention.published_at) if mention else "",
                "提及编号": reason.mention_id or "",
            }
        )
    return rows
