"""The routing floor weighs authority (属地化, issue 23): an official notice naming a district
— a fire brigade's or police 警情通报, a government account's post, the agency's own — is
enough on its own to route the event there, where one citizen's post is not. Read from a real
archive as the alert stage, the dashboard and the benchmark read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alerts.unit_routing import event_unit
from alerts.units import tree_of
from archive import Archive
from archive.models import Analysis, Event, Mention
from core.clock import SHANGHAI
from core.settings import AuthoritySettings
from core.settings_units import UnitSettings
from tests.support.unit_tree import units

T0 = datetime(2026, 11, 16, 12, 30, tzinfo=SHANGHAI)
NOTICE = (
    "【警情通报】11月16日12时23分，江州市消防救援支队指挥中心接到报警，"
    "临川区锦江国际广场一部电梯发生坠落，有人员被困。"
)
# The public's posts: the city and the accident, no district.
PUBLIC = [
    "江州一商场电梯突然坠落，太吓人了",
    "刚刚江州出事了，电梯掉下来了",
    "电梯坠落有人被困，希望没事",
    "江州市商场电梯事故，求平安",
]


def tree_settings(**authorities: list[str]) -> Any:
    raw = dict(units())
    raw["route_min_mentions"] = 2  # the default floor (the shared tree lowers it to one)
    return tree_of(UnitSettings.model_validate(raw), AuthoritySettings(**authorities))


def weibo(mid: str, text: str, author: str, verified_type: int | None = None) -> Mention:
    metrics: dict[str, Any] = {"followers": 400_000}
    if verified_type is not None:
        metrics |= {"verified": True, "verified_type": verified_type}
    return Mention(
        id=mid,
        source="weibo-search",
        platform="weibo",
        kind="post",
        url=f"http://127.0.0.1/{mid}",
        text=text,
        author=author,
        published_at=T0,
        fetched_at=T0 + timedelta(minutes=1),
        metrics=metrics,
    )


def store_event(archive: Archive, notice: Mention, others: list[Mention] | None = None) -> Event:
    members = [notice, *(others or [weibo(f"p{i}", t, f"网友{i}") for i, t in enumerate(PUBLIC)])]
    archive.upsert_mentions(members)
    archive.upsert_analyses(
        Analysis(m.id, True, 0.9, topics=["特种设备"], event_id="lift", analyzed_at=T0)
        for m in members
    )
    event = Event(
        id="lift",
        title="江州一商场电梯坠落",
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=30),
        mention_count=len(members),
        heat=40.0,
        topics=["特种设备"],
        region="江州",
    )
    archive.upsert_event(event)
    return event


def test_a_fire_brigades_notice_naming_the_district_routes_the_event_there(
    archive: Archive,
) -> None:
    # Weibo's verified government account (verified_type 1), as the demo's 江州消防.
    event = store_event(archive, weibo("n", NOTICE, "江州消防", verified_type=1))
    tree = tree_settings()
    assert tree is not None
    assert event_unit(archive, tree, event) == "linchuan"


def test_the_same_words_from_a_citizen_leave_the_event_with_the_city(archive: Archive) -> None:
    event = store_event(archive, weibo("n", NOTICE, "路过的网友"))
    tree = tree_settings()
    assert tree is not None
    assert event_unit(archive, tree, event) == "jiangzhou"


def test_a_verified_media_report_is_one_more_mention(archive: Archive) -> None:
    # Media (verified_type 3) are not authorities on where a case is handled.
    event = store_event(archive, weibo("n", NOTICE, "江州晚报", verified_type=3))
    tree = tree_settings()
    assert tree is not None
    assert event_unit(archive, tree, event) == "jiangzhou"


def test_a_configured_own_account_is_an_authority(archive: Archive) -> None:
    event = store_event(archive, weibo("n", NOTICE, "江州市场监管"))
    plain, configured = tree_settings(), tree_settings(own=["江州市场监管"])
    assert plain is not None and configured is not None
    assert event_unit(archive, plain, event) == "jiangzhou"
    assert event_unit(archive, configured, event) == "linchuan"


def test_an_official_notice_does_not_outweigh_a_story_told_elsewhere(archive: Archive) -> None:
    # Seven posts place the story in 白沙区; the notice naming 临川区 (weighing two) is under a
    # third of that: the story stays 白沙区's, not spread over both districts.
    others = [weibo(f"b{i}", f"白沙区商场电梯事故{i}", f"网友{i}") for i in range(7)]
    event = store_event(archive, weibo("n", NOTICE, "江州消防", verified_type=1), others)
    tree = tree_settings()
    assert tree is not None
    assert event_unit(archive, tree, event) == "baisha"
