"""The unit of an alert, read from the archive: its event's members, else its evidence.

``alerts.units`` routes from what an event says about its place; this module fetches that —
the event with up to ``MEMBER_LIMIT`` member mentions, or for an alert without an event (a
document, a penalty decision) the mentions of its evidence — so the stage (at alert time) and
the dashboard (at read time) compute the same unit from the same stored data.
"""

from __future__ import annotations

from collections.abc import Sequence

from alerts.firing import Fired
from alerts.inspection_units import place_texts
from alerts.units import Place, UnitTree, place_of, route, tree_of, units_named
from archive.base import Archive
from archive.models import Event
from core.settings import Settings

# Enough members to see where a story happens; a 5,000-mention event names its district in
# its first few hundred as surely as in all of them.
MEMBER_LIMIT = 300


def event_unit(archive: Archive, tree: UnitTree, event: Event) -> str:
    return route(tree, place_of(tree, event, archive.event_mentions(event.id, MEMBER_LIMIT)))


def evidence_unit(archive: Archive, tree: UnitTree, mention_ids: Sequence[str]) -> str:
    mentions = archive.get_mentions(list(mention_ids)[:MEMBER_LIMIT])
    # A notice: one place per record (its producers), alerts.inspection_units.
    texts = [text for m in mentions for text in place_texts(tree, m)]
    return route(tree, Place(tuple(units_named(tree, text) for text in texts)))


def alert_unit(
    archive: Archive, tree: UnitTree, event_id: str | None, evidence: Sequence[str]
) -> str:
    """The unit of an alert on ``event_id`` (or, without one, on the ``evidence`` mentions)."""
    if event_id:
        event = archive.get_event(event_id)
        if event is not None:
            return event_unit(archive, tree, event)
    return evidence_unit(archive, tree, evidence)


def assign_units(archive: Archive, settings: Settings, fired: Sequence[Fired]) -> None:
    """Set each fired alert's unit (nothing without ``units:``)."""
    tree = tree_of(settings.units)
    if tree is None:
        return
    for item in fired:
        evidence = [r.mention_id for r in item.match.evidence if r.mention_id]
        item.unit = alert_unit(archive, tree, item.match.event_id, evidence)
