"""The official grade of an incident from its figures, for one text and for an event.

Three sources of a grade, strongest first:

1. **An announced emergency response** (启动食品安全事故Ⅱ级应急响应, 一级响应): the authority
   has graded the incident itself, and its word outranks any count — Ⅰ 特别重大, Ⅱ 重大,
   Ⅲ 较大, Ⅳ 一般 (the four response levels of the national emergency plans follow the four
   grades, 《国家突发公共事件总体应急预案》 1.3).
2. **Accident figures**, by the State Council's regulation on reporting and investigating
   production-safety accidents (《生产安全事故报告和调查处理条例》, 国务院令第493号, art. 3),
   which the special-equipment rules (《特种设备安全监察条例》 art. 61–64) follow:

   ======== ============ ======================= =====================
   grade     deaths ≥     serious injuries ≥      direct loss ≥ (yuan)
   ======== ============ ======================= =====================
   特别重大  30           100                     1 亿 (100,000,000)
   重大      10           50                      5000 万
   较大      3            10                      1000 万
   一般      otherwise, when casualties or a loss are reported in an accident context
   ======== ============ ======================= =====================

   Only serious injuries (重伤) count, as in the regulation; plain 受伤 figures are shown but
   do not raise the grade.
3. **The sick of a food poisoning**, by the national food-safety emergency plan
   (《国家食品安全事故应急预案》, 2011 revision, 1.3 事故分级) and the provincial plans that
   follow it: 重大 when 100 or more are harmed with a death, or 10 or more die, or — the
   provincial plans' rule for schools (e.g. 重大食品安全事故（Ⅱ级）"学校发生食物中毒事故、
   造成伤害人数50人以上的") — 50 or more are harmed at a school or kindergarten; 较大 when 100
   or more are harmed or anyone dies; 一般 when 30–99 are harmed and no one dies. A 养老院 is
   not singled out by these plans, so it does not raise the grade.

4. **People stranded by special equipment** (a ropeway, a large amusement ride, an elevator
   car), by the hours and the people held (《特种设备安全监察条例》 art. 61–64,
   ``nlp.severity_stranding``): 86 tourists held six hours in a ropeway's cabins is 一般
   with nobody hurt.

The figures themselves (numbers, claims that are not figures, the food and school setting) are
``nlp.severity_figures``'. The highest of the accident, the food and the stranding grade wins.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from archive.models import Reason
from nlp.severity_figures import (
    KINDS,
    ROMAN,
    Figure,
    TextFigures,
    best_figures,
    extract_figures,
    outranks,
    parse_number,
    text_figures,
)
from nlp.severity_stranding import rule_reason, stranding_rule

# What callers import from here: the figures are read in nlp.severity_figures.
__all__ = [
    "KINDS",
    "Figure",
    "SeverityResult",
    "SourcedFigures",
    "TextFigures",
    "best_figures",
    "extract_figures",
    "grade_event",
    "grade_text",
    "parse_number",
    "text_figures",
]

GRADES = ("特别重大", "重大", "较大", "一般")  # most severe first
# (grade, deaths, serious injuries, direct economic loss in yuan): 国务院令第493号 art. 3.
THRESHOLDS = (
    ("特别重大", 30, 100, 100_000_000),
    ("重大", 10, 50, 50_000_000),
    ("较大", 3, 10, 10_000_000),
)
# 《国家食品安全事故应急预案》 1.3: people harmed (伤害人数) for 较大 / 一般, and the schools'
# 重大 of the provincial plans (see the module docstring).
FOOD_HARMED_LARGER = 100
FOOD_HARMED_GENERAL = 30
FOOD_HARMED_SCHOOL_MAJOR = 50
FOOD_DEATHS_MAJOR = 10
# Response level → grade (Ⅰ 特别重大 … Ⅳ 一般).
RESPONSE_GRADE = dict(zip((1, 2, 3, 4), GRADES, strict=True))


@dataclass
class SeverityResult:
    grade: str | None
    figures: list[Figure]
    reasons: list[Reason]
    no_casualties: bool = False
    accident_context: bool = False


def _accident_grade(best: dict[str, Figure]) -> tuple[str | None, list[Figure]]:
    def value(kind: str) -> float:
        return best[kind].value if kind in best else 0.0

    for grade, deaths, serious, loss in THRESHOLDS:
        used = [
            best[kind]
            for kind, limit in (("deaths", deaths), ("serious_injuries", serious), ("loss", loss))
            if value(kind) >= limit
        ]
        if used:
            return grade, used
    return None, []


def _food_grade(best: dict[str, Figure]) -> tuple[str | None, list[Figure], str]:
    """The food-safety plan's grade, the figures and the rule that decided it."""
    sick, deaths = best.get("sick"), best.get("deaths")
    if not ((sick is not None and sick.food) or (deaths is not None and deaths.food)):
        return None, [], ""
    harmed = sick.value if sick is not None and sick.food else 0.0
    dead = deaths.value if deaths is not None else 0.0
    school = sick is not None and sick.school
    with_sick = [sick] if sick is not None and harmed else []
    with_dead = [deaths] if deaths is not None and dead else []
    if harmed >= FOOD_HARMED_LARGER and dead >= 1:
        return "重大", with_sick + with_dead, "食物中毒伤害100人以上并出现死亡病例"
    if dead >= FOOD_DEATHS_MAJOR:
        return "重大", with_dead, "食物中毒出现10例以上死亡病例"
    if school and harmed >= FOOD_HARMED_SCHOOL_MAJOR:
        return "重大", with_sick, "学校（含托幼机构）发生食物中毒，伤害人数50人以上"
    if harmed >= FOOD_HARMED_LARGER:
        return "较大", with_sick, "食物中毒伤害人数100人以上"
    if dead >= 1:
        return "较大", with_dead, "食物中毒出现死亡病例"
    if harmed >= FOOD_HARMED_GENERAL:
        return "一般", with_sick, "食物中毒伤害人数30人以上、未出现死亡病例"
    return None, [], ""


