"""The unit of an alert, read from the archive: its event's members, else its evidence.

``alerts.units`` routes from what an event says about its place and ``alerts.schemes`` keeps
it with the nearest unit whose watch scheme covers it; this module fetches what both need —
the event with up to ``MEMBER_LIMIT`` member mentions (and their topics when a scheme asks
for topics), or for an alert without an event (a document, a penalty decision) the mentions
of its evidence — so the stage (at alert time), the reminders and the dashboard (at read time)
compute the same unit from the same stored data. A reaction of the public naming no place
goes where the story it continues is handled (``alerts.unit_kin``). The unit is computed
again at each evaluation, so an event re-routes as its evidence grows: its alert's next
message goes to the new unit's recipients (once: the outbox key is per alert, level and
recipient), and those already told are not told again. ``NO_UNIT`` (""): no unit's scheme watches
it — in no unit's subtree, so only users and briefings without a unit see it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from alerts.firing import Fired
from alerts.inspection_units import place_texts, subject_unit
from alerts.schemes import Member, member, uses_topics, watching_unit
from alerts.unit_kin import MEMBER_LIMIT, kin_unit, own_route
from alerts.units import Place, UnitTree, route, tree_of, unit_recipients, units_named
from archive.base import Archive
from archive.models import Alert, Event, Mention, Obligation
from core.keyword_expression import normalise
from core.settings import Settings

NO_UNIT = ""


def _members(archive: Archive, tree: UnitTree, mentions: Sequence[Mention]) -> list[Member]:
    if not uses_topics(tree):
        return [member(m) for m in mentions]
    analyses = archive.get_analyses([m.id for m in mentions])
    return [member(m, analyses[m.id].topics if m.id in analyses else ()) for m in mentions]


def event_unit(archive: Archive, tree: UnitTree, event: Event) -> str:
    place_unit, mentions = own_route(archive, tree, event)
    place_unit = kin_unit(archive, tree, event, mentions, place_unit) or place_unit
    members = _members(archive, tree, mentions)
    if not members:  # none stored: the event's own title, region and topics stand in
        members = [Member(normalise(f"{event.title}\n{event.region}"), "", frozenset(event.topics))]
    return watching_unit(tree, place_unit, members) or NO_UNIT


def evidence_unit(
    archive: Archive, tree: UnitTree, mention_ids: Sequence[str], subject: str = ""
) -> str:
    """The unit of an alert without an event, from its ``evidence`` mentions; a split
    notice's ``subject`` names its district (``alerts.inspection_units.subject_unit``)."""
    mentions = archive.get_mentions(list(mention_ids)[:MEMBER_LIMIT])
    place_unit = subject_unit(tree, subject)
    if place_unit is None:
        # A notice: one place per record (its producers), alerts.inspection_units.
        texts = [text for m in mentions for text in place_texts(tree, m)]
        place = Place(tuple(units_named(tree, text) for text in texts))
        place_unit = route(tree, place, floor=False)
    unit = watching_unit(tree, place_unit, _members(archive, tree, mentions))
    return unit or NO_UNIT


def alert_unit(
    archive: Archive,
    tree: UnitTree,
    event_id: str | None,
    evidence: Sequence[str],
    subject: str = "",
) -> str:
    """The unit of an alert on ``event_id`` (or, without one, on the ``evidence`` mentions
    and its ``subject``)."""
    if event_id:
        event = archive.get_event(event_id)
        if event is not None:
            return event_unit(archive, tree, event)
    return evidence_unit(archive, tree, evidence, subject)


def assign_units(archive: Archive, settings: Settings, fired: Sequence[Fired]) -> None:
    """Set each fired alert's unit (nothing without ``units:``)."""
    tree = tree_of(settings.units, settings.nlp.authorities)
    if tree is None:
        return
    for item in fired:
        evidence = [r.mention_id for r in item.match.evidence if r.mention_id]
        unit = alert_unit(archive, tree, item.match.event_id, evidence, item.match.subject)
        item.unit = unit or None


class ObligationUnits:
    """The unit recipients of open obligations, for reminders and escalations: the unit of
    the obligation's alert (its event's members, else its evidence) and, for 重大 and above
    (the event's grade), its parent's. Units of this evaluation's fired alerts are known
    (``known``: alert id → (unit, grade)); others are routed once per event per pass."""

    def __init__(
        self,
        archive: Archive,
        settings: Settings,
        known: Mapping[int, tuple[str | None, str | None]] | None = None,
    ) -> None:
        self.archive = archive
        self.tree = tree_of(settings.units, settings.nlp.authorities)
        self.known = dict(known or {})
        self._by_event: dict[str, tuple[str | None, str | None]] = {}

    def unit(self, ob: Obligation, alert: Alert | None) -> tuple[str | None, str | None]:
        """(unit id, grade) of ``ob``; (None, None) without units or when none watches it."""
        if self.tree is None:
            return None, None
        if alert is not None and alert.id in self.known:
            return self.known[alert.id]
        event_id = ob.event_id or (alert.event_id if alert is not None else None)
        event = self.archive.get_event(event_id) if event_id else None
        if event is None:
            evidence = list(ob.evidence)
            if not evidence and alert is not None:
                evidence = [r.mention_id for r in alert.evidence if r.mention_id]
            subject = alert.subject if alert is not None else ob.subject
            return evidence_unit(self.archive, self.tree, evidence, subject) or None, None
        if event.id not in self._by_event:
            unit = event_unit(self.archive, self.tree, event) or None
            self._by_event[event.id] = (unit, event.severity)
        return self._by_event[event.id]

    def recipients(self, ob: Obligation, alert: Alert | None) -> tuple[list[str], str]:
        """The recipient names of ``ob``'s unit (the parent's too for 重大 and above) and the
        line naming the unit ("" without one)."""
        unit_id, grade = self.unit(ob, alert)
        if self.tree is None or unit_id is None:
            return [], ""
        return unit_recipients(
            self.tree, unit_id, grade
        ), f"属地单位：{self.tree.unit(unit_id).name}"


def fired_units(fired: Sequence[Fired]) -> dict[int, tuple[str | None, str | None]]:
    """Alert id → (unit, grade) of this evaluation's fired alerts."""
    return {
        item.alert.id: (item.unit, item.match.grade) for item in fired if item.alert.id is not None
    }
