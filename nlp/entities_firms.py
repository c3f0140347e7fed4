"""Company names in a text: a run ending in a company word (有限公司, 超市, 商行…), read backwards
by jieba's part of speech to the first word that cannot be part of a name. Split from
``nlp.entities`` (which re-exports ``companies_in``); the known-name list stays there.

A name needs a word that names something: a proper name (jieba's ns, nr, nz…), a known name of
``resources/brands.txt``, or a rare word (jieba's dictionary does not hold it, or holds it as
rare: 员村, 薡 of 薡茶奶茶店): shop names are mostly words no dictionary has. A place alone
(广州超市) is no name.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Container, Sequence
from functools import lru_cache
from pathlib import Path

import jieba
import jieba.posseg as posseg

from core.text.segment import word_tags

# Longer words first where one ends another (奶茶店 before 店): the first that a span ends
# with is its company word. 市场 alone is not here: it names a market square or "the
# market" far more often than a business.
COMPANY_WORDS = (
    "股份有限公司", "有限责任公司", "有限公司", "株式会社", "集团公司", "集团", "分公司", "总公司",
    "公司", "食品厂", "加工厂", "制品厂", "工厂", "厂", "合作社", "超市", "商场", "商城", "商店",
    "商行", "餐厅", "餐馆", "饭馆", "面馆", "饭店", "大酒店", "酒店", "酒楼", "宾馆", "药店",
    "门店",
    "食品店", "加工店", "奶茶店", "小吃店", "火锅店", "便利店", "专卖店", "连锁店", "批发市场",
    "农贸市场", "蔬菜市场", "菜市场", "水产市场", "农场", "养殖场", "屠宰场", "经营部", "批发部",
    "门市部", "经销部", "酒家", "饭庄", "食府", "茶餐厅", "茶楼", "店",
    # issue 22, third pass: stores and markets (国泰宏城生活购物广场, 玉泉营果菜批发中心,
    # 南京长虹大市场) and farms (萧山永王养猪场)
    "商业大厦", "购物广场", "购物中心", "商业城", "批发中心", "大市场", "养猪场", "养鸡场",
)  # fmt: skip
# 店 of a shop, not of its staff or premises (店员, 店铺, 店主, 店内).
_SHOP_NOT_BEFORE = "员铺主长面内外里门家名址"
# A company word inside another word: 商行 of 工商行政管理局.
# 厂 of a maker or of premises, not a factory's name (阿尔卑斯厂商, 加工点厂房, 厂家, 厂长).
_FACTORY_NOT_BEFORE = "商房家区长"
_NOT_AFTER = {
    "店": f"(?![{_SHOP_NOT_BEFORE}])",
    "商行": "(?!政)",
    "厂": f"(?![{_FACTORY_NOT_BEFORE}])",
}
_COMPANY = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9（）()·]{2,30}?(?:"
    + "|".join(w + _NOT_AFTER.get(w, "") for w in COMPANY_WORDS)
    + ")"
)
# jieba part-of-speech tags that end a company name when read backwards (verbs, adverbs,
# prepositions, pronouns, conjunctions, particles, numerals, measure words, locality and
# time words, distinguishing words, interjections).
NAME_STOP_FLAGS = frozenset(
    {"v", "vd", "vn", "d", "ad", "p", "r", "c", "u", "uj", "ul", "uz", "m", "q", "f", "t", "b", "y",
     "e", "o", "x"}
)  # fmt: skip
PROPER_FLAGS = frozenset({"ns", "nr", "nz", "nt", "nrt", "nrfg", "eng", "j"})
ROLE_WORDS = frozenset(
    {"标称", "企业", "销售商", "经销商", "生产商", "供应商", "厂家", "商家", "记者", "标明",
     "涉事", "该"}
)  # fmt: skip
GENERIC_HEADS = frozenset(
    {"生产", "加工", "大", "小", "上市", "食品", "制品", "本", "该", "产品", "商品", "品牌",
     "名牌", "招牌", "有机食品", "绿色食品", "营养", "绿色营养", "综合", "连锁", "分", "总",
     "新", "老", "皮包", "空壳", "国产", "国际", "自主", "外资", "洋", "本土", "民族", "酒企",
     "乳企", "企业", "自有"}
)  # fmt: skip
# Words of a business's own name that jieba tags as verbs (综合批发市场, 餐饮有限公司): read
# through, not stopped at.
NAME_INNER_WORDS = frozenset(
    {"综合", "餐饮", "连锁", "批发", "物流", "商贸", "贸易", "科技", "实业", "发展", "开发",
     "养殖", "种植", "酿造", "电子商务", "生物",
     # manufacturers' trades (江州恒泰印染有限公司: jieba tags 印染 vn)
     "印染", "印刷", "铸造", "包装", "服装", "造纸", "冶炼", "锻造",
     # a service firm's and a meat combine's words (后勤服务总公司, 肉类联合加工厂)
     "服务", "联合"}
)  # fmt: skip
# Company words that make a name without a proper name before them. 集团 is not one: 水务集团
# is how a report refers back to "the water group" (nlp_entities_bench.py, line 429).
STRONG_COMPANY_WORDS = frozenset(
    {"股份有限公司", "有限责任公司", "有限公司", "集团公司", "株式会社"}
)
# Words after which a company name starts (the name never contains them), when jieba gives
# them as words of their own: "涉事的江州食品厂" names 江州食品厂, but 长沙向东食品有限公司
# keeps its 向 (向东 is one word).
CUT_WORDS = frozenset(
    {"记者", "获悉", "报道", "据", "从", "对", "向", "被", "由", "将", "把", "让", "给", "为",
     "在", "是", "的", "了", "称", "说", "家", "某", "这", "那", "该", "款", "种", "批", "瓶",
     "曝", "网曝", "被曝", "曝光", "旗下", "最", "最大", "知名", "著名",
     "袋", "盒", "罐", "突击检查", "检查", "走访", "购于", "学校",
     # which of a place's shops (广州部分超市, 当地大型超市): none named
     "部分", "大部分", "一些", "个别", "多数", "少数", "所有", "各类", "各大", "大型", "小型",
     "中小型", "当地", "本地", "周边", "附近", "其他", "其它",
     # which places' (多地蔬菜市场, 各地超市): none named
     "多地", "各地", "全国", "市区",
     # people before the place they went to (青岛市民…, 网友在…)
     "市民", "网友", "消费者", "顾客", "居民", "村民"}
)  # fmt: skip
# A measure word after a numeral or a demonstrative, glued by jieba (一家, 这家, 多款).
_COUNTED = re.compile(r"^[一二两三四五六七八九十百几多每各这那该此本某数\d]+[家款种批瓶袋盒罐个]$")
_UNIT_AFTER_GROUP = re.compile(r"[\u4e00-\u9fff]{1,12}?(?:股份有限公司|有限责任公司|有限公司)")
_OPENING_QUOTES = '“"「『'
_CLOSING = ("”", '"', "」", "』")
STRONG_NAME_MIN = 3  # a shorter name before 有限公司 needs a word that names something
QUOTED_NAME_MIN = 4  # a quoted run before a company word names the firm (“顶新国际集团”)
# A word rarer than this in jieba's dictionary (or absent) is taken as a name's own word.
RARE_WORD_FREQ = 50
TRADES = "trade.txt"


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, int]:
    jieba.initialize()
    return jieba.dt.FREQ


_NUMERAL = re.compile(r"^[\d一二两三四五六七八九十百千几多数]+$")
_MEASURES = "家款种批瓶袋盒罐个"
# A rare word makes a name only in a short one (员村农贸市场): in a long run it is more often
# jieba's guess at an unknown stretch (怡口莲现虫状异物超市).
RARE_NAME_MAX = 5
_STREET_ENDS = ("路", "街", "巷", "大道")


def _is_cut(word: str) -> bool:
    return (
        word in CUT_WORDS
        or word.endswith(("记者", "获悉", "报道"))
        or bool(_COUNTED.match(word) or _NUMERAL.match(word))
    )


@lru_cache(maxsize=4)
def parser_list(name: str) -> frozenset[str]:
    """A word list shipped by ``companynameparser`` (``brand.txt``: 285,000 registered brand
    names; ``trade.txt``: 1,257 trades), read without importing the package (whose import
    builds its parser); nothing when it is not installed."""
    spec = importlib.util.find_spec("companynameparser")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / name
    if not path.exists():
        return frozenset()
    return frozenset(path.read_text(encoding="utf-8").split())


def is_rare(word: str) -> bool:
    """A word of Chinese characters that jieba's dictionary lacks or holds as rare, and not a
    kind of goods (小食品)."""
    return (
        "\u4e00" <= word[:1] <= "\u9fff"
        and _frequencies().get(word, 0) < RARE_WORD_FREQ
        and not word.endswith(("食品", "制品", "产品"))
    )


def words_before(text: str, most: int, guessed: bool = False) -> tuple[str, list[tuple[str, str]]]:
    """The last words of ``text`` read backwards to the first that cannot be part of a name
    (by jieba's part-of-speech tags), at most ``most``: their text, and the words with their
    tags. With ``guessed``, a name's own word that jieba split or tagged as a word of another
    kind is read through (``_guessed_name``)."""
    tagged = [(w.word, w.flag) for w in posseg.lcut(text)]
    kept: list[tuple[str, str]] = []
    i = len(tagged) - 1
    while i >= 0:
        word, flag = tagged[i]
        if len(kept) >= most or word in ROLE_WORDS or _is_cut(word):
            break
        if flag in NAME_STOP_FLAGS and word not in NAME_INNER_WORDS:
            glued = _guessed_name(tagged, i, kept) if guessed else None
            if glued is None:
                break
            name, start, used_kept = glued
            kept[:used_kept] = [(name, "n")]  # a rare noun: names only a short name
            i = start - 1
            continue
        kept.insert(0, (word, flag))
        i -= 1
    return "".join(word for word, _ in kept), kept


# Tags of the words jieba makes of a shop's own name it does not know (真巧 d, 老 a + 八尺 m,
# 万 m + 利 n): read through when what they make is rare, beside a place or a single character.
_GUESSED_FLAGS = frozenset({"a", "ad", "d", "m", "q", "b", "v", "vg", "ag", "dg", "mq"})
GUESSED_MAX = 4  # characters of such a name (老八尺, 真巧, 万利)


def _guessed_name(
    tagged: Sequence[tuple[str, str]], i: int, kept: Sequence[tuple[str, str]]
) -> tuple[str, int, int] | None:
    """A name's own word where reading stopped at ``tagged[i]``: the stop words up to a place
    before them (武汉 + 真巧 + 食品有限公司, 平远县 + 老八尺 + 酒厂), or a single character glued
    to the single character after it (万 + 利 of 万利生猪批发市场), when what they make is a
    rare word. The name, the index of its first word and how many kept words it took; None
    when the words read are no such name."""
    start = i
    while start > 0 and tagged[start - 1][1] in _GUESSED_FLAGS and i - start < 2:
        start -= 1
    for first in range(start, i + 1):
        words = [w for w, _ in tagged[first : i + 1]]
        if any(_is_cut(w) or w in ROLE_WORDS or not _cjk(w) for w in words):
            continue
        if any(f not in _GUESSED_FLAGS for _, f in tagged[first : i + 1]):
            continue
        middle = "".join(words)
        place_before = first > 0 and tagged[first - 1][1] == "ns"
        if place_before and len(middle) <= GUESSED_MAX and is_rare(middle):
            return middle, first, 0
    word, flag = tagged[i]
    if flag not in _GUESSED_FLAGS:
        return None  # a conjunction or a particle (超市和 / 小食品店) starts no name
    if len(word) == 1 and _cjk(word) and kept and len(kept[0][0]) == 1:
        joined = word + kept[0][0]
        if is_rare(joined):
            return joined, i, 1
    return None


def _cjk(word: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in word)


def names_something(tagged: Sequence[tuple[str, str]], known: Container[str] = ()) -> bool:
    """Whether a word of ``tagged`` names something (a proper name, a known name, a rare
    word), and not all of them are places (广州超市, 台湾奶茶店)."""
    if any(word in known for word, _ in tagged):
        return True  # a known name, though jieba holds it as a place (京东 of 京东商城)
    if all(
        (flag == "ns" and not is_rare(word)) or word.endswith(_STREET_ENDS) for word, flag in tagged
    ):
        return False  # a known place or a street alone (广州超市, 玉泉路店); 员村 is a name
    if any(flag in PROPER_FLAGS for _, flag in tagged):
        return True
    short = sum(len(word) for word, _ in tagged) <= RARE_NAME_MAX
    # Nouns and morphemes (zg, yg) only: jieba's rare status words and adjectives are words (麻辣).
    # A trade (皮具 of 皮具厂, companynameparser's trade list) is no name, however rare.
    return short and any(
        is_rare(w) and (flag.startswith("n") or flag.endswith("g")) and w not in parser_list(TRADES)
        for w, flag in tagged
    )


def _names_a_shop(tagged: Sequence[tuple[str, str]], known: Container[str]) -> bool:
    """店 alone is the weakest company word: a town (息县项店) or a kind of shop (炸鸡店)
    comes before it as often as a name. The word before it has two characters or more, and a
    word is a proper or a known name."""
    if not tagged or len(tagged[-1][0]) < 2:
        return False
    return any(flag in PROPER_FLAGS or word in known for word, flag in tagged)


def _after_cut(head: str) -> tuple[str, bool]:
    """``head`` after its last cut word (a whole jieba word), and whether one was cut."""
    words = jieba.lcut(head)
    for i in range(len(words) - 1, -1, -1):
        if _is_cut(words[i]):
            rest = "".join(words[i + 1 :])
            if _NUMERAL.match(words[i]):
                rest = rest.lstrip(_MEASURES)  # 10 / 家大 of 10家大超市
            return rest, True
    return head, False


def _name_before(span: str, known: Container[str], quoted: bool | str, unit: bool = False) -> str:
    """The company name that ends ``span`` (which ends in a company word). "" when nothing
    precedes the company word or when no word of the name names something, unless the
    company word is a strong one (有限公司) or the name was quoted (“顶新国际集团”): "该公司",
    "上市公司", "各大厂", "标明生产厂" are no names."""
    suffix = next(w for w in COMPANY_WORDS if span.endswith(w))
    head, cut = _after_cut(span[: len(span) - len(suffix)])
    if suffix in STRONG_COMPANY_WORDS and (enterprise := _known_enterprise(head, known)):
        return enterprise + suffix
    if quoted and not cut and len(head) >= QUOTED_NAME_MIN and head not in GENERIC_HEADS:
        return head + suffix
    # The whole quote is the name (“和谐烟酒店”, “人和酒家”): a shorter one is a name too.
    if quoted == "whole" and not cut and len(head) >= 2 and head not in GENERIC_HEADS:
        return head + suffix
    name, tagged = words_before(head, most=8, guessed=True)
    # A street before a shop locates it (科技街美特好超市): the name is what follows.
    streets = [i for i, (word, _) in enumerate(tagged[:-1]) if word.endswith(_STREET_ENDS)]
    if streets:
        tagged = tagged[streets[-1] + 1 :]
        name = "".join(word for word, _ in tagged)
    if not name or name in GENERIC_HEADS:
        return ""
    if suffix not in STRONG_COMPANY_WORDS and not unit and not names_something(tagged, known):
        return ""
    if suffix not in STRONG_COMPANY_WORDS and not unit and _headline_verb_inside(tagged):
        return ""
    # A strong word after a trade alone is the end of a name cut short (…蜂产品有限公司).
    if len(name) <= STRONG_NAME_MIN and not unit and not names_something(tagged, known):
        return ""
    if suffix == "店" and not unit and not _names_a_shop(tagged, known):
        return ""
    if suffix == "店" and _place_ending_in_shop(span):
        return ""  # 驻马店, a city
    return name + suffix


# 企业 (a role word: 涉事企业, 标称企业) inside a registered name after a known one (统一企业股份
# 有限公司; tuning_7): the known name, 企业 and what follows it to the strong company word.
_ENTERPRISE = "企业"


def _known_enterprise(head: str, known: Container[str]) -> str:
    at = head.rfind(_ENTERPRISE)
    if at <= 0 or len(head) - at > len(_ENTERPRISE) + 2:
        return ""  # no 企业, or more than 股份 after it
    before = jieba.lcut(head[:at])
    return before[-1] + head[at:] if before and before[-1] in known else ""


# Tags of a single character that is a headline's verb or time word run into a shop word
# (南昌现染色橙子超市: 现/tg; 青岛大厨揭饭店: 揭/zg): issue 22, firms3, tuning_7.
_HEADLINE_VERB_FLAGS = frozenset({"tg", "zg"})


def _headline_verb_inside(tagged: Sequence[tuple[str, str]]) -> bool:
    """Whether a single character tagged as a time or state morpheme stands inside the words
    before a weak company word, after a word jieba knows well (not first: 棒 of 棒约翰; not after
    a rare word, a name: 千禧龙 / 腾 of 千禧龙腾超市)."""
    return any(
        len(word) == 1 and flag in _HEADLINE_VERB_FLAGS and not is_rare(tagged[i][0])
        for i, (word, flag) in enumerate(tagged[1:])
    )


def _place_ending_in_shop(span: str) -> bool:
    """Whether ``span`` ends in a place jieba's dictionary holds that ends in 店 (驻马店)."""
    tags = word_tags()
    return any(tags.get(span[-n:]) == "ns" for n in range(2, min(len(span), 4) + 1))


def companies_in(text: str, known: Container[str] = ()) -> tuple[str, ...]:
    """The companies ``text`` names by a company word, each once, in order; ``known`` holds
    the known names (nlp.entities.known_names), which count as names' own words."""
    found = []
    end = -1  # where the last name found ends
    for match in _COMPANY.finditer(text):
        if match.start() < end:
            continue  # the strong word of the name before (和谐园大酒店 / 有限公司)
        span = match.group(0)
        # The shortest span ends at the first company word: 和谐园大酒店 of
        # 和谐园大酒店有限公司. A strong word right after it belongs to the same name.
        after = text[match.end() :]
        strong = next((w for w in STRONG_COMPANY_WORDS if after.startswith(w)), "")
        # A group's unit named on (王一实业集团精彩生活超市有限公司) is one name: the group's
        # name is read as usual, the unit's words are kept as written.
        unit_name = _UNIT_AFTER_GROUP.match(after) if span.endswith("集团") else None
        group_unit = "" if strong or unit_name is None else unit_name.group(0)
        span += strong
        opened = match.start() > 0 and text[match.start() - 1] in _OPENING_QUOTES
        closed = text[match.end() + len(strong) : match.end() + len(strong) + 1] in _CLOSING
        quoted: bool | str = "whole" if opened and closed else opened
        # A unit named right after its firm (…奶酪黄油有限公司梵古易乳制品分公司) is a name
        # by its place: it needs no proper name of its own.
        unit = match.start() == end
        name = _name_before(span, known, quoted, unit)
        if name:
            found.append(name + group_unit)
            end = match.end() + len(strong) + len(group_unit)
    return tuple(dict.fromkeys(found))


# A restaurant named where people ate (在粤菜王用餐).
_NOT_RESTAURANTS = (
    "食堂", "家", "家里", "家中", "学校", "单位", "宿舍", "医院", "里", "内", "网上", "市场",
    "摊点", "小摊", "路边", "街头", "当地", "附近",
)  # fmt: skip
# … or bought something (在长沙贝贝熊购买); 购买 after 网上, 超市, 市场 names none (the
# company words and _NOT_RESTAURANTS).
_ATE_AT = re.compile(
    r"在([\u4e00-\u9fffA-Za-z0-9]{2,8}?)(?:用餐|就餐|吃饭|聚餐|进餐|购买|购得|买到|选购)"
)


def restaurants_in(text: str, known: Container[str] = ()) -> tuple[str, ...]:
    """Places where people ate that are named (在粤菜王用餐): not a canteen, a home or a
    place (在学校食堂用餐, 在家里吃饭, 在北京就餐), which name nothing."""
    found = []
    for match in _ATE_AT.finditer(text):
        place = match.group(1)
        tagged = [(w.word, w.flag) for w in posseg.lcut(place)]
        if any(flag in NAME_STOP_FLAGS for _, flag in tagged) or place in GENERIC_HEADS:
            continue
        if place.endswith(_NOT_RESTAURANTS):
            continue
        if not any(place.endswith(w) for w in COMPANY_WORDS) and names_something(tagged, known):
            found.append(place)
    return tuple(dict.fromkeys(found))


# Words of a firm's name after its own (杏品 of 山西杏品酒业有限责任公司).
_TRADE_WORDS = (
    "酒业", "酿酒", "食品", "乳业", "乳品", "饮品", "饮料", "调味品", "商贸", "贸易", "实业",
    "科技", "发展", "开发", "餐饮", "农产品", "酒", "加工", "生物", "电子商务", "网络", "农业",
)  # fmt: skip
_REGION_END = ("省", "市", "县", "区", "镇", "乡")


def core_name(company: str) -> str:
    """A firm's own name, without its region, trade and company word: 山西杏品酒业有限责任公司
    → 杏品, 浑源县恒泉酒厂 → 恒泉; "" when nothing of two to four characters is left."""
    name = company
    suffix = next((w for w in COMPANY_WORDS if name.endswith(w)), "")
    name = name[: len(name) - len(suffix)]
    while (trade := next((w for w in _TRADE_WORDS if name.endswith(w)), "")) and name != trade:
        name = name[: -len(trade)]
    tagged = [(w.word, w.flag) for w in posseg.lcut(name)]
    while len(tagged) > 1 and (tagged[0][1] == "ns" or tagged[0][0].endswith(_REGION_END)):
        tagged.pop(0)
    core = "".join(word for word, _ in tagged)
    return core if 2 <= len(core) <= 4 and core not in GENERIC_HEADS else ""
