"""Figures in Chinese text: casualties, the sick, losses and announced emergency-response levels.

Each figure is returned with the phrase it came from (the press office must say which figures
it used) and the setting of its text (food poisoning, a school) that the grading reads. Figures
that are not this event's are skipped: totals over a period (全年共发生…), figures after a word
of another time or country (历史上, 去年, 美国: ``[elsewhere]`` in resources/severity.txt) until
a word of the present returns, and claims (resources/severity_claims.txt): a figure quoted in a
text that refutes something (【辟谣】网上流传“已有两名幼儿死亡”…不实), in a hearsay clause of
such a text (网传…3人死亡系谣言), or right after a denial (并无两名幼儿死亡). An explicit "no one
died" (无死亡病例, 均无生命危险) is a deaths figure of 0, so that an official zero outranks a
rumour's count when an event is graded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from archive.models import Reason
from nlp.lexicon import RESOURCES, default_lexicon, load_sections
from nlp.severity_stranding import equipment_of, stranding_figures

KINDS = (
    "deaths",
    "serious_injuries",
    "injuries",
    "missing",
    "sick",
    "loss",
    "response",
    "stranded",
    "stranded_hours",
)
KIND_LABEL = {
    "deaths": "死亡",
    "serious_injuries": "重伤",
    "injuries": "受伤",
    "missing": "失踪",
    "sick": "中毒或就医",
    "loss": "直接经济损失",
    "response": "应急响应",
    "stranded": "滞留或被困",
    "stranded_hours": "滞留时长",
}
ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}

_CN = "零〇一二两三四五六七八九十百千万亿"
# A number: Arabic (with thousands separators, decimals, an optional 万/亿) or Chinese.
NUM = rf"(?:\d[\d,，]*(?:\.\d+)?\s*[万亿]?|[{_CN}]+)"
_APPROX = (
    r"(?:约|近|逾|超过|超|达到?|共|共计|至少|已|已达|升至|增至|上升至|上升到"
    r"|核定为|核实为|确认为|确定为|为|有)*"
)
_MORE = r"(?:余|多)?"
_PERSON = r"(?:名|人(?!民)|位|个)"  # 第一人民医院 names no one
_DIE = r"(?:死亡|遇难|罹难|身亡|丧生|殒命|丧命|不幸遇难|不幸身亡|当场死亡|抢救无效死亡)"
_SERIOUS = r"(?:重伤|受重伤|严重受伤|伤势严重|危重)"
_HURT = r"(?:受伤|轻伤|伤|负伤)"
_MISS = r"(?:失踪|失联)"
# The sick of a poisoning or an outbreak: the food-safety plan's 伤害人数 (people harmed).
_SICK = (
    r"(?:到医院就诊|入院就诊|就诊|就医|送医治疗|送医|被送往医院|送往医院|送院|住院治疗|住院"
    r"|留院观察|留院|入院|收治|救治|接受治疗|身体不适|食物中毒|中毒"
    r"|出现[\u4e00-\u9fff、，,]{0,12}?症状)"
)
# Between a count and its verb: the people (幼儿, 学生, 在医院), never the staff who treat them
# (12名医护人员参与救治 counts no patient).
_GAP = r"(?:(?!医护|医生|护士|医务|专家|工作人员|救援|民警|消防)[\u4e00-\u9fff、]){0,24}?"
_PATIENT = r"(?:名|人(?!次|民)|位|个)"  # 3万人次就诊 is a yearly statistic, not a count of the sick

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 3死10伤 / 1死2伤 / 造成8死
    ("deaths", re.compile(rf"(?P<n>{NUM}){_MORE}死(?=[\d{_CN}]+伤|[，,。；、\s]|$)")),
    ("injuries", re.compile(rf"死(?P<n>{NUM}){_MORE}伤")),
    # 三人死亡 / 3名工人死亡 / 2人当场死亡
    ("deaths", re.compile(rf"(?P<n>{NUM}){_MORE}{_PERSON}[\u4e00-\u9fff]{{0,4}}?{_DIE}")),
    (
        "serious_injuries",
        re.compile(rf"(?P<n>{NUM}){_MORE}{_PERSON}[\u4e00-\u9fff]{{0,3}}?{_SERIOUS}"),
    ),
    (
        "injuries",
        re.compile(rf"(?P<n>{NUM}){_MORE}{_PERSON}[\u4e00-\u9fff]{{0,3}}?(?:受伤|轻伤|负伤)"),
    ),
    ("missing", re.compile(rf"(?P<n>{NUM}){_MORE}{_PERSON}[\u4e00-\u9fff]{{0,3}}?{_MISS}")),
    # 死亡3人 / 死亡人数升至5人 / 遇难者增至12人 / 重伤10人
    ("deaths", re.compile(rf"{_DIE}(?:人数|者|人员)?{_APPROX}(?P<n>{NUM}){_MORE}{_PERSON}")),
    (
        "serious_injuries",
        re.compile(rf"{_SERIOUS}(?:人数|者|人员)?{_APPROX}(?P<n>{NUM}){_MORE}{_PERSON}"),
    ),
    (
        "injuries",
        re.compile(rf"(?<!重){_HURT}(?:人数|者|人员)?{_APPROX}(?P<n>{NUM}){_MORE}{_PERSON}"),
    ),
    ("missing", re.compile(rf"{_MISS}(?:人数|者|人员)?{_APPROX}(?P<n>{NUM}){_MORE}{_PERSON}")),
    # 57名幼儿到医院就诊 / 40余名幼儿送医 / 30名学生出现呕吐、腹泻等症状 / 120人食物中毒
    ("sick", re.compile(rf"(?<!第)(?P<n>{NUM}){_MORE}{_PATIENT}{_GAP}{_SICK}")),
    # 中毒人数达到120人 / 就诊的58名幼儿 / 收治…就诊幼儿58名
    (
        "sick",
        re.compile(rf"{_SICK}(?:人数|者|人员|的)?{_GAP}{_APPROX}(?P<n>{NUM}){_MORE}{_PATIENT}"),
    ),
    # 直接经济损失约1200万元 / 经济损失1.2亿元 / 财产损失达3000余万元
    (
        "loss",
        re.compile(
            rf"(?:直接)?(?:经济|财产)损失{_APPROX}(?:初步)?(?:估算|估计|统计)?{_APPROX}"
            rf"(?P<n>{NUM}){_MORE}(?P<unit>亿元|万元|元|亿|万)"
        ),
    ),
)

# An announced emergency response: 启动食品安全事故Ⅱ级应急响应 / Ⅱ级应急响应已启动 /
# 应急响应提升至Ⅰ级 / 启动二级响应. ASCII roman numerals longest first (III before II before I).
_LEVEL = r"(?P<lvl>[ⅠⅡⅢⅣ]|IV|III|II|I|[一二三四1-4])"
_LEVELS = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "I": 1, "II": 2, "III": 3, "IV": 4}
_LEVELS |= {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_RESPONSE = (
    re.compile(rf"启动(?:了)?(?P<what>[^，,。；;！？!?、]{{0,24}}?){_LEVEL}级(?:应急)?响应"),
    re.compile(rf"(?P<what>){_LEVEL}级(?:应急)?响应(?:已|已经|正式|于\S{{0,8}})?启动"),
    re.compile(
        rf"(?P<what>)(?:应急)?响应(?:级别)?[^，,。；;]{{0,8}}?(?:提升|提高|上调|升级|调整)"
        rf"(?:为|至|到){_LEVEL}级"
    ),
)
# A response of these kinds is an incident's; any other needs the text to be about one.
_INCIDENT_RESPONSE = ("事故", "食品安全", "公共卫生", "安全生产", "特种设备", "中毒", "突发事件")


def parse_number(text: str) -> float | None:
    """Arabic or Chinese numerals: '1,200', '1.2万', '三', '十一', '两千三百万', '一百零五'."""
    text = text.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    if text[0].isdigit():
        match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([万亿]?)", text)
        if not match:
            return None
        value = float(match.group(1))
        return value * _BIG.get(match.group(2), 1)
    yi = 0.0  # everything already multiplied by 亿
    wan = 0.0  # everything already multiplied by 万 (below the last 亿)
    section = 0.0  # the part below 万, built from 十 / 百 / 千
    digit: float | None = None
    for char in text:
        if char in _DIGITS:
            digit = float(_DIGITS[char])
        elif char in _UNITS:
            section += (digit if digit is not None else 1.0) * _UNITS[char]
            digit = None
        elif char == "万":
            section += digit or 0.0
            wan += (section or 1.0) * 10_000
            section, digit = 0.0, None
        elif char == "亿":
            section += digit or 0.0
            yi = (yi + wan + section or 1.0) * 100_000_000
            wan, section, digit = 0.0, 0.0, None
        else:
            return None
    return yi + wan + section + (digit or 0.0)


@dataclass(frozen=True)
class Figure:
    kind: str  # one of KINDS
    value: float  # people, yuan for "loss", the level (1 = Ⅰ) for "response"
    phrase: str
    mention_id: str = ""
    food: bool = False  # its text is about food poisoning (graded by the food-safety plan)
    school: bool = False  # ...at a school or a kindergarten
    equipment: str = ""  # its text is about special equipment (nlp.severity_stranding)

    def reason(self, note: str = "") -> Reason:
        if self.kind == "response":
            text = f"应急响应 {ROMAN[int(self.value)]}级（“{self.phrase}”）{note}"
        elif self.kind == "loss":
            text = f"{KIND_LABEL[self.kind]} {self.value:,.0f}元（“{self.phrase}”）{note}"
        elif self.kind == "stranded_hours":
            text = f"{KIND_LABEL[self.kind]} {self.value:g}小时（“{self.phrase}”）{note}"
        else:
            text = f"{KIND_LABEL[self.kind]} {self.value:g}人（“{self.phrase}”）{note}"
        return Reason(
            kind="figure", text=text, weight=self.value, mention_id=self.mention_id or None
        )


@dataclass(frozen=True)
class _Words:
    refuting: tuple[str, ...]
    hearsay: tuple[str, ...]
    denial: tuple[str, ...]
    no_deaths: tuple[str, ...]
    poisoning: tuple[str, ...]
    not_food: tuple[str, ...]
    school: tuple[str, ...]
    response_excluded: tuple[str, ...]
    response_pending: tuple[str, ...]


@lru_cache(maxsize=1)
def claim_words() -> _Words:
    """The lists of resources/severity_claims.txt, once per process."""
    sections = load_sections(RESOURCES / "severity_claims.txt")
    return _Words(**{name: tuple(sections.get(name, {})) for name in _Words.__dataclass_fields__})


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[。！？!?；;\n]+", text) if c.strip()]


# A bare year ("2015年天津港爆炸…") refers to a past accident; a full date ("2026年11月16日")
# usually opens the report of this one, so a year followed by a month is not a marker.
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}年(?!\s*\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月)")
_QUOTE = re.compile(r"[“\"「『‘][^“”\"「」『』‘’]{0,200}[”\"」』’]")
_SUBCLAUSE = re.compile(r"[，,、：:]")


def _positions(sentence: str, words: Iterable[str]) -> list[int]:
    out: list[int] = []
    for word in words:
        start = sentence.find(word)
        while start >= 0:
            out.append(start)
            start = sentence.find(word, start + 1)
    return out


def elsewhere_before(sentence: str) -> Callable[[int], bool]:
    """Whether a figure at a position follows a word of another time or country (历史上,
    去年, 美国, a bare year) with no word of the present (今天, 此次) in between."""
    lexicon = default_lexicon()
    away = _positions(sentence, lexicon.elsewhere)
    away += [m.start() for m in _BARE_YEAR.finditer(sentence)]
    back = _positions(sentence, lexicon.present)

    def trapped(position: int) -> bool:
        last_away = max((p for p in away if p < position), default=-1)
        last_back = max((p for p in back if p < position), default=-1)
        return last_away > last_back

    return trapped


def claim_spans(sentence: str, refutes: bool) -> list[tuple[int, int]]:
    """The parts of a sentence that state a claim a refuting text answers: its quotations,
    and each hearsay clause up to the refuting word or the clause's end."""
    if not refutes:
        return []
    words = claim_words()
    spans = [m.span() for m in _QUOTE.finditer(sentence)]
    for start in _positions(sentence, words.hearsay):
        ends = [p for p in _positions(sentence, words.refuting) if p > start]
        comma = _SUBCLAUSE.search(sentence, start + 1)
        ends.append(comma.start() if comma else len(sentence))
        spans.append((start, min(ends)))
    return spans


