"""The data pack: every figure and item a briefing states, computed from the archive.

Each figure records the query that produced it (``reports.refs.query_record``) and each item
the ids of the mentions or obligations behind it, so the prose written from the pack
(``reports.prose``) can cite a source for every sentence and anyone can run the query again.
The pack is plain JSON: stored beside the rendered report, it reproduces that report exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from archive.base import Archive
from archive.models import PLATFORM_LABELS, Event, Mention
from archive.search import SearchFilters, SearchHit, SearchRequest
from core.clock import SHANGHAI, local
from core.settings import HotspotSettings, NlpSettings, Settings
from core.settings_reports import DEFAULT_UNIT
from core.vocabulary import shown_name
from nlp.lexicon import TOPIC_LABELS
from reports import items
from reports.as_of import moment_text
from reports.claims import claim_rules
from reports.heat_scale import HeatScale, heat_scale
from reports.periods import KIND_LABELS, Period
from reports.refs import engagement, mention_record, mref, query_record
from reports.unit_area import UnitArea

PACK_VERSION = 1
SENTIMENT_LABELS = {"negative": "负面", "neutral": "中性", "positive": "正面"}
FACET_SIZE = 50
SAMPLE = 300  # newest relevant mentions read to pick the cited examples of a figure
DEFAULT_RUMOR_THRESHOLD = 0.7
EVENT_WINDOW = NlpSettings().event_window


@dataclass
class PackBuilder:
    """Collects figures and the records of the mentions they cite while a pack is built."""

    archive: Archive
    period: Period
    now: datetime
    event_id: str | None = None
    area: UnitArea | None = None  # a unit's briefing: its subtree only
    event_window: timedelta = EVENT_WINDOW  # settings.nlp.event_window: when an event closes
    # settings.nlp.hotspot: which events are 重点 (the dashboard's 热点 rule, nlp.hotspots)
    hotspot: HotspotSettings = field(default_factory=HotspotSettings)
    heat: HeatScale = field(default_factory=lambda: heat_scale(None))  # heat's 高 / 中 / 低
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    mentions: dict[str, dict[str, Any]] = field(default_factory=dict)
    obligations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def filters(self, *, previous: bool = False, **more: Any) -> SearchFilters:
        since, until = (
            (self.period.previous_start, self.period.start)
            if previous
            else (self.period.start, self.period.end)
        )
        events = [self.event_id] if self.event_id else []
        scope = self.area.scope if self.area is not None else None
        return SearchFilters(
            since=since, until=until, relevant_only=True, events=events, scope=scope, **more
        )

    def figure(self, fid: str, label: str, query: dict[str, Any], **values: Any) -> str:
        self.figures[fid] = {"id": fid, "label": label, "query": query, **values}
        return fid

    def cite(self, mention: Mention, sentiment: str | None = None) -> str:
        if mention.id not in self.mentions:
            self.mentions[mention.id] = mention_record(mention, sentiment)
        return mref(mention.id)

    def cite_hit(self, hit: SearchHit) -> str:
        return self.cite(hit.mention, hit.analysis.sentiment if hit.analysis else None)

    def search(self, filters: SearchFilters, limit: int = SAMPLE) -> list[SearchHit]:
        return self.archive.search(SearchRequest(filters=filters, limit=limit)).hits

    def top_cites(self, hits: list[SearchHit], n: int = 3) -> list[str]:
        """The ``n`` most engaged of ``hits`` (newest first among equals), cited."""
        ranked = sorted(hits, key=lambda h: -engagement(h.mention))
        return [self.cite_hit(h) for h in ranked[:n]]


def _total(counts: list[Any]) -> int:
    return sum(c.count for c in counts)


def _change(current: int, previous: int) -> float | None:
    return None if previous == 0 else round((current - previous) / previous * 100, 1)


def volume(b: PackBuilder) -> None:
    """Volume now and in the previous period (环比), and its breakdowns, each with examples."""
    fields = ["platform", "topic", "sentiment", "region"]
    request = SearchRequest(filters=b.filters(), limit=1)
    facets = b.archive.facets(request, fields, size=FACET_SIZE)
    previous_request = SearchRequest(filters=b.filters(previous=True), limit=1)
    previous = b.archive.facets(previous_request, ["platform", "sentiment"], size=FACET_SIZE)
    total, before = _total(facets["platform"]), _total(previous["platform"])
    sample = b.search(b.filters())
    b.figure(
        "volume",
        "相关信息总量",
        query_record("facets", request, fields=["platform"], previous_period=True),
        value=total,
        previous=before,
        change_pct=_change(total, before),
        cites=b.top_cites(sample),
    )
    labels = {
        "platform": PLATFORM_LABELS,
        "topic": TOPIC_LABELS,
        "sentiment": SENTIMENT_LABELS,
        "region": {},
    }
    names = {"platform": "平台", "topic": "话题", "sentiment": "情感倾向", "region": "地区"}
    for name in fields:
        rows = []
        for count in facets[name]:
            if not count.value:
                continue
            only: dict[str, Any] = {f"{name}s": [count.value]}
            match = b.search(b.filters(**only), limit=20)
            rows.append(
                {
                    "value": count.value,
                    "label": labels[name].get(count.value, count.value),
                    "count": count.count,
                    "share": round(count.count / total * 100, 1) if total else 0.0,
                    "cites": b.top_cites(match, 1),
                }
            )
            if len(rows) >= 8:
                break
        b.figure(
            f"by_{name}",
            f"按{names[name]}分布",
            query_record("facets", request, fields=[name], size=FACET_SIZE),
            rows=rows,
        )
    negative_before = sum(c.count for c in previous["sentiment"] if c.value == "negative")
    b.figures["by_sentiment"]["previous_negative_share"] = (
        round(negative_before / before * 100, 1) if before else None
    )
    interval = "hour" if b.period.kind == "daily" else "day"
    if b.period.kind == "event" and b.period.end - b.period.start <= timedelta(days=2):
        interval = "hour"
    counts = {x.start: x.count for x in b.archive.histogram(request, interval)}
    b.figure(
        "trend",
        "声量走势",
        query_record("histogram", request, interval=interval),
        interval=interval,
        rows=[
            {"start": at.isoformat(), "count": counts.get(at, 0)} for at in _buckets(b, interval)
        ],
    )


def _buckets(b: PackBuilder, interval: str) -> list[datetime]:
    """Every bucket start of the period (Beijing hours or days), so that a quiet hour shows
    as zero in the chart instead of being left out."""
    step = timedelta(hours=1) if interval == "hour" else timedelta(days=1)
    start = local(b.period.start)
    start = start.replace(minute=0, second=0, microsecond=0)
    if interval == "day":
        start = start.replace(hour=0)
    out = []
    while start < b.period.end:
        out.append(start)
        start = (start + step).astimezone(SHANGHAI)
    return out


def rumor_threshold(settings: Settings | None) -> float:
    """The lowest ``min_probability`` of the enabled rumour rules, as the dashboard reads it."""
    if settings is None:
        return DEFAULT_RUMOR_THRESHOLD
    levels = [
        r.min_probability
        for r in settings.rules
        if r.type == "rumor" and r.enabled and r.min_probability is not None
    ]
    return min(levels) if levels else DEFAULT_RUMOR_THRESHOLD


def event_number(archive: Archive, event: Event) -> str:
    """A 专报's 编号 people can read and say: the day its event was first seen and the
    event's place among that day's events (专报〔2026〕1117-2号), not the event's id."""
    day = local(event.first_seen).date()
    start = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
    same_day = [
        e
        for e in archive.list_events(active_since=start, limit=10_000)
        if local(e.first_seen).date() == day
    ]
    ranked = sorted(same_day, key=lambda e: (e.first_seen, e.id))
    place = next((i for i, e in enumerate(ranked, 1) if e.id == event.id), len(ranked) + 1)
    return f"专报〔{day.year}〕{day:%m%d}-{place}号"


