"""The overview's KPI cards by unit (属地化, issue 23): a county user's 24小时新增提及, 活跃热点,
待处置事项, 已逾期事项 and 高谣言风险提及 count their subtree, as their 检索 page, events list
and 处置 page do.

The same definitions as the whole archive's cards (``dashboard.data.overview_metrics``), each
read through the unit's part: mentions through its search scope (``alerts.unit_scope``: its
events' members and loose posts naming its places), hotspots and obligations by their routed
unit (``dashboard.units``), false claims by their event's unit or, for a claim outside any
event, by the places its post names. The top unit and users without a unit see the whole
archive's figures, as they see the whole archive in 检索.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from alerts.obligations import ACTIVE, is_overdue
from alerts.unit_scope import unit_scope
from archive.search import SearchFilters, SearchScope
from dashboard import data, units
from dashboard.context import reader
from dashboard.data import OverviewMetrics, _count, _ttl_cached, rumor_threshold
from dashboard.data_rumours import RumorWatch, rumours_under_watch
from dashboard.roles import Principal

DAY = timedelta(hours=24)
OBLIGATION_LIMIT = 1_000_000


def overview_metrics(config: str, principal: Principal, at: datetime) -> OverviewMetrics:
    """The KPI cards ``principal`` sees at ``at``."""
    unit_id = units.report_unit(config, principal)  # None: the top unit or no unit
    if unit_id is None:
        return data.overview_metrics(config, at)
    return _unit_metrics(config, unit_id, at)


def rumours(config: str, principal: Principal, at: datetime) -> list[RumorWatch]:
    """The 谣言关注 table ``principal`` sees (the KPI card is the sum of its column)."""
    watched = rumours_under_watch(config, at)
    unit_id = units.report_unit(config, principal)
    if unit_id is None:
        return watched
    return _unit_rumours(config, unit_id, at, watched)


def _scope(config: str, unit_id: str, since: datetime) -> SearchScope | None:
    tree = units.tree(config)
    assert tree is not None  # a unit id comes from the tree
    route = lambda event: units.unit_of_event(config, event)  # noqa: E731 (cached routing)
    return unit_scope(reader(config), tree, unit_id, since, route)


def _subtree(config: str, unit_id: str) -> set[str]:
    tree = units.tree(config)
    assert tree is not None
    return tree.subtree(unit_id)


def _unit_rumours(
    config: str, unit_id: str, at: datetime, watched: Sequence[RumorWatch]
) -> list[RumorWatch]:
    allowed = _subtree(config, unit_id)
    scope = _scope(config, unit_id, at - DAY)
    names = scope.names if scope is not None else ()
    out = []
    for item in watched:
        if item.event is not None:
            if units.unit_of_event(config, item.event) in allowed:
                out.append(item)
        elif item.post is not None:
            text = f"{item.post.title}\n{item.post.text}"
            if any(name in text for name in names):
                out.append(item)
    return out


@_ttl_cached
def _unit_metrics(config: str, unit_id: str, at: datetime) -> OverviewMetrics:
    scope = _scope(config, unit_id, at - 2 * DAY)
    new, exact = _count(config, SearchFilters(since=at - DAY, scope=scope))
    previous, _ = _count(config, SearchFilters(since=at - 2 * DAY, until=at - DAY, scope=scope))
    allowed = _subtree(config, unit_id)
    archive = reader(config)
    hotspots = [
        e for e in data.active_hotspots(config, at) if units.unit_of_event(config, e) in allowed
    ]
    active = [
        ob
        for ob in archive.ledger.list_obligations(list(ACTIVE), limit=OBLIGATION_LIMIT)
        if units.unit_of_obligation(config, ob) in allowed
    ]
    watched = _unit_rumours(config, unit_id, at, rumours_under_watch(config, at))
    return OverviewMetrics(
        new_mentions=new,
        new_mentions_exact=exact,
        previous_mentions=previous,
        active_hotspots=len(hotspots),
        open_obligations=len(active),
        overdue_obligations=sum(1 for ob in active if is_overdue(ob, at)),
        rumor_mentions=sum(w.recent for w in watched),
        rumor_threshold=rumor_threshold(config),
    )
