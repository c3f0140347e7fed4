"""What ties a mention to an event besides shared words: repost structure, #topics#, names.

Word overlap (``nlp.event_store.JOIN_THRESHOLD``) misses the posts of a story that use other words:
a rumour about an accident ("a friend who works there says…"), a comment thread under its own
#topic#, a second thread about the same gym. These posts still carry what the story's other
posts carry:

- **structure**: a repost's ``//@user: text`` chain says who passed it on and what each of them
  wrote; when one of those links is a member of an event (that user's post or repost, its own
  words beginning as the chain quotes them), the repost is part of that event (as a comment or
  a repost with an explicit parent is). The author's name alone is not enough: one account
  posts and comments in several stories (a repost of a death-toll rumour once joined a penalty
  story because its first poster had commented under the bureau's post there);
- **#topics#**: a Weibo topic is a thread people choose to join: a post under a #topic# that
  members of an event carry belongs to that event;
- **names**: the companies and brands the members name (``nlp.entities``) and the short names
  they put in quotes (“动感力量健身”, “华缆”): a post naming one is about that firm's story;
- **places**: the roads, squares and estates (人民路, 解放街, 滨江花园) and the districts (白沙区,
  found again as 白沙) the members name. The first posts of an accident are witnesses and
  hearsay in everyday words ("人民路刚才轰的一声", "送外卖刚好在人民路") that share the place and
  the hour with the reports, little else; a place counts only beside an event that is live
  (``nlp.event_join``).

Each link is only taken together with a floor of word similarity (a topic or a name alone can
be shared by two stories of one city) and within the event window. Links are kept as counts
per event (``EventState.link_counts``), so an event rebuilt from its members has the same links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import jieba.posseg as posseg

from archive.models import EntityRef
from core.text.weibo import CHAIN, EMOTICON, MENTION
from nlp.entities_firms import core_name
from nlp.estates import ESTATE_ENDS, estate_name

# Link kinds, as stored in the (kind, value) keys of EventState.link_counts.
TAG, NAME, QUOTE, AUTHOR = "tag", "name", "quote", "author"
# A member of the public who wrote a member in their own words (an unverified Weibo account's
# post, or repost with words of its own): a witness writing again later
# (nlp.event_join._poster_match, nlp.event_member.witness).
POSTER = "poster"
# A road, square or estate; a district or county (by its short name, 白沙 for 白沙区).
PLACE, DISTRICT = "place", "district"
# Quoted runs that are names: 2–10 characters, not a phrase of the story's own telling.
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9·]{2,10})[”\"」』]")
# Quoted words that name a kind of thing or a state, not one firm or place: a quote of them
# ties nothing (checked against the demo corpus and CED posts: these recur across stories).
GENERIC_QUOTES = frozenset(
    {"意外", "处理中", "已受理", "打不通", "跑路", "三无", "山寨", "假冒", "问题", "网红",
     "黑心", "有毒", "谣言", "网传", "真相", "辟谣", "检验合格", "合格", "不合格", "专家",
     "双11", "双十一", "618", "互联网+", "放心", "安全", "绿色", "有机"}
)  # fmt: skip


# A quoted shop's or firm's name ends in its trade (“动感力量健身”, “老街坊饭馆”); a wave of
# complaints names the firm by the rest ("同是动感力量的受害者"). The rest (at least
# FIRM_CORE_MIN characters: a two-character rest is too often an ordinary word) is a firm's
# name, as a company the entity extraction found is: one member naming it is enough.
_TRADE_ENDS = tuple(sorted(
    ("健身", "健身房", "饭馆", "饭店", "餐厅", "餐馆", "酒店", "宾馆", "酒楼", "超市", "药房",
     "药店", "诊所", "公司", "商行", "火锅", "烧烤", "奶茶", "美容", "美发", "养生馆", "培训",
     "幼儿园", "乳业", "食品", "电器", "家具", "便利店", "专卖店", "旗舰店", "驾校", "医美"),
    key=len, reverse=True,
))  # fmt: skip
FIRM_CORE_MIN = 3


def firm_core(name: str) -> str:
    """A quoted firm's name without its trade (动感力量 for 动感力量健身), "" when not a firm's."""
    for end in _TRADE_ENDS:
        if name.endswith(end) and len(name) - len(end) >= FIRM_CORE_MIN:
            return name[: -len(end)]
    return ""


# What identifies one user's words in a repost chain: the first characters of what they wrote
# (letters, digits, Han; markup and punctuation dropped, so a chain's copy of a post matches the
# post however Weibo re-punctuated or cut it with "……"). Shorter own words ("+1", "转发") say
# too little to tell one of the user's reposts from another: the chain's next link is used.
FINGERPRINT_CHARS = 8
FINGERPRINT_MIN = 4
_URLISH = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\u3400-\u9fffA-Za-z0-9]+")


def fingerprint(words: str) -> str:
    """The first FINGERPRINT_CHARS word characters of a user's own words, "" when too few."""
    words = MENTION.sub(" ", EMOTICON.sub(" ", _URLISH.sub(" ", words)))
    head = _NOT_WORD.sub("", words)[:FINGERPRINT_CHARS]
    return head if len(head) >= FINGERPRINT_MIN else ""


