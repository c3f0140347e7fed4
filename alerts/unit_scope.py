"""A unit's part of the archive for search and briefings (属地化): the events routed to the unit
or below it, and the places its subtree covers.

Events are routed as the alert stage routes them (``alerts.unit_routing.event_unit``), so a
county's search, its 日报 and its dashboard show the same events its alerts come from. A mention
in no event (not relevant, or not yet clustered) has no routed unit; it belongs to the unit when
its title or text names one of the subtree's ``region_names`` — the evidence rule of an alert
without an event, read loosely: a loose post naming two sibling districts is seen by both.
The top unit sees everything (``None``: no restriction), as its alerts do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from alerts.unit_routing import event_unit
from alerts.units import UnitTree
from archive.base import Archive
from archive.models import Event
from archive.search import SearchScope

# Events routed per scope: the hottest this many active in the window. A province's archive
# holds a few thousand live events at most; each is routed from up to 300 members.
SCOPE_EVENTS = 5000


def unit_events(
    archive: Archive,
    tree: UnitTree,
    unit_id: str,
    since: datetime | None = None,
    route: Callable[[Event], str] | None = None,
) -> list[Event]:
    """The events active since ``since`` routed to ``unit_id`` or a unit below it, hottest
    first. ``route`` gives an event's unit (the dashboard passes its cached one)."""
    allowed = tree.subtree(unit_id)
    unit_of = route or (lambda event: event_unit(archive, tree, event))
    return [
        e
        for e in archive.list_events(active_since=since, limit=SCOPE_EVENTS)
        if unit_of(e) in allowed
    ]


def unit_scope(
    archive: Archive,
    tree: UnitTree,
    unit_id: str,
    since: datetime | None = None,
    route: Callable[[Event], str] | None = None,
) -> SearchScope | None:
    """The search scope of ``unit_id`` (None for the top unit: everything). ``since``: only
    events still active then can hold mentions of a search from then on."""
    if unit_id == tree.root.id:
        return None
    events = unit_events(archive, tree, unit_id, since, route)
    names = {name for u in tree.subtree(unit_id) for name in tree.unit(u).region_names if name}
    return SearchScope(tuple(e.id for e in events), tuple(sorted(names)))
