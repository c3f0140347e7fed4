"""Who and what a mention is about: regions with their codes, companies, brands, products.

- **Regions** (``nlp.entities_regions``): provinces and prefecture-level cities with their
  GB/T 2260 codes.
- **Companies** (``nlp.entities_firms``): a run of Chinese characters, letters and digits
  ending in a company word (有限公司, 集团, 食品厂, 商行, 店…), trimmed on the left at the last
  word that cannot be part of a name (从, 对, 被, 据, 一家…, as whole jieba words):
  "记者从江州市美味食品有限公司获悉" gives 江州市美味食品有限公司. A weak company word
  (超市, 店) needs a word that names something before it: a proper name, a known name, or a
  rare word in a short name (员村农贸市场). Also a quoted run before a company word
  (“顶新国际集团”), a place people ate at (在粤菜王用餐), and the known names of
  ``resources/brands.txt``: a company, or a brand followed by a trade word (光明乳业), by
  words of the firm (徐福记员工) or acting (蒙牛承认).
- **Brands**: "X牌" / "X品牌", a quoted name before a product word, also after a few words
  describing it (“奇达”味极鲜酿造酱油), a firm's own name before 牌 or a product (杏品牌,
  恒泉白酒 of 浑源县恒泉酒厂), quoted names listed after 假冒 / 产品有 / 品牌有 (假冒“咪咪”虾条、
  “波斯猫”开心豆), the items before 等品牌 (a known firm among them too: 包括好利来、盛圆祥等品牌),
  and the known brands.
- **Products**: the product categories of ``resources/products.txt``, as runs of whole words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import jieba.posseg as posseg

from core.text.segment import word_tags
from nlp.entities_context import context_firms, listed_before_kind
from nlp.entities_firms import (
    CUT_WORDS,
    GENERIC_HEADS,
    PROPER_FLAGS,
    _frequencies,
    companies_in,
    core_name,
    is_rare,
    restaurants_in,
    words_before,
)
from nlp.entities_regions import Region, cities_first, gazetteer, regions_in
from nlp.entities_registered import registered_brands
from nlp.entities_shapes import (
    mended,
    quoted_firm_names,
    shaped_firms,
    shaped_names,
)

T = TypeVar("T")

PRODUCTS_FILE = Path(__file__).parent / "resources" / "products.txt"
KNOWN_NAMES_FILE = Path(__file__).parent / "resources" / "brands.txt"

_QUOTED_BRAND = re.compile(r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9]{2,12})[”\"」』]")
# Quoted names joined by 和 / 、 / 及 / 与 before the one a brand word follows
# (“周小玲”和“卫龙”品牌).
_QUOTED_LIST = re.compile(r"(?:[“\"「『][\u4e00-\u9fffA-Za-z0-9]{2,12}[”\"」』][和、及与或])+$")
# 牌 of a brand, not of a place or a sign (石牌镇, 门牌号, 车牌照, 招牌).
_BRAND_WORD = re.compile(r"(?<![“\"「『招门车])(?:品牌|牌)(?![镇村坊楼路街子号照价匾])")
# Quoted names listed after a word that makes them brands, each perhaps with its goods
# (假冒“咪咪”虾条、“波斯猫”开心豆; 主要产品有“喜之郎”、“水晶之恋”): issue 22, firms3, tuning_7.
_BRAND_LIST_LEAD = re.compile(
    r"(?:假冒|仿冒|冒充|冒牌|山寨|产品有|产品包括|产品为|品牌有|品牌包括|品牌为)"
    r"((?:[“\"「『][\u4e00-\u9fffA-Za-z0-9]{2,12}[”\"」』][\u4e00-\u9fff]{0,6}[、和及与]?)+)"
)
# Quoted words before a product that name a kind of product or a hazard, not a brand.
QUOTED_NOT_BRANDS = frozenset(
    {"问题", "三无", "假冒", "山寨", "黑心", "有毒", "毒", "网红", "天价", "进口", "野生", "绿色",
     "有机", "纯天然", "无公害", "特供", "散装", "三聚氰胺", "瘦肉精", "地沟油", "僵尸肉"}
)  # fmt: skip
# What may stand between a quoted brand and its product (“奇达”味极鲜酿造酱油).
_DESCRIBED = re.compile(r"[\u4e00-\u9fff]{2,8}")
BRAND_LOOKBACK = 12  # characters read before 牌 for the brand's words
# A name right after 品牌 ("德国品牌Lactana特福芬", "有机食品品牌Holle"): Latin letters, or
# up to three proper-name words.
_AFTER_BRAND_WORD = re.compile(r"(?<=品牌)[A-Za-z][A-Za-z0-9\-]*|(?<=品牌)[\u4e00-\u9fff]{2,8}")
# Words after a known name that is also an ordinary word (雪花, 光明) and make it a name.
NAME_CONFIRMING_WORDS = frozenset(
    {"牌", "品牌", "集团", "公司", "旗下", "官方", "乳业", "食品", "酒业", "饮品", "股份"}
)
# Words after a known brand that show the firm is meant (徐福记员工, 雨润食品, 惠氏方面表示).
FIRM_CONTEXT_WORDS = frozenset(
    {"员工", "方面", "旗下", "集团", "公司", "企业", "总部", "食品", "回应", "表示", "声明", "客服"}
)  # fmt: skip
# Trade words that make a known name a firm's name with them (光明乳业, 雨润集团, 味千中国).
FIRM_NAME_WORDS = frozenset(
    {"乳业", "食品", "集团", "酒业", "饮品", "股份", "控股", "实业", "中国"}
)  # fmt: skip
# Words after a known brand that make it the firm acting (徐福记这家企业, 蒙牛承认).
ACTOR_WORDS = frozenset({"这家", "承认", "否认", "致歉", "道歉", "召回"})
# Words after a known name that is also an ordinary word (光明, 统一) that only a firm takes
# (光明承认部分乳品渗入碱水, 统一旗下); 表示 and 回应 follow people's thoughts too (思念回应了家人).
FIRM_ONLY_AFTER = frozenset({"承认", "否认", "致歉", "道歉", "召回", "旗下", "董事长", "总裁"})
KNOWN_NAME_MAX_WORDS = 4  # 呷 / 哺 / 呷 / 哺


@dataclass(frozen=True)
class Entities:
    regions: tuple[Region, ...] = ()
    companies: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    products: tuple[str, ...] = ()

    @property
    def region_code(self) -> str:
        """The most specific region named first (a city over its province), or ""."""
        ordered = cities_first(self.regions)
        return ordered[0].code if ordered else ""


@lru_cache(maxsize=1)
def product_terms() -> frozenset[str]:
    lines = PRODUCTS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@dataclass(frozen=True)
class KnownName:
    kind: str  # "company" or "brand"
    ambiguous: bool  # also an ordinary word: needs a product or 牌 / 集团 after it


@lru_cache(maxsize=1)
def known_names() -> dict[str, KnownName]:
    """The list of well-known companies and brands (resources/brands.txt)."""
    names: dict[str, KnownName] = {}
    for number, line in enumerate(KNOWN_NAMES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        kind = parts[1].rstrip("?") if len(parts) == 2 else ""
        if kind not in ("company", "brand"):
            raise ValueError(
                f"{KNOWN_NAMES_FILE}: line {number}: expected 'name company' or 'name brand' "
                f"(with an optional ?), got {line!r}"
            )
        names[parts[0]] = KnownName(kind, parts[1].endswith("?"))
    return names


def _confirms(word: str) -> bool:
    """Whether ``word`` after an ambiguous known name makes it a name: a brand word, or a
    product (雪花啤酒), also at the start of a longer word (jieba keeps 啤酒瓶 whole)."""
    return word in NAME_CONFIRMING_WORDS or any(
        word.startswith(term) for term in product_terms() if len(term) >= 2
    )


def _known_at(words: Sequence[str], i: int) -> tuple[str, KnownName, int] | None:
    """The known name that starts at word ``i`` (the longest run of whole words), its entry,
    and the index of the word after it; or a known name that starts word ``i`` and is followed
    inside it by a product (jieba keeps 雪花啤酒 whole)."""
    names = known_names()
    for n in range(min(KNOWN_NAME_MAX_WORDS, len(words) - i), 0, -1):
        candidate = "".join(words[i : i + n])
        entry = names.get(candidate)
        if entry is not None:
            following = words[i + n] if i + n < len(words) else ""
            if not entry.ambiguous or _confirms(following) or following in FIRM_ONLY_AFTER:
                return candidate, entry, i + n
    word = words[i]
    for cut in range(2, len(word) - 1):
        entry = names.get(word[:cut])
        if entry is not None and word[cut:] in product_terms():
            return word[:cut], entry, i + 1
    return None


def _acts(word: str) -> bool:
    """Whether ``word`` after a known brand makes the brand the firm acting: a verb, an
    adverb or a preposition (蒙牛再陷质量门, 南京雨润在5月13日), or a word of acting
    (蒙牛承认)."""
    if word in ACTOR_WORDS:
        return True
    if word in known_names() or _confirms(word):
        return False  # another brand or a product (惠氏启赋奶粉)
    tags = word_tags()
    # A word jieba guessed (再陷, 换帅) by its first character's tag.
    flag = tags.get(word) or (tags.get(word[0], "") if word else "")
    return flag in ("v", "d", "p")


def known_in(words: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The known companies and the known brands ``words`` name, each once, in order. A known
    name followed by a trade word is the firm under that name (光明乳业, 雨润集团)."""
    companies: list[str] = []
    brands: list[str] = []
    i = 0
    while i < len(words):
        found = _known_at(words, i)
        if found is None:
            i += 1
            continue
        start = i
        name, entry, i = found
        following = words[i] if i < len(words) else ""
        # A firm named with its city or province as written (南京雨润 of 雨润).
        place = words[start - 1] if start and words[start - 1] in gazetteer() else ""
        if following in FIRM_NAME_WORDS:
            companies.append(place + name + following)
        elif entry.kind == "company" or following in FIRM_CONTEXT_WORDS or _acts(following):
            companies.append(place + name)
        else:
            brands.append(name)
    return _unique(companies), _unique(brands)


