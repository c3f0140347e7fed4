"""The dashboard's read layer: every page gets its data here, and nowhere else.

Each function takes the configuration path first (it is the cache key of "which archive") and
only plain, hashable values after it, and is cached for ``dashboard.cache_ttl``: a room full of
duty staff refreshing the same pages costs the archive one query per ``cache_ttl``. Writes go
through ``dashboard.actions``, which clears these caches afterwards.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from alerts.obligations import ACTIVE, is_overdue
from alerts.silences import stored_silences
from archive.base import Archive
from archive.export import hit_record
from archive.models import Alert, AuditEntry, Event, Obligation
from archive.search import (
    FacetCount,
    HistogramBucket,
    SearchFilters,
    SearchRequest,
    SearchResult,
    SearchScope,
)
from core.clock import local
from core.settings import SilenceSettings
from dashboard.context import DashboardClock, reader, settings
from dashboard.labels import PLATFORM_LABELS, label
from nlp.hotspots import is_hotspot
from nlp.lexicon import TOPICS

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_RUMOR_THRESHOLD = 0.7
PAGE_SIZE = 20
EXPORT_PAGE = 1000
EXPORT_MAX_ROWS = 100_000


def _ttl_cached(fn: Callable[P, R]) -> Callable[P, R]:
    """``st.cache_data`` with the configured ``dashboard.cache_ttl``.

    The TTL is only known once the configuration is read, so the cached function is made on
    first use (one per TTL value; in practice one per process).
    """
    made: dict[float, Callable[P, R]] = {}

    @functools.wraps(fn)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        ttl = settings(str(args[0])).dashboard.cache_ttl.total_seconds()
        cached = made.get(ttl)
        if cached is None:
            cached = made[ttl] = st.cache_data(ttl=ttl, show_spinner=False)(fn)
        return cached(*args, **kwargs)

    return call


# Reads that sweep a month of the archive and change slowly (the values a filter offers).
# They are not cleared by ``invalidate``: no user action changes them.
SLOW_TTL = 600.0
OPTIONS_WINDOW = timedelta(days=30)


def _slow_cached(fn: Callable[P, R]) -> Callable[P, R]:
    return st.cache_resource(ttl=SLOW_TTL, show_spinner=False)(fn)


def invalidate() -> None:
    """Forget every cached read, for every session: called after a user action."""
    st.cache_data.clear()


def cache_seconds(config: str) -> int:
    return max(1, round(settings(config).dashboard.cache_ttl.total_seconds()))


# ---- time ------------------------------------------------------------------------------
def clock(config: str) -> DashboardClock:
    return DashboardClock(reader(config), settings(config).runner.clock)


def now(config: str) -> datetime:
    """The dashboard's "now", to the second (the pipeline's time in simulated runs)."""
    return clock(config).now().replace(microsecond=0)


def rumor_threshold(config: str) -> float:
    """What counts as a likely rumour: the lowest ``min_probability`` of the rumour rules."""
    levels = [
        rule.min_probability
        for rule in settings(config).rules
        if rule.type == "rumor" and rule.enabled and rule.min_probability is not None
    ]
    return min(levels) if levels else DEFAULT_RUMOR_THRESHOLD


# ---- overview --------------------------------------------------------------------------
@dataclass
class OverviewMetrics:
    new_mentions: int
    new_mentions_exact: bool
    previous_mentions: int
    active_hotspots: int
    open_obligations: int
    overdue_obligations: int
    rumor_mentions: int
    rumor_threshold: float


def _count(config: str, filters: SearchFilters) -> tuple[int, bool]:
    result = reader(config).search(SearchRequest(filters=filters, limit=1))
    return result.total, result.total_exact


@_ttl_cached
def active_hotspots(config: str, at: datetime) -> list[Event]:
    """Events with new mentions in the last 24 hours, not yet closed, with a hotspot's size
    and spread: what the overview's 活跃热点 card and its 辖区单位 table both count."""
    archive = reader(config)
    rule = settings(config).nlp.hotspot
    recent = archive.list_events(active_since=at - timedelta(hours=24), limit=1000)
    return [e for e in recent if e.status != "closed" and is_hotspot(e, archive, rule)]


