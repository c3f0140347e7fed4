"""Non-fatal mass casualties, announced response levels, and figures that are claims refuted."""

from __future__ import annotations

import pytest

from nlp.severity import best_figures, extract_figures, grade_event, grade_text
from tests.support.severity_sources import sourced


def best(text: str) -> dict[str, float]:
    found, _, _ = extract_figures(text)
    return {kind: figure.value for kind, figure in best_figures(found).items()}


@pytest.mark.parametrize(
    ("text", "sick"),
    [
        ("截至20时，共有57名学生到医院就诊，其中12名留院观察", 57),
        ("已有40余名幼儿送医", 40),
        ("三十余名员工在食堂就餐后出现呕吐、腹泻等症状", 30),
        ("一百二十人食物中毒", 120),
        ("中毒人数已达到一百零三人", 103),
        ("因疑似食物中毒就诊的86名学生病情平稳", 86),
        ("市儿童医院共收治该园就诊幼儿64名", 64),
        ("共有61名幼儿到市第二人民医院、市妇幼保健院就诊", 61),
        ("数十名游客食用海鲜后身体不适", 10),
        ("35名住宿生入院治疗", 35),
    ],
)
def test_counts_of_the_sick(text: str, sick: float) -> None:
    assert best(text).get("sick") == sick


@pytest.mark.parametrize(
    "text",
    [
        "12名医护人员参与救治",  # the staff, not the patients
        "患者被送往江州市第一人民医院救治",  # a hospital's name is not a count
        "全年门诊就诊3万人次",
    ],
)
def test_no_count_of_the_sick(text: str) -> None:
    assert "sick" not in best(text)


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        # 《国家食品安全事故应急预案》: 30–99 harmed without deaths 一般, 100 较大,
        # 100 with a death or 10 deaths 重大; a school's 50 重大 (provincial plans).
        # Below 30 the plan's count does not grade, but casualties of a poisoning (an
        # accident word) are 一般 as any accident's are.
        ("某餐馆发生疑似食物中毒，29名食客就医，均无生命危险", "一般"),
        ("某餐馆食客反映就餐后身体不适，29人就医", None),
        ("某餐馆发生疑似食物中毒，30名食客就医，均无生命危险", "一般"),
        ("某工地食堂午餐后99人出现腹泻症状", "一般"),
        ("某工地食堂午餐后一百余人出现腹泻症状", "较大"),
        ("一起婚宴食物中毒已致1人死亡，12人住院", "较大"),
        ("一起婚宴食物中毒已致1人死亡，120人住院", "重大"),
        ("某小学食堂疑似食物中毒，49名学生送医", "一般"),
        ("某小学食堂疑似食物中毒，50名学生送医", "重大"),
        ("某幼儿园多名幼儿午餐后呕吐，截至目前53名幼儿在医院就诊", "重大"),
        # A nursing home is not singled out by the plans.
        ("某养老院老人午餐后腹泻，52人送医", "一般"),
        # Not food: the accident regulation's thresholds stand (送医 does not raise them).
        ("电梯故障致3人受伤，均已送医", "一般"),
        ("商场扶梯事故，16名被困人员送医，2人死亡", "一般"),
        ("一氧化碳中毒事故造成35人送医", "一般"),
    ],
)
def test_food_poisoning_grades(text: str, grade: str | None) -> None:
    assert grade_text(text).grade == grade


def test_the_food_rule_is_named_in_the_reasons() -> None:
    result = grade_text("某中学食堂疑似食物中毒，共有72名学生到医院就诊", "m7")
    assert result.grade == "重大"
    assert any(r.kind == "signal" and "学校" in r.text and "50" in r.text for r in result.reasons)
    assert any(
        r.kind == "figure" and r.mention_id == "m7" and r.weight == 72 for r in result.reasons
    )


