"""A drill report (应急演练) founds no real accident's event: a crane-rescue drill at the port
one day, a crane collapse in the same district the next. Texts written for this test."""

from __future__ import annotations

from archive.base import Archive
from archive.models import stable_id
from nlp.drills import is_drill_report
from tests.support.event_posts import news, post, run

DRILL = news(
    "drill",
    "东江港开展起重机械事故应急救援演练",
    "本报讯 昨日上午，东江港务公司联合临川区消防救援大队在东江港二号码头开展起重机械事故"
    "应急救援演练。演练模拟桥式起重机吊运钢卷时突发故障倾覆、司机被困驾驶室，消防救援人员"
    "使用登高设备将被困人员安全转移。港务公司负责人表示，将定期开展特种设备应急演练。",
    0,
)
# The next day: a real crane collapse in the same district, then a witness.
ACCIDENT = news(
    "crash",
    "临川区一钢材市场龙门起重机倾覆 多人被困",
    "本报讯 今天上午10时许，临川区丰源钢材市场一台龙门起重机突然倾覆，砸中一辆货车和两名"
    "装卸工人，临川区消防救援大队赶到现场救援，被困人员已送医，事故原因正在调查。",
    60 * 26,
)
WITNESS = post(
    "seen",
    "丰源钢材市场那边龙门吊倒了，砸到车了，消防车来了好几辆，太吓人了",
    60 * 26 + 15,
    "路过的老张",
)


def test_a_drill_the_day_before_does_not_found_the_accidents_event(archive: Archive) -> None:
    analyses = run(archive, [DRILL, ACCIDENT, WITNESS])
    crash = analyses["crash"].event_id
    assert crash is not None and crash != analyses["drill"].event_id
    assert crash == stable_id("event", "crash")  # the accident founds its own event


def test_a_drill_is_what_a_report_is_about_not_a_word_in_passing() -> None:
    assert is_drill_report(DRILL.title, DRILL.text)
    assert is_drill_report("", "【消防演习】今天下午商场开展消防演习，请市民不要惊慌。")
    assert not is_drill_report(ACCIDENT.title, ACCIDENT.text + "该企业去年曾开展应急演练。")
    assert not is_drill_report("", "刚开始还以为是演练，结果真的是龙门吊倒了，砸到人了")
