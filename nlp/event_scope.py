"""What keeps two stories of one kind apart: the city they happen in and the decision they are.

Word overlap and a live event's core word (``nlp.event_store``) tie a post to the story it
resembles. Two kinds of resemblance are not one story:

- **another city's news**: a local paper reports another city's school poisoning the day before
  the local kindergarten's (梧川市一小学…食物中毒 beside 望江区一幼儿园…呕吐送医). The two share
  the topic's words and nothing that makes them one happening; joined, the local event starts a
  day early and every deadline counted from its start is wrong. A mention's **cities** are the
  prefecture-level cities and provinces its text names (the gazetteer's, ``nlp.entities``, and a
  name the tagger takes for a place before 市: 梧川市, 南屿 / 市); a mention naming none is
  presumed local — the press office watches its own area, and local posts do not name their own
  city ("望江区滨江路晨曦幼儿园"). Which cities are local, the **home**, comes from the configured
  regions of the sources (``sources[].region``: 江州, 临川): a city named there, or any home name
  in a text, is local. Without a configured region nothing is presumed: only two mentions naming
  different cities are apart.
- **another decision**: penalty decisions share the whole of their form (行政处罚决定书, 当事人,
  违法事实, 处罚依据…) whatever they decide. Two decisions with different document numbers
  (江市监处罚〔2026〕247号, 云市监处罚〔2026〕71号) and different parties (当事人) are one story
  only when what they decide is alike: a campaign's decisions (侵犯注册商标专用权 in each) are one
  story, a fuel station's cheating chips and a bakery's expired cream are two. Their likeness
  is measured without the form's words (``without_form``).

Both are kept as link keys of the members (``CITY``, ``DECISION``; ``EventState.link_counts``),
so an event rebuilt from its members is apart from the same mentions. Only the links that rest
on words (similarity, a live event's core word, a place) are refused across them: a repost
chain, a #topic# or a firm's name the event carries still ties (a local shop's supplier in
another city is the local story's).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba.posseg as posseg

from nlp.entities_regions import regions_in, short_name

CITY, DECISION = "city", "decision"
# The CITY value of a member whose text names no city: presumed local.
UNNAMED = ""
# How a presumed-local or home city is compared (never a place's name).
_LOCAL = "\x00local"
# A place name the tagger knows (梧川, 江州: ns) right before 市 names a city; its own word
# (梧川市) or two words (南屿 / 市). Words before 市 that make another word with it (超市, 城市,
# 门市, 股市…) are not tagged as places, so the tag is the test; the text must hold the name and
# 市 together (送医院，市第二人民医院 is not a city 医院).
_PLACE_TAG = "ns"
_CITY_WORD = re.compile(r"^([\u4e00-\u9fff]{2,3})市$")
_NAME_WORD = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
# A source's region: 江州, 江州市, 江州市云溪区 → 江州 (and 云溪).
_REGION_PARTS = re.compile(r"[\u4e00-\u9fff]{2,}?(?:特别行政区|自治区|自治州|省|市|区|县|$)")
_REGION_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|省|市|区|县)$")
# A penalty decision's own number (江市监处罚〔2026〕247号: a 罚 in the issuer's code; kept as
# year and number, whatever words run into the code before it) and its party (当事人：江州市
# 云溪区麦香坊烘焙店). Numbers of other documents a decision cites (通知) are not its identity.
_PENALTY_NUMBER = re.compile(r"罚[\u4e00-\u9fff]{0,4}[〔\[［(（](\d{4})[〕\]］)）](\d+)号")
_PARTY = re.compile(r"(?:当事人|被处罚人)(?:名称|姓名)?[：:]\s*([^\s，,。；;、（(]{2,40})")


@lru_cache(maxsize=4096)
def _is_place(word: str) -> bool:
    tagged = posseg.lcut(word)
    return len(tagged) == 1 and tagged[0].flag == _PLACE_TAG


def named_cities(text: str, words: Sequence[str]) -> tuple[str, ...]:
    """The short names of the cities and provinces a text names (a city's province too, when
    the gazetteer knows it), each once, in order."""
    found: list[str] = []
    for region in regions_in(words):
        found.append(short_name(region.name))
        if region.province and region.province != region.name:
            found.append(short_name(region.province))
    for i, word in enumerate(words):
        if (match := _CITY_WORD.match(word)) and _is_place(match.group(1)):
            found.append(match.group(1))
        elif (
            i + 1 < len(words)
            and words[i + 1] == "市"
            and _NAME_WORD.match(word)
            and word + "市" in text
            and _is_place(word)
        ):
            found.append(word)
    return tuple(dict.fromkeys(found))


def region_names(region: str) -> tuple[str, ...]:
    """A configured region's names without their kind: 江州市云溪区 → 江州, 云溪."""
    parts = (_REGION_SUFFIX.sub("", part) for part in _REGION_PARTS.findall(region or ""))
    return tuple(dict.fromkeys(part for part in parts if len(part) >= 2))