def denied(sentence: str, position: int) -> bool:
    """Whether the figure at ``position`` follows a denial in its own clause (并无两名幼儿死亡)."""
    head = sentence[:position]
    cut = max((m.end() for m in _SUBCLAUSE.finditer(head)), default=0)
    return any(word in head[cut:] for word in claim_words().denial)


def food_setting(text: str) -> tuple[bool, bool]:
    """Whether a text is about food poisoning, and whether at a school or kindergarten."""
    words = claim_words()
    stripped = text
    for phrase in words.not_food:
        stripped = stripped.replace(phrase, "")
    food = any(word in stripped for word in words.poisoning)
    return food, food and any(word in text for word in words.school)


def _response_figures(sentence: str, incident: bool) -> list[tuple[int, int, Figure]]:
    """Announced response levels in a sentence: (start, end, figure)."""
    words = claim_words()
    found: list[tuple[int, int, Figure]] = []
    for pattern in _RESPONSE:
        for match in pattern.finditer(sentence):
            what = match.group("what")
            if any(word in what for word in words.response_excluded):
                continue
            if not (incident or any(word in what for word in _INCIDENT_RESPONSE)):
                continue
            launch = sentence.find("启动", match.start(), match.end())
            if launch >= 0 and _pending(sentence, launch):
                continue
            level = _LEVELS[match.group("lvl")]
            found.append((match.start(), match.end(), Figure("response", level, match.group(0))))
    return found


