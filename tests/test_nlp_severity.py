"""Casualty and loss extraction, and the four official accident grades."""

from __future__ import annotations

import pytest

from nlp.severity import (
    Figure,
    best_figures,
    extract_figures,
    grade_event,
    grade_text,
    parse_number,
    text_figures,
)
from tests.support.severity_sources import sourced


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3", 3),
        ("1,200", 1200),
        ("1.2万", 12_000),
        ("三", 3),
        ("两", 2),
        ("十", 10),
        ("十一", 11),
        ("二十三", 23),
        ("一百零五", 105),
        ("三千", 3000),
        ("两千三百万", 23_000_000),
        ("一千二百万", 12_000_000),
        ("一亿两千万", 120_000_000),
        ("一万零五百", 10_500),
        ("1.2亿", 120_000_000),
    ],
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


def figures(text: str) -> dict[str, float]:
    found, _, _ = extract_figures(text)
    return {kind: figure.value for kind, figure in best_figures(found).items()}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("某商场扶梯事故造成2人死亡、11人受伤", {"deaths": 2, "injuries": 11}),
        ("三人死亡", {"deaths": 3}),
        ("死亡3人，重伤10人", {"deaths": 3, "serious_injuries": 10}),
        ("事故直接经济损失约1200万元", {"loss": 12_000_000}),
        ("锅炉爆炸致3死10伤", {"deaths": 3, "injuries": 10}),
        ("事故已造成8死", {"deaths": 8}),
        ("死亡人数升至12人", {"deaths": 12}),
        ("遇难者增至31人", {"deaths": 31}),
        ("两名工人当场死亡", {"deaths": 2}),
        ("致3名工人不幸遇难", {"deaths": 3}),
        ("造成一人死亡两人受伤", {"deaths": 1, "injuries": 2}),
        ("截至目前已有一百零二人遇难", {"deaths": 102}),
        ("爆炸造成重伤九人", {"serious_injuries": 9}),
        ("事故造成50人重伤", {"serious_injuries": 50}),
        ("十余人受伤", {"injuries": 10}),
        ("另有2人失踪", {"missing": 2}),
        ("经济损失1.2亿元", {"loss": 120_000_000}),
        ("直接经济损失5,000万元", {"loss": 50_000_000}),
        ("财产损失达3000余万元", {"loss": 30_000_000}),
        ("直接经济损失一千二百万元", {"loss": 12_000_000}),
        # Totals over a period are not one accident's figures.
        ("全年共发生特种设备事故200起，死亡100人", {}),
        ("2019年，3人", {}),
    ],
)
def test_figures(text: str, expected: dict[str, float]) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        # Deaths: 30 / 10 / 3.
        ("爆炸事故造成30人死亡", "特别重大"),
        ("爆炸事故造成29人死亡", "重大"),
        ("爆炸事故造成10人死亡", "重大"),
        ("爆炸事故造成9人死亡", "较大"),
        ("爆炸事故造成3人死亡", "较大"),
        ("爆炸事故造成两人死亡", "一般"),
        # Serious injuries: 100 / 50 / 10.
        ("事故造成100人重伤", "特别重大"),
        ("事故造成99人重伤", "重大"),
        ("事故造成50人重伤", "重大"),
        ("事故造成49人重伤", "较大"),
        ("事故造成10人重伤", "较大"),
        ("事故造成9人重伤", "一般"),
        # Direct economic loss: 1亿 / 5000万 / 1000万.
        ("事故直接经济损失1亿元", "特别重大"),
        ("事故直接经济损失9999万元", "重大"),
        ("事故直接经济损失5000万元", "重大"),
        ("事故直接经济损失4999万元", "较大"),
        ("事故直接经济损失1000万元", "较大"),
        ("事故直接经济损失999万元", "一般"),
        # Plain injuries do not raise the grade, but an accident with casualties is 一般.
        ("电梯事故造成200人受伤", "一般"),
        # The highest grade any figure reaches wins.
        ("死亡2人，重伤60人", "重大"),
    ],
)
def test_grades_at_thresholds(text: str, grade: str) -> None:
    assert grade_text(text).grade == grade