def chain_links(text: str) -> tuple[tuple[str, str], ...]:
    """(user, fingerprint of what they wrote) for each link of a repost chain, nearest first;
    links whose words are too short to tell apart are left out."""
    pieces = CHAIN.split(text or "")[1:]
    links = ((pieces[i], fingerprint(pieces[i + 1])) for i in range(0, len(pieces) - 1, 2))
    return tuple(dict.fromkeys((user, mark) for user, mark in links if mark))


def own_words(text: str) -> str:
    """A post's or repost's own words: its text before the first ``//@`` of a chain."""
    return CHAIN.split(text or "", maxsplit=1)[0]


def author_key(user: str, mark: str) -> tuple[str, str]:
    """The link key of what ``user`` wrote (its fingerprint ``mark``)."""
    return (AUTHOR, f"{user}\x1f{mark}")


# Words that end a named place after a name word (人民+路, 滨江+花园), or inside one word (解放街,
# 时代广场); 路口 is the road's junction (人民+路口 is 人民路). Estates and malls only after a
# name word (多个小区 is not one place). Not hospitals: every city has a 人民医院, and the
# injured of one accident share the wards with every other patient (the demo's 市人民医院 clinic
# news and 临川区人民医院's free consultations joined a fire's event by it).
_PLACE_ENDS = ("路", "街", "大道", "大街", "巷", "广场", "花园", "新村")
_PLACE_AFTER = {"路口": "路", "小区": "小区", "商场": "商场", **{e: e for e in _PLACE_ENDS}}
# Words ending like a place that are kinds of road or ways of speaking, not one place.
_NOT_PLACES = (
    "公路",
    "道路",
    "马路",
    "铁路",
    "线路",
    "套路",
    "出路",
    "思路",
    "一路",
    "高速路",
    "水泥路",
    "柏油路",
    "小路",
    "大路",
    "网路",
    "商业街",
    "步行街",
    "美食街",
    "小巷",
    # A whole street, a count of them: 整条路的人都跑出来了, 隔一条街都能闻到, 满大街都是.
    "条路",
    "条街",
    "满大街",
)
_DISTRICT_ENDS = ("区", "县", "新区")
# Words ending in 区 that name a kind of area, not a district.
_NOT_DISTRICTS = (
    "开发区",
    "高新区",
    "示范区",
    "试验区",
    "风景区",
    "景区",
    "社区",
    "小区",
    "园区",
    "城区",
    "市区",
    "辖区",
    "校区",
    "营业区",
    "生活区",
    "住宅区",
    "商业区",
    "自贸区",
    "保税区",
    "灾区",
    "山区",
    "郊区",
    "片区",
    "街区",
    "老区",
    "东区",
    "西区",
    "南区",
    "北区",
    "禁区",
    "专区",
    "分区",
    "地区",
    "误区",
    "盲区",
    "雷区",
    "服务区",
)
# An industrial or development zone is one place, named by the word before it and called by
# that name with or without its kind (临川经济开发区, 临川开发区): keyed as name + the zone word,
# the kind's words between them dropped (ZONE_FILLERS), in members' words and in a probe's
# text alike (``zone_text``). Posts about a plant's accident name the zone and the firm.
_ZONES = ("开发区", "工业园区", "工业园", "产业园", "园区", "高新区", "工业区", "物流园")
_ZONE_FILLERS = ("经济技术", "经济", "技术", "高新技术", "高新", "化工")
_ZONE_FILLED = re.compile(
    "(?:" + "|".join(sorted(_ZONE_FILLERS, key=len, reverse=True)) + ")(?=" + "|".join(_ZONES) + ")"
)
# Numbered roads of a grid (纬五路, 经三路, 东二街): jieba cuts them 纬 + 五路.
_GRID_ROAD = re.compile(r"^[一二三四五六七八九十]{1,3}(?:路|街|大道|大街)$")
_GRID_HEADS = frozenset("经纬东西南北中")
_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# Name words that are not names: quantities and pointers before a place word (多个小区).
_NOT_NAMES = frozenset(
    {
        "多个",
        "这个",
        "那个",
        "一个",
        "几个",
        "各个",
        "整个",
        "附近",
        "周边",
        "我们",
        "本市",
        "全市",
        "全省",
        "全国",
        "各地",
        "当地",
        "这家",
        "那家",
        "这条",
        "那条",
        "隔壁",
        "对面",
        "旁边",
    }
)


