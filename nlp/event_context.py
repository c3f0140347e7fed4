"""A post judged in the context of a running event: the public's words about a named incident.

The relevance scorer reads a post alone, and a parent's "晨曦幼儿园门口全是家长", a death claim
("听说晨曦幼儿园已经死了两个孩子了"), even a city's 【辟谣】 naming the kindergarten carry no
regulator vocabulary: judged alone they are chatter, so a food poisoning's event held only
the media's and officials' items, the death claim joined no event (no rumour alert), and a
ride's witnesses ("欢乐谷的大摆锤卡在半空了") never reached it (scenarios/wangjiang_canteen.jsonl,
miss 2 of docs/scenarios.md). A press officer reads them by the incident they name.

What an event is about, beside its words, is carried as link keys of its members relevant by
their own words (``context_links``; counted per event like the other links of
``nlp.event_links``, so a rebuilt event has the same ones):

- **subjects** (``SUBJECT``): the institutions the reports name — a name before 幼儿园, 小学,
  医院, 商场, 酒店, 游乐园, 景区… (晨曦幼儿园, 欢乐谷游乐园), and the name alone when it has three
  characters or more and is no place (欢乐谷: witnesses drop the kind). Never the kind alone
  (幼儿园, 商场), a number or pointer before it (一所小学, 该商场), nor a kind of institution
  (人民医院, 实验小学: every city has one) unless a name comes before it;
- **rare words** (``RARE``): a member's words that are rare in general Chinese (jieba's IDF
  table: ``RARE_IDF``), its strongest ones first, places and regions left out (a district's or a
  city's name says where, not what: 望江 is in every story of the district).

A post that names a subject two such members carry, or two rare words each two such members
carry, joins the event (``context_match``) while one of the event's members relevant by
their own words is within ``CONTEXT_RECENT`` of it (a kindergarten named a week later is
another context), unless it names a city or district none of them names (another city's
story told in the same words: ``AREA``), or it is an advert (an enrolment or a sales post
naming a kindergarten or a brand is the advertiser's context, not the incident's). The
analysis gives the reason (``关联事件：事件主体“晨曦幼儿园”（事件 …）``, kind ``context``).
Posts published before the reports that found the event are kept by ``nlp.event_recheck``
and judged again when a member makes a subject or a rare word one two members carry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from archive.models import Mention
from nlp.analysis_state import TextParts
from nlp.entities_regions import gazetteer
from nlp.event_links import DISTRICT, PLACE, place_names
from nlp.event_store import EventStore
from nlp.events import EventState
from nlp.lexicon import default_lexicon
from nlp.vectors import Vector, cosine, idf, top_terms

# Link kinds (nlp.event_links' keys): an institution the event is about; a rare word of it;
# a city, county or district its members name (梧川 for 梧川市, 望江 for 望江区).
SUBJECT, RARE, AREA = "subject", "rare", "area"
# The reason's kind, and the starts of its text (after nlp.analyzer.LINK_REASON).
CONTEXT_KIND = "context"
SUBJECT_WHY, RARE_WHY = "事件主体", "事件特有词"
# Members relevant by their own words that must carry a subject or a rare word: one report
# may name a place in passing; two tell what the story is about (as for names and places).
CARRIERS = 2
# A post joins on one subject, or on this many rare words of one event.
RARE_NEEDED = 2
# A member relevant by its own words within this of the post: the public's talk of a named
# incident lasts its first day or two (the kindergarten's parents posted over 36 hours); a
# post naming the kindergarten later is in another context. Judgement, not fitted.
CONTEXT_RECENT = timedelta(hours=24)
# Rare in general Chinese: jieba's IDF ≥ 10 is a document frequency below about 1 in 22,000
# of its corpus (84 % of its table's words, but few of any text's tokens: 晨曦 10.2, 欢乐谷
# 10.5, 停机 10.1, 沙门氏菌 11.4 against 幼儿园 8.6, 江州 8.7, 游客 7.4, 设备 5.8).
RARE_IDF = 10.0
# The strongest rare words kept per member: a long report has dozens; its strongest say it.
RARE_PER_MEMBER = 24

# Kinds of institution as jieba cuts them, the longest first.
INSTITUTIONS = tuple(sorted(
    ("幼儿园", "托儿所", "学校", "小学", "中学", "大学", "学院", "医院", "卫生院", "养老院",
     "敬老院", "商场", "商厦", "购物中心", "酒店", "大酒店", "宾馆", "饭店", "大饭店", "餐厅",
     "酒楼", "游乐园", "乐园", "游乐场", "景区", "公园", "动物园", "水上乐园", "体育馆", "影院",
     "电影院", "超市", "菜市场", "农贸市场", "工厂", "食堂"),
    key=len, reverse=True,
))  # fmt: skip
# Words before a kind that name a kind of institution, not one (人民医院, 实验小学), or point
# at one without naming it (该商场, 这家酒店, 一所小学): a name must come before them.
GENERIC = frozenset(
    {"人民", "中心", "实验", "附属", "中医", "中西医", "妇幼", "儿童", "市立", "区立", "县立",
     "国际", "双语", "艺术", "民办", "公办", "私立", "公立", "第一", "第二", "第三", "第四",
     "第五", "第六", "第七", "第八", "第九", "第十", "机关", "职业", "技术", "师范", "附近",
     "周边", "当地", "本地", "一所", "一家", "这家", "那家", "该园", "涉事", "多家", "多所",
     "各家", "各所", "这所", "那所", "一些", "部分", "某某", "大型", "小型", "一座", "一个",
     "这个", "那个", "我们", "你们", "他们", "咱们", "孩子", "我家", "家里", "楼下", "隔壁",
     "对面", "旁边", "城区", "市区", "全市", "全区", "全省", "本市", "我市", "我区", "我省",
     "社区", "小区", "街道", "乡镇", "农村", "学生", "幼儿", "儿科", "卫生", "医疗", "食品",
     "餐饮", "学校", "高校", "中小学"}
)  # fmt: skip
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
_LATIN = re.compile(r"^(?=.*[a-z])[a-z0-9]{2,12}$")
# Words after a name that make it a region (望江 区, 江州 市) or a road (人民 路).
_REGION_AFTER = frozenset({"省", "市", "区", "县", "新区", "镇", "乡", "路", "街", "大道"})
_REGION_ENDS = ("省", "市", "区", "县", "镇", "乡", "路", "街", "大道")
# An advert or an enrolment post names a kindergarten, a mall or a brand in the advertiser's
# context: it is never pulled into an incident by a name.
ADVERT = re.compile(
    r"招生|报名|插班|预约参观|欢迎预约|欢迎咨询|好物推荐|下单|领券|优惠券|半价|包邮|秒杀|"
    r"限时|促销|特价|团购|抢购|加微信|私信咨询|【广告】|广告|开业大吉|火热招募"
)


# A name before a kind is a rare word (晨曦 10.2, 欢乐谷 10.5, 小天鹅 9.5, 育才 9.3 in jieba's
# IDF table), not a verb or a pointer that happens to stand there (接到幼儿园 6.7, 开展 6.0,
# 好几个商场 8.0, 督促 8.5 in scenarios/wangjiang_canteen.jsonl's reports). Judgement: 阳光
# (6.6) or 城北 (8.4) kindergartens are missed, as places and names two members carry may
# still tie their posts (nlp.event_store).
NAME_IDF = 8.5
_COUNTED = re.compile(r"[0-9一二三四五六七八九十百千几多两数]+[个名家所座位]|该|这|那|每")


def _name_word(word: str) -> bool:
    """A word that can be an institution's own name."""
    return (
        bool(_HAN.match(word))
        and word not in GENERIC
        and not word.endswith(_REGION_ENDS)
        and not word.endswith(INSTITUTIONS)
        and not _COUNTED.search(word)
        and idf(word) >= NAME_IDF
        and word not in _domain_words()
        and word not in _common_rare()
    )