def _stranding_grade(best: dict[str, Figure]) -> tuple[str | None, list[Figure], Reason | None]:
    """The special-equipment regulation's grade of a stranding (``nlp.severity_stranding``)."""
    hours = best.get("stranded_hours")
    if hours is None or not hours.equipment:
        return None, [], None
    people = best.get("stranded")
    found = stranding_rule(hours.equipment, people.value if people else 0.0, hours.value)
    if found is None:
        return None, [], None
    grade, words, by_people = found
    used = [hours, *([people] if by_people and people is not None else [])]
    return grade, used, rule_reason(f"{words}：{grade}", hours.mention_id)


def _more_severe(grade: str | None, than: str | None) -> bool:
    return grade is not None and (than is None or GRADES.index(grade) < GRADES.index(than))


def grade_of(
    best: dict[str, Figure], accident_context: bool
) -> tuple[str | None, list[Figure], Reason | None]:
    """The grade, the figures that decided it and, for a response, the food-safety plan or a
    stranding, the rule applied."""
    response = best.get("response")
    if response is not None:
        announced = RESPONSE_GRADE[int(response.value)]
        level = ROMAN[int(response.value)]
        rule = f"已启动{level}级应急响应，按{announced}事件处置（官方定级优先于人数）"
        return announced, [response], Reason("signal", rule, 0.0, response.mention_id or None)
    grade, used = _accident_grade(best)
    chosen: tuple[str | None, list[Figure], Reason | None] = (grade, used, None)
    food, food_used, food_rule = _food_grade(best)
    if _more_severe(food, chosen[0]):
        rule = f"{food_rule}：{food}（国家食品安全事故应急预案）"
        chosen = (food, food_used, Reason("signal", rule, 0.0, food_used[0].mention_id or None))
    stranded = _stranding_grade(best)
    if _more_severe(stranded[0], chosen[0]):
        chosen = stranded
    if chosen[0] is not None:
        return chosen
    casualties = [
        best[kind]
        for kind in ("deaths", "serious_injuries", "injuries", "sick", "loss")
        if kind in best and best[kind].value > 0
    ]
    counted = {figure.kind for figure in casualties}
    if casualties and (accident_context or counted & {"deaths", "serious_injuries"}):
        return "一般", casualties, None
    return None, [], None


