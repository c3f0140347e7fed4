"""Hearsay casualty figures judged against an event's authoritative figures (issue 16).

An accident's worst rumours are exaggerated tolls passed on by hearsay: "我表哥在厂里，他说当场
没了五十多个", "朋友圈都传疯了，死伤上百", "内部消息：至少死了四五十个". To the rumour model such
a post, fresh and without replies, reads like the witnesses around it (a personal account,
few followers, the accident's words), and an event that the fire brigade and the bureau
report as fact caps its posts as corroborated (``nlp.rumor.context``). A press office reads
it differently: the report confirms the accident, not the figure, and a figure claimed by no
authority, second hand, far above what the authorities count is the claim it must clarify.
The training data cannot teach this (CED's posts carry no event and no official toll), so it
is a stated rule:

- a **hearsay casualty claim** is a post that reports a death or casualty figure as heard
  (``HEARSAY``: 听说, 据说, 网传, 朋友圈都传, 内部消息, 我表哥…说; and the rule layer's
  ``RULE_HEARSAY``: 说个内幕, 网友爆料…, and ``HEARD_FROM``: 据现场摊贩说) and does not ask
  about it;
- the event's **reference** is the largest toll its authorities and news reports give so far
  (deaths with the missing, who may yet be counted dead; all casualties for 死伤/伤亡 claims),
  read with the claims they quote removed (网传“死亡五十余人”不属实 is not a figure of theirs);
- a claim at least ``EXCEEDS_FACTOR`` times the reference and ``EXCEEDS_MARGIN`` people above
  it is a false-claim candidate (at least ``EXCEEDS_MIN``); a claim with no reference yet is
  unverified (moved into ``UNVERIFIED_MIN``–``UNVERIFIED_MAX``, however the event is
  corroborated); a claim within the reference is left to the other rules;
- a death claim against a reference of **no deaths stated outright** (此次救援无人员死亡, not
  暂无人员死亡) is contradicted, whatever its size: no factor of zero can say "far above",
  and two dead where the authorities say nobody died is the claim a press office clarifies.

Only the authorities' figures decide: never a witness's or another post's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from archive.models import Mention
from nlp.rumor.stance import asks
from nlp.severity import extract_figures, parse_number

# Heard, not seen: reported speech of an unnamed or private source, or what "goes round".
_KIN = (
    r"(?:朋友|亲戚|家人|家里人|表哥|表姐|表弟|表妹|堂哥|堂姐|堂弟|堂妹|同学|同事|邻居|老乡|熟人"
    r"|哥们|闺蜜|舅舅|叔叔|阿姨|姐夫|姑父|老公|老婆|爸|妈|哥|姐)"
)
HEARSAY = re.compile(
    r"听说|听人说|据说|据传|传言|网传|网上(?:都)?(?:在)?传|都在传|传疯了|有人说|小道消息"
    r"|内部消息|内部人士|知情人(?:士)?(?:说|透露|称)"
    r"|(?:朋友圈|群里|业主群|家长群|工友群)(?:里)?(?:都)?(?:在)?(?:传|说)"
    rf"|(?:听|我|有个)[^。！？!?\n]{{0,12}}?{_KIN}[^。！？!?\n]{{0,24}}?说"
)
# Hearsay words the rules read besides ``HEARSAY`` (which the rumour model reads as a feature,
# ``nlp.rumor.form``, so it stays as trained): an insider's inside story and a netizen's
# disclosure passed on are heard, not seen (说个内幕：老板是…的小舅子; 据网友爆料…已造成2人死亡).
# Not 业内人士 (a reporter's 据业内人士介绍 is sourcing) nor 爆料 in 爆料电话/爆料热线 (a
# newsroom's tip line).
RULE_HEARSAY = (
    "说个内幕",
    "内幕消息",
    "知道内幕",
    "网友爆料",
    "据爆料",
    "有人爆料",
    "群友爆料",
    "内部人透露",
    "内部人说",
    "圈内人说",
    "圈内人透露",
    "消息人士",
    "有消息称",
)
# 据 + a private or unnamed person + 说 (据现场摊贩说, 据附近居民讲, 据一位知情人透露): reported
# speech with the source between, which ``HEARSAY``'s 据说 does not hold. Only people who speak
# for no one (a vendor, a neighbour, a driver, a relative): 据记者了解, 据警方通报, 据目击者称
# and 据工作人员介绍 are a report's sourcing, and none of them is in the list.
HEARD_FROM = re.compile(
    r"据(?:现场|当地|附近|在场|旁边|周边|隔壁)?(?:的)?(?:一位|一名|一个|几位|几个|有)?"
    r"(?:摊贩|商贩|小贩|摊主|店主|村民|居民|街坊|邻居|路人|网友|群友|工友|知情人(?:士)?"
    r"|内部人(?:士)?|家属|亲戚|朋友|同事|同学|司机|老乡|群众|围观(?:群众|的人)?|大爷|大妈"
    r"|阿姨|员工|工人|师傅)(?:们)?(?:说|讲|称|透露|爆料)"
)


def heard(text: str) -> str | None:
    """The words by which ``text`` passes something on as heard (``HEARSAY``, else
    ``RULE_HEARSAY`` or ``HEARD_FROM``), or None."""
    found = HEARSAY.search(text)
    if found is not None:
        return found.group(0)
    word = next((word for word in RULE_HEARSAY if word in text), None)
    if word is not None:
        return word
    found = HEARD_FROM.search(text)
    return found.group(0) if found is not None else None


# A colloquial count: 五十多, 四五十, 上百, 几十, 十几, 30余, and the forms parse_number reads.
_CN = "一二三四五六七八九两"
_COUNT = (
    # 十二 / 十五 as well as 十几 (a teen count has no leading digit: 十二 is 12, not 二).
    rf"(?:[上近过超](?:百|千)|[几数好]+[十百千]|十[几多来余]|十[{_CN}](?![十百千])"
    rf"|[{_CN}][{_CN}]?[十百千]?[{_CN}]?[多余来几]?|\d+[多余来]?)"
)
_HEDGE = r"(?:至少|起码|最少|少说|得有|足足|差不多|将近|估计|大概|怕是|已经|就|都|有|约|近)*"
_PERSON = r"(?:个人|个|人|名|位|口)"
_DIE = r"(?:死了|没了|走了|死亡|遇难|身亡|丧生|罹难)"
_HURT = r"(?:死伤|伤亡)"
_CLAIMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 当场就没了五十多个人 / 至少死了四五十个 / 死亡五十多人
    ("deaths", re.compile(rf"{_DIE}{_HEDGE}(?P<n>{_COUNT}){_PERSON}")),
    # 五十多人遇难 / 三十多个人死了
    ("deaths", re.compile(rf"(?P<n>{_COUNT}){_PERSON}[^，,。！？\s]{{0,3}}?{_DIE}")),
    # 死伤上百 / 伤亡几十人 / 上百人死伤
    ("casualties", re.compile(rf"{_HURT}{_HEDGE}(?P<n>{_COUNT}){_PERSON}?")),
    ("casualties", re.compile(rf"(?P<n>{_COUNT}){_PERSON}?{_HURT}")),
)
_VAGUE = {"几十": 20, "数十": 20, "好几十": 30, "几百": 200, "数百": 200, "好几百": 300}

# The rule's numbers, judgement stated here: an official toll may still rise several-fold
# over the first day (linchuan's went 2 → 11 in ten hours), so a claim is called exaggerated
# only at twice the reference, missing people included, and five people more.
EXCEEDS_FACTOR = 2.0
EXCEEDS_MARGIN = 5.0
# A false-claim candidate scores at least this: above the dashboard's 0.5 and the default
# rumour rule's 0.7, so the claim is listed and can be clarified.
EXCEEDS_MIN = 0.75
# An unverified hearsay toll: worth watching, not yet a false claim (below 0.5).
UNVERIFIED_MIN = 0.4
UNVERIFIED_MAX = 0.49


def parse_count(text: str) -> float | None:
    """The smallest number a colloquial count means: 五十多 → 50, 四五十 → 40, 上百 → 100,
    近百 → 80, 几十 → 20, 十几 → 11, 30余 → 30."""
    text = text.strip()
    if text in _VAGUE or text.lstrip("好") in _VAGUE:
        return float(_VAGUE.get(text, _VAGUE.get(text.lstrip("好"), 0)))
    if text[0] in "上过超近":
        base = parse_number(text[1:])
        return None if base is None else base * (0.8 if text[0] == "近" else 1.0)
    if text.startswith("十") and text[1:2] in ("几", "多", "来", "余"):
        return 11.0
    text = text.rstrip("多余来几")
    if len(text) >= 2 and text[0] in _CN and text[1] in _CN:  # 四五十: the lower of the two
        text = text[0] + text[2:]
    return parse_number(text) if text else None


@dataclass(frozen=True)
class HearsayClaim:
    kind: str  # "deaths" or "casualties" (deaths and injuries together)
    value: float
    phrase: str  # the figure's words
    source: str  # the hearsay words


@lru_cache(maxsize=8192)
def hearsay_claim(text: str) -> HearsayClaim | None:
    """The largest casualty figure a text reports as heard, or None (no hearsay word, no
    figure, or the text asks whether it is true)."""
    source = heard(text)
    if source is None or asks(text):
        return None
    best: HearsayClaim | None = None
    for kind, pattern in _CLAIMS:
        for match in pattern.finditer(text):
            value = parse_count(match.group("n"))
            if value is None or value <= 0 or value != int(value) or value > 100_000:
                continue
            if best is None or value > best.value:
                best = HearsayClaim(kind, value, match.group(0), source)
    return best


_QUOTED = re.compile(r"[“\"「『][^”\"」』]{0,80}[”\"」』]")
# Figures that make no toll: a loss, and the people held by special equipment (they are safe,
# or counted again as the hurt); a report with only these gives no reference.
_NOT_TOLLS = ("loss", "stranded", "stranded_hours")
# Words that make a report's "no one died" provisional (暂无人员死亡, 目前未发现死亡): a count
# that may still rise, not one that contradicts a death claim.
PROVISIONAL = ("暂", "目前", "尚", "暂时", "初步", "截至目前")


@lru_cache(maxsize=4096)
def report_tolls(text: str) -> tuple[float, float] | None:
    """(deaths + missing, all casualties) a report gives, the claims it quotes removed;
    None when it gives no casualty figure and does not say there were none."""
    figures, none_hurt, _ = extract_figures(_QUOTED.sub(" ", text))
    best: dict[str, float] = {}
    for figure in figures:
        if figure.kind not in _NOT_TOLLS:
            best[figure.kind] = max(best.get(figure.kind, 0.0), figure.value)
    if not best and not none_hurt:
        return None
    deaths = best.get("deaths", 0.0) + best.get("missing", 0.0)
    hurt = best.get("serious_injuries", 0.0) + best.get("injuries", 0.0)
    return deaths, deaths + hurt


@lru_cache(maxsize=4096)
def rules_out_deaths(text: str) -> bool:
    """Whether a report states outright that nobody died (此次救援无人员死亡; its deaths figure
    of 0, ``nlp.severity_figures``), not provisionally (暂无人员死亡) and with no death or
    missing person counted, the claims it quotes removed."""
    stripped = _QUOTED.sub(" ", text)
    figures, _, _ = extract_figures(stripped)
    if any(f.kind in ("deaths", "missing") and f.value > 0 for f in figures):
        return False
    zeros = [f.phrase for f in figures if f.kind == "deaths" and f.value == 0]
    for phrase in zeros:
        start = stripped.find(phrase)
        if start >= 0 and not any(w in stripped[max(0, start - 6) : start] for w in PROVISIONAL):
            return True
    return False


@dataclass(frozen=True)
class Reference:
    """An event's authoritative toll so far: the largest each of its reports gave."""

    deaths: float  # deaths and missing
    casualties: float  # deaths, missing and injuries
    deaths_by: Mention
    casualties_by: Mention
    none_dead: bool = False  # a report stated outright that nobody died (``rules_out_deaths``)

    def of(self, kind: str) -> tuple[float, Mention]:
        if kind == "deaths":
            return self.deaths, self.deaths_by
        return self.casualties, self.casualties_by


