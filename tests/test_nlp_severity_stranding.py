"""Special equipment strandings graded by hours and people held (《特种设备安全监察条例》
art. 61–64, ``nlp.severity_stranding``): a ropeway's 3.5 hours, a ride's hour, an elevator's
two hours are 一般 with nobody hurt; 12 hours is 较大; 100 people for 24 hours 重大. Text
written for the test (a Ferris wheel, a mountain's ropeway, an office elevator)."""

from __future__ import annotations

import pytest

from nlp.severity import grade_event, grade_text
from tests.support.severity_sources import sourced


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("云岭山客运索道停运，52名游客高空滞留约4小时10分钟后全部救下", "一般"),
        ("云岭山索道故障，车厢里的人挂了五个多小时才放下来", "一般"),
        ("云岭山缆车停运，游客被困快三个半小时", None),  # almost 3.5 h is under it
        ("云岭山客运索道故障，游客在空中滞留13小时", "较大"),
        ("云岭山客运索道故障，120名游客高空滞留26小时", "重大"),
        ("云岭山客运索道故障，60名游客高空滞留26小时", "较大"),  # not 100 people
        ("欢乐湾摩天轮停转，40余名游客滞留高空1小时20分钟", "一般"),
        ("欢乐湾过山车停在轨道上，十余名游客被困近50分钟", None),
        ("写字楼一部电梯故障，4人被困2个多小时", "一般"),
        ("写字楼一部电梯故障，4人被困约40分钟", None),
        ("高速大堵车，被困了3个小时", None),  # no special equipment
    ],
)
def test_a_stranding_is_graded_by_its_hours_people_and_equipment(
    text: str, grade: str | None
) -> None:
    result = grade_text(text, "m1")
    assert result.grade == grade
    if grade is not None:
        assert any("特种设备安全监察条例" in r.text for r in result.reasons)
        assert any(r.text.startswith("滞留时长") and r.mention_id == "m1" for r in result.reasons)


def test_an_event_is_graded_by_the_longest_credible_stranding_of_its_equipment() -> None:
    # The witness names the ropeway; the report that gives the hours names only 车厢.
    grade, basis = grade_event(
        [
            sourced("witness", 0, "云岭山索道停了，我们挂在半空快十分钟了"),
            sourced("news", 5, "86名游客在车厢内最长滞留约6小时20分钟，已全部转移至地面"),
        ]
    )
    assert grade == "一般"
    assert basis[0].mention_id == "news" and "6.33小时" in basis[0].text
    assert "客运索道高空滞留人员3.5小时以上12小时以下" in basis[-1].text
