"""Units on the dashboard (属地化, issue 23): a unit's users see their subtree, a parent's
overview rolls its children up.

Which unit an event, alert or obligation belongs to is computed here from the stored data by
``alerts.unit_routing`` (the same functions the alert stage uses), never stored. A user with a
unit (``users[].unit`` or a unit's ``users``) sees the events, alerts and obligations of that
unit and of the units below it; a user without one, and the open dashboard without users, see
everything. Pages filter what the read layer gave them with ``visible_*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from alerts.obligations import ACTIVE, is_overdue
from alerts.unit_routing import alert_unit, event_unit
from alerts.unit_scope import unit_scope
from alerts.units import UnitTree, tree_of, user_unit
from archive.models import Alert, Event, Obligation
from archive.search import SearchScope
from core.settings_units import UNIT_LEVEL_LABELS, UnitSettings
from dashboard.context import reader, settings
from dashboard.data import active_hotspots
from dashboard.roles import Principal

# A unit depends only on the event's members: cached by (event, member count), long enough
# that a page of 200 events routes once, short enough that a changed ``units:`` shows soon.
ROUTE_TTL = 300.0


def tree(config: str) -> UnitTree | None:
    return tree_of(settings(config).units, settings(config).nlp.authorities)


def scope(config: str, principal: Principal) -> frozenset[str] | None:
    """The unit ids ``principal`` may see; None: everything (no units, or no unit of theirs)."""
    units = tree(config)
    if units is None:
        return None
    pairs = [(u.username, u.unit) for u in settings(config).users]
    unit_id = user_unit(pairs, units, principal.username)
    if unit_id is None:
        return None
    return frozenset(units.subtree(unit_id))


def home_unit(config: str, principal: Principal) -> UnitSettings | None:
    """The unit whose overview ``principal`` sees: theirs, else the top unit (None: no units)."""
    units = tree(config)
    if units is None:
        return None
    pairs = [(u.username, u.unit) for u in settings(config).users]
    unit_id = user_unit(pairs, units, principal.username)
    return units.unit(unit_id) if unit_id is not None else units.root


@st.cache_data(ttl=ROUTE_TTL, show_spinner=False)
def _event_unit(config: str, event_id: str, members: int) -> str:
    units, event = tree(config), reader(config).get_event(event_id)
    if units is None or event is None:
        return ""
    return event_unit(reader(config), units, event)  # "": no unit's scheme watches it


@st.cache_data(ttl=ROUTE_TTL, show_spinner=False)
def _evidence_unit(config: str, key: str, evidence: tuple[str, ...], subject: str = "") -> str:
    units = tree(config)
    if units is None:
        return ""
    return alert_unit(reader(config), units, None, evidence, subject)


def unit_of_event(config: str, event: Event) -> str:
    return _event_unit(config, event.id, event.mention_count)


def _unit_of(
    config: str, event_id: str | None, key: str, evidence: Sequence[str], subject: str
) -> str:
    if event_id:
        event = reader(config).get_event(event_id)
        if event is not None:
            return unit_of_event(config, event)
    return _evidence_unit(config, key, tuple(evidence), subject)


def unit_of_obligation(config: str, ob: Obligation) -> str:
    return _unit_of(config, ob.event_id, f"ob:{ob.id}", ob.evidence, ob.subject)


def unit_of_alert(config: str, alert: Alert) -> str:
    evidence = [r.mention_id for r in alert.evidence if r.mention_id]
    return _unit_of(config, alert.event_id, f"alert:{alert.id}", evidence, alert.subject)


def search_scope(config: str, principal: Principal, since: datetime | None) -> SearchScope | None:
    """What ``principal`` may search (``alerts.unit_scope``): None for everything (no units,
    no unit of theirs, or the top unit)."""
    units = tree(config)
    if units is None:
        return None
    pairs = [(u.username, u.unit) for u in settings(config).users]
    unit_id = user_unit(pairs, units, principal.username)
    if unit_id is None:
        return None
    return unit_scope(
        reader(config), units, unit_id, since, lambda event: unit_of_event(config, event)
    )


def report_unit(config: str, principal: Principal) -> str | None:
    """The unit whose briefings ``principal`` makes: theirs below the top unit, else None
    (the whole archive's)."""
    units = tree(config)
    if units is None:
        return None
    pairs = [(u.username, u.unit) for u in settings(config).users]
    unit_id = user_unit(pairs, units, principal.username)
    return unit_id if unit_id is not None and unit_id != units.root.id else None


def report_visible(config: str, principal: Principal, meta: dict[str, object]) -> bool:
    """Is a stored briefing (its ``meta``) of ``principal``'s subtree: a county user sees
    their own unit's briefings and their children's, not the city's or a sibling's."""
    allowed = scope(config, principal)
    if allowed is None or report_unit(config, principal) is None:
        return True
    return meta.get("area") in allowed


def visible_events(config: str, principal: Principal, events: Sequence[Event]) -> list[Event]:
    allowed = scope(config, principal)
    if allowed is None:
        return list(events)
    return [e for e in events if unit_of_event(config, e) in allowed]


def visible_obligations(
    config: str, principal: Principal, obligations: Sequence[Obligation]
) -> list[Obligation]:
    allowed = scope(config, principal)
    if allowed is None:
        return list(obligations)
    return [ob for ob in obligations if unit_of_obligation(config, ob) in allowed]


def visible_alerts(config: str, principal: Principal, alerts: Sequence[Alert]) -> list[Alert]:
    allowed = scope(config, principal)
    if allowed is None:
        return list(alerts)
    return [a for a in alerts if unit_of_alert(config, a) in allowed]


@dataclass
class RollupRow:
    unit: UnitSettings
    own: bool  # the unit's own row (its own cases), not a child's subtree
    active_hotspots: int = 0
    open_obligations: int = 0
    overdue_obligations: int = 0


def rollup(
    units: UnitTree,
    home: UnitSettings,
    event_units: Sequence[tuple[Event, str]],
    obligation_units: Sequence[tuple[Obligation, str]],
    now: datetime,
) -> list[RollupRow]:
    """The parent's table: its own cases, then one row per child with its whole subtree
    (``event_units``: the active hotspots, as the overview's card counts them)."""
    rows = [RollupRow(home, own=True)] + [RollupRow(c, own=False) for c in home.children]
    covers = [{home.id}] + [units.subtree(c.id) for c in home.children]
    for row, covered in zip(rows, covers, strict=True):
        row.active_hotspots = sum(1 for _e, u in event_units if u in covered)
        active = [ob for ob, u in obligation_units if u in covered and ob.status in ACTIVE]
        row.open_obligations = len(active)
        row.overdue_obligations = sum(1 for ob in active if is_overdue(ob, now))
    return rows


def rollup_rows(
    config: str,
    principal: Principal,
    events: Sequence[Event],
    obligations: Sequence[Obligation],
    now: datetime,
) -> list[dict[str, object]]:
    """The rollup as table rows for the overview (empty without units)."""
    units, home = tree(config), home_unit(config, principal)
    if units is None or home is None:
        return []
    rows = rollup(
        units,
        home,
        [(e, unit_of_event(config, e)) for e in events],
        [(ob, unit_of_obligation(config, ob)) for ob in obligations],
        now,
    )
    return [
        {
            "单位": f"{row.unit.name}（本级）" if row.own else row.unit.name,
            "层级": UNIT_LEVEL_LABELS.get(row.unit.level, row.unit.level),
            "活跃热点": row.active_hotspots,
            "待处置事项": row.open_obligations,
            "已逾期": row.overdue_obligations,
        }
        for row in rows
    ]


def units_panel(config: str, principal: Principal, now: datetime) -> None:
    """The overview's 辖区单位 table: the user's unit and its children, rolled up."""
    home = home_unit(config, principal)
    if home is None:
        return
    # The 活跃热点 card's own list, so the rows add up to the card above them (they counted
    # emerging-to-peak events of the last 72 h: 1 against the card's 5 in the demo).
    events = active_hotspots(config, now)
    obligations = reader(config).ledger.list_obligations(statuses=ACTIVE, limit=100_000)
    rows = rollup_rows(config, principal, events, obligations, now)
    st.subheader(f"辖区单位：{home.name}")
    st.caption("本级与各下级单位（含其下属单位）的活跃热点、待处置和已逾期事项，按属地划分")
    st.dataframe(rows, hide_index=True, width="stretch")
