"""Search restricted to a unit's subtree (issue 23): a county's search finds its own events'
mentions and loose posts naming its places, never a sibling's events; the city finds all.
On both backends, and through ``yuqing search --unit``."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from alerts.unit_scope import unit_events, unit_scope
from alerts.units import UnitTree
from archive import open_archive
from archive.base import Archive
from archive.models import Analysis, Event, Mention
from archive.search import SearchFilters, SearchRequest, SearchScope
from core.clock import SHANGHAI
from core.settings_units import UnitSettings
from tests.conftest import BACKENDS, each_backend, run_cli
from tests.support.unit_tree import units

archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)

# Three events — a 临川 milk scare, a 白沙 gas explosion, a city-wide lift story — and three
# posts in no event: one naming 临川, one naming 白沙, one naming no district.
EVENTS = {
    "ev-milk": ["临川区一超市奶粉检出问题", "临川区市场监管所抽检奶粉", "临川奶粉下架"],
    "ev-gas": ["白沙区餐馆燃气爆炸", "白沙区消防赶到现场", "江州市通报白沙爆炸"],
    "ev-lift": ["江州市开展电梯安全检查", "江州全市电梯困人排查", "江州市电梯维保"],
}
LOOSE = {
    "loose-lin": "临川区菜市场秤不准有人投诉",
    "loose-bai": "白沙区菜市场秤不准有人投诉",
    "loose-city": "江州市菜市场秤不准有人投诉",
}


def _mention(mid: str, text: str, minutes: int) -> Mention:
    at = T0 + timedelta(minutes=minutes)
    return Mention(
        id=mid,
        source="news",
        platform="news",
        kind="article",
        url=f"http://127.0.0.1/{mid}",
        title=text,
        text=text + "。记者现场了解情况。",
        published_at=at,
        fetched_at=at,
    )


def fill(store: Archive) -> None:
    minute = 0
    for eid, texts in EVENTS.items():
        members = []
        for i, text in enumerate(texts):
            members.append(_mention(f"{eid}-{i}", text, minute))
            minute += 1
        store.upsert_mentions(members)
        store.upsert_analyses(
            Analysis(m.id, True, 0.9, topics=["food_safety"], event_id=eid) for m in members
        )
        store.upsert_event(
            Event(
                id=eid,
                title=texts[0],
                first_seen=T0,
                last_seen=T0 + timedelta(hours=1),
                mention_count=len(members),
                heat=10.0,
            )
        )
    loose = [_mention(mid, text, 30 + i) for i, (mid, text) in enumerate(LOOSE.items())]
    store.upsert_mentions(loose)
    store.upsert_analyses(Analysis(m.id, False, 0.1) for m in loose)


def tree() -> UnitTree:
    return UnitTree(UnitSettings.model_validate(units()))


def found(store: Archive, scope: SearchScope | None, query: str = "") -> set[str]:
    request = SearchRequest(query=query, filters=SearchFilters(scope=scope), limit=100)
    return {hit.mention.id for hit in store.search(request).hits}


def test_a_county_searches_its_own_events_and_posts_not_a_siblings(archive: Archive) -> None:
    fill(archive)
    units = tree()
    lin = unit_scope(archive, units, "linchuan")
    assert lin is not None and lin.events == ("ev-milk",)
    assert found(archive, lin) == {"ev-milk-0", "ev-milk-1", "ev-milk-2", "loose-lin"}
    bai = unit_scope(archive, units, "baisha")
    # The gas story names 江州市 once too; it is still 白沙's, and the city's lift story is not.
    assert found(archive, bai) == {"ev-gas-0", "ev-gas-1", "ev-gas-2", "loose-bai"}
    # With words: the scope and the query both hold.
    assert found(archive, bai, "菜市场") == {"loose-bai"}
    assert found(archive, lin, "燃气") == set()
    # Totals, facets and the histogram read the same filter.
    request = SearchRequest(filters=SearchFilters(scope=lin))
    assert archive.search(request).total == 4
    assert archive.facets(request, ["platform"])["platform"][0].count == 4
    assert sum(b.count for b in archive.histogram(request, "hour")) == 4
    # The city, the top unit, is not restricted at all.
    assert unit_scope(archive, units, "jiangzhou") is None
    assert len(found(archive, None)) == 12
    assert [e.id for e in unit_events(archive, units, "jiangzhou")] == sorted(EVENTS)


def test_a_scope_with_nothing_finds_nothing(archive: Archive) -> None:
    fill(archive)
    assert found(archive, SearchScope()) == set()
    assert found(archive, SearchScope(names=("青山区",))) == set()


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "yuqing.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "archive": {"path": str(tmp_path / "cli.db")},
                "recipients": [{"name": n} for n in ("city-duty", "linchuan-duty", "baisha-duty")],
                "units": units(),
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    return path


def test_yuqing_search_unit(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with open_archive(tmp_path / "cli.db") as store:
        fill(store)

    def ids(*args: str) -> set[str]:
        code, output = run_cli(config, "search", "--json", *args)
        assert code == 0, output
        return {json.loads(line)["id"] for line in output.splitlines()}

    assert ids("--unit", "baisha") == {"ev-gas-0", "ev-gas-1", "ev-gas-2", "loose-bai"}
    assert ids("秤", "--unit", "linchuan") == {"loose-lin"}
    assert len(ids("--unit", "jiangzhou")) == 12
    since = (T0 + timedelta(hours=2)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    # No 临川 event is active after its end: only loose posts could be, and none is that late.
    assert ids("--unit", "linchuan", "--since", since) == set()
    code, output = run_cli(config, "search", "--unit", "qingshan")
    assert code == 2 and "unknown unit 'qingshan'" in output
