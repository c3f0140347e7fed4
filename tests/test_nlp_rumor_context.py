"""Rumour scores in context, through the real analyse stage and the shipped model: who
published a post, and whether it refutes a claim or spreads it (issue 16)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from archive.base import Archive
from archive.models import Mention
from nlp.rumor.claims import is_claim_post
from nlp.rumor.context import AUTHORITY_MAX, AUTHORITY_PREFIX, REFUTATION_MAX, Authorities
from nlp.rumor.stance import asks, refutes
from tests.support.nlp_stage_run import mention, run

NORI_DEBUNK = mention(
    "d1",
    "近日，网络流传“鲜岛牌紫菜是塑料做的”相关视频。我局对生产企业现场检查并抽取5批次样品送检，"
    "各项指标均符合食品安全国家标准，未检出塑料成分。",
    2,
    kind="debunk",
    platform="official",
    title="关于网传“鲜岛牌紫菜是塑料做的”的情况说明",
)
NORI_RUMOUR = (
    "震惊！超市买的鲜岛紫菜居然是塑料做的！泡了一晚上都扯不烂，拿火一烧冒黑烟，一股塑料味！！"
    "家里有孩子的赶紧扔了吧"
)
CITIZEN = {"verified": False, "verified_type": -1, "followers": 800}


def by(author: str, item: Mention, **metrics: Any) -> Mention:
    return replace(item, author=author, metrics=metrics)


def replies(parent: str, texts: list[str], hours: float) -> list[Mention]:
    return [
        mention(f"{parent}-c{i}", text, hours + i / 20, kind="comment", parent=parent)
        for i, text in enumerate(texts)
    ]


def test_stance_asking_for_a_debunk_is_doubt_not_refutation() -> None:
    assert refutes("【辟谣】网传“鲜岛紫菜是塑料做的”不实！经抽检，未检出塑料成分")
    assert refutes("“塑料紫菜”是个谣言，别转了")
    assert not refutes("【求辟谣】红十字会惊天丑闻") and asks("【求辟谣】红十字会惊天丑闻")
    assert not refutes("这是谣言还是真的？") and asks("这是谣言还是真的？")
    assert not refutes("如不实愿承担法律责任，一经查获从重处罚")
    # A citizen calling it "this rumour" and telling others to stop passing it on.
    assert refutes("别转了别转了，这种谣言骗了一茬又一茬#鲜岛紫菜是塑料做的#")
    assert not refutes("赶紧转给家人，别吃这种紫菜了")


def test_the_agency_debunk_and_a_science_refutation_score_below_half(archive: Archive) -> None:
    bureau = by(
        "江州市场监管",
        mention(
            "b1",
            "【辟谣】网传“鲜岛紫菜是塑料做的”不实！经抽检，5批次样品各项指标均符合食品安全国家"
            "标准，未检出塑料成分。紫菜泡水韧性强、燃烧冒烟有焦味属正常现象。#紫菜塑料谣言#",
            3,
        ),
        verified=True,
        verified_type=1,
        followers=186230,
    )
    science = by(
        "食品科普君",
        mention(
            "s1",
            "又来了……“塑料紫菜”是个老谣言了。紫菜本身含蛋白质和纤维，干紫菜韧性大、泡水不易扯断"
            "很正常，烧起来冒烟有焦味也正常。#鲜岛紫菜是塑料做的#",
            1,
        ),
        verified=True,
        verified_type=0,
        followers=1843090,
    )
    rumour = by("吃货小分队长", mention("r1", NORI_RUMOUR, 0), **CITIZEN)
    # Their replies say 谣言 and 造谣 (agreeing with the refutation) and 求证.
    chatter = ["造谣的必须严惩", "辟谣了，放心了", "求证，真的假的？", "谣言止于智者"]
    items = [rumour, science, NORI_DEBUNK, bureau]
    items += replies("s1", chatter, 1.5) + replies("b1", chatter, 3.5)
    items += replies("r1", ["求证！真的假的", "假的吧"], 0.5)
    run(archive, items, now_hours=5, authorities={"science": ["食品科普君"]})
    scores = {k: a.rumor_score for k, a in archive.get_analyses(["b1", "s1", "r1"]).items()}
    assert scores["b1"] is not None and scores["b1"] <= AUTHORITY_MAX
    assert scores["s1"] is not None and scores["s1"] <= AUTHORITY_MAX
    # The claim they answer, with its doubting replies, stays well above them.
    assert scores["r1"] is not None and scores["r1"] > 4 * AUTHORITY_MAX
    analyses = archive.get_analyses(["b1", "s1", "r1"])
    # The bureau quotes the claim to refute it: it is not marked as repeating it.
    assert not any(r.kind == "match" for r in analyses["b1"].reasons)
    science_reason = analyses["s1"].reasons[
        next(i for i, r in enumerate(analyses["s1"].reasons) if r.text.startswith(AUTHORITY_PREFIX))
    ]
    assert "科普账号" in science_reason.text and science_reason.weight < 0


def test_debunk_wording_lowers_a_post_and_doubt_in_replies_raises_a_claim(
    archive: Archive,
) -> None:
    claim = by(
        "网友甲", mention("p1", "听说临川区超市的奶粉里检出三聚氰胺了，大家别买了", 0), **CITIZEN
    )
    refuting = by(
        "网友乙",
        mention("p2", "网传临川区超市的奶粉里检出三聚氰胺，系谣言，经抽检全部合格，别再转了", 0),
        **CITIZEN,
    )
    run(archive, [claim, refuting], now_hours=1)
    alone = archive.get_analyses(["p1", "p2"])
    assert alone["p2"].rumor_score is not None and alone["p1"].rumor_score is not None
    assert alone["p2"].rumor_score <= REFUTATION_MAX < alone["p1"].rumor_score
    doubt = replies("p1", ["求证，真的假的？", "假的吧", "有官方消息吗？是真的吗"], 1.2)
    run(archive, doubt, now_hours=2)
    after = archive.get_analyses(["p1"])["p1"].rumor_score
    assert after is not None and after > alone["p1"].rumor_score


def test_an_authority_post_is_not_a_rumour_claim(archive: Archive) -> None:
    release = by(
        "某市市场监管",  # listed nowhere: a Weibo government account (verified_type 1)
        mention(
            "g1",
            "【#护牌行动#成绩单】9月以来，全市查获侵权假冒商品3.2万件，货值约680万元，立案97件。"
            "发现侵权假冒线索，请拨打12315举报！",
            0,
        ),
        verified=True,
        verified_type=1,
        followers=186230,
    )
    run(archive, [release, *replies("g1", ["假的吧", "真的假的？", "骗人"], 0.3)], now_hours=2)
    analysis = archive.get_analyses(["g1"])["g1"]
    assert analysis.rumor_score is not None and analysis.rumor_score <= AUTHORITY_MAX
    assert any(r.text.startswith(AUTHORITY_PREFIX + "政务或辟谣机构") for r in analysis.reasons)
    assert not is_claim_post(release, analysis, 0.5)


def test_authorities_come_from_settings_defaults_weibo_and_official_sites() -> None:
    from core.settings import AuthoritySettings

    known = Authorities.from_settings(AuthoritySettings(own=["江州市场监管"], media=["人民日报"]))
    post = mention("a", "通报", 0)
    assert known.kind_of(replace(post, author="江州市场监管")) == "own"
    assert known.kind_of(replace(post, author="中国互联网联合辟谣平台")) == "official"
    assert known.kind_of(replace(post, author="央视新闻")) == "media"
    assert (
        known.kind_of(replace(post, author="某报", metrics={"verified": True, "verified_type": 3}))
        == "media"
    )
    assert (
        known.kind_of(
            replace(post, author="某企业", metrics={"verified": True, "verified_type": 2})
        )
        is None
    )
    assert known.kind_of(replace(post, author="网友", metrics=CITIZEN)) is None
    assert known.kind_of(NORI_DEBUNK) == "official"


def test_a_debunk_list_does_not_match_posts_by_their_dates() -> None:
    from nlp.rumor.score import DebunkIndex, bigrams
    from nlp.text import document_from_text

    weekly = document_from_text(
        "【谣言一】“鲜岛牌紫菜是塑料做的” 真相：抽检5批次样品均合格。",
        "本周辟谣榜（11月16日—11月20日）",
        "d9",
        "debunk",
    )
    index = DebunkIndex()
    index.add("d9", weekly.prepared, NORI_DEBUNK.published_at)
    summary = "梳理一下目前公开的信息：1.事故时间11月16日12时20分；2.死亡10人；3.11月20日通报"
    assert index.match(bigrams(summary), NORI_DEBUNK.published_at) is None
    assert index.match(bigrams(NORI_RUMOUR), NORI_DEBUNK.published_at) is not None
