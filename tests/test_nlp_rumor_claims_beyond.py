"""A false claim riding on a true accident (``nlp.rumor.claims.beyond_reports``): in an event
that authorities report as fact, a claim post that blames a brand the reports do not name, or
says the regulator ordered what the reports do not state, is an identified claim without
waiting for a debunk; hearsay about the accident's own facts is not. Text written for the test
(a fire in an estate's stairwell), through the real analyse stage and the shipped models."""

from __future__ import annotations

from datetime import timedelta

import pytest

from archive.base import Archive
from archive.models import Analysis, Mention
from nlp.rumor.claims import event_claim
from tests.conftest import T0
from tests.support.nlp_stage_run import mention, run

FIRE_BRIGADE = {"verified": True, "verified_type": 1, "followers": 300000}
REPORTS = [
    mention(
        "r1",
        "【警情通报】#丽景苑火灾# 今日3时许，青松区丽景苑小区5栋一楼楼道发生火灾，消防救援人员"
        "疏散被困居民15人，明火于3时40分被扑灭。火灾造成1人死亡、3人受伤，起火部位为楼道内停放充电的电动"
        "自行车，起火原因正在进一步调查，市场监管部门已对涉事电动自行车锂电池取样送检。",
        1,
        metrics=FIRE_BRIGADE,
    ),
    mention(
        "r2",
        "本报讯 今日凌晨3时许，青松区丽景苑小区5栋一楼楼道内停放的电动自行车起火，火灾造成"
        "1人死亡、3人受伤。消防救援支队调派4车20人到场处置，起火原因正在调查中。市场监管部门"
        "表示，将排查电动自行车锂电池的质量安全隐患。",
        2,
        platform="news",
        kind="article",
        title="青松区一住宅楼凌晨起火 1人死亡3人受伤",
    ),
]
# A brand the reports never name, blamed with a plea to act.
BRAND = mention(
    "c1",
    "#丽景苑火灾# 丽景苑5栋楼道起火的是安驰牌电动车的原装电池，安驰的电池会爆炸，"
    "家里有安驰的千万别再充电了，转给家人！",
    4,
)
# An order by the regulator the reports never state, insinuated as hidden.
ORDER = mention(
    "c2",
    "#丽景苑火灾# 丽景苑5栋楼道起火以后，市场监管局已经下令全市电动车电池停售召回，"
    "说是电池会爆炸，只是不让说，千万别再买了，转给家人！",
    4,
)
# Hearsay about the accident's own facts, with the same plea: the reports answer it.
FACTS = mention(
    "c3",
    "#丽景苑火灾# 丽景苑5栋楼道的电线都是翻新的假货，楼道还会爆炸，住那栋楼的千万别回去了，"
    "转给家人！",
    4,
)
THRESHOLD = 0.7


def claim_rows(archive: Archive, key: str) -> list[tuple[Mention, Analysis | None]]:
    event_id = archive.get_analyses([key])[key].event_id
    assert event_id is not None
    assert event_id == archive.get_analyses(["r1"])["r1"].event_id  # one event: the fire's
    members = archive.event_mentions(event_id, limit=100)
    analyses = archive.get_analyses([m.id for m in members])
    return [(m, analyses.get(m.id)) for m in members]


@pytest.mark.parametrize(
    ("post", "words"),
    [(BRAND, "安驰"), (ORDER, "下令")],
    ids=["brand-not-reported", "order-not-reported"],
)
def test_a_claim_beyond_the_reports_is_identified_before_any_debunk(
    archive: Archive, post: Mention, words: str
) -> None:
    run(archive, [*REPORTS, post], now_hours=8)
    analysis = archive.get_analyses([post.id])[post.id]
    assert (analysis.rumor_score or 0.0) >= THRESHOLD
    claim = event_claim(claim_rows(archive, post.id), THRESHOLD, T0 + timedelta(hours=8))
    assert claim is not None and claim.debunk is None
    assert claim.posts == (post.id,) and words in claim.text


