"""The overview's further reads: changes since a moment, volume by topic, topics bursting
now (rumours under watch are ``dashboard.data_rumours``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from alerts.topic_burst import Burst, BurstThresholds
from alerts.volume_rules import SpikeRule, topic_name, window_counts
from archive.models import Alert, AuditEntry, Event, Obligation
from archive.search import SearchFilters, SearchRequest
from core.settings import SpikeRuleSettings
from dashboard.context import reader, settings
from dashboard.data import _bucket_row, _count, _ttl_cached
from dashboard.labels import TOPIC_LABELS, label
from nlp.hotspots import is_hotspot

SCAN_LIMIT = 1_000_000
TOPIC_SERIES = 6  # the most frequent topics get a series each; more is unreadable
SYSTEM_ACTOR = "system"
OPENING_ACTIONS = ("obligation.opened", "obligation.added")


@dataclass
class Changes:
    since: datetime
    mentions: int
    mentions_exact: bool
    events: list[Event] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    opened: list[Obligation] = field(default_factory=list)
    actions: list[AuditEntry] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.mentions or self.events or self.alerts or self.opened or self.actions)


@_ttl_cached
def changes_since(config: str, since: datetime, at: datetime) -> Changes:
    """What is new since ``since``: mentions, events, alerts, obligations opened and what
    people did (audit entries of anyone but the pipeline). ``at``, the page's "now", keys
    the cache, so a new minute reads again."""
    archive = reader(config)
    mentions, exact = _count(config, SearchFilters(since=since))
    # New hotspots: events first seen since then that have a hotspot's size and spread.
    rule = settings(config).nlp.hotspot
    events = [
        e
        for e in archive.list_events(active_since=since, limit=500)
        if e.first_seen > since and is_hotspot(e, archive, rule)
    ]
    alerts = [a for a in archive.ledger.list_alerts(limit=500) if a.first_at > since]
    entries = [
        entry
        for kind in ("obligation", "alert")
        for entry in archive.ledger.list_audit(object_type=kind, limit=500)
        if entry.at > since
    ]
    # Opened since: by the audit entry of its opening (a penalty's clock may have started
    # days before it was entered), or by its opening time when no entry was written.
    opened_ids = {e.object_id for e in entries if e.action in OPENING_ACTIONS}
    opened = [
        ob
        for ob in archive.ledger.list_obligations(limit=SCAN_LIMIT)
        if str(ob.id) in opened_ids or ob.opened_at > since
    ]
    actions = [e for e in entries if e.actor != SYSTEM_ACTOR]
    actions.sort(key=lambda e: e.at, reverse=True)
    return Changes(since, mentions, exact, events, alerts, opened, actions)


@_ttl_cached
def province_counts(config: str, since: datetime, limit: int = 500) -> dict[str, int]:
    """Mentions per province (GB/T 2260 prefix) of the events active since ``since``, from the
    region entities the analyser counted over each event's members."""
    from dashboard.region_map import province_counts as count_regions

    events = reader(config).list_events(active_since=since, limit=limit)
    return count_regions(r for e in events for r in (e.entities or []))


@_ttl_cached
def sentiment_trend(config: str, since: datetime, interval: str) -> list[tuple[datetime, str, int]]:
    """Relevant mentions per bucket and sentiment since ``since`` (the overview's 情感走势)."""
    from dashboard.data_events import sentiment_series  # the event page's own series

    return sentiment_series(
        reader(config), SearchRequest(filters=SearchFilters(since=since)), interval
    )


@_ttl_cached
def volume_by_topic(
    config: str, since: datetime, until: datetime | None, interval: str
) -> pd.DataFrame:
    """Mentions per bucket for the most frequent topics: columns 时间, 话题, 数量."""
    archive = reader(config)
    window = SearchFilters(since=since, until=until)
    present = archive.facets(SearchRequest(filters=window), ["topic"], size=TOPIC_SERIES)["topic"]
    rows: list[dict[str, Any]] = []
    for facet in present:
        if not facet.value:
            continue
        filters = SearchFilters(since=since, until=until, topics=[facet.value])
        name = label(TOPIC_LABELS, facet.value)
        for bucket in archive.histogram(SearchRequest(filters=filters), interval):
            row = _bucket_row(bucket, name)
            rows.append({"时间": row["时间"], "话题": name, "数量": row["数量"]})
    return pd.DataFrame(rows, columns=["时间", "话题", "数量"])


@dataclass
class TopicBurst:
    topic: str  # the code
    name: str  # its Chinese name
    burst: Burst
    days: int  # earlier days behind the baseline (0: the 24 h mean)


def burst_rule(config: str) -> SpikeRuleSettings:
    """The settings the overview judges bursts with: the first enabled per-topic spike rule,
    so the page and the alerts agree; without one, the detector's defaults over all topics."""
    for rule in settings(config).rules:
        if isinstance(rule, SpikeRuleSettings) and rule.enabled and rule.per_topic:
            return rule
    return SpikeRuleSettings(name="overview", type="spike", per_topic=True)


@dataclass
class TopicBursts:
    items: list[TopicBurst]
    thresholds: BurstThresholds
    days: int  # earlier days the seasonal baseline looks at (0: the 24 h mean only)


@_ttl_cached
def topic_bursts(config: str, at: datetime) -> TopicBursts:
    """Topics whose last hour is a burst against their own baseline (alerts.topic_burst), the
    most unusual first. ``at``, the page's "now", keys the cache."""
    rule = burst_rule(config)
    spike = SpikeRule(rule)
    days = spike.baseline_days()
    thresholds = spike.thresholds()
    counts = window_counts(
        reader(config), rule, at, per_topic=True, days=days, min_count=thresholds.min_count
    )
    found = []
    for topic in counts.topics():
        burst = counts.judge(topic, thresholds)
        if burst.bursting:
            history = len(counts.same_hour.get(topic, [])) if burst.seasonal else 0
            found.append(TopicBurst(topic, topic_name(topic), burst, history))
    found.sort(key=lambda b: (b.burst.p_value, -b.burst.ratio))
    return TopicBursts(found, thresholds, days)
