"""Heat, burst and lifecycle status, and clustering decisions on their own."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from archive.models import EVENT_ENTITIES_PER_KIND, EntityCount, EntityRef
from nlp.events import EventState, Member, build_event
from nlp.heat import (
    HALF_LIFE,
    NEWS_AUTHORITY,
    OFFICIAL_AUTHORITY,
    SPREAD_WEIGHT,
    SPREAD_WINDOW,
    VELOCITY_WEIGHT,
    VELOCITY_WINDOW,
    Activity,
    authority_weight,
    burst_at,
    engagement_weight,
    heat_at,
    mention_weight,
    status_at,
)
from nlp.severity import SourcedFigures
from tests.conftest import T0, make_mention

WINDOW = timedelta(hours=72)


def at(hours: float, weight: float = 1.0) -> Activity:
    return Activity(T0 + timedelta(hours=hours), weight)


def test_heat_halves_every_half_life() -> None:
    activities = [at(0)]
    # Past the velocity window only the decay is left.
    decayed = 0.5 ** (VELOCITY_WINDOW / HALF_LIFE)
    assert heat_at(activities, T0 + VELOCITY_WINDOW) == pytest.approx(decayed)
    assert heat_at(activities, T0 + HALF_LIFE) == pytest.approx(0.5)
    assert heat_at(activities, T0 + 2 * HALF_LIFE) == pytest.approx(0.25)
    # Mentions after "now" do not count (a replay never sees the future).
    assert heat_at([at(5)], T0) == 0


def test_velocity_raises_the_heat_of_what_arrives_now() -> None:
    # Twelve mentions arriving now against the same twelve twenty minutes ago: nearly the same
    # decayed volume, but only the first are still arriving.
    now = T0 + timedelta(hours=6)
    arriving = [Activity(now - timedelta(minutes=i / 2), 1.0) for i in range(12)]
    earlier = [Activity(a.at - timedelta(minutes=20), 1.0) for a in arriving]
    decay = 0.5 ** (timedelta(minutes=20) / HALF_LIFE)
    assert heat_at(arriving, now) == pytest.approx(
        heat_at(earlier, now) / decay * (1 + VELOCITY_WEIGHT * math.log1p(12))
    )


def test_spread_across_platforms_counts() -> None:
    one = [Activity(T0, 1.0, "weibo"), Activity(T0, 1.0, "weibo")]
    two = [Activity(T0, 1.0, "weibo"), Activity(T0, 1.0, "news")]
    later = T0 + timedelta(hours=1)
    assert heat_at(two, later) == pytest.approx(heat_at(one, later) * (1 + SPREAD_WEIGHT))
    # Only platforms heard from within the spread window count.
    old = [Activity(T0 - SPREAD_WINDOW, 1.0, "news"), Activity(T0, 1.0, "weibo")]
    assert heat_at(old, later) < heat_at(one, later)


def test_authority_by_platform_and_followers() -> None:
    assert authority_weight("weibo", {}) == 1.0
    assert authority_weight("news", {}) == NEWS_AUTHORITY
    assert authority_weight("official", {"followers": 10}) == OFFICIAL_AUTHORITY
    million = authority_weight("weibo", {"followers": 1_000_000})
    assert 1.5 < million < 1.7 and authority_weight("weibo", {"followers": True}) == 1.0
    assert mention_weight("weibo", {"followers": 1_000_000, "reposts": 10}) == pytest.approx(
        million * engagement_weight({"reposts": 10})
    )


def test_engagement_counts_logarithmically() -> None:
    assert engagement_weight({}) == 1.0
    small = engagement_weight({"reposts": 10})
    big = engagement_weight({"reposts": 10_000, "comments": "500", "likes": True})
    assert 1.0 < small < big < 12.0


def test_burst_compares_recent_rate_with_earlier_rate() -> None:
    steady = [at(h) for h in range(0, 27)]  # one an hour for a day
    assert burst_at(steady, T0 + timedelta(hours=26)) == pytest.approx(1.0)
    sudden = [at(25 + i / 10) for i in range(12)]
    assert burst_at(sudden, T0 + timedelta(hours=27)) == pytest.approx(12.0)


def test_status_lifecycle() -> None:
    new = [at(0), at(0.5)]
    assert status_at(new, T0 + timedelta(hours=1), new[-1].at, WINDOW)[0] == "emerging"
    rising = [at(h / 4) for h in range(0, 24)]  # four an hour for six hours
    last = rising[-1].at
    assert status_at(rising, last, last, WINDOW)[0] == "growing"
    steady = [at(h / 2) for h in range(0, 96)]  # steady for two days
    last = steady[-1].at
    assert status_at(steady, last, last, WINDOW)[0] == "peak"
    assert status_at(steady, last + timedelta(hours=4), last, WINDOW)[0] == "declining"
    assert status_at(steady, last + WINDOW + timedelta(hours=1), last, WINDOW)[0] == "closed"


def member(i: int, *entities: EntityRef) -> Member:
    mention = make_mention(i, f"第{i}条")
    figures = SourcedFigures(mention.id, mention.published_at, False, True, {}, False)
    return Member(
        mention=mention,
        title="",
        vector={"奶粉": 1.0},
        title_vector={},
        lead="",
        relevance=1.0,
        topic_evidence={},
        rumor_score=None,
        figures=figures,
        entities=entities,
    )


def test_event_entities_count_members_as_they_come_and_go() -> None:
    city = EntityRef("region", "深圳市", "440300")
    firm = EntityRef("company", "江州市美味食品有限公司")
    brand = EntityRef("brand", "佳佳")
    state = EventState("e1")
    state.add(member(1, city, firm, brand))
    state.add(member(2, city, brand))
    state.add(member(3, brand))
    event = build_event(state, T0 + timedelta(hours=5), WINDOW)
    assert event.entities == [
        EntityCount("region", "深圳市", "440300", 2),
        EntityCount("company", "江州市美味食品有限公司", "", 1),
        EntityCount("brand", "佳佳", "", 3),
    ]
    # A member analysed again replaces its old entities; one that leaves takes its own.
    state.add(member(1, city))
    state.remove("m0002")
    event = build_event(state, T0 + timedelta(hours=5), WINDOW)
    assert event.entities == [
        EntityCount("region", "深圳市", "440300", 1),
        EntityCount("brand", "佳佳", "", 1),
    ]
    assert build_event(EventState("empty"), T0, WINDOW).entities == []


def test_event_entities_keep_the_most_named_of_each_kind_in_a_stable_order() -> None:
    products = [EntityRef("product", f"产品{i:02d}") for i in range(EVENT_ENTITIES_PER_KIND + 5)]
    members = [member(i, *products[: i + 1]) for i in range(len(products))]
    forwards, backwards = EventState("a"), EventState("b")
    for item in members:
        forwards.add(item)
    for item in reversed(members):
        backwards.add(item)
    now = T0 + timedelta(days=1)
    found = build_event(forwards, now, WINDOW).entities
    assert found == build_event(backwards, now, WINDOW).entities  # arrival order does not count
    assert found is not None and len(found) == EVENT_ENTITIES_PER_KIND
    assert [c.name for c in found] == [p.name for p in products[:EVENT_ENTITIES_PER_KIND]]
    assert [c.count for c in found] == list(range(len(products), 5, -1))
    # Equal counts: by name.
    tied = EventState("t")
    tied.add(member(1, EntityRef("brand", "乙"), EntityRef("brand", "甲")))
    assert [c.name for c in build_event(tied, now, WINDOW).entities or []] == sorted(["乙", "甲"])


def test_event_platforms_count_members_as_they_come_and_go() -> None:
    state = EventState("e1")
    for i in range(1, 6):  # odd: weibo, even: news (tests.conftest.make_mention)
        state.add(member(i))
    event = build_event(state, T0 + timedelta(hours=6), WINDOW)
    assert event.platforms is not None and event.platforms == {"weibo": 3, "news": 2}
    assert list(event.platforms) == ["weibo", "news"]  # the most first
    assert sum(event.platforms.values()) == event.mention_count
    # Analysed again under another platform: counted there only; one leaving takes its own.
    again = member(1)
    again.mention = make_mention(1, "第1条", platform="news")
    state.add(again)
    state.remove("m0003")
    event = build_event(state, T0 + timedelta(hours=6), WINDOW)
    assert event.platforms == {"news": 3, "weibo": 1}
    assert sum(event.platforms.values()) == event.mention_count
    # The last of a platform gone: no zero left behind.
    state.remove("m0005")
    assert build_event(state, T0 + timedelta(hours=6), WINDOW).platforms == {"news": 3}
    assert build_event(EventState("empty"), T0, WINDOW).platforms == {}


def test_event_platforms_do_not_depend_on_arrival_order() -> None:
    members = [member(i) for i in range(1, 9)]
    forwards, backwards = EventState("a"), EventState("b")
    for item in members:
        forwards.add(item)
    for item in reversed(members):
        backwards.add(item)
    now = T0 + timedelta(days=1)
    found = build_event(forwards, now, WINDOW).platforms
    assert found == {"news": 4, "weibo": 4}
    again = build_event(backwards, now, WINDOW).platforms
    assert found is not None and again is not None
    # Equal counts by name, whatever came first: the stored JSON is the same too.
    assert list(found) == list(again) == ["news", "weibo"]