def _unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def brands_in(text: str) -> tuple[str, ...]:
    """Quoted names before 牌 / 品牌 or a product word (“佳佳”奶粉), and the proper name just
    before 牌 (飞鹤牌)."""
    found = []
    products = product_terms()
    for match in _QUOTED_BRAND.finditer(text):
        # News quote many terms (“地沟油”, “三无”): only a quote that a brand word or a
        # product follows is a brand, or one with 牌 inside (“太太乐牌”). 打“绿色”牌 is
        # "playing the green card".
        name, after = match.group(1), text[match.end() :]
        if text[: match.start()].endswith("打") or name in GENERIC_HEADS:
            continue
        if name.endswith("牌") and len(name) > 2:
            found.append(name.removesuffix("牌"))
        elif (
            after.startswith(("牌", "品牌"))
            or any(after.startswith(p) for p in products)
            or _described_product(after)
        ) and name not in QUOTED_NOT_BRANDS:
            listed = _QUOTED_LIST.search(text[: match.start()])
            if listed:
                found.extend(m.group(1) for m in _QUOTED_BRAND.finditer(listed.group(0)))
            found.append(name)
    for match in _BRAND_WORD.finditer(text):
        start = max(0, match.start() - BRAND_LOOKBACK)
        name, tagged = words_before(text[start : match.start()], most=2)
        # Brand names are often common nouns to jieba (飞鹤): nouns pass here, generic ones
        # not, nor a place alone (an origin: 德国牌 is rare; 三埠桥牌 is a place and a word).
        nouns = all(flag.startswith("n") or flag in PROPER_FLAGS for _, flag in tagged)
        # A place jieba's dictionary does not hold is more often a brand (三埠桥牌).
        place_alone = all(flag == "ns" for _, flag in tagged) and not is_rare(name)
        generic = name in GENERIC_HEADS or name in product_terms()  # 茶叶品牌
        if len(name) >= 2 and nouns and not place_alone and not generic:
            found.append(name)
        elif match.group(0) == "牌" and not _glued_pai(text, match.start()):
            found.extend(_name_before_pai(text[start : match.start()]))
    found.extend(_names_after_brand_word(text))
    found.extend(_listed_quoted_brands(text))
    return _unique(found)


