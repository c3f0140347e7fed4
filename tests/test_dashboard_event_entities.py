"""The event page's entities and platforms: as stored with the event, else read from its
sampled mentions (entities) or the archive's facets (platforms)."""

from __future__ import annotations

from dataclasses import replace

from archive.models import EntityCount, Event
from archive.search import FacetCount, SearchHit
from dashboard.data_events import Hotspot, _entities, stored_platforms
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


def test_stored_platforms_read_most_first_and_none_when_not_counted() -> None:
    event = Event(
        id="e", title="", first_seen=T0, last_seen=T0, platforms={"news": 8, "weibo": 120}
    )
    assert stored_platforms(event) == [FacetCount("weibo", 120), FacetCount("news", 8)]
    assert Hotspot(event, []).platforms == "微博 120 · 新闻网站 8"
    unknown = replace(event, platforms={"douyin": 3, "rss": 3})  # a code without a name
    assert Hotspot(unknown, []).platforms == "douyin 3 · RSS订阅 3"
    old = replace(event, platforms=None)
    assert stored_platforms(old) is None and Hotspot(old, []).platforms == ""
    assert stored_platforms(replace(event, platforms={})) == []
