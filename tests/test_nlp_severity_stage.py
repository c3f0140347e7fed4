"""A school's food poisoning through the real analysis stage: graded from the sick, the
debunk's quoted death count never read as a figure."""

from __future__ import annotations

from archive.base import Archive
from archive.models import stable_id
from tests.support.nlp_stage_run import mention, run

STORY = [
    mention(
        "n1",
        "城南区实验小学多名学生午餐后出现呕吐、腹泻症状，已有40余名学生送医，"
        "区市场监管局已封存学校食堂留样食品。",
        0,
        platform="news",
        title="城南区实验小学疑似食物中毒 40余名学生送医",
    ),
    mention(
        "o1",
        "城南区实验小学部分学生午餐后出现呕吐、腹泻症状。截至18时，共有56名学生到医院就诊，"
        "均无生命危险。区市场监管局已封存学校食堂，对留样食品采样送检。",
        2,
        platform="official",
        kind="official",
        title="关于城南区实验小学学生疑似食物中毒事件的情况通报",
    ),
    mention(
        "d1",
        "【辟谣】近日，网上流传“城南区实验小学食物中毒已有三名学生死亡”的说法。经核实，"
        "该说法不实。截至22时，实验小学食物中毒事件就诊学生58名，无死亡病例。",
        6,
        platform="official",
        kind="debunk",
        title="关于城南区实验小学食物中毒事件网传信息的辟谣",
    ),
]


def test_a_school_poisoning_is_graded_from_its_sick_and_the_debunk_is_no_death_count(
    archive: Archive,
) -> None:
    run(archive, STORY)
    analyses = archive.get_analyses(["n1", "o1", "d1"])
    # The debunk's own reasons never show the death count it refutes.
    debunk = analyses["d1"]
    assert not any("死亡 3" in r.text for r in debunk.reasons)
    assert any(r.kind == "figure" and "58" in r.text for r in debunk.reasons)
    event_id = analyses["o1"].event_id
    assert event_id == stable_id("event", "n1") and analyses["d1"].event_id == event_id
    event = archive.get_event(event_id)
    assert event is not None
    # 50 or more harmed at a school: 重大 by the food-safety plan, on the latest official count.
    assert event.severity == "重大"
    figures = [r for r in event.severity_basis if r.kind == "figure"]
    assert [r.mention_id for r in figures] == ["d1"] and "58" in figures[0].text
    assert any(r.kind == "signal" and "学校" in r.text for r in event.severity_basis)
    assert not any("死亡 3" in r.text for r in event.severity_basis)
