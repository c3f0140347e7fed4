"""Casualties and losses in Chinese text, and the official accident grade they imply.

The four grades and their thresholds are those of the State Council's regulation on reporting
and investigating production-safety accidents (《生产安全事故报告和调查处理条例》, 国务院令
第493号, art. 3), which the special-equipment rules (《特种设备安全监察条例》 art. 61–64) follow:

======== ============ ======================= =====================
grade     deaths ≥     serious injuries ≥      direct loss ≥ (yuan)
======== ============ ======================= =====================
特别重大  30           100                     1 亿 (100,000,000)
重大      10           50                      5000 万
较大      3            10                      1000 万
一般      otherwise, when casualties or a loss are reported in an accident context
======== ============ ======================= =====================

Only serious injuries (重伤) count toward the grade, as in the regulation; plain 受伤 figures
are extracted and shown but do not raise the grade. Figures in clauses that report totals over
a period (全年共发生…, 同比…) are skipped, and so are figures that follow a word of another time
or country in their sentence (历史上, 去年, 美国, a bare year: ``[elsewhere]`` in
resources/severity.txt) until a word of the present (今天, 此次) returns to the event. Every
figure is returned with the phrase it came from and the mention it is in, because the press
office must say which figures it used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from archive.models import Reason
from nlp.lexicon import default_lexicon

# (grade, deaths, serious injuries, direct economic loss in yuan): 国务院令第493号 art. 3.
THRESHOLDS = (
    ("特别重大", 30, 100, 100_000_000),
    ("重大", 10, 50, 50_000_000),
    ("较大", 3, 10, 10_000_000),
)
KINDS = ("deaths", "serious_injuries", "injuries", "missing", "loss")
KIND_LABEL = {
    "deaths": "死亡",
    "serious_injuries": "重伤",
    "injuries": "受伤",
    "missing": "失踪",
    "loss": "直接经济损失",
}

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
_PERSON = r"(?:名|人|位|个)"
_DIE = r"(?:死亡|遇难|罹难|身亡|丧生|殒命|丧命|不幸遇难|不幸身亡|当场死亡|抢救无效死亡)"
_SERIOUS = r"(?:重伤|受重伤|严重受伤|伤势严重|危重)"
_HURT = r"(?:受伤|轻伤|伤|负伤)"
_MISS = r"(?:失踪|失联)"

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
    # 直接经济损失约1200万元 / 经济损失1.2亿元 / 财产损失达3000余万元
    (
        "loss",
        re.compile(
            rf"(?:直接)?(?:经济|财产)损失{_APPROX}(?:初步)?(?:估算|估计|统计)?{_APPROX}"
            rf"(?P<n>{NUM}){_MORE}(?P<unit>亿元|万元|元|亿|万)"
        ),
    ),
)


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
    value: float  # people, or yuan for "loss"
    phrase: str
    mention_id: str = ""

    def reason(self, note: str = "") -> Reason:
        unit = "元" if self.kind == "loss" else "人"
        value = f"{self.value:,.0f}" if self.kind == "loss" else f"{self.value:g}"
        text = f"{KIND_LABEL[self.kind]} {value}{unit}（“{self.phrase}”）{note}"
        return Reason(
            kind="figure", text=text, weight=self.value, mention_id=self.mention_id or None
        )


@dataclass
class SeverityResult:
    grade: str | None
    figures: list[Figure]
    reasons: list[Reason]
    no_casualties: bool = False
    accident_context: bool = False


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"[。！？!?；;\n]+", text) if c.strip()]


# A bare year ("2015年天津港爆炸…") refers to a past accident; a full date ("2026年11月16日")
# usually opens the report of this one, so a year followed by a month is not a marker.
_BARE_YEAR = re.compile(r"(?:19|20)\d{2}年(?!\s*\d{1,2}\s*月|[一二三四五六七八九十]{1,2}月)")


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


def extract_figures(text: str, mention_id: str = "") -> tuple[list[Figure], bool, bool]:
    """Figures in ``text``; also whether it says "no casualties" and has accident context."""
    figures, no_casualties, context = _text_figures(text)
    if mention_id:
        figures = tuple(replace(figure, mention_id=mention_id) for figure in figures)
    return list(figures), no_casualties, context


# Every pattern's number holds a digit or a Chinese numeral: a sentence without one has no
# figure, and most sentences have none.
_NUMERAL = re.compile(rf"[\d{_CN}]")


@lru_cache(maxsize=8192)
def _text_figures(text: str) -> tuple[tuple[Figure, ...], bool, bool]:
    """``extract_figures`` without a mention id, once per distinct text (a stream repeats
    itself, and an event reloaded from the archive re-reads its members' texts)."""
    lexicon = default_lexicon()
    figures: list[Figure] = []
    seen: set[tuple[str, int, int]] = set()
    for sentence in _clauses(text):
        if not _NUMERAL.search(sentence):
            continue
        if any(marker in sentence for marker in lexicon.statistics):
            continue
        trapped = elsewhere_before(sentence)
        taken: list[tuple[int, int]] = []
        for kind, pattern in _PATTERNS:
            for match in pattern.finditer(sentence):
                start, end = match.span("n")
                if any(s < end and start < e for s, e in taken):
                    continue
                if trapped(match.start()):
                    continue
                value = parse_number(match.group("n"))
                if value is None or value <= 0:
                    continue
                if kind == "loss":
                    unit = match.group("unit")
                    value *= {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4}.get(unit, 1.0)
                elif value != int(value) or value > 100_000:
                    continue  # 1.5 people or a population figure: not a casualty count
                key = (sentence, start, end)
                if key in seen:
                    continue
                seen.add(key)
                taken.append((start, end))
                figures.append(Figure(kind, value, match.group(0).strip()))
    no_casualties = any(phrase in text for phrase in lexicon.no_casualty)
    context = any(word in text for word in lexicon.accident) or "直接经济损失" in text
    return tuple(figures), no_casualties, context


def best_figures(figures: Iterable[Figure]) -> dict[str, Figure]:
    """The largest figure of each kind (a text that updates 2 → 5 deaths means 5)."""
    best: dict[str, Figure] = {}
    for figure in figures:
        current = best.get(figure.kind)
        if current is None or figure.value > current.value:
            best[figure.kind] = figure
    return best


def grade_of(best: dict[str, Figure], accident_context: bool) -> tuple[str | None, list[Figure]]:
    """The grade and the figures that decided it."""

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
    casualties = [
        best[kind] for kind in ("deaths", "serious_injuries", "injuries", "loss") if kind in best
    ]
    if casualties and (accident_context or "deaths" in best or "serious_injuries" in best):
        return "一般", casualties
    return None, []


def grade_text(text: str, mention_id: str = "") -> SeverityResult:
    figures, no_casualties, context = extract_figures(text, mention_id)
    best = best_figures(figures)
    grade, used = grade_of(best, context)
    reasons = [figure.reason() for figure in used]
    reasons += [f.reason("（未计入分级）") for f in best.values() if f not in used]
    if no_casualties and not figures:
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


def grade_event(members: Iterable[SourcedFigures]) -> tuple[str | None, list[Reason]]:
    """Grade an event from its mentions' figures.

    Per kind of figure: when an official source (an official notice, an official account)
    gave one, the latest official figure wins (authorities revise counts up and down);
    otherwise the largest credible figure (rumour-flagged posts and comments are not credible).
    """
    chosen: dict[str, tuple[Figure, str]] = {}
    context = False
    ordered = sorted(members, key=lambda m: (m.published_at, m.mention_id))
    for kind in KINDS:
        official = [m for m in ordered if m.official and m.credible and kind in m.best]
        if official:
            chosen[kind] = (official[-1].best[kind], "（最新官方数字）")
            continue
        candidates = [m.best[kind] for m in ordered if m.credible and kind in m.best]
        if candidates:
            top = max(candidates, key=lambda f: f.value)  # max keeps the earliest among ties
            chosen[kind] = (top, "（各来源最大值）")
    for member in ordered:
        context = context or (member.credible and member.accident_context)
    best = {kind: figure for kind, (figure, _) in chosen.items()}
    grade, used = grade_of(best, context)
    notes = {kind: note for kind, (_, note) in chosen.items()}
    basis = [figure.reason(notes[figure.kind]) for figure in used]
    return grade, basis
