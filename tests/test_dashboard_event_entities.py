"""The event page's entities: as stored with the event, else read from its sampled mentions."""

from __future__ import annotations

from archive.models import EntityCount, Event
from archive.search import SearchHit
from dashboard.data_events import _entities
from tests.conftest import T0, make_mention

MILK = "江州市美味食品有限公司生产的“佳佳”奶粉被检出三聚氰胺，深圳市市场监管局已介入调查"


def test_stored_entities_are_shown_as_stored() -> None:
    counts = [
        EntityCount("region", "深圳市", "440300", 7),
        EntityCount("company", "江州市美味食品有限公司", "", 5),
        EntityCount("brand", "佳佳", "", 4),
        EntityCount("product", "奶粉", "", 3),
    ]
    event = Event(id="e", title="", first_seen=T0, last_seen=T0, entities=counts)
    found = _entities(event, [])  # no sample read: the stored counts cover every member
    [(region, n)] = found.regions
    assert (region.name, region.code, region.province, n) == ("深圳市", "440300", "广东省", 7)
    assert found.companies == (("江州市美味食品有限公司", 5),)
    assert found.brands == (("佳佳", 4),) and found.products == (("奶粉", 3),)
    empty = Event(id="e", title="", first_seen=T0, last_seen=T0, entities=[])
    assert not _entities(empty, [SearchHit(make_mention(1, MILK), None, 0.0)])


def test_an_event_written_before_entities_were_kept_reads_its_mentions() -> None:
    old = Event(id="e", title="", first_seen=T0, last_seen=T0)
    found = _entities(old, [SearchHit(make_mention(1, MILK), None, 0.0)])
    assert found.companies == (("江州市美味食品有限公司", 1),)
    assert found.brands == (("佳佳", 1),)