# What jieba tags a name word alone as, when it cannot name the road, estate or mall after it:
# a count (好几个小区, 一家商场, 一次街), a pointer (这边小区, 你家小区), a verb or adverb
# (路过小区), an idiom (怪不得路口), a distinguishing word (主要商场), a position, a preposition
# or a particle. Not 'vn' nor 'a': roads are named 建设 (vn), 胜利 (vn), 幸福 (a).
_NOT_NAME_TAGS = frozenset(
    {"m", "mq", "q", "r", "rr", "rz", "v", "vd", "d", "l", "b", "f", "p", "c", "u", "uj", "ul"}
)
# A common noun naming a kind of vehicle or person is no road's name: 两辆救护车路口 is a
# junction where ambulances stand, not 救护车路 (nor 警车路, 记者园区). jieba tags 人民, 工业 and
# 学院 as common nouns too, and roads are named after them, so the test is the noun's head.
_KIND_HEADS = ("车", "者", "员")


@lru_cache(maxsize=4096)
def _tagged(word: str) -> tuple[str, ...]:
    return tuple(pair.flag for pair in posseg.lcut(word))


def _name_word(word: str) -> bool:
    return bool(_HAN_NAME.match(word)) and word not in _NOT_NAMES


def _names_place(before: str, word: str, text: str) -> bool:
    """Whether ``before`` names the place word ``word`` standing after it (人民 / 路口, 滨江 /
    花园): a name word written next to it in ``text`` (when given: jieba's words lose the
    punctuation, and 往里开，路口都封了 is no 往里开路), not a count, pointer, verb or other word
    that cannot be a name, nor a kind of vehicle or person."""
    if not _name_word(before) or before in _PLACE_AFTER or (text and before + word not in text):
        return False  # 小区广场: a place word is not the name of another
    tags = _tagged(before)
    if len(tags) != 1:
        return False  # jieba reads it as a phrase (往 / 里 / 开), not one name
    return tags[0] not in _NOT_NAME_TAGS and not (tags[0] == "n" and before.endswith(_KIND_HEADS))