def grade_text(text: str, mention_id: str = "", found: TextFigures | None = None) -> SeverityResult:
    """The severity of ``text`` as ``mention_id``'s; ``found``: its ``text_figures``, when
    prepared before (``TextParts.figures``), are not read again."""
    figures, no_casualties, context = extract_figures(text, mention_id, found)
    best = best_figures(figures)
    grade, used, rule = grade_of(best, context)
    reasons = [figure.reason() for figure in used]
    reasons += [rule] if rule is not None else []
    reasons += [f.reason("（未计入分级）") for f in best.values() if f not in used and f.value > 0]
    if no_casualties and not any(f.value > 0 for f in figures):
        reasons.append(Reason(kind="signal", text="无人员伤亡", mention_id=mention_id or None))
    return SeverityResult(grade, figures, reasons, no_casualties, context)


@dataclass(frozen=True)
class SourcedFigures:
    """One mention's best figures with what the event grading needs to weigh them."""

    mention_id: str
    published_at: datetime
    official: bool
    credible: bool
    best: dict[str, Figure]
    accident_context: bool


def _chosen(kind: str, ordered: list[SourcedFigures]) -> tuple[Figure, str] | None:
    """The figure of one kind an event's grade uses, and why that one."""
    official = [m.best[kind] for m in ordered if m.official and m.credible and kind in m.best]
    credible = [m.best[kind] for m in ordered if m.credible and kind in m.best]
    if kind == "response":
        # A response level is an act, not a count: the highest one announced stands, a later
        # downgrade does not undo how the incident was handled.
        pool, note = (official, "（官方宣布）") if official else (credible, "（据报道）")
        if not pool:
            return None
        top = pool[0]
        for figure in pool[1:]:
            top = figure if outranks(figure, top) else top
        return top, note
    if official:
        return official[-1], "（最新官方数字）"  # authorities revise counts up and down
    if credible:
        return max(credible, key=lambda f: f.value), "（各来源最大值）"  # earliest of ties
    return None


def grade_event(members: Iterable[SourcedFigures]) -> tuple[str | None, list[Reason]]:
    """Grade an event from its mentions' figures.

    Per kind of figure: when an official source (an official notice, an official account)
    gave one, the latest official figure wins (authorities revise counts up and down, and an
    official 无死亡病例 answers a rumour's death count); otherwise the largest credible figure
    (rumour-flagged posts and comments are not credible). A response level: the highest one
    an official source announced, else the highest one credibly reported.
    """
    ordered = sorted(members, key=lambda m: (m.published_at, m.mention_id))
    chosen = {kind: found for kind in KINDS if (found := _chosen(kind, ordered)) is not None}
    context = any(member.credible and member.accident_context for member in ordered)
    # The setting is the event's: a health commission's 收治…幼儿58名 names no food, but the
    # event it joins is a kindergarten's food poisoning.
    credible = [f for m in ordered if m.credible for f in m.best.values()]
    food = any(f.food for f in credible)
    school = any(f.school for f in credible)
    equipment = next((f.equipment for f in credible if f.equipment), "")
    best = {
        kind: replace(
            figure,
            food=figure.food or food,
            school=figure.school or school,
            equipment=figure.equipment or equipment,
        )
        for kind, (figure, _) in chosen.items()
    }
    grade, used, rule = grade_of(best, context)
    notes = {kind: note for kind, (_, note) in chosen.items()}
    basis = [figure.reason(notes[figure.kind]) for figure in used]
    return grade, basis + ([rule] if rule is not None else [])
