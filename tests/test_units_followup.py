"""Routing (属地化) of a story told by a venue's name (白沙海洋乐园: the district inside the name)
and followed up by a witness in words that name no place (issue 16): analysed into a real
SQLite archive, the follow-up joins the story's event, and the event goes to the district."""

from __future__ import annotations

from alerts.unit_routing import event_unit
from alerts.units import UnitTree
from archive.base import Archive
from archive.models import stable_id
from tests.support.event_posts import news, post, run
from tests.test_units import UNITS, settings_with

STORY = [
    news("v1", "白沙海洋乐园过山车故障停在半空 12名游客被困",
         "今天下午，白沙海洋乐园“飞越巅峰”过山车运行中突然停在轨道最高处，12名游客被困约40"
         "分钟，后经消防和园方救援全部安全下车，无人受伤。", 0),
    post("v2", "白沙海洋乐园的过山车停在最高处了！！上面的人一直在喊，消防车都来了", 5,
         "溜达的阿强"),
    post("v3", "【通报】白沙海洋乐园“飞越巅峰”过山车停机事件：经查，该设备定期检验在有效期内，"
         "停机系轨道传感器故障触发安全保护。我局已责令停止运行，整改检验合格后方可恢复。",
         60 * 30, "江州市场监管", metrics={"verified": True, "verified_type": 1}),
]  # fmt: skip
FOLLOW_UP = post("v4", "市场监管局回应了，特种设备定期检验是有效的，是传感器故障触发了保护，"
                 "那还好，就是希望维保单位以后上点心", 60 * 40, "溜达的阿强")  # fmt: skip


def test_a_venue_story_and_its_follow_up_go_to_the_district(archive: Archive) -> None:
    analyses = run(archive, [*STORY, FOLLOW_UP])
    ride = stable_id("event", "v1")
    assert {analyses[m.id].event_id for m in [*STORY, FOLLOW_UP]} == {ride}
    units = settings_with(UNITS).units
    assert units is not None
    event = archive.get_event(ride)
    assert event is not None
    assert event_unit(archive, UnitTree(units), event) == "baisha"