def _pending(sentence: str, launch: int) -> bool:
    """Whether 启动 at ``launch`` is a plan's rule or an intention (视情启动, 发生…时启动)."""
    head = sentence[max(0, launch - 8) : launch]
    head = head[max((m.end() for m in _SUBCLAUSE.finditer(head)), default=0) :]
    for word in claim_words().response_pending:
        if (len(word) > 1 and word in head) or head.endswith(word):
            return True
    # 发生重大事故时启动 is a rule; 18时启动 (a clock time) is an announcement.
    return head.endswith("时") and not re.search(r"[\d一二三四五六七八九十]时$", head)


# A text's figures with no mention id, whether it says "no casualties", and whether it has
# accident context (``text_figures``): what a text gives, before it is any mention's.
TextFigures = tuple[tuple[Figure, ...], bool, bool]


def extract_figures(
    text: str, mention_id: str = "", found: TextFigures | None = None
) -> tuple[list[Figure], bool, bool]:
    """Figures in ``text`` (``found``: ``text_figures(text)`` computed before, e.g. by an
    analysis worker's helper) as ``mention_id``'s; also whether it says "no casualties" and
    has accident context."""
    figures, no_casualties, context = found if found is not None else text_figures(text)
    if mention_id:
        figures = tuple(replace(figure, mention_id=mention_id) for figure in figures)
    return list(figures), no_casualties, context


