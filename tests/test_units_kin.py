"""Reactions routed with the story they continue (属地化, ``alerts.unit_kin``): the public's posts
that name no place and found events of their own go to the district whose story their thread or
their poster's own words are in; a city story, a report and a poster who writes about two
districts stay where their own words put them. On both backends (the poster's other posts are
found through the search)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.unit_routing import event_unit
from alerts.units import UnitTree
from archive.base import Archive
from archive.models import Analysis, Event, Mention
from core.clock import SHANGHAI
from core.settings_units import UnitSettings
from tests.conftest import BACKENDS, each_backend
from tests.support.unit_tree import units

archive = pytest.fixture(params=BACKENDS, name="archive")(each_backend)
T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)
PUBLIC = {"verified": False, "verified_type": -1}


def weibo(mid: str, text: str, minutes: int, author: str, **fields: Any) -> Mention:
    at = T0 + timedelta(minutes=minutes)
    values: dict[str, Any] = {"platform": "weibo", "kind": "post", "metrics": dict(PUBLIC)}
    values |= fields
    return Mention(
        id=mid,
        source="weibo-search",
        url=f"http://127.0.0.1/{mid}",
        text=text,
        published_at=at,
        fetched_at=at,
        author=author,
        **values,
    )


def report(mid: str, text: str, minutes: int) -> Mention:
    return weibo(mid, text, minutes, "江州日报", platform="news", kind="article", title=text[:20])


# The story: a KTV ceiling collapse in 白沙区, two reports naming the district, and a person's
# repost of it with hearsay of her own.
STORY = [
    report("s1", "白沙区解放街一KTV包厢吊顶坍塌，3人受伤送医", 0),
    report("s2", "白沙区应急管理局通报：解放街KTV吊顶坍塌事故3人受伤", 60),
    weibo("s3", "听说吊顶砸死了两个人，吓死了//@江州日报:白沙区解放街一KTV包厢吊顶坍塌，3人受伤",
          70, "爱唱歌的阿敏", kind="repost"),
]  # fmt: skip
# Her retraction, a day later, naming no place, with a comment under it: an event of its own.
RETRACTION = [
    weibo("r1", "之前转的KTV吊顶砸死人的说法不准确，看了通报才知道没有人员死亡，已经删了", 60 * 24,
          "爱唱歌的阿敏"),
    weibo("r1c", "这种装修平时有没有人查", 60 * 24 + 5, "路人甲", kind="comment", parent_id="r1"),
]  # fmt: skip
# Comments under the story's repost that founded their own event.
THREAD = [
    weibo("t1", "娱乐场所吊顶多久检查一次？", 80, "路人乙", kind="comment", parent_id="s3"),
    weibo("t2", "娱乐场所吊顶多久检查一次？", 85, "路人丙", kind="comment", parent_id="s3"),
]
# A city story of the same days: the city's own report, no district named.
CITY = [
    report("c1", "江州市开展娱乐场所安全专项检查", 120),
    weibo("c2", "全市娱乐场所都要查一遍了，KTV吊顶早该查", 130, "爱唱歌的阿敏"),
]


def store(archive: Archive, event_id: str, members: list[Mention]) -> Event:
    archive.upsert_mentions(members)
    archive.upsert_analyses(Analysis(m.id, True, 0.9, event_id=event_id) for m in members)
    event = Event(
        id=event_id,
        title=members[0].text[:20],
        first_seen=min(m.published_at for m in members),
        last_seen=max(m.published_at for m in members),
        mention_count=len(members),
    )
    archive.upsert_event(event)
    return event


def tree() -> UnitTree:
    return UnitTree(UnitSettings.model_validate(units() | {"route_min_mentions": 2}))


def test_a_posters_retraction_goes_to_the_district_of_the_story_she_reposted(
    archive: Archive,
) -> None:
    story = store(archive, "ev-ktv", STORY)
    retraction = store(archive, "ev-retraction", RETRACTION)
    assert event_unit(archive, tree(), story) == "baisha"
    assert event_unit(archive, tree(), retraction) == "baisha"


def test_comments_under_a_storys_post_go_to_its_district(archive: Archive) -> None:
    store(archive, "ev-ktv", STORY)
    thread = store(archive, "ev-thread", THREAD)
    assert event_unit(archive, tree(), thread) == "baisha"


def test_a_poster_writing_about_the_city_and_a_district_leaves_the_reaction_with_the_city(
    archive: Archive,
) -> None:
    store(archive, "ev-ktv", STORY)
    store(archive, "ev-city", CITY)  # her c2 is in the city's story, her s3 in 白沙's
    retraction = store(archive, "ev-retraction", RETRACTION)
    assert event_unit(archive, tree(), retraction) == "jiangzhou"


def test_a_city_story_with_a_reposters_words_stays_with_the_city(archive: Archive) -> None:
    # The city's own report says where it happens: no kin are read for an event holding one.
    store(archive, "ev-ktv", STORY)
    city = store(archive, "ev-city", CITY)
    assert event_unit(archive, tree(), city) == "jiangzhou"


def test_a_reaction_naming_its_own_district_keeps_it(archive: Archive) -> None:
    store(archive, "ev-ktv", STORY)
    own = [
        weibo("o1", "临川区那边也有KTV吊顶掉下来过，之前转的说法不准", 60 * 24, "爱唱歌的阿敏"),
        weibo("o2", "临川区的KTV也该查查", 60 * 24 + 10, "路人丁"),
    ]
    reaction = store(archive, "ev-own", own)
    assert event_unit(archive, tree(), reaction) == "linchuan"


def test_a_posters_post_about_another_matter_is_no_kin(archive: Archive) -> None:
    # The demo's worker: a question in 临川's elevator story on Monday, a rumour of his own on
    # Tuesday. The rumour's first posts name no place; his elevator post shares none of their
    # words, so the rumour stays with the city.
    lift = [
        report("l1", "临川区锦江广场一部电梯坠落，3人受伤", 0),
        report("l2", "临川区市场监管局通报锦江广场电梯坠落事故", 30),
        weibo("l3", "求问懂行的，电梯坠落的时候到底该怎么自救？", 40, "打工人小王"),
    ]
    store(archive, "ev-lift", lift)
    rumour = [
        weibo("n1", "超市买的紫菜泡一晚上都扯不烂，是塑料做的吧？", 60 * 24, "打工人小王"),
        weibo("n2", "紫菜是塑料做的？家里孩子刚吃过", 60 * 24 + 20, "宝妈小鹿"),
    ]
    nori = store(archive, "ev-nori", rumour)
    assert event_unit(archive, tree(), nori) == "jiangzhou"
