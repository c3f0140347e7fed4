"""The unit a briefing covers (属地化, ``yuqing report ... --unit ID``): its subtree's mentions,
events and obligations only, and its name in the title.

The same routing as the alerts and the dashboard (``alerts.unit_scope``,
``alerts.unit_routing``): a county's 日报 states the figures of the events routed to it or below
and of the loose posts naming its places, and the obligations whose event or evidence routes
there. The top unit's briefing is the whole archive's, under its name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alerts.unit_routing import alert_unit, event_unit
from alerts.unit_scope import unit_scope
from alerts.units import UnitTree
from archive.base import Archive
from archive.models import Event, Obligation
from archive.search import SearchScope


@dataclass
class UnitArea:
    unit_id: str
    name: str
    tree: UnitTree
    scope: SearchScope | None = None  # None: the top unit, everything
    # Each event's unit, routed once per briefing (the scope's and the obligations' events).
    units_of: dict[str, str] = field(default_factory=dict)

    def has_event(self, event_id: str) -> bool:
        return self.scope is None or event_id in self.scope.events

    def route(self, archive: Archive, event: Event) -> str:
        if event.id not in self.units_of:
            self.units_of[event.id] = event_unit(archive, self.tree, event)
        return self.units_of[event.id]

    def has_obligation(self, archive: Archive, ob: Obligation) -> bool:
        """Is ``ob`` the subtree's: its event's unit, else its evidence's — routed as the
        alert stage routes it."""
        if self.scope is None:
            return True
        event = archive.get_event(ob.event_id) if ob.event_id else None
        if event is not None:
            unit = self.route(archive, event)
        else:
            unit = alert_unit(archive, self.tree, None, ob.evidence, ob.subject)
        return unit in self.tree.subtree(self.unit_id)


def unit_area(archive: Archive, tree: UnitTree, unit_id: str, since: datetime) -> UnitArea:
    """``unit_id``'s area for a briefing whose period (or its 环比 period) starts at ``since``.
    An unknown id raises ``KeyError`` naming the known ones."""
    unit = tree.unit(unit_id)
    area = UnitArea(unit.id, unit.name, tree)
    area.scope = unit_scope(archive, tree, unit.id, since, lambda e: area.route(archive, e))
    return area