def _name_sources(b: PackBuilder, settings: Settings | None) -> None:
    """Each cited mention's and each source row's ``source_name``: the name people read
    (``display_name``), so a briefing never shows a source's id (``source`` keeps it)."""

    def name(source: str) -> str:
        return settings.display_name(source) if settings is not None else shown_name(source)

    for record in b.mentions.values():
        record["source_name"] = name(record["source"])
    for row in b.figures["sources"]["rows"]:
        row["source_name"] = name(row["source"])


def build_datapack(
    archive: Archive,
    period: Period,
    now: datetime,
    settings: Settings | None = None,
    unit: str = DEFAULT_UNIT,
    event_id: str | None = None,
    area: UnitArea | None = None,
) -> dict[str, Any]:
    """The pack for ``period`` (or, for a 专报, for ``event_id`` over ``period``); with
    ``area``, of that unit's subtree, issued and titled in its name."""
    b = PackBuilder(archive, period, now, event_id, area)
    if settings is not None:
        b.event_window = settings.nlp.event_window
        b.hotspot = settings.nlp.hotspot
        b.heat = heat_scale(settings)
    event = archive.get_event(event_id) if event_id else None
    if event_id and event is None:
        raise KeyError(f"no event {event_id!r} in {archive.describe()}")
    volume(b)
    items.top_events(b, event)
    rules = claim_rules(settings) if settings is not None else set()
    items.rumours(b, rumor_threshold(settings), rules)
    items.obligations(b, event_id)
    items.representatives(b)
    items.spreaders(b)
    items.sources_health(b)
    from reports.propagation import propagation  # it builds on this module's PackBuilder

    propagation(b, event)
    _name_sources(b, settings)
    title = KIND_LABELS[period.kind]
    key = period.key if event is None else f"event-{event.id}-{period.last_day:%Y%m%d}"
    if area is not None:
        title, unit, key = f"{area.name}{title}", area.name, f"{key}-{area.unit_id}"
    return {
        "version": PACK_VERSION,
        "kind": period.kind,
        "title": title if event is None else f"{title}：{event.title}",
        "unit": unit,
        "number": period.number if event is None else event_number(archive, event),
        "key": key,
        "event_id": event_id,
        "area": area.unit_id if area is not None else None,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "previous_start": period.previous_start.isoformat(),
            "label": period.label,
            # the figures' moment in words: 目前, or 截至11月17日24时 for a day that is over
            "as_of": moment_text(period, now),
        },
        "generated_at": now.isoformat(),
        "figures": b.figures,
        "mentions": b.mentions,
        "obligations": b.obligations,
    }