# jieba's frequency from which a word it tags as a common noun is goods, not a brand (鸡精 96);
# the brands such lists name are rare or unknown to it (咪咪 26 is an interjection, 波斯猫 0).
GOODS_NOUN_FREQ = 10
# 侵权假冒 / 制假售假 name the offence, not a counterfeit's brand; campaigns are quoted too.
_OFFENCE_BEFORE = ("侵权", "打击", "制售", "售假")
_CAMPAIGNS = ("行动", "活动", "专项", "工程", "计划", "战役", "风暴")


def _listed_quoted_brands(text: str) -> list[str]:
    """The quoted names of a list after a word that makes them brands (假冒“咪咪”虾条、“波斯猫”
    开心豆): not words of goods or hazards (“绿色”, “野生”), nor a product (“五常大米”)."""
    found = []
    products = product_terms()
    for match in _BRAND_LIST_LEAD.finditer(text):
        if text[: match.start()].endswith(_OFFENCE_BEFORE):
            continue  # 打击侵权假冒“护牌行动”: the offence, then a campaign's name
        for quoted in _QUOTED_BRAND.finditer(match.group(1)):
            name = quoted.group(1)
            if name in QUOTED_NOT_BRANDS or name in GENERIC_HEADS or name.endswith(_CAMPAIGNS):
                continue
            if any(name.endswith(term) for term in products if len(term) >= 2):
                continue
            if word_tags().get(name) == "n" and _frequencies().get(name, 0) >= GOODS_NOUN_FREQ:
                continue  # goods jieba knows well (假冒“鸡精”)
            found.append(name)
    return found