# jieba glues a region's last character to the name after it (临江区青禾 → 临江 + 区青禾).
_REGION_HEAD = re.compile(r"^[省市区县镇乡](?=[\u4e00-\u9fff]{2})")


def institution_names(words: Sequence[str]) -> tuple[str, ...]:
    """The institutions a text's words name (晨曦幼儿园, 欢乐谷游乐园, 希尔顿酒店), and a name
    of three characters or more alone when it is no region (欢乐谷), each once."""
    found: list[str] = []
    words = [_REGION_HEAD.sub("", word) for word in words]
    for i, word in enumerate(words):
        if word in INSTITUTIONS:
            kind, name = word, (words[i - 1] if i else "")
        else:  # one word: 希尔顿酒店
            kind = next((k for k in INSTITUTIONS if word.endswith(k)), "")
            name = word[: -len(kind)] if kind else ""
        after = words[i + 1] if i + 1 < len(words) else ""
        if not kind or not _name_word(name) or after in _REGION_AFTER:
            continue
        found.append(name + kind)
        if len(name) >= 3 and name not in gazetteer():
            found.append(name)
    return tuple(dict.fromkeys(found))


def _region_words(words: Sequence[str]) -> set[str]:
    """The words of a text that name a region or a place (望江 before 区, 江州 before 市)."""
    regions = {name for _, name in place_names(words)}
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word.endswith(_REGION_ENDS) or word in gazetteer() or after in _REGION_AFTER:
            regions.add(word)
    return regions