def test_hearsay_about_the_accidents_own_facts_waits_for_an_answer(archive: Archive) -> None:
    run(archive, [*REPORTS, FACTS], now_hours=8)
    # The post is a claim post (an urged accusation), but of nothing beyond the accident.
    assert (archive.get_analyses(["c3"])["c3"].rumor_score or 0.0) >= THRESHOLD
    assert event_claim(claim_rows(archive, "c3"), THRESHOLD, T0 + timedelta(hours=8)) is None


def test_a_brand_the_reports_name_is_no_claim_beyond_them(archive: Archive) -> None:
    # The newspaper names the brand itself: the post repeats the report, then blames it.
    named = mention(
        "r3",
        "记者了解到，青松区丽景苑小区5栋起火的电动自行车为安驰牌电动车，起火原因正在调查。",
        3,
        platform="news",
        kind="article",
        title="丽景苑起火车辆为安驰牌电动车",
    )
    run(archive, [*REPORTS, named, BRAND], now_hours=8)
    assert event_claim(claim_rows(archive, "c1"), THRESHOLD, T0 + timedelta(hours=8)) is None


def test_a_claim_beyond_the_reports_still_waits_its_grace(archive: Archive) -> None:
    run(archive, [*REPORTS, BRAND], now_hours=8)
    just_seen = BRAND.fetched_at + timedelta(minutes=20)
    assert event_claim(claim_rows(archive, "c1"), THRESHOLD, just_seen) is None


# A marketing account's plain statement of a hidden recall: no plea, no defect word, a million
# followers, which the rumour model reads as truth (the scenario's 0.02); the bureau knows
# whether it ordered a recall.
STATED = mention(
    "c4",
    "【内部消息】#丽景苑火灾# 丽景苑5栋楼道起火后，市场监管局已经下令安驰电动车电池全部召回，"
    "只是没对外公布。",
    4,
    metrics={"verified": False, "verified_type": -1, "followers": 1200000},
)
# The public asking for an order is no statement that one was made.
DEMAND = mention(
    "c5",
    "#丽景苑火灾# 丽景苑5栋楼道起火，这种电动车电池市场监管局应该下令召回，监管部门管不管？",
    4,
)


def test_an_order_stated_as_done_is_a_claim_whatever_its_score(archive: Archive) -> None:
    run(archive, [*REPORTS, STATED], now_hours=8)
    assert (archive.get_analyses(["c4"])["c4"].rumor_score or 0.0) < THRESHOLD
    claim = event_claim(claim_rows(archive, "c4"), THRESHOLD, T0 + timedelta(hours=8))
    assert claim is not None and claim.posts == ("c4",) and "召回" in claim.text


def test_a_demand_for_an_order_is_no_claim(archive: Archive) -> None:
    run(archive, [*REPORTS, DEMAND], now_hours=8)
    assert event_claim(claim_rows(archive, "c5"), THRESHOLD, T0 + timedelta(hours=8)) is None


def test_an_order_the_reports_state_is_no_claim_beyond_them(archive: Archive) -> None:
    ordered = mention(
        "r4",
        "记者从市市场监管局了解到，丽景苑小区火灾发生后，市场监管部门已下令涉事品牌电动车电池"
        "全部召回，召回范围正在核实。",
        3,
        platform="news",
        kind="article",
        title="丽景苑火灾涉事品牌电池被召回",
    )
    run(archive, [*REPORTS, ordered, STATED], now_hours=8)
    assert event_claim(claim_rows(archive, "c4"), THRESHOLD, T0 + timedelta(hours=8)) is None


def test_the_claim_is_worded_as_the_first_post_stated_it(archive: Archive) -> None:
    # A later post passes the order on with a plea, which scores it higher than the first.
    later = mention(
        "c6",
        "#丽景苑火灾# 我同事说安驰的电池已经被勒令召回了，电池会爆炸，家里有的千万别再充电了，"
        "转给家人！",
        5,
    )
    run(archive, [*REPORTS, STATED, later], now_hours=8)
    scores = archive.get_analyses(["c4", "c6"])
    assert (scores["c6"].rumor_score or 0.0) > (scores["c4"].rumor_score or 0.0)
    claim = event_claim(claim_rows(archive, "c4"), THRESHOLD, T0 + timedelta(hours=8))
    assert claim is not None and set(claim.posts) == {"c4", "c6"}
    assert claim.text.startswith("丽景苑5栋楼道起火后，市场监管局已经下令")