def _earlier(a: Mention, b: Mention) -> bool:
    return (a.published_at, a.id) < (b.published_at, b.id)


def with_report(found: Reference | None, report: Mention) -> Reference | None:
    """``found`` with one more report taken in: the larger toll of each kind, the earliest
    report giving it (so the reference is the same whatever order the reports come in); a
    report that rules out deaths (``rules_out_deaths``) gives the zero, while no report counts
    a death."""
    text = f"{report.title}\n{report.text}"
    tolls = report_tolls(text)
    if tolls is None:
        return found
    deaths, casualties = tolls
    none_dead = deaths == 0 and rules_out_deaths(text)
    if found is None:
        return Reference(deaths, casualties, report, report, none_dead)
    if deaths > found.deaths or (deaths == found.deaths and _earlier(report, found.deaths_by)):
        found = replace(found, deaths=deaths, deaths_by=report)
    if casualties > found.casualties or (
        casualties == found.casualties and _earlier(report, found.casualties_by)
    ):
        found = replace(found, casualties=casualties, casualties_by=report)
    if found.deaths > 0:
        return replace(found, none_dead=False)
    if none_dead and not found.none_dead:
        return replace(found, none_dead=True, deaths_by=report)
    return found


def reference_of(reports: Iterable[Mention]) -> Reference | None:
    """The reference toll from an event's authoritative reports (the caller says which
    members are authorities: ``nlp.rumor.context``), None when none gives a figure."""
    found: Reference | None = None
    for report in reports:
        found = with_report(found, report)
    return found


def exceeds(claim: HearsayClaim, reference: Reference) -> bool:
    counted, _ = reference.of(claim.kind)
    return claim.value >= EXCEEDS_FACTOR * counted and claim.value - counted >= EXCEEDS_MARGIN


def contradicts_none_dead(claim: HearsayClaim, reference: Reference) -> bool:
    """A death toll heard where the authorities state outright that nobody died."""
    return claim.kind == "deaths" and reference.none_dead and claim.value >= 1
