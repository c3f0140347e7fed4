"""An accident's first posts name its street and little else (issue 16): witnesses and hearsay
join the live event by the place its members name; a post naming the district for another
reason, or the street once the story has gone quiet, does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from archive.base import Archive
from archive.models import Mention, stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp.event_links import DISTRICT, PLACE, place_names
from nlp.stage import analyze_new
from nlp.text import document_from_text
from tests.conftest import T0
from tests.support.event_posts import post

REPORTS = [
    post("e1", "今天11时40分许，白沙区人民路一餐馆发生燃气爆炸，消防、急救人员赶到现场，"
         "已有多人受伤送医。", 0, "江州日报", platform="news", kind="article",
         title="白沙区人民路一餐馆发生燃气爆炸 多人受伤"),
    post("e2", "【#白沙区人民路爆炸#】白沙区人民路一餐馆发生燃气爆炸，现场浓烟滚滚，多人受伤，"
         "消防救护已赶往现场", 10, "江州同城"),
    post("e3", "白沙区人民路餐饮店爆炸事故发生后，我局立即组织特种设备安全监察人员赶赴现场，"
         "对事故餐馆使用的液化石油气钢瓶进行查封取证", 20, "江州市场监管"),
]  # fmt: skip
# A witness: the street, the hour, nothing of the reports' words.
WITNESS = post(
    "w1", "送外卖刚好在人民路，离那家店就五十米，耳朵到现在还嗡嗡的，外卖箱都震掉了", 40, "骑手"
)
# Hearsay under the story's #topic#, and the police answering it naming only the district.
HEARSAY = post(
    "h1", "听在医院的亲戚说，白沙那个爆炸死了三十多个人，官方肯定不敢报真实数字#白沙区人民路爆炸#",
    60, "钓鱼佬",
)  # fmt: skip
POLICE = post(
    "w2", "【警情通报】网民江某某在微博发布“白沙爆炸死了三十多个人，官方不敢报”等不实信息。"
    "餐馆爆炸伤亡情况以官方通报为准，白沙公安分局已依法对其处以行政拘留", 90, "平安白沙",
)  # fmt: skip
# The same district, another matter; the same street once the story has gone quiet.
HOTPOT = post("x1", "冬天就要吃羊肉火锅，白沙老街那家开了三十年了[馋嘴]", 50, "吃货")
LATER = post("x2", "今天路过人民路，新开的奶茶店排了好长的队", 60 * 12, "路人")


def run(archive: Archive, items: list[Mention]) -> dict[str, Any]:
    archive.upsert_mentions(items)
    analyze_new(archive, Settings(nlp=NlpSettings()), SimulatedClock(T0 + timedelta(hours=13)))
    return archive.get_analyses([m.id for m in items])


def test_a_witness_naming_the_street_joins_the_live_event(archive: Archive) -> None:
    analyses = run(archive, [*REPORTS, WITNESS])
    explosion = stable_id("event", "e1")
    assert {analyses[m.id].event_id for m in REPORTS} == {explosion}
    assert analyses["w1"].relevant and analyses["w1"].event_id == explosion
    reasons = [r.text for r in analyses["w1"].reasons]
    assert "关联事件：进行中事件的同一地点“人民路”" in reasons


def test_a_notice_naming_the_district_and_the_story_joins(archive: Archive) -> None:
    analyses = run(archive, [*REPORTS, HEARSAY, POLICE])
    assert analyses["h1"].event_id == stable_id("event", "e1")
    assert analyses["w2"].event_id == stable_id("event", "e1")
    reasons = [r.text for r in analyses["w2"].reasons]
    assert "关联事件：进行中事件的同一区县“白沙”" in reasons


@pytest.mark.parametrize("item", [HOTPOT, LATER], ids=["other-matter", "gone-quiet"])
def test_the_place_alone_ties_nothing(archive: Archive, item: Mention) -> None:
    analyses = run(archive, [*REPORTS, WITNESS, item])
    assert analyses[item.id].event_id is None


def places(text: str) -> tuple[tuple[str, str], ...]:
    document = document_from_text(text)
    return place_names(document.title_words + document.body_words)


def test_place_names_are_roads_estates_and_districts_not_kinds_of_place() -> None:
    assert places("白沙区人民路与解放街交叉口附近") == (
        (DISTRICT, "白沙"),
        (PLACE, "人民路"),
        (PLACE, "解放街"),
    )
    assert places("人民路口那家饭馆") == ((PLACE, "人民路"),)
    assert places("望江区滨江花园、望江新村等多个小区") == (
        (DISTRICT, "望江"),
        (PLACE, "滨江花园"),
        (PLACE, "望江新村"),
    )
    assert places("高速公路上堵车，景区和开发区都是人") == ()
    assert places("在江州市第二人民医院烧伤科") == ()


def test_estates_are_places_without_their_xiaoqu_however_jieba_cuts_them() -> None:
    # 白沙区丽景苑小区 is cut 白沙 / 区丽景苑 / 小区 (and 白沙区翠湖苑 白沙 / 区翠 / 湖苑): the
    # estate keeps its name and the district its own; the residents' 丽景苑7栋 and 金桂家园3栋
    # are the same estates.
    assert places("白沙区丽景苑小区7栋一楼楼道发生火灾") == ((DISTRICT, "白沙"), (PLACE, "丽景苑"))
    assert places("半夜被烟呛醒，丽景苑7栋一楼有电动车着火了") == ((PLACE, "丽景苑"),)
    assert places("松岭县金桂家园小区3栋电梯下滑") == ((DISTRICT, "松岭"), (PLACE, "金桂家园"))
    assert places("金桂家园3栋电梯又坏了") == ((PLACE, "金桂家园"),)
    # Not an estate: a figure of speech, a kind of housing, a reading room one goes to.
    assert places("共建美好家园，守护绿色家园") == ()
    assert places("学校新建了人才公寓和幼儿园") == ()
    assert places("周末去学苑里看书") == ()


ESTATE_REPORTS = [
    post("f1", "今日2时40分许，白沙区丽景苑小区7栋一楼楼道停放充电的电动自行车起火，火灾造成"
         "2人死亡、6人受伤，消防救援支队疏散被困居民23人。", 0, "江州日报", platform="news",
         kind="article", title="白沙区一居民楼楼道电动自行车起火 2死6伤"),
    post("f2", "【警情通报】今日2时40分许，白沙区丽景苑小区7栋一楼楼道发生火灾，起火部位为楼道内"
         "停放充电的电动自行车，火灾造成2人死亡、6人受伤。", 20, "江州消防"),
]  # fmt: skip
# A resident: the estate without 小区, the building, nothing of the reports' words.
RESIDENT = post(
    "f3", "楼道里全是黑烟，我们是从阳台等架梯子下来的，丽景苑7栋楼上好几户还没出来", 60,
    "老住户",
)  # fmt: skip


def test_a_resident_naming_the_estate_without_xiaoqu_joins_the_live_event(
    archive: Archive,
) -> None:
    analyses = run(archive, [*ESTATE_REPORTS, RESIDENT])
    fire = analyses["f1"].event_id
    assert fire is not None and analyses["f2"].event_id == fire
    assert analyses["f3"].event_id == fire
    assert "关联事件：进行中事件的同一地点“丽景苑”" in [r.text for r in analyses["f3"].reasons]


def places_in(text: str) -> tuple[tuple[str, str], ...]:
    """The places of ``text`` as a member reads them: its words and the text they were cut
    from (``nlp.event_member``)."""
    document = document_from_text(text)
    return place_names(document.title_words + document.body_words, document.full_text)


def test_a_common_noun_or_a_count_before_a_place_word_names_no_place() -> None:
    # 两辆救护车路口: jieba cuts 救护车 / 路口 (路口 → 路), and ambulances name no road (with or
    # without the text: the words alone tell it).
    assert places("两辆救护车路口停着，警车路口也拉了警戒线") == ()
    assert places("路过小区门口，好几个小区都停电了") == ()
    assert places_in("两辆救护车路口停着，警车路口也拉了警戒线") == ()
    # The comma jieba's words lose: 往里开，路口 is no 往里开路, 消防车，路 no 消防车路.
    assert places_in("好多消防车和救护车往里开，路口都封了") == ()
    assert places_in("一下子过去七八辆消防车，路都堵死了") == ()
    # Counts, pointers, verbs and idioms before 小区 / 商场 / 园区 / 路口.
    assert places_in("路过小区门口，好几个小区都停电了，一家商场也关了") == ()
    assert places_in("我们望江这边小区广场也天天有人，十几个园区都在查") == ()
    assert places_in("太可怕了，怪不得路口全封了，整条路的人都跑出来了") == ()
    # Roads, estates, malls and zones named by a name word still are.
    assert places_in("人民路口那家饭馆，建设路口和幸福路口也堵了") == (
        (PLACE, "人民路"),
        (PLACE, "建设路"),
        (PLACE, "幸福路"),
    )
    assert places_in("万达商场旁的阳光小区") == ((PLACE, "万达商场"), (PLACE, "阳光小区"))
    assert places_in("金桥物流园里的龙门吊倒了") == ((PLACE, "金桥物流园"),)