@_ttl_cached
def overview_metrics(config: str, at: datetime) -> OverviewMetrics:
    day = timedelta(hours=24)
    new, exact = _count(config, SearchFilters(since=at - day))
    previous, _ = _count(config, SearchFilters(since=at - 2 * day, until=at - day))
    from dashboard.data_rumours import high_risk_mentions  # it reads this module's helpers

    threshold = rumor_threshold(config)
    rumors = high_risk_mentions(config, at)
    active = reader(config).ledger.list_obligations(list(ACTIVE))
    return OverviewMetrics(
        new_mentions=new,
        new_mentions_exact=exact,
        previous_mentions=previous,
        active_hotspots=len(active_hotspots(config, at)),
        open_obligations=len(active),
        overdue_obligations=sum(1 for ob in active if is_overdue(ob, at)),
        rumor_mentions=rumors,
        rumor_threshold=threshold,
    )


@_ttl_cached
def volume_by_platform(
    config: str, since: datetime, until: datetime | None, interval: str
) -> pd.DataFrame:
    """Mentions per hour or day and platform: columns 时间, 平台, 数量."""
    archive = reader(config)
    window = SearchFilters(since=since, until=until)
    present = archive.facets(SearchRequest(filters=window), ["platform"], size=50)["platform"]
    rows: list[dict[str, Any]] = []
    for facet in present:
        filters = SearchFilters(since=since, until=until, platforms=[facet.value])
        for bucket in archive.histogram(SearchRequest(filters=filters), interval):
            rows.append(_bucket_row(bucket, label(PLATFORM_LABELS, facet.value)))
    return pd.DataFrame(rows, columns=["时间", "平台", "数量"])


def _bucket_row(bucket: HistogramBucket, name: str) -> dict[str, Any]:
    # Altair reads naive times as they are: give it Beijing wall time.
    return {"时间": local(bucket.start).replace(tzinfo=None), "平台": name, "数量": bucket.count}


@_ttl_cached
def topic_counts(config: str, since: datetime, size: int = 15) -> list[FacetCount]:
    request = SearchRequest(filters=SearchFilters(since=since))
    return reader(config).facets(request, ["topic"], size=size)["topic"]


@_ttl_cached
def region_counts(config: str, since: datetime, size: int = 15) -> list[FacetCount]:
    """Mentions since ``since`` by their region (the source's configured region, as
    ``region:`` searches it): the 地区分布 a city or county office reads, whose districts no
    national map resolves, and the one left when no event's place has a GB/T 2260 code."""
    request = SearchRequest(filters=SearchFilters(since=since))
    return [c for c in reader(config).facets(request, ["region"], size=size)["region"] if c.value]


# Events read per hotspot shown: on a busy day most recent events are single items.
CANDIDATES_PER_HOTSPOT = 4


@_ttl_cached
def hot_events(config: str, since: datetime | None, limit: int = 20) -> list[Event]:
    return hottest(config, reader(config), since, limit)


def hottest(config: str, archive: Archive, since: datetime | None, limit: int) -> list[Event]:
    """The hottest events active since ``since`` that are hotspots (``settings.nlp.hotspot``:
    a single item, or one item and its comments, is an event but not a hotspot)."""
    rule = settings(config).nlp.hotspot
    found = []
    for event in archive.list_events(active_since=since, limit=limit * CANDIDATES_PER_HOTSPOT):
        if is_hotspot(event, archive, rule):
            found.append(event)
            if len(found) >= limit:
                break
    return found


# ---- obligations -----------------------------------------------------------------------
@_ttl_cached
def obligations(config: str, include_closed: bool = False) -> list[Obligation]:
    """Obligations by deadline, earliest first; only open and acknowledged ones by default."""
    statuses = None if include_closed else list(ACTIVE)
    return reader(config).ledger.list_obligations(statuses)


@_ttl_cached
def event_titles(config: str, event_ids: list[str]) -> dict[str, str]:
    """The titles of these events, for headings (an event no longer stored keeps its id)."""
    archive = reader(config)
    found = {}
    for event_id in event_ids:
        event = archive.get_event(event_id)
        found[event_id] = event.title if event is not None else event_id
    return found


@_ttl_cached
def action_audit(config: str, limit: int = 30) -> list[AuditEntry]:
    """The latest entries about obligations, alerts and silences together, newest first."""
    archive = reader(config)
    entries = [
        entry
        for kind in ("obligation", "alert", "silence")
        for entry in archive.ledger.list_audit(object_type=kind, limit=limit)
    ]
    entries.sort(key=lambda e: (e.at, e.id or 0), reverse=True)
    return entries[:limit]


@_ttl_cached
def audit_subjects(config: str, limit: int = 1000) -> dict[tuple[str, str], str]:
    """The titles of obligations and recent alerts keyed by (object type, id): the audit log
    names what each entry was about, not only its number."""
    ledger = reader(config).ledger
    named = {("obligation", str(ob.id)): ob.title for ob in ledger.list_obligations(None)}
    named.update({("alert", str(a.id)): a.title for a in ledger.list_alerts(limit=limit)})
    return named