# Tags of words no brand's name before 牌 holds (其中 r, 一 m, 的 u, 在 p).
_NOT_BRAND_FLAGS = ("r", "p", "c", "u", "m", "q", "x", "f", "t", "y", "e", "o")
PAI_NAME_MAX = 4  # characters of a name jieba cuts into words of other kinds before 牌 (胜福)


def _glued_pai(text: str, at: int) -> bool:
    """Whether 牌 at ``at`` ends a word of the dictionary with the character before it (贴牌,
    洗牌, 杂牌, 冒牌, 大牌, 名牌): a word, not a brand's 牌."""
    if at > 0 and text[at - 1] in _PAI_WORD_BEFORE:
        return True  # 贴牌 (OEM), 挂牌, 冒牌… as the dictionary may not hold them
    return at > 0 and _frequencies().get(text[at - 1 : at + 1], 0) > 0


_PAI_WORD_BEFORE = "贴挂冒杂名大金银王老奖招门车底亮摊洗打翻"


def _name_before_pai(before: str) -> list[str]:
    """The name before 牌 when jieba cuts it into words of other kinds (胜福 vn + 牌, 完美 a +
    牌): the last one or two words, 2–4 characters, none a function word, a cut word, a place
    alone or goods. 牌 glued into a word of its own (招牌, 名牌, 金牌) never gets here."""
    tagged = [(p.word, p.flag) for p in posseg.lcut(before)]
    for n in (1, 2):
        if len(tagged) < n:
            break
        run = tagged[-n:]
        name = "".join(word for word, _ in run)
        if any(flag.startswith(_NOT_BRAND_FLAGS) or word in CUT_WORDS for word, flag in run):
            break
        if not 2 <= len(name) <= PAI_NAME_MAX:
            continue
        if name in GENERIC_HEADS or name in product_terms() or name in gazetteer():
            break
        return [name]
    return []


def _described_product(after: str) -> bool:
    """Whether ``after`` (what follows a quoted name) starts with a few words describing a
    product and then the product (“奇达”味极鲜酿造酱油): nouns, adjectives and words of
    making only, so that “瘦肉精”猪肉制成的火腿肠 is no brand."""
    run = _DESCRIBED.match(after)
    if run is None or not any(term in run.group(0) for term in product_terms() if len(term) > 1):
        return False
    for pair in posseg.lcut(run.group(0)):
        if pair.word in product_terms():
            return True
        if not pair.flag.startswith(("n", "a", "vn", "b")):
            return False
    return False


def firm_brands(text: str, companies: Sequence[str]) -> tuple[str, ...]:
    """The own names of ``companies`` that ``text`` puts before 牌 or a product (山西杏品酒业
    有限责任公司 … 杏品牌元青花酒; 浑源县恒泉酒厂 … 恒泉白酒): the firm's products sold
    under its name."""
    found = []
    products = product_terms()
    for company in companies:
        core = core_name(company)
        if not core:
            continue
        rest = company[company.index(core) + len(core) :]  # 百乐饮料厂 names the firm
        for match in re.finditer(re.escape(core), text):
            after = text[match.end() :]
            if after.startswith(rest):
                continue
            if after.startswith(("牌", "品牌")) or any(after.startswith(p) for p in products):
                found.append(core)
                break
    return _unique(found)


def _names_after_brand_word(text: str) -> list[str]:
    """The name that follows 品牌 when it is a brand's own: Latin letters (品牌Holle), or
    proper-name words to the first word that cannot be part of a name (品牌安吉兰德，)."""
    found = []
    for match in _AFTER_BRAND_WORD.finditer(text):
        name = match.group(0)
        before = posseg.lcut(text[max(0, match.start() - 8) : match.start() - 2])
        if not before or len(before[-1].word) < 2:
            continue  # 杏品牌元青花酒: 品牌 here is 杏品 + 牌, not a category's brand
        if not name[0].isascii():
            kept: list[str] = []
            for pair in posseg.lcut(name):
                if pair.flag not in PROPER_FLAGS or len(kept) == 3:
                    break
                kept.append(pair.word)
            name = "".join(kept)
        else:
            rest = text[match.end() : match.end() + 8]
            tail = [p for p in posseg.lcut(rest)[:1] if p.flag in PROPER_FLAGS]
            name += "".join(p.word for p in tail)  # Lactana特福芬: a Latin name and its Chinese
        if len(name) >= 2 and name not in GENERIC_HEADS:
            found.append(name)
    return found


