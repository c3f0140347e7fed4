"""One briefing from the archive: the data pack, its prose, and the citation check."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from alerts.units import tree_of
from archive.base import Archive
from core.settings import Settings
from core.settings_reports import DEFAULT_UNIT
from reports.citations import check
from reports.datapack import build_datapack
from reports.periods import default_day, event_period, period_for
from reports.prose import compose
from reports.unit_area import UnitArea, unit_area


class ReportError(Exception):
    """A briefing cannot be built as asked (unknown event, a sentence without a source)."""


def build_report(
    archive: Archive,
    kind: str,
    now: datetime,
    settings: Settings | None = None,
    day: date | None = None,
    event_id: str | None = None,
    unit: str = DEFAULT_UNIT,
    unit_id: str | None = None,
) -> dict[str, Any]:
    """The pack of a 日报 / 周报 (``day``: the last day covered, default yesterday) or of a
    专报 (``event_id``), with its ``sections``. Refuses to return a pack whose citations do
    not check: a briefing with an unsourced sentence is not sent. ``unit_id``: a unit's
    briefing (``units:``), its subtree only, in its name."""
    if kind == "event":
        if not event_id:
            raise ReportError("a 专报 needs an event id")
        event = archive.get_event(event_id)
        if event is None:
            raise ReportError(f"no event {event_id!r} in {archive.describe()}")
        period = event_period(event.first_seen, event.last_seen, now)
    else:
        period = period_for(kind, day or default_day(now))
    area = _area(archive, settings, unit_id, period.previous_start) if unit_id else None
    if area is not None and event_id and not area.has_event(event_id):
        raise ReportError(f"event {event_id!r} is not routed to unit {unit_id!r} or below")
    pack = build_datapack(archive, period, now, settings, unit, event_id, area)
    pack["sections"] = compose(pack)
    result = check(archive, pack)
    if not result.ok:
        raise ReportError("citations do not check:\n  " + "\n  ".join(result.problems))
    pack["citations"] = {
        "sentences": result.sentences,
        "factual": result.factual,
        "valid": result.valid,
    }
    return pack


def _area(archive: Archive, settings: Settings | None, unit_id: str, since: datetime) -> UnitArea:
    tree = tree_of(settings.units, settings.nlp.authorities) if settings is not None else None
    if tree is None:
        raise ReportError(f"a briefing of unit {unit_id!r} needs units: in the configuration")
    try:
        return unit_area(archive, tree, unit_id, since)
    except KeyError as exc:
        raise ReportError(str(exc.args[0])) from None