@_ttl_cached
def archive_size(config: str) -> int:
    return reader(config).count_mentions()


@_ttl_cached
def recent_alerts(config: str, limit: int = 100) -> list[Alert]:
    return reader(config).ledger.list_alerts(limit=limit)


@dataclass
class RunningSilence:
    id: str  # "" for a silence of the configuration file
    spec: SilenceSettings


@_ttl_cached
def running_silences(config: str, at: datetime) -> list[RunningSilence]:
    """Silences in force at ``at``: the configuration's, then those set from the shell or
    the dashboard (kept in the audit log), ending first on top."""
    configured = [RunningSilence("", s) for s in settings(config).silences if s.ends_at > at]
    stored = [RunningSilence(k, s) for k, s in stored_silences(reader(config), at).items()]
    return sorted(configured + stored, key=lambda item: item.spec.ends_at)


# ---- search ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SearchParams:
    """What the search form asked for: hashable, so it can key caches and session state."""

    query: str = ""
    since: datetime | None = None
    until: datetime | None = None
    platforms: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    rumor_min: float | None = None
    sort: str = "time"
    entities: tuple[str, ...] = ()  # entity names (or region codes) the analyses name
    # The user's unit (属地化): its subtree only; set by the page, never by the form or a link.
    scope: SearchScope | None = None

    def request(self, limit: int | None = None, after: str | None = None) -> SearchRequest:
        filters = SearchFilters(
            since=self.since,
            until=self.until,
            platforms=list(self.platforms),
            sources=list(self.sources),
            topics=list(self.topics),
            sentiments=list(self.sentiments),
            regions=list(self.regions),
            events=list(self.events),
            entities=list(self.entities),
            rumor_min=self.rumor_min,
            scope=self.scope,
        )
        return SearchRequest(
            query=self.query.strip(),
            filters=filters,
            sort=self.sort,
            limit=limit or PAGE_SIZE,
            after=after,
        )


@_ttl_cached
def search_page(config: str, params: SearchParams, after: str | None = None) -> SearchResult:
    """One page of hits; raises ``QueryError`` for a query the user must change."""
    return reader(config).search(params.request(after=after))


@_ttl_cached
def search_facets(config: str, params: SearchParams, size: int = 10) -> dict[str, list[FacetCount]]:
    fields = ["platform", "source", "topic", "sentiment", "region"]
    return reader(config).facets(params.request(), fields, size=size)


@_ttl_cached
def search_histogram(config: str, params: SearchParams, interval: str) -> list[HistogramBucket]:
    return reader(config).histogram(params.request(), interval)


@dataclass
class FilterOptions:
    sources: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def filter_options(config: str) -> FilterOptions:
    """The values the filter lists offer: the configured sources and the lexicon's topics,
    with what the archive held in the last 30 days (most frequent first) — a sweep of all of
    it takes seconds on a million mentions, and its result changes slowly."""
    return _filter_options(config, now(config).replace(minute=0, second=0))


@_slow_cached
def _filter_options(config: str, at: datetime) -> FilterOptions:
    request = SearchRequest(filters=SearchFilters(since=at - OPTIONS_WINDOW))
    found = reader(config).facets(request, ["source", "topic", "region"], size=200)
    configured = [s.name for s in settings(config).sources]
    seen_sources = [f.value for f in found["source"] if f.value]
    seen_topics = [f.value for f in found["topic"] if f.value]
    return FilterOptions(
        sources=_merged(seen_sources, configured),
        topics=_merged(seen_topics, list(TOPICS)),
        regions=[f.value for f in found["region"] if f.value],
    )


def _merged(first: list[str], then: list[str]) -> list[str]:
    return first + [value for value in then if value not in first]


def export_records(
    archive: Archive, params: SearchParams, max_rows: int = EXPORT_MAX_ROWS
) -> Iterator[dict[str, Any]]:
    """Every hit of ``params`` as export records (``yuqing search --all`` does the same),
    page by page through the keyset cursor, at most ``max_rows``.

    Not cached (it is big) and free of Streamlit calls: downloads build it on their own
    thread, with the archive handle the page passes in.
    """
    request = params.request(limit=EXPORT_PAGE)
    produced = 0
    while True:
        result = archive.search(request)
        for hit in result.hits:
            if produced >= max_rows:
                return
            produced += 1
            yield hit_record(hit)
        if not result.next_cursor:
            return
        request.after = result.next_cursor
