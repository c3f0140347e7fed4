"""People stranded by special equipment, and the grade the stranding sets.

A ropeway that stops with 86 tourists in its cabins kills nobody and may still be an accident
of the bureau's own field: the special-equipment regulation grades ropeways, large amusement
rides and elevators by **how long people are held** and **how many** (《特种设备安全监察条例》,
国务院令第549号, art. 61–64), not only by deaths and injuries:

========== ==========================================================================
grade       stranding (客运索道 ropeway, 大型游乐设施 large amusement ride, 电梯 elevator)
========== ==========================================================================
特别重大    a ropeway or ride: 100 people or more held in the air for 48 hours or more
重大        a ropeway or ride: 100 people or more held in the air for 24 hours or more
较大        a ropeway or ride: people held in the air for 12 hours or more
一般        a ropeway: 3.5 hours or more; a ride: 1 hour or more; an elevator car: 2 hours or more
========== ==========================================================================

The figures (``stranded``: people held, ``stranded_hours``: how long) are read in any text
and graded only where the text, or for an event one of its credible members, names the
equipment (``equipment_of``): 被困3小时 in a traffic jam or a fire is no special-equipment
stranding, and a report giving the hours may say only 车厢 where the posts say 索道.
``nlp.severity_figures`` reads them with the casualties and ``nlp.severity`` takes the highest
of this grade, the accident grade and the food grade.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from archive.models import Reason

# The equipment a text is about, first match wins (a ropeway's report may name the park's
# rides; a ride's an elevator less often than the reverse).
EQUIPMENT = (
    ("ropeway", ("索道", "缆车")),
    ("ride", ("游乐设施", "摩天轮", "过山车", "大摆锤", "跳楼机", "海盗船", "游乐项目")),
    ("elevator", ("电梯", "轿厢")),
)

_CN = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN}]+)"
_PERSON = r"(?:名|人(?!民)|位|个)"
_HELD = r"(?:高空|空中|半空)?(?:滞留|被困|困在|困于)"
# 86名游客滞留 / 八十多名游客被困半空 / 造成86名游客高空滞留 / 5人被困
PEOPLE = (
    re.compile(rf"(?P<n>{_NUM})(?:余|多)?{_PERSON}[\u4e00-\u9fff]{{0,4}}?{_HELD}"),
    # 滞留的86名游客 / 被困16名游客
    re.compile(rf"{_HELD}(?:的)?(?:人员|游客|乘客)?(?:共|约|达)?(?P<n>{_NUM})(?:余|多)?{_PERSON}"),
)
# 滞留约6小时20分钟 / 被困3小时 / 挂了六个多小时 / 被困了快三个半小时 / 被困约40分钟
DURATION = re.compile(
    rf"(?:滞留|被困|困在|困了|挂了|挂在)[^，,。；;！？!?\n]{{0,10}}?"
    rf"(?P<under>快|近|将近|不到|接近)?(?:约|逾|超过|长达|足足|整整)?"
    rf"(?:(?P<h>{_NUM})个?(?P<more>多|余)?个?(?P<half>半)?(?:小时|钟头)(?:(?P<hm>{_NUM})分钟?)?"
    rf"|(?P<m>{_NUM})(?:多|余)?分钟)"
)
# 快三个半小时, 近50分钟: shorter than stated; a minute under it, so that "almost 3.5 hours"
# does not reach a 3.5-hour threshold.
_JUST_UNDER = 1 / 60


def equipment_of(text: str) -> str:
    """'ropeway', 'ride', 'elevator' or '' for the special equipment a text is about."""
    return next((kind for kind, words in EQUIPMENT if any(w in text for w in words)), "")


Parse = Callable[[str], "float | None"]


def duration_hours(match: re.Match[str], parse: Parse) -> float | None:
    """The hours a ``DURATION`` match states."""
    if match.group("h"):
        hours = parse(match.group("h"))
        if hours is None:
            return None
        if match.group("half"):
            hours += 0.5
        if match.group("hm"):
            hours += (parse(match.group("hm")) or 0.0) / 60
    else:
        minutes = parse(match.group("m"))
        if minutes is None:
            return None
        hours = minutes / 60
    if match.group("under"):
        hours -= _JUST_UNDER
    return hours


def stranding_figures(sentence: str, parse: Parse) -> list[tuple[str, float, str, int]]:
    """(kind, value, phrase, position) of the people held (``stranded``) and how long
    (``stranded_hours``) a sentence states; the grading checks the equipment."""
    found: list[tuple[str, float, str, int]] = []
    for pattern in PEOPLE:
        for match in pattern.finditer(sentence):
            value = parse(match.group("n"))
            if value is not None and 0 < value <= 100_000 and value == int(value):
                found.append(("stranded", value, match.group(0), match.start()))
    for match in DURATION.finditer(sentence):
        hours = duration_hours(match, parse)
        if hours is not None and 0 < hours < 24 * 30:
            found.append(("stranded_hours", round(hours, 2), match.group(0), match.start()))
    return found


# (grade, equipment kinds, least people, least hours, the article's wording): art. 61–64.
_HUNDRED = "客运索道、大型游乐设施高空滞留100人以上并且时间在"
RULES = (
    ("特别重大", ("ropeway", "ride"), 100, 48.0, _HUNDRED + "48小时以上"),
    ("重大", ("ropeway", "ride"), 100, 24.0, _HUNDRED + "24小时以上48小时以下"),
    ("较大", ("ropeway", "ride"), 0, 12.0, "客运索道、大型游乐设施高空滞留人员12小时以上"),
    ("一般", ("ropeway",), 0, 3.5, "客运索道高空滞留人员3.5小时以上12小时以下"),
    ("一般", ("ride",), 0, 1.0, "大型游乐设施高空滞留人员1小时以上12小时以下"),
    ("一般", ("elevator",), 0, 2.0, "电梯轿厢滞留人员2小时以上"),
)  # fmt: skip


def stranding_rule(equipment: str, people: float, hours: float) -> tuple[str, str, bool] | None:
    """(grade, the rule's words, whether the people count decided it) for a stranding, or
    None below every threshold."""
    for grade, kinds, least_people, least_hours, words in RULES:
        if equipment in kinds and hours >= least_hours and people >= least_people:
            return grade, words, least_people > 0
    return None


def rule_reason(words: str, mention_id: str) -> Reason:
    return Reason("signal", f"{words}（特种设备安全监察条例）", 0.0, mention_id or None)