def decision_keys(text: str) -> tuple[str, ...]:
    """A penalty decision's numbers and parties ("no:…", "party:…"), each once."""
    numbers = [f"no:{m.group(1)}-{m.group(2)}" for m in _PENALTY_NUMBER.finditer(text or "")]
    parties = [f"party:{m.group(1)}" for m in _PARTY.finditer(text or "")]
    return tuple(dict.fromkeys([*numbers, *parties]))


def scope_links(text: str, words: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """A member's CITY keys (UNNAMED when it names none) and DECISION keys."""
    cities = named_cities(text, words) or (UNNAMED,)
    return (*((CITY, c) for c in cities), *((DECISION, k) for k in decision_keys(text)))


@dataclass
class Home:
    """The local names, learned from the configured regions of the sources seen."""

    names: set[str] = field(default_factory=set)

    def learn(self, region: str) -> None:
        if region:
            self.names.update(region_names(region))

    def places(self, cities: Iterable[str], text: str = "") -> set[str]:
        """Where a mention is: its named cities, a home city or none standing for the local
        area; a text naming a home name anywhere (江州发布, 江州市场监管) is local too."""
        named = set(cities) - {UNNAMED}
        local = not named or bool(named & self.names)
        local = local or any(name in text for name in self.names)
        return (named - self.names) | ({_LOCAL} if local else set())

    def apart(self, one: set[str], other: set[str]) -> bool:
        """Whether two sets of places (``places``) share no place. Without a home the local
        area is unknown: presumed-local places are apart from nothing."""
        if not one or not other:
            return False
        if not self.names and (_LOCAL in one or _LOCAL in other):
            return False
        return not one & other


def event_cities(link_counts: Mapping[tuple[str, str], int]) -> list[str]:
    """The CITY values an event's members carry."""
    return [value for (kind, value) in link_counts if kind == CITY]


def event_decisions(link_counts: Mapping[tuple[str, str], int]) -> set[str]:
    return {value for (kind, value) in link_counts if kind == DECISION}


# The words of the penalty decision's form (the national template's headings and stock phrases):
# present in every decision whatever it decides, so they are no evidence of one story.
DECISION_FORM = frozenset(
    """当事人 统一社会信用代码 统一 社会 信用 代码 法定代表人 代表人 经营者 住所 经营场所 场所
    违法事实 事实 处罚 依据 结果 处罚依据 处罚结果 上述 现场 检查 笔录 询问 证据 证明 违反 规定
    决定 作出 行政处罚 行政 如下 没收 违法所得 违法 所得 罚款 人民币 元 本局 我局 执法人员 执法
    人员 发现 经查 货值 金额 违法经营额 经营额 行为 中华人民共和国 复议 诉讼 申请 日内 逾期
    缴纳 加处 市场监督管理局 决定书 处罚决定书 生产 经营 销售 共计 价格 库存 予以 责令 改正
    停止 法律 情形 万元""".split()  # noqa: SIM905 - the template's words read best as text
)
_NUMBER = re.compile(r"^[\d.%]+$")


def without_form(vector: Mapping[str, float], home: Iterable[str] = ()) -> dict[str, float]:
    """A word vector without the decision form's words, bare numbers and the ``home`` names
    (江州, 江州市: every local decision names its city, in its title, party and issuer)."""
    names = set(home)
    return {
        w: v
        for w, v in vector.items()
        if w not in DECISION_FORM
        and not _NUMBER.match(w)
        and w not in names
        and _REGION_SUFFIX.sub("", w) not in names
    }


def other_decision(mine: Iterable[str], theirs: set[str]) -> bool:
    """Two decisions: both carry numbers or parties, and share none."""
    own = set(mine)
    return bool(own) and bool(theirs) and not own & theirs
