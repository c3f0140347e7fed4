"""The rules in context judge each claim, not the event (h/scenfix, docs/scenarios.md "Known
misses fixed"): a report corroborates what it reports, not an accusation heard beside it; an
insider's 说个内幕 or a netizen's 爆料 is hearsay to the rules; a death toll heard where the
authorities state that nobody died is contradicted; a post telling that a video is old and
from elsewhere corrects the claim. Text written for the test (a water park's slide, a
laboratory's fake reports), through ``nlp.rumor.context.in_context`` with the model's score as
its input, and through the real analyse stage for the toll."""

from __future__ import annotations

from archive.base import Archive
from archive.models import Mention
from nlp.rumor.claims import contradicted, event_claim
from nlp.rumor.context import (
    CONDUCT_MIN,
    CORROBORATED_MAX,
    INSINUATION_MIN,
    REFUTATION_MAX,
    Authorities,
    claim_stance,
    in_context,
)
from nlp.rumor.hearsay import (
    EXCEEDS_MIN,
    contradicts_none_dead,
    hearsay_claim,
    reference_of,
    rules_out_deaths,
)
from nlp.rumor.score import RumorResult
from tests.support.nlp_stage_run import mention, run

AUTHORITIES = Authorities.from_settings()
# A newspaper's undercover report: the laboratory sells reports without testing.
REPORT = mention(
    "r1",
    "本报记者以网店店主身份联系滨海启明检测公司，对方称不用寄样品，交600元两天出报告。两天后"
    "记者收到一份盖有CMA章的检测报告，显示样品全部合格，而记者从未寄出样品。",
    1,
    platform="news",
    kind="article",
    title="暗访：不寄样品也能拿到合格检测报告",
)


def scored(item: Mention, score: float, corroboration: Mention | None = REPORT) -> RumorResult:
    return in_context(RumorResult(score=score), item, AUTHORITIES, corroboration)


def test_the_corroboration_cap_holds_what_the_report_states() -> None:
    # A shopper retelling what the report found is part of the corroborated story.
    retold = mention("p1", "原来不寄样品交600元两天就能拿到合格的检测报告，难怪网上东西都合格", 2)
    result = scored(retold, 0.8)
    assert result.score == CORROBORATED_MAX
    assert "事件已有权威或媒体报道" in result.reasons[0].text


def test_an_accusation_heard_beside_the_report_is_not_capped_by_it() -> None:
    # The report confirms the laboratory's fraud, not who is behind it: the claim about the
    # regulator's staff is a second claim inside a true story.
    heard = mention(
        "p2",
        "网友爆料：启明检测的老板是质监站副站长的亲弟弟，所以举报了三年都没人来查，这回看谁还护着。",
        3,
    )
    result = scored(heard, 0.8)
    assert result.score == 0.8
    assert result.reasons[0].text.startswith("传闻内容（")
    assert "不在事件的权威或媒体报道" in result.reasons[0].text


def test_a_familys_word_in_a_reported_story_stays_capped() -> None:
    # Hearsay about the event itself (who is safe, what the staff did) is what the cap is for.
    family = mention("p4", "我姐在启明检测做前台，她说这几天公司天天有人来退报告，老板也不来了", 3)
    result = scored(family, 0.8)
    assert result.score == CORROBORATED_MAX


def test_an_insiders_inside_story_is_hearsay_and_insinuated() -> None:
    inside = mention(
        "p3",
        "说个内幕：启明检测背后是质监站一个副站长的亲弟弟，举报材料都转到老板手上了，以前的事全压着。",
        3,
    )
    assert hearsay_claim("说个内幕：那晚的事故当场死了五个人") is not None
    # An inside story about the firm alone is insinuated hearsay.
    about_firm = mention("p5", "说个内幕：启明检测的报告都是花钱买的，懂的都懂。", 3)
    result = scored(about_firm, 0.2, corroboration=None)
    assert result.score == INSINUATION_MIN
    assert "说个内幕" in result.reasons[0].text
    # One about an official shielding it (背后是…副站长, 全压着) is also a claim about officials'
    # own conduct, raised further (h/rumfix, ``nlp.rumor.conduct``); the insinuation is shown too.
    result = scored(inside, 0.2, corroboration=None)
    assert result.score == CONDUCT_MIN
    assert "说个内幕" in result.reasons[0].text
    assert any("指向公职人员自身行为" in r.text for r in result.reasons)


def test_a_death_toll_heard_against_an_outright_none_dead_is_contradicted() -> None:
    report = mention(
        "f1",
        "【救援结束】截至19时，水上乐园滑道故障被困的32名游客已全部救出，其中2人擦伤，此次事件无人员死亡。",
        5,
        metrics={"verified": True, "verified_type": 1, "followers": 200000},
    )
    provisional = mention("f0", "滑道故障，目前暂无人员死亡，救援正在进行。", 4, platform="news")
    assert rules_out_deaths(f"{report.title}\n{report.text}")
    assert not rules_out_deaths(provisional.text)
    reference = reference_of([report])
    assert reference is not None and reference.deaths == 0 and reference.none_dead
    claim = hearsay_claim("据网友爆料，水上乐园滑道塌了，已经造成3人死亡，官方一直压着不说")
    assert claim is not None and contradicts_none_dead(claim, reference)
    assert not reference_of([provisional]).none_dead  # type: ignore[union-attr]


def test_the_contradicted_toll_is_the_events_claim_through_the_stage(archive: Archive) -> None:
    official = {"verified": True, "verified_type": 1, "followers": 200000}
    items = [
        mention(
            "a1",
            "【救援进行中】今日14时许，港湾游乐园一台过山车（大型游乐设施）故障停在轨道高处，32名游客被困，消防和市场监管部门特种设备安全监察人员正在现场救援。",
            1,
            metrics=official,
        ),
        mention(
            "a2",
            "【突发】听说港湾游乐园过山车轨道断了，有一节车厢掉下来，车上两个人当场没了，游乐园在封锁消息！#港湾游乐园过山车#",
            2,
        ),
        mention(
            "a3",
            "【救援结束】截至19时，港湾游乐园过山车被困的32名游客已全部安全转移，2人擦伤，此次事件无人员死亡。市场监管部门已责令该过山车停止运行，事故原因正在调查。",
            5,
            metrics=official,
        ),
    ]
    run(archive, items, now_hours=8)
    analyses = archive.get_analyses([m.id for m in items])
    hearsay = analyses["a2"]
    assert contradicted(hearsay) is not None
    assert (hearsay.rumor_score or 0.0) >= EXCEEDS_MIN
    members = [(m, analyses.get(m.id)) for m in items]
    claim = event_claim(members, 0.7)
    assert claim is not None and claim.posts[0] == "a2"


def test_a_post_telling_the_video_is_old_and_from_elsewhere_corrects_the_claim() -> None:
    text = (
        "这段烂菜叶做酸菜的视频2018年就在网上传过，是南方一个小作坊被查时拍的，"
        "口音和招牌都不是我们这边的，别再张冠李戴了"
    )
    assert claim_stance(text) == "refutes"
    result = scored(mention("v1", text, 2), 0.93, corroboration=None)
    assert result.score == REFUTATION_MAX
    assert "张冠李戴" in result.reasons[0].text
    assert claim_stance("这个视频是昨天在城东菜场拍的，大家别去那家买了") == "claims"