@pytest.mark.parametrize(
    ("text", "grade"),
    [
        ("市政府已启动食品安全事故Ⅱ级应急响应", "重大"),
        ("该县随即启动突发公共卫生事件Ⅲ级应急响应", "较大"),
        ("省政府启动一级响应，全力救治伤员，事故已造成2人死亡", "特别重大"),
        ("事故发生后，区政府启动生产安全事故IV级应急响应", "一般"),
        ("事故发生后，Ⅱ级应急响应已启动，7名工人被困", "重大"),
        ("鉴于中毒人数增加，应急响应级别由Ⅲ级提升至Ⅱ级", "重大"),
        # The official word outranks the counts: 12 sick alone would be nothing.
        ("幼儿园疑似食物中毒，12名幼儿送医，市政府已启动Ⅲ级应急响应", "较大"),
        # Weather and natural hazards are not an incident's grade.
        ("市防汛指挥部启动防汛Ⅱ级应急响应", None),
        ("气象局启动暴雨Ⅲ级应急响应", None),
        # A plan's rule or an intention is not an announcement.
        ("发生重大食品安全事故时启动Ⅱ级应急响应", None),
        ("必要时视情启动Ⅰ级应急响应", None),
        ("目前尚未启动Ⅱ级应急响应", None),
    ],
)
def test_announced_response_levels(text: str, grade: str | None) -> None:
    assert grade_text(text).grade == grade


@pytest.mark.parametrize(
    "text",
    [
        # The official debunk quotes the claim it refutes.
        "【辟谣】近日，网上流传“某小学已有三名学生死亡、医院封锁消息”的说法。经核实，该说法不实",
        "网传某超市熟食致5人死亡系谣言",
        "有网友称火锅店中毒事件“死了两个人”，经查，不属实",
        "经核实，该事件并无两名儿童死亡",
        "对于“5人死亡”的说法，市卫健委表示纯属捏造",
    ],
)
def test_figures_in_a_debunk_are_claims_not_figures(text: str) -> None:
    result = grade_text(text)
    assert result.grade is None
    assert not [f for f in result.figures if f.value > 0]


def test_a_debunk_keeps_its_own_figures() -> None:
    text = (
        "【辟谣】网上流传“某小学已有三名学生死亡”的说法不实。截至22时，"
        "该校共有64名学生到医院就诊，无死亡病例"
    )
    figures = best(text)
    assert figures == {"deaths": 0, "sick": 64}


def test_a_rumour_alone_still_reads_as_a_figure() -> None:
    # Without a refutation a claim is read; the event grading weighs it by its source.
    assert best("听说已经有3名学生死亡了") == {"deaths": 3}


def test_an_official_zero_outranks_a_rumoured_death_count() -> None:
    grade, basis = grade_event(
        [
            sourced("parent", 0, "孩子们午睡起来都在吐，门口来了好几辆救护车"),
            sourced("paper", 1, "某小学多名学生呕吐腹泻，已有40余名学生送医"),
            # Not flagged as a rumour by the model: its figure is credible, yet the official
            # figures that follow answer it.
            sourced("claim", 2, "网上都在说已经有2名学生死亡了"),
            sourced("bureau", 3, "截至18时，共有57名学生到医院就诊，均无生命危险", official=True),
            sourced(
                "debunk",
                6,
                "【辟谣】网传“已有两名学生死亡”不实。截至22时，就诊学生58名，无死亡病例",
                official=True,
            ),
        ]
    )
    assert grade == "重大"  # a school's food poisoning, 50 or more harmed
    figures = {r.mention_id: r.text for r in basis if r.kind == "figure"}
    assert list(figures) == ["debunk"] and "58" in figures["debunk"]
    assert "最新官方数字" in figures["debunk"]
    assert not any("死亡 2" in r.text for r in basis)


def test_an_announced_response_grades_the_event_and_says_so() -> None:
    grade, basis = grade_event(
        [
            sourced("paper", 0, "某幼儿园疑似食物中毒，20余名幼儿送医"),
            sourced(
                "bureau",
                2,
                "截至18时，共有27名幼儿就诊，均无生命危险。市政府已启动食品安全事故Ⅱ级应急响应",
                official=True,
            ),
            # A later downgrade does not undo how the incident was handled.
            sourced("later", 30, "市政府将应急响应调整为Ⅳ级", official=True),
        ]
    )
    assert grade == "重大"
    assert basis[0].mention_id == "bureau" and "应急响应 Ⅱ级" in basis[0].text
    assert any(r.kind == "signal" and "官方定级" in r.text for r in basis)


def test_a_rumoured_response_level_is_not_credible() -> None:
    grade, _ = grade_event(
        [sourced("claim", 0, "听说食物中毒事件已经启动一级响应了", credible=False)]
    )
    assert grade is None