def _glued_district(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` starts with a district's 区/县 glued to an estate's name (白沙 /
    区翠 / 湖苑, 白沙 / 区丽景苑): the name word before it is then a district."""
    word = words[i]
    return (
        len(word) >= 2
        and word[0] in "区县"
        and i >= 1
        and _name_word(words[i - 1])
        and words[i - 1] not in _NOT_DISTRICTS
        and bool(estate_name(words, i) or (i + 1 < len(words) and estate_name(words, i + 1)))
    )


def zone_text(text: str) -> str:
    """A text with the kind's words inside zone names dropped (临川经济开发区 → 临川开发区)."""
    return _ZONE_FILLED.sub("", text)


def _zone_name(words: Sequence[str], i: int, text: str = "") -> str:
    """The name word before the zone word at ``i``, past the kind's words; "" when none (nor
    when it cannot name a zone: 十几个园区, 记者园区, ``_names_place``)."""
    j = i - 1
    while j >= 0 and words[j] in _ZONE_FILLERS:
        j -= 1
    name = words[j] if j >= 0 else ""
    # A place before it is another place (物流园，开发区: the clause's comma is not a word).
    if name.endswith(("园", "区", *_PLACE_ENDS)):
        return ""
    return name if _names_place(name, "".join(words[j + 1 : i + 1]), text) else ""


def place_names(words: Sequence[str], text: str = "") -> tuple[tuple[str, str], ...]:
    """(PLACE or DISTRICT, name) for the places a text's words name, each once, in order.
    ``text``: the text the words were cut from, so that a name and the place word after it
    must stand together in it (no punctuation between)."""
    found: list[tuple[str, str]] = []
    for i, word in enumerate(words):
        before = words[i - 1] if i else ""
        if word in _ZONES:
            if name := _zone_name(words, i, text):
                found.append((PLACE, name + word))
        elif _GRID_ROAD.match(word) and before in _GRID_HEADS:
            found.append((PLACE, before + word))
        elif _glued_district(words, i):
            found.append((DISTRICT, before))
            if estate := estate_name(words, i):
                found.append((PLACE, estate))
        elif estate := estate_name(words, i):
            found.append((PLACE, estate))
        elif word in _PLACE_AFTER and _names_place(before, word, text):
            name = before + _PLACE_AFTER[word]
            if not name.endswith(_NOT_PLACES) and not before.endswith(ESTATE_ENDS):
                found.append((PLACE, name))  # 翠湖苑小区 is 翠湖苑, found at its estate word
        elif len(word) >= 3 and word.endswith(_PLACE_ENDS) and not word.endswith(_NOT_PLACES):
            found.append((PLACE, word))
        elif word in _DISTRICT_ENDS and _name_word(before) and before not in _NOT_DISTRICTS:
            found.append((DISTRICT, before))
        elif len(word) >= 3 and word.endswith("区") and not word.endswith(_NOT_DISTRICTS):
            found.append((DISTRICT, word[:-1]))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Probe:
    """What a mention offers for linking, beside its word vector."""

    hashtags: tuple[str, ...] = ()
    chain: tuple[tuple[str, str], ...] = ()  # chain_links: (user, fingerprint), nearest first
    text: str = ""  # its full text, searched for the names events carry
    terms: tuple[str, ...] = ()  # the domain terms (topics.txt) it names
    firms: tuple[str, ...] = ()  # firm_names of its entities: looked for in events' texts
    witness: str = ""  # its author, when a member of the public (nlp.event_member.witness)
    # nlp.event_scope: the cities its text names, its penalty decision, its source's region.
    cities: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    region: str = ""


@dataclass
class NameIndex:
    """Names (companies, brands, quotes) carried by events, found inside any text by their
    first two characters: a text's character pairs are looked up, then the name compared."""

    by_head: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str) -> None:
        self.by_head.setdefault(name[:2], set()).add(name)

    def discard(self, names: Iterable[str]) -> None:
        for name in names:
            heads = self.by_head.get(name[:2])
            if heads is not None:
                heads.discard(name)
                if not heads:
                    del self.by_head[name[:2]]

    def found_in(self, text: str) -> list[str]:
        found: list[str] = []
        for i in range(len(text) - 1):
            for name in self.by_head.get(text[i : i + 2], ()):
                if text.startswith(name, i):
                    found.append(name)
        return sorted(set(found))


# A manufacturer's trade after its own name (恒泰印染): the public call it by the name alone.
_INDUSTRIES = ("印染", "纺织", "化工", "制药", "机械", "建材", "服装", "服饰", "钢铁", "塑业",
               "陶瓷", "造纸", "五金", "电子", "材料", "能源", "环保")  # fmt: skip


# Companies whose short names are kept (``firm_short_names``): a stream names the same firms
# again and again, and each costs a jieba POS cut (7 % of an analysis leaseholder's ordered
# work before this cache, on the scale benchmark's replay).
SHORT_NAMES_KEPT = 20_000


@lru_cache(maxsize=SHORT_NAMES_KEPT)
def firm_short_names(company: str) -> tuple[str, ...]:
    """What the public call a company named in full (江州恒泰印染有限公司 → 恒泰印染, 恒泰): its
    own name without region, trade and company word (``core_name``) and without a
    manufacturer's trade; nothing for a name that is not a company's full name."""
    core = core_name(company)
    if not core or core == company or core.endswith(_ZONES):
        # 临川开发区工厂 (a plant in the zone, taken for a company) leaves 开发区: a kind of
        # place that every post about the zone names, not the firm's name.
        return ()
    names = [core]
    for trade in _INDUSTRIES:
        if core.endswith(trade):
            if len(core) - len(trade) < 2:
                # A trade, not a name: 新能源 of a name cut short (新能源科技有限公司).
                return ()
            names.append(core[: -len(trade)])
    return tuple(names)


def firm_names(entities: Iterable[EntityRef]) -> tuple[str, ...]:
    """The companies and brands a text names, with the short names the public call a
    company by (``firm_short_names``), each once."""
    firms = [e.name for e in entities if e.kind in ("company", "brand") and len(e.name) > 1]
    return tuple(
        dict.fromkeys([*firms, *(core for name in firms for core in firm_short_names(name))])
    )


def quoted_names(text: str) -> tuple[str, ...]:
    """Short quoted runs that may name a firm, a brand, a place or a campaign."""
    names = (m.group(1) for m in _QUOTED.finditer(text))
    return tuple(dict.fromkeys(n for n in names if n not in GENERIC_QUOTES and not n.isdigit()))


def member_links(
    hashtags: Iterable[str],
    author: str,
    entities: Iterable[EntityRef],
    text: str,
    own: str = "",
    places: Iterable[tuple[str, str]] = (),
    firms: tuple[str, ...] | None = None,
) -> tuple[tuple[str, str], ...]:
    """The (kind, value) link keys a member adds to its event, each once. ``own`` is a post's or
    repost's own words (``own_words``): what a repost chain quoting its author would quote. A
    comment passes none: a comment is never quoted in a repost chain. ``firms``:
    ``firm_names(entities)`` when already known (prepared with the text)."""
    keys: list[tuple[str, str]] = [(TAG, tag) for tag in hashtags if tag]
    if author and (mark := fingerprint(own)):
        keys.append(author_key(author, mark))
    keys += [(NAME, name) for name in (firm_names(entities) if firms is None else firms)]
    quoted = quoted_names(text)
    keys += [(QUOTE, name) for name in quoted]
    keys += [(NAME, core) for name in quoted if (core := firm_core(name))]
    keys += list(places)
    return tuple(dict.fromkeys(keys))