# Bodies that act in many stories (卫健委, 教育局, 消防支队): jieba's table, older than some of
# their names, holds them as rare.
_BODY_ENDS = ("局", "委", "厅", "办", "署", "部门", "支队", "大队", "中队", "派出所", "法院",
              "检察院", "政府", "委员会")  # fmt: skip
_DICTIONARY = Path(__file__).parents[1] / "core" / "text" / "resources" / "domain_dict.txt"


@lru_cache(maxsize=1)
def _domain_words() -> frozenset[str]:
    """The field's own vocabulary (the topic lexicon's terms, the domain dictionary's words):
    rare in general Chinese (市场监管局, 供餐 are not in jieba's table), common in every story
    of the field, so they say the field, not the story."""
    lines = _DICTIONARY.read_text(encoding="utf-8").splitlines()
    listed = {line.split()[0] for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(default_lexicon().topic_terms()) | listed


# The field's common words jieba's table holds as rare (written from the food-safety news
# reports by nlp.training.common_rare).
COMMON_RARE = Path(__file__).parent / "resources" / "common_rare.txt"


@lru_cache(maxsize=1)
def _common_rare() -> frozenset[str]:
    if not COMMON_RARE.exists():
        return frozenset()
    lines = COMMON_RARE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.split()[0] for line in lines if line.strip() and line[0] != "#")


_AREA_AFTER = ("省", "市", "区", "县", "新区")
_AREA_END = re.compile(r"^([\u4e00-\u9fff]{2,4}?)(?:新区|省|市|区|县)$")


def area_names(words: Sequence[str]) -> tuple[str, ...]:
    """The cities, counties and districts a text names, without their kind (梧川市 → 梧川)."""
    found = []
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if after in _AREA_AFTER and _HAN.match(word) and word not in GENERIC:
            found.append(word)
        elif (match := _AREA_END.match(word)) and word not in GENERIC:
            found.append(match.group(1))
    return tuple(dict.fromkeys(found))


def rare_word(word: str, common: bool = True) -> bool:
    """A word rare in general Chinese that can say what a story is about: not the field's
    vocabulary (``common``: nor its common words of COMMON_RARE), nor a body that acts in
    many stories."""
    return (
        bool(_HAN.match(word) or _LATIN.match(word))
        and idf(word) >= RARE_IDF
        and not word.endswith(_BODY_ENDS)
        and word not in _domain_words()
        and not (common and word in _common_rare())
    )


def rare_words(vector: Vector, words: Sequence[str]) -> tuple[str, ...]:
    """A text's rare words, its strongest first (RARE_PER_MEMBER), no region or place."""
    regions = _region_words(words)
    ranked = (_REGION_HEAD.sub("", w) for w in top_terms(vector, len(vector)))
    rare = [w for w in ranked if w not in regions and w not in INSTITUTIONS and rare_word(w)]
    return tuple(dict.fromkeys(rare[:RARE_PER_MEMBER]))


