"""A witness writing again (issue 16): a person who posted in one story only and writes again
within its window, in other words than the first reports, follows that story up; an account
writing in several live stories at once is a channel, and its next post is judged on its own."""

from __future__ import annotations

from archive.base import Archive
from archive.models import stable_id
from tests.support.event_posts import news, post, run

STORY = [
    news("r1", "临川区海洋乐园过山车故障停在半空 12名游客被困",
         "今天下午，临川区海洋乐园“飞越巅峰”过山车运行中突然停在轨道最高处，12名游客被困"
         "约40分钟，后经消防和园方救援全部安全下车，无人受伤。", 0),
    post("r2", "海洋乐园的过山车停在最高处了！！上面的人一直在喊，消防车都来了", 5, "溜达的阿强"),
    post("r3", "【通报】临川区海洋乐园“飞越巅峰”过山车停机事件：经查，该设备定期检验在有效期内，"
         "停机系轨道传感器故障触发安全保护。我局已责令停止运行，整改检验合格后方可恢复。",
         60 * 30, "江州市场监管"),
]  # fmt: skip
# Two days on, the witness: the bureau's findings in their own words.
FOLLOW_UP = post("r4", "市场监管局回应了，特种设备定期检验是有效的，是传感器故障触发了保护，"
                 "那还好，就是希望维保单位以后上点心", 60 * 40, "溜达的阿强")  # fmt: skip


def test_a_witness_writing_again_follows_the_story(archive: Archive) -> None:
    analyses = run(archive, [*STORY, FOLLOW_UP])
    ride = stable_id("event", "r1")
    assert {analyses[m.id].event_id for m in STORY} == {ride}
    assert analyses["r4"].event_id == ride
    assert "关联事件：同一作者此前在本事件发帖（溜达的阿强）" in [
        r.text for r in analyses["r4"].reasons
    ]


def test_an_account_in_several_live_stories_is_not_a_witness(archive: Archive) -> None:
    other = [
        news("k1", "白沙区一小区电梯困人 3名居民被困半小时",
             "今天上午，白沙区阳光花园一部电梯运行中停在两层之间，3名居民被困约半小时，"
             "后被维保人员救出，无人受伤。", 60 * 20),
        post("k2", "阳光花园的电梯又坏了，这个月第三次了，物业管不管", 60 * 20 + 10, "溜达的阿强"),
    ]  # fmt: skip
    analyses = run(archive, [*STORY, *other, FOLLOW_UP])
    assert analyses["k2"].event_id not in (None, stable_id("event", "r1"))  # another story
    assert analyses["r4"].event_id != stable_id("event", "r1")