@pytest.mark.parametrize(
    "text",
    ["某商场扶梯事故造成3人死亡、11人受伤", "事故未造成人员伤亡", "某地开展电梯安全检查"],
)
def test_a_text_graded_from_its_prepared_figures_is_graded_the_same(text: str) -> None:
    """An analysis helper prepares a text's figures (``text_figures``, no mention id) in one
    process; the leaseholder grades them as a mention's in another: the same result."""
    found = text_figures(text)
    assert all(figure.mention_id == "" for figure in found[0])
    assert grade_text(text, "m1", found) == grade_text(text, "m1")
    # The figures given are the ones graded (not the text read again).
    assert grade_text("无关文字", "m1", found) == grade_text(text, "m1")


def test_no_grade_without_casualties_or_accident() -> None:
    assert grade_text("某地开展电梯安全检查").grade is None
    assert grade_text("十余人受伤").grade is None  # injuries with no accident context
    result = grade_text("事故未造成人员伤亡")
    assert result.grade is None and result.no_casualties
    assert [r.text for r in result.reasons] == ["无人员伤亡"]


def test_reasons_name_the_figure_the_phrase_and_the_mention() -> None:
    result = grade_text("某商场扶梯事故造成3人死亡、11人受伤", mention_id="m1")
    assert result.grade == "较大"
    deaths = result.reasons[0]
    assert deaths.kind == "figure" and deaths.mention_id == "m1" and deaths.weight == 3
    assert "死亡" in deaths.text and "3人死亡" in deaths.text
    # The injuries are shown but marked as not used for the grade.
    assert any("受伤" in r.text and "未计入分级" in r.text for r in result.reasons)


def test_event_grade_uses_the_largest_credible_figure_and_says_where_it_came_from() -> None:
    grade, basis = grade_event(
        [
            sourced("a", 0, "扶梯事故造成2人死亡"),
            sourced("b", 1, "扶梯事故死亡人数升至4人"),
            sourced("rumour", 2, "扶梯事故已造成40人死亡", credible=False),
        ]
    )
    assert grade == "较大"
    assert [(r.mention_id, r.weight) for r in basis] == [("b", 4)]
    assert "各来源最大值" in basis[0].text


def test_event_grade_prefers_the_latest_official_figure() -> None:
    grade, basis = grade_event(
        [
            sourced("early", 0, "锅炉爆炸致12人死亡"),
            sourced("official1", 1, "锅炉爆炸事故造成5人死亡", official=True),
            sourced("official2", 3, "锅炉爆炸事故死亡人数核定为2人", official=True),
            sourced("late", 4, "锅炉爆炸已致11人死亡"),
        ]
    )
    assert grade == "一般"
    assert [(r.mention_id, r.weight) for r in basis] == [("official2", 2)]
    assert "最新官方数字" in basis[0].text


def test_figure_reason_formats_money() -> None:
    reason = Figure("loss", 12_000_000, "直接经济损失约1200万元", "m9").reason()
    assert reason.text.startswith("直接经济损失 12,000,000元") and reason.mention_id == "m9"


@pytest.mark.parametrize(
    ("text", "grade", "deaths"),
    [
        # Traps: another time or another country is not this event.
        ("历史上最严重的一次电梯事故曾造成30人死亡", None, None),
        ("去年同期该市发生锅炉爆炸，造成12人死亡", None, None),
        ("美国一化工厂爆炸造成35人死亡", None, None),
        ("日本某游乐园过山车事故致10人死亡", None, None),
        ("2015年天津港爆炸事故造成165人遇难，今天某地仓库起火致2人死亡", "一般", 2),
        ("去年的事故造成12人死亡，此次爆炸已造成4人死亡", "较大", 4),
        # A full date opens the report of this accident: not a trap.
        ("2026年11月16日，某地锅炉爆炸致3死5伤", "较大", 3),
        # Ranges and lower bounds: the upper figure is the credible maximum.
        ("某地锅炉爆炸，至少3人死亡", "较大", 3),
        ("仓库爆炸已造成3至5人死亡", "较大", 5),
        ("事故造成三到五人死亡", "较大", 5),
        ("隧道坍塌造成数十人死亡", "重大", 10),
        # Updates within one text: the latest (largest) figure.
        ("起初报道2人死亡，死亡人数上升到十二人", "重大", 12),
        ("遇难人数已升至三十一人", "特别重大", 31),
    ],
)
def test_traps_ranges_and_updates(text: str, grade: str | None, deaths: float | None) -> None:
    result = grade_text(text)
    assert result.grade == grade
    assert figures(text).get("deaths") == deaths


def test_losses_in_chinese_numerals_and_with_about() -> None:
    assert figures("直接经济损失约五千万元") == {"loss": 50_000_000}
    assert grade_text("火灾造成直接经济损失约五千万元").grade == "重大"