def context_links(
    words: Sequence[str], vector: Vector, relevant: bool
) -> tuple[tuple[str, str], ...]:
    """The subject and rare-word keys a member adds to its event: none unless it is relevant by
    its own words (a post joined by a link says nothing new about what the event is)."""
    if not relevant:
        return ()
    keys = [(SUBJECT, name) for name in institution_names(words)]
    keys += [(RARE, word) for word in rare_words(vector, words)]
    keys += [(AREA, name) for name in area_names(words)]
    return tuple(dict.fromkeys(keys))


def is_context(why: str) -> bool:
    """Whether a link's description (after ``关联事件：``) is this module's."""
    return why.startswith((SUBJECT_WHY, RARE_WHY))


@dataclass(frozen=True)
class ContextProbe:
    """What a post offers to be judged in an event's context."""

    words: tuple[str, ...]
    vector: Vector
    text: str
    at: datetime


def context_probe(mention: Mention, text: TextParts) -> ContextProbe:
    words = text.document.title_words + text.document.body_words
    full = f"{mention.title}\n{mention.text}"
    return ContextProbe(words, text.vector, full, mention.published_at)


@dataclass(frozen=True)
class _Found:
    event_id: str
    subjects: tuple[str, ...]
    rare: tuple[str, ...]
    similarity: float
    first_seen: datetime

    def rank(self) -> tuple[int, int, float, datetime, str]:
        return (-len(self.subjects), -len(self.rare), -round(self.similarity, 9),
                self.first_seen, self.event_id)  # fmt: skip

    def why(self) -> str:
        ref = f"（事件 {self.event_id[:8]}）"
        if self.subjects:
            return f"{SUBJECT_WHY}“{self.subjects[0]}”{ref}"
        return RARE_WHY + "、".join(f"“{w}”" for w in self.rare) + ref


def context_match(
    store: EventStore, probe: ContextProbe, relevant: bool = False
) -> tuple[str, float, str] | None:
    """The live event whose subject, or RARE_NEEDED of whose rare words, the post names:
    (event id, similarity, the reason's text after 关联事件：), or None. Ties: more subjects,
    more rare words, more similar, the earlier event, the smaller id. A post ``relevant`` by
    its own words that no event took joins by a subject only: with its own domain words and
    two rare words shared it is as likely another story of the same kind (another city's
    school poisoning's follow-up shares 供餐 and 通报's words with the kindergarten's)."""
    if ADVERT.search(probe.text):
        return None
    found: dict[str, tuple[list[str], list[str]]] = {}
    words = list(dict.fromkeys(_REGION_HEAD.sub("", w) for w in probe.words))
    for name in dict.fromkeys([*institution_names(probe.words), *words]):
        for state in store.carriers((SUBJECT, name), probe.at, CARRIERS):
            found.setdefault(state.id, ([], []))[0].append(name)
    for word in () if relevant else (w for w in words if rare_word(w)):
        for state in store.carriers((RARE, word), probe.at, CARRIERS):
            if not _placed(state, word):
                found.setdefault(state.id, ([], []))[1].append(word)
    best: _Found | None = None
    areas = area_names(probe.words)
    for event_id in sorted(found):
        subjects, rare = found[event_id]
        state = store.events[event_id]
        if not (subjects or len(rare) >= RARE_NEEDED) or not _recent(state, probe.at):
            continue
        if areas and not any(state.link_counts.get((AREA, area), 0) for area in areas):
            continue  # it names a city or district the event's reports never name
        similarity = cosine(probe.vector, state.centroid) if probe.vector else 0.0
        candidate = _Found(event_id, tuple(subjects), tuple(rare), similarity, state.first_seen)
        if best is None or candidate.rank() < best.rank():
            best = candidate
    return (best.event_id, best.similarity, best.why()) if best is not None else None


def _placed(state: EventState, word: str) -> bool:
    """A word the event also carries as a place or a district: where, not what."""
    return any(state.link_counts.get((kind, word), 0) for kind in (PLACE, DISTRICT))


def _recent(state: EventState, at: datetime) -> bool:
    """A member relevant by its own words within CONTEXT_RECENT of ``at``."""
    return any(not m.linked and abs(m.at - at) <= CONTEXT_RECENT for m in state.members.values())
