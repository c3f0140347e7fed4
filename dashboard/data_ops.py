"""The read layer of the sources and rules pages (cached like ``dashboard.data``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from archive.models import Alert, SourceState
from archive.search import SearchFilters, SearchRequest
from dashboard.context import reader, settings
from dashboard.data import _ttl_cached

SCAN_LIMIT = 1_000_000
# A source is late when it has not succeeded for this many of its intervals.
LATE_INTERVALS = 3


@dataclass
class SourceHealth:
    name: str
    type: str
    enabled: bool
    configured: bool
    interval: timedelta | None
    state: SourceState
    mentions_24h: int
    mentions_7d: int
    health: str  # ok, failing, late, never, disabled

    @property
    def error_rate(self) -> float | None:
        return self.state.errors / self.state.runs if self.state.runs else None


def judge(state: SourceState, interval: timedelta | None, enabled: bool, now: datetime) -> str:
    """ok / failing (the last run failed) / late (no success for 3 intervals) / never."""
    if not enabled:
        return "disabled"
    if state.last_run_at is None:
        return "never"
    if state.last_error_at is not None and (
        state.last_success_at is None or state.last_error_at >= state.last_success_at
    ):
        return "failing"
    if state.last_success_at is None:
        return "never"
    if interval is not None and now - state.last_success_at > LATE_INTERVALS * interval:
        return "late"
    return "ok"


def _per_source(config: str, since: datetime) -> dict[str, int]:
    request = SearchRequest(filters=SearchFilters(since=since))
    found = reader(config).facets(request, ["source"], size=500)["source"]
    return {f.value: f.count for f in found}


@_ttl_cached
def source_health(config: str, at: datetime) -> list[SourceHealth]:
    """Every configured source and every source the archive has a state for."""
    configured = {s.name: s for s in settings(config).sources}
    states = {s.source: s for s in reader(config).ledger.list_source_states()}
    # Counts over a day and a week: a sweep of the whole archive takes seconds at 1M.
    recent = _per_source(config, at - timedelta(hours=24))
    week = _per_source(config, at - timedelta(days=7))
    made = []
    for name in [*configured, *sorted(set(states) - set(configured))]:
        source = configured.get(name)
        state = states.get(name) or SourceState(source=name)
        interval = source.interval if source else None
        enabled = source.enabled if source else True
        made.append(
            SourceHealth(
                name=name,
                type=source.type if source else "",
                enabled=enabled,
                configured=source is not None,
                interval=interval,
                state=state,
                mentions_24h=recent.get(name, 0),
                mentions_7d=week.get(name, 0),
                health=judge(state, interval, enabled, at),
            )
        )
    return made


@_ttl_cached
def alerts_by_rule(config: str, limit: int = 2000) -> dict[str, list[Alert]]:
    """The latest alerts of each rule, newest first."""
    grouped: dict[str, list[Alert]] = {}
    for alert in reader(config).ledger.list_alerts(limit=limit):
        grouped.setdefault(alert.rule, []).append(alert)
    return grouped
