"""A plant's accident in a development zone (issue 16): the reports name the zone in full
(临川经济开发区), its numbered road (纬五路, cut 纬 + 五路) and the firm with its company word
(江州恒泰印染有限公司); witnesses and hearsay say 临川开发区, 纬五路 and 恒泰. Those are one
place and one firm, and tie the posts to the live event."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from archive.base import Archive
from archive.models import EntityRef, Mention, stable_id
from core.clock import SimulatedClock
from core.settings import NlpSettings, Settings
from nlp.event_links import NAME, PLACE, firm_short_names, member_links, place_names
from nlp.stage import analyze_new
from nlp.text import document_from_text
from tests.conftest import T0
from tests.support.event_posts import post

REPORTS = [
    post("b1", "今天9时20分许，位于临川经济开发区纬五路的江州恒泰印染有限公司锅炉房发生爆炸，"
         "涉事锅炉属特种设备，多人受伤送医。", 0, "江州日报", platform="news", kind="article",
         title="临川经济开发区一印染企业锅炉房发生爆炸 多人受伤"),
    post("b2", "【警情通报】临川经济开发区纬五路江州恒泰印染有限公司锅炉房发生爆炸，特种设备"
         "安全监察人员和16辆消防车到场处置，正在全力搜救被困人员。", 10, "江州消防"),
    post("b3", "【情况通报】临川经济开发区江州恒泰印染有限公司一台燃气蒸汽锅炉发生爆炸，"
         "市市场监管局特种设备安全监察人员赶赴现场配合调查。", 20, "江州市场监管"),
]  # fmt: skip
# A witness naming the numbered road; another the zone by its short name; hearsay the firm.
ROAD = post("w1", "纬五路已经拉了警戒线，救护车一辆接一辆开过去，路口全是跑出来的工人", 30, "阿强")
ZONE = post("w2", "去医院献血的人排到门口了，临川开发区好几家厂都放了假让工人去帮忙", 40, "小马哥")
FIRM = post("w3", "内部消息：恒泰这次至少死了四五十个，上面只让说十个以内，不信你们看着", 50, "奴")


def run(archive: Archive, items: list[Mention]) -> dict[str, Any]:
    archive.upsert_mentions(items)
    analyze_new(archive, Settings(nlp=NlpSettings()), SimulatedClock(T0 + timedelta(hours=13)))
    return archive.get_analyses([m.id for m in items])


def places(text: str) -> tuple[tuple[str, str], ...]:
    document = document_from_text(text)
    return place_names(document.title_words + document.body_words)


def test_a_zone_and_a_numbered_road_are_places() -> None:
    assert places("临川经济开发区纬五路一家印染厂") == ((PLACE, "临川开发区"), (PLACE, "纬五路"))
    assert places("救治临川开发区事故伤员") == ((PLACE, "临川开发区"),)
    assert places("我在隔壁物流园，开发区那一片厂子太密了") == ()


def test_a_firm_named_in_full_is_also_known_by_its_own_name() -> None:
    assert firm_short_names("江州恒泰印染有限公司") == ("恒泰印染", "恒泰")
    assert firm_short_names("恒泰") == ()
    assert firm_short_names("新能源科技有限公司") == ()  # a trade, not a name
    document = document_from_text(REPORTS[1].text)
    keys = member_links((), "", [], REPORTS[1].text, places=place_names(document.body_words))
    assert (PLACE, "临川开发区") in keys
    keys = member_links((), "", [EntityRef("company", "江州恒泰印染有限公司")], "")
    assert {(NAME, "恒泰印染"), (NAME, "恒泰")} <= set(keys)


def test_witnesses_and_hearsay_join_the_plant_accident(archive: Archive) -> None:
    analyses = run(archive, [*REPORTS, ROAD, ZONE, FIRM])
    blast = stable_id("event", "b1")
    assert {analyses[m.id].event_id for m in REPORTS} == {blast}
    assert analyses["w1"].event_id == blast
    assert analyses["w2"].event_id == blast
    assert analyses["w3"].event_id == blast


def test_a_boiler_room_blast_is_in_the_field(archive: Archive) -> None:
    # jieba keeps 锅炉房 whole, and the lexicon's 锅炉 does not match inside a word.
    report = post(
        "f1", "【警情通报】9时22分接警，纬五路一印染厂锅炉房发生爆炸，正在搜救被困人员", 0, "消防"
    )
    analyses = run(archive, [report])
    assert analyses["f1"].relevant
    assert "主题：特种设备（锅炉房 1.0）" in [r.text for r in analyses["f1"].reasons]