# Every pattern's number holds a digit or a Chinese numeral (a response level too); a sentence
# without one has no figure, and most sentences have none. 无死亡 phrases are looked up apart.
_NUMERAL = re.compile(rf"[\d{_CN}ⅠⅡⅢⅣIV]")


@lru_cache(maxsize=8192)
def text_figures(text: str) -> TextFigures:
    """``extract_figures`` without a mention id, once per distinct text (a stream repeats
    itself, and an event reloaded from the archive re-reads its members' texts)."""
    lexicon = default_lexicon()
    words = claim_words()
    food, school = food_setting(text)
    equipment = equipment_of(text)
    refutes = any(word in text for word in words.refuting)
    context = any(word in text for word in lexicon.accident) or "直接经济损失" in text
    figures: list[Figure] = []
    for sentence in _clauses(text):
        if any(marker in sentence for marker in lexicon.statistics):
            continue
        claims = claim_spans(sentence, refutes)
        trapped = elsewhere_before(sentence)

        def skipped(start: int, end: int) -> bool:
            inside = any(s <= start and end <= e for s, e in claims)  # noqa: B023
            return inside or trapped(start) or denied(sentence, start)  # noqa: B023

        figures += _zero_deaths(sentence, skipped)
        if not _NUMERAL.search(sentence):
            continue
        for held, amount, phrase, at in stranding_figures(sentence, parse_number):
            if not skipped(at, at + len(phrase)):
                figures.append(Figure(held, amount, phrase))
        taken: list[tuple[int, int]] = []
        for start, end, figure in _response_figures(sentence, context or food):
            if not skipped(start, end):
                figures.append(figure)
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(sentence):
                start, end = match.span("n")
                if any(s < end and start < e for s, e in taken):
                    continue
                if skipped(match.start(), match.end()):
                    continue
                value = parse_number(match.group("n"))
                if value is None or value <= 0:
                    continue
                if kind == "loss":
                    unit = match.group("unit")
                    value *= {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4}.get(unit, 1.0)
                elif value != int(value) or value > 100_000:
                    continue  # 1.5 people or a population figure: not a casualty count
                taken.append((start, end))
                figures.append(Figure(kind, value, match.group(0).strip()))
    figures = [replace(f, food=food, school=school, equipment=equipment) for f in figures]
    no_casualties = any(phrase in text for phrase in lexicon.no_casualty)
    return tuple(figures), no_casualties, context


def _zero_deaths(sentence: str, skipped: Callable[[int, int], bool]) -> list[Figure]:
    """无死亡病例 / 均无生命危险 as a deaths figure of 0 (once per sentence)."""
    for phrase in claim_words().no_deaths:
        start = sentence.find(phrase)
        if start >= 0 and not skipped(start, start + len(phrase)):
            return [Figure("deaths", 0, phrase)]
    return []


def best_figures(figures: Iterable[Figure]) -> dict[str, Figure]:
    """The largest figure of each kind (a text that updates 2 → 5 deaths means 5); for a
    response, the highest level announced (Ⅰ above Ⅱ)."""
    best: dict[str, Figure] = {}
    for figure in figures:
        current = best.get(figure.kind)
        if current is None or outranks(figure, current):
            best[figure.kind] = figure
    return best


def outranks(figure: Figure, other: Figure) -> bool:
    """Whether ``figure`` says more than ``other`` of the same kind."""
    if figure.kind == "response":
        return figure.value < other.value
    return figure.value > other.value
