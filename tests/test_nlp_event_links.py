"""Posts about one happening join its event even when their words differ (issue 16): hearsay
in everyday words, a post under the story's #topic#, a repost whose chain quotes a member; and
the event reads as a story: a clean title, the right region, topics that say why."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import Mention, stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp import stage
from nlp.event_links import firm_core
from nlp.stage import analyze_new
from tests.conftest import T0
from tests.support.event_posts import post


def article(mid: str, title: str, text: str, minutes: float) -> Mention:
    return post(mid, text, minutes, "江州日报", title=title, platform="news", kind="article")


# An elevator accident as it breaks: a witness, a news report, a media account's headline.
ACCIDENT = [
    post("a1", "刚才锦江广场东区的电梯突然掉下去了！！！轰的一声整层楼都在震，楼下好多人在喊救命"
         "[泪]有没有人知道里面多少人 #锦江广场电梯坠落#", 0, "夜跑的猫"),
    article("a2", "锦江国际广场一电梯发生坠落 已有3人受伤送医",
            "今天中午12时20分左右，临川区锦江国际广场东区一部载客电梯在运行过程中突然坠落。"
            "消防、急救人员赶到现场救援，已有3人被救出送医。", 30),
    post("a3", "【#锦江广场电梯坠落#已有3人受伤送医】今天中午12时20分左右，临川区锦江国际广场东区"
         "一部载客电梯突然坠落，仍有人员被困。", 35, "江州新闻"),
]  # fmt: skip
# Hearsay about it that shares little but 电梯 with the reports.
RUMOUR = post(
    "r1",
    "听在里面上班的朋友说，电梯里挤了十几个人，从九楼直接掉到负一楼，怕是凶多吉少了[蜡烛]"
    "有没有在现场的说说情况",
    41,
    "路人丁",
)
# Not relevant by its own words: under the story's #topic#, and a repost through a member.
UNDER_TOPIC = post(
    "t1", "刚刚从锦江广场出来，东区整个封了，好多人在门口哭[泪]#锦江广场电梯坠落#", 47, "小戊"
)
# A repost of a1 that came without its parent (the chain quotes a1's opening, cut as Weibo
# cuts it): it shares no domain word with the story.
THROUGH_CHAIN = post(
    "p1", "我同学就在隔壁奶茶店上班，说声音特别大//@夜跑的猫:刚才锦江广场东区的……", 50, "己",
    kind="repost",
)  # fmt: skip
# Another story at the same time, and chatter under a city topic: neither joins.
NORI = post("n1", "震惊！超市买的鲜岛紫菜居然是塑料做的！泡了一晚上都扯不烂，拿火一烧冒黑烟"
            "#鲜岛紫菜是塑料做的#", 45, "营销号")  # fmt: skip
CHATTER = post("x1", "今天多云，12～21℃，早晚温差大，注意增减衣物#江州天气#", 48, "江州气象")

ITEMS = [*ACCIDENT, RUMOUR, NORI, UNDER_TOPIC, CHATTER, THROUGH_CHAIN]


def run(archive: Archive, items: list[Mention], **nlp: Any) -> None:
    archive.upsert_mentions(items)
    analyze_new(archive, Settings(nlp=NlpSettings(**nlp)), SimulatedClock(T0 + timedelta(hours=2)))


@pytest.fixture
def analysed(archive: Archive) -> Archive:
    run(archive, ITEMS)
    return archive


def test_a_rumour_about_the_accident_in_other_words_joins_it(analysed: Archive) -> None:
    analyses = analysed.get_analyses([m.id for m in ITEMS])
    accident = stable_id("event", "a1")
    assert {analyses[m.id].event_id for m in ACCIDENT} == {accident}
    assert analyses["r1"].event_id == accident
    assert any(r.text.startswith("关联事件：") for r in analyses["r1"].reasons)


def test_a_post_under_the_storys_topic_and_a_repost_through_its_author_join(
    analysed: Archive,
) -> None:
    analyses = analysed.get_analyses(["t1", "p1"])
    accident = stable_id("event", "a1")
    assert analyses["t1"].relevant and analyses["t1"].event_id == accident
    assert "关联事件：同一话题 #锦江广场电梯坠落#" in [r.text for r in analyses["t1"].reasons]
    assert analyses["p1"].relevant and analyses["p1"].event_id == accident
    assert "关联事件：转发链经过本事件 @夜跑的猫 的帖文" in [r.text for r in analyses["p1"].reasons]


def test_a_repost_through_a_commenter_or_an_authors_other_post_does_not_join(
    archive: Archive,
) -> None:
    """The chain names a user who commented under the story, or who posted in it, but quotes
    words of theirs that are in no member: one account talks about many stories (a death-toll
    rumour's reposts once joined a penalty story because its first poster had commented there)."""
    comment = post("c1", "买电器一定要看3C", 20, "小熊饼干酱", kind="comment", parent_id="a2")
    rumour = post(
        "q1", "转给家人//@小熊饼干酱:【转】白沙那边死了三十多人，医院都装不下了", 55, "庚",
        kind="repost",
    )  # fmt: skip
    other = post(
        "q2", "真的假的//@夜跑的猫:楼下新开的奶茶店排了一百米的队，有人知道好喝吗", 56, "辛",
        kind="repost",
    )  # fmt: skip
    run(archive, [*ACCIDENT, comment, rumour, other])
    analyses = archive.get_analyses(["q1", "q2"])
    accident = stable_id("event", "a1")
    assert analyses["q1"].event_id != accident
    assert analyses["q2"].event_id != accident
    reasons = [r.text for a in analyses.values() for r in a.reasons]
    assert not any(text.startswith("关联事件：转发链") for text in reasons)


def test_other_stories_and_chatter_stay_apart(analysed: Archive) -> None:
    analyses = analysed.get_analyses(["n1", "x1"])
    assert analyses["n1"].event_id not in (None, stable_id("event", "a1"))
    assert not analyses["x1"].relevant and analyses["x1"].event_id is None


@pytest.mark.parametrize("batch_size", [1, 3])
def test_links_are_the_same_whatever_the_batches_and_restarts(
    tmp_path: Path, batch_size: int
) -> None:
    ids = [m.id for m in ITEMS]

    def snapshot(archive: Archive) -> tuple[dict[str, Any], dict[str, Any]]:
        analyses = {k: asdict(v) for k, v in archive.get_analyses(ids).items()}
        return analyses, {e.id: asdict(e) for e in archive.list_events(limit=100)}

    with open_archive(tmp_path / "whole.db") as archive:
        run(archive, ITEMS)
        whole = snapshot(archive)
    with open_archive(tmp_path / "parts.db") as archive:
        archive.upsert_mentions(ITEMS)
        clock = SimulatedClock(T0 + timedelta(hours=2))
        settings = Settings(nlp=NlpSettings(batch_size=batch_size))
        while analyze_new(archive, settings, clock, limit=2).processed:
            stage.forget(archive)  # as if the process restarted between runs
        assert snapshot(archive) == whole


def test_a_bare_repost_label_is_never_the_title(archive: Archive) -> None:
    items = [
        post("z1", "【转需】鲜岛紫菜被曝是塑料做的，泡水扯不烂、火烧冒黑烟还有塑料味，"
             "大家先别吃了，等官方说法吧。#塑料紫菜#", 0, "甲"),
        post("z2", "转发微博", 5, "乙", kind="repost", parent_id="z1"),
        post("z3", "[怒][怒]", 9, "丙", kind="comment", parent_id="z1"),
        post("z4", "【扩散】[怒][怒]鲜岛紫菜是塑料做的？#塑料紫菜#", 12, "丁"),
    ]  # fmt: skip
    run(archive, items)
    [event] = archive.list_events(limit=10)
    assert event.title not in ("转需", "转发微博", "")
    assert event.title.startswith("鲜岛紫菜")
    assert len(event.title) <= 41


def test_a_products_origin_or_an_opened_package_is_not_the_events_region(
    archive: Archive,
) -> None:
    items = [
        post("o1", "产自开封的鲜岛紫菜被曝是塑料做的，泡水扯不烂，食品安全谁来管？", 0, "甲"),
        post("o2", "鲜岛紫菜开封后应密封保存，泡水扯不烂是正常现象，不是塑料，食品安全不用慌",
             30, "乙"),
        post("o3", "鲜岛紫菜塑料谣言：市场监管局抽检合格，食品安全没有问题", 60, "丙"),
    ]  # fmt: skip
    run(archive, items)
    events = archive.list_events(limit=10)
    assert events and all(e.region != "开封市" for e in events)
    named = {e.name for a in archive.get_analyses(["o1", "o2"]).values() for e in a.entities}
    assert "开封市" not in named


def test_topic_reasons_are_stored_with_the_analysis(archive: Archive) -> None:
    items = [
        post("w1", "钢丝绳断股、制动器磨损超标、维保记录补填……电梯事故每一条都是人祸", 0, "甲")
    ]
    run(archive, items)
    analysis = archive.get_analyses(["w1"])["w1"]
    assert analysis.topics == ["special_equipment"]
    (why,) = [r.text for r in analysis.reasons if r.kind == "topic"]
    assert why.startswith("主题：特种设备（") and "钢丝绳" in why


def test_a_complaint_naming_the_firm_without_its_trade_joins_the_firms_story(
    archive: Archive,
) -> None:
    """A wave of complaints about one gym is one story: the later posts name it by its name
    without the trade (动感力量 for “动感力量健身”) and share few words with the first one."""
    first = post(
        "g1", "临川区“动感力量健身”上个月底突然关门，老板失联，我9月刚办的3680元年卡。10月28日起"
        "打12315不下二十次，不是忙音就是没人接，网上投诉到现在还显示“处理中”。@江州市场监管 "
        "这事到底有没有人管？#健身房跑路#", 0, "林小满",
    )  # fmt: skip
    second = post(
        "g2", "同是动感力量的受害者，两年卡5200块打水漂了，12315也是死活打不通[泪]"
        "#江州12315打不通#", 900, "橙汁",
    )  # fmt: skip
    run(archive, [first, second])
    analyses = archive.get_analyses(["g1", "g2"])
    assert analyses["g2"].event_id == analyses["g1"].event_id == stable_id("event", "g1")
    assert "关联事件：提及同一名称“动感力量”" in [r.text for r in analyses["g2"].reasons]


def test_a_quoted_firms_name_is_found_without_its_trade() -> None:
    assert firm_core("动感力量健身") == "动感力量"
    assert firm_core("老街坊饭馆") == "老街坊"
    assert firm_core("黑气站") == firm_core("华缆") == firm_core("好饭馆") == ""


# An escalator accident's first half hour as one crawl of a timeline brings it, newest first:
# witnesses naming the mall as people call it (滨江广场), a media account's headline, and the
# fire brigade's report naming it in full (滨江国际广场) in its own words. Written for this test.
_VERIFIED_MEDIA = {"verified": True, "verified_type": 220, "followers": 900000}
_VERIFIED_AGENCY = {"verified": True, "verified_type": 1, "followers": 400000}
BURST = [
    post("b1", "滨江广场东区的扶梯突然倒着跑了！！！上面的人一个压一个滚下来，尖叫声一片[泪][泪]"
         "有没有人知道伤了几个", 0, "爱吃芒果的鱼"),
    post("b2", "就在滨江广场三楼吃火锅，突然听到楼下一阵尖叫，扶梯口全是人，保安已经把那边围起来了"
         "……希望大家都没事[祈祷]", 5, "南瓜粥"),
    post("b3", "【#江州一商场扶梯逆行#】网友爆料，今天下午3点左右，江北区滨江国际广场东区一部扶梯"
         "疑似突然逆行，多人摔倒，现场已有救护车赶到，伤情暂不清楚。", 14, "江州生活圈",
         metrics=_VERIFIED_MEDIA),
    post("b4", "滨江广场门口怎么停了这么多救护车？路都走不动了[祈祷]", 18, "小鹿乱撞"),
    post("b5", "【警情通报】11月20日15时02分，江州市消防救援支队指挥中心接到报警，江北区"
         "滨江国际广场一部扶梯发生逆行，有人员受伤。支队立即调派2个消防站、6辆消防车、28名指战员"
         "赶赴现场处置，目前伤员正在转运救治中。", 35, "江州消防", metrics=_VERIFIED_AGENCY),
]  # fmt: skip


def test_a_batch_listed_newest_first_is_analysed_in_time_order(tmp_path: Path) -> None:
    """Read in the timeline's order the report came first, met no event, and the witness
    posts then split between it and one of their own; in publication order the report joins
    the witnesses' live story, as it does when each post is fetched on its own."""
    events = []
    for name, items in (("timeline", BURST[::-1]), ("ordered", BURST)):
        with open_archive(tmp_path / f"{name}.db") as archive:
            run(archive, items)
            analyses = archive.get_analyses([m.id for m in BURST])
            events.append({mid: a.event_id for mid, a in analyses.items()})
    timeline, ordered = events
    assert set(timeline.values()) == {stable_id("event", "b1")}
    assert timeline == ordered