PRODUCT_MAX_WORDS = 4  # 婴幼儿 / 配方 / 乳粉: the longest term in the list is three words


def products_in(words: Sequence[str]) -> tuple[str, ...]:
    """Terms of the list as runs of whole words, the longest run first (婴幼儿配方乳粉, not
    乳粉)."""
    terms = product_terms()
    found: list[str] = []
    i = 0
    while i < len(words):
        for n in range(min(PRODUCT_MAX_WORDS, len(words) - i), 0, -1):
            candidate = "".join(words[i : i + n])
            if candidate in terms:
                found.append(candidate)
                i += n
                break
        else:
            i += 1
    return _unique(found)


def extract(text: str, words: Sequence[str]) -> Entities:
    """The entities of ``text`` (Simplified), whose jieba words are ``words``."""
    known_companies, known_brands = known_in(words)
    named = companies_in(text, known_names())
    # Registered-shape names the company-word reading stopped short of (广州市联和食品加工有限
    # 公司) count as found with their company word: their own names are learned from them.
    named = tuple(mended(text, shaped_names(text, named), known_names()))
    # A known name with its trade word (康师傅集团) inside a formal name found
    # (香港康师傅集团有限公司) is that name again.
    known_companies = tuple(
        c for c in known_companies if c in known_names() or not any(c in n for n in named)
    )
    # A known brand speaking (惠氏：产品合格) is the firm: punctuation is not among ``words``.
    speaking = tuple(b for b in known_brands if re.search(re.escape(b) + "[：:]", text))
    by_context = context_firms(text, words, named, product_terms(), QUOTED_NOT_BRANDS)
    _, listed_brands = listed_before_kind(text, product_terms(), known_names())
    # A known firm listed before 等品牌 (包括好利来、盛圆祥等品牌) is named as a brand there.
    known_companies = tuple(c for c in known_companies if c not in listed_brands)
    by_shape = shaped_firms(text, [*named, *known_companies, *by_context])
    # A quoted name before a company word (“满堂红”大酒店) is the firm's name with it.
    quoted_firms = quoted_firm_names(text, QUOTED_NOT_BRANDS, product_terms())
    quoted_alone = {alone for _, alone in quoted_firms}
    by_context = [c for c in by_context if c not in quoted_alone]
    by_shape = [*by_shape, *(firm for firm, _ in quoted_firms)]
    return Entities(
        regions=regions_in(words),
        companies=_unique(
            [
                *named,
                *restaurants_in(text, known_names()),
                *known_companies,
                *speaking,
                *by_context,
                *by_shape,
            ]
        ),
        brands=_unique(
            [
                *brands_in(text),
                *firm_brands(text, named),
                *known_brands,
                *listed_brands,
                *(b for b in registered_brands(words, product_terms()) if b not in by_context),
            ]
        ),
        products=products_in(words),
    )


@dataclass(frozen=True)
class EntitySummary:
    """The entities of many mentions (an event's), each with how many mentions name it, most
    named first."""

    regions: tuple[tuple[Region, int], ...] = ()
    companies: tuple[tuple[str, int], ...] = ()
    brands: tuple[tuple[str, int], ...] = ()
    products: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.regions or self.companies or self.brands or self.products)


def _ranked(groups: Sequence[Sequence[T]], limit: int) -> tuple[tuple[T, int], ...]:
    counts: dict[T, int] = {}
    for group in groups:
        for item in dict.fromkeys(group):  # once per mention
            counts[item] = counts.get(item, 0) + 1
    # Stable sort: among equals, the first named comes first.
    return tuple(sorted(counts.items(), key=lambda kv: -kv[1])[:limit])


def summarise(found: Sequence[Entities], limit: int = 8) -> EntitySummary:
    return EntitySummary(
        regions=_ranked([e.regions for e in found], limit),
        companies=_ranked([e.companies for e in found], limit),
        brands=_ranked([e.brands for e in found], limit),
        products=_ranked([e.products for e in found], limit),
    )
