"""An event re-routes as its evidence grows (属地化): a story first placed with the city (one
post naming a district is not yet where it happens) moves to the district when a second one
does. What the duty officers then receive: the district's is told once, with the district
named as 属地单位; the city's and the rule's recipients, already told, are not told again (one
delivery per recipient per story, issue 16)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from alerts.stage import evaluate
from alerts.unit_routing import event_unit
from alerts.units import UnitTree
from archive import Archive
from archive.models import Analysis
from core.clock import SimulatedClock
from core.settings_units import UnitSettings
from tests.support.unit_events import T0, add_event, mention, units
from tests.test_units_alerts import make_settings


def messages(archive: Archive) -> list[tuple[str, str]]:
    """(recipient, body) of every message queued, oldest first."""
    queued = sorted(archive.ledger.list_messages(limit=1000), key=lambda m: m.created_at)
    return [(m.recipient, m.body) for m in queued]


def test_a_story_moving_to_its_district_tells_the_district_once_and_nobody_twice(
    tmp_path: Path, archive: Archive
) -> None:
    settings = make_settings(tmp_path)
    tree = UnitTree(UnitSettings.model_validate(units()))
    add_event(
        archive, "lift", "较大", ["一商场电梯故障致3人受伤，伤者家住临川区", "江州市通报电梯故障"]
    )
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1)))
    event = archive.get_event("lift")
    assert event is not None and event_unit(archive, tree, event) == "jiangzhou"
    first = messages(archive)
    assert {who for who, _ in first} == {"duty", "city-duty"}
    assert all("属地单位：江州市市场监督管理局" in body for _, body in first)

    # The district's own notice: the second mention naming it.
    later = mention("lift-2", "临川区市场监管局回应锦江广场电梯故障", T0 + timedelta(minutes=70))
    archive.upsert_mentions([later])
    archive.upsert_analyses([Analysis(later.id, True, 0.9, event_id="lift", analyzed_at=T0)])
    assert event_unit(archive, tree, event) == "linchuan"
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1, minutes=30)))
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=3)))
    new = messages(archive)[len(first) :]
    assert [who for who, _ in new] == ["linchuan-duty"]
    assert "属地单位：江州市临川区市场监督管理局" in new[0][1]
