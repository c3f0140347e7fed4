"""Regions a text names: provinces and prefecture-level cities with their GB/T 2260 codes.

Each region has its six-digit administrative division code (GB/T 2260, the first six digits of
the 12-digit codes in cpca's ``adcodes.csv``, a maintained list of China's divisions). Matched
on whole jieba words, by full name (广东省, 深圳市, 甘南藏族自治州) or short name (广东, 深圳,
甘南), and by a short name followed by its suffix as a separate word (江州 / 市). A short name
that is also a common word or a brand (中山, 大同, 白银, 普洱, 阿里…) counts only in full. A
short name shared by a province and a city (吉林) is the province. Counties and districts are
left out: their names repeat across provinces (朝阳区 is in Beijing and in Changchun). Part of
``nlp.entities`` (companies, brands and products are there and in ``nlp.entities_firms``).
"""

from __future__ import annotations

import csv
import importlib.resources
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# Short names that are also ordinary words, brands or places of another kind: only the full
# name (中山市, 白银市) is a region. Read off the 344 prefecture-level names against jieba's
# dictionary and the CED / food-safety texts.
AMBIGUOUS_SHORT = frozenset(
    {
        "中山", "大同", "安康", "白银", "普洱", "长治", "阿里", "黄山", "和田", "哈密",
        "玉树", "海西", "海北", "海东", "海南藏族", "三明", "白山", "四平", "通化", "吉安",
        "永州", "新余", "金昌", "铜川", "定西", "平凉", "阳泉", "林芝", "那曲", "山南",
        "朝阳",  # Beijing's 朝阳区 far more often than 朝阳市 (found by nlp_entities_bench.py)
    }
)  # fmt: skip
# Short names that are also ordinary words as often as places: 开封 is "open (a package)" in
# nearly every food report that has it (40 of the 45 food-safety news reports with 开封, and
# the demo's nori advice 紫菜开封后应密封 was read as Kaifeng), 来宾 "guests", 日照
# "sunshine". They count as the place after their province (河南开封) or beside another
# region (流入开封、郑州等地), or in full (开封市).
CONTEXT_SHORT = frozenset({"开封", "来宾", "日照"})
# Words before a place that make it a product's origin (产自开封的紫菜, 原产地巴西): where a
# product comes from, not where the story happens, so not a region of the mention.
ORIGIN_WORDS = frozenset({"产自", "产于", "原产", "原产地", "产地", "产地为", "产地是"})
_LIST_MARKS = frozenset({"、", "，", ",", "和", "及", "与"})
# Suffixes that may follow a short name as a word of their own (jieba cuts 江州市 as 江州 / 市).
SUFFIX_WORDS = ("省", "市", "自治区", "地区", "盟", "自治州", "州")
# Words jieba keeps whole although they start with a place: newspapers and agencies
# (北京晨报, 北京市工商局). Only these endings: a street (北京路) or a product (山西陈醋) is
# not the place itself, or not reliably.
PLACE_PREFIXED = (
    "晨报", "日报", "晚报", "商报", "都市报", "卫视", "电视台", "广播电视台", "工商局", "质监局",
    "市场监管局", "市场监督管理局", "食药监局", "食品药品监督管理局", "卫生局", "消协",
)  # fmt: skip
_SUFFIXES = re.compile(r"(?:特别行政区|自治区|自治州|省|市|地区|盟)$")


@dataclass(frozen=True)
class Region:
    code: str  # six digits, GB/T 2260
    name: str  # the full name: 广东省, 深圳市
    province: str  # the full name of its province (itself for a province)


def cities_first(regions: Sequence[Region]) -> list[Region]:
    """The regions with the cities (the more specific places) before the provinces, each in
    the order named."""
    return sorted(regions, key=lambda r: r.code.endswith("0000"))


@lru_cache(maxsize=1)
def _nations() -> re.Pattern[str]:
    """The 56 ethnic groups' names without 族 (autonomous divisions often drop it)."""
    source = importlib.resources.files("cpca").joinpath("resources/56_nations.csv")
    with source.open(encoding="utf-8") as handle:
        stems = {line.strip().split(",")[0].removesuffix("族") for line in handle}
    stems = {s for s in stems if s and not s.startswith("#")}
    return re.compile("|".join(sorted(stems, key=len, reverse=True)))


def short_name(full: str) -> str:
    """广东省 → 广东, 广西壮族自治区 → 广西, 甘南藏族自治州 → 甘南, 内蒙古自治区 → 内蒙古."""
    short = _SUFFIXES.sub("", full)
    if full.endswith(("自治区", "自治州")):
        # Cut at the first ethnic group's name after the place's own (at least two
        # characters: 西藏 and 内蒙古 start with one).
        match = _nations().search(short, 2)
        if match:
            short = short[: match.start()]
    return short


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Region]:
    """Full and short names of provinces and prefecture-level cities → their Region."""
    source = importlib.resources.files("cpca").joinpath("resources/adcodes.csv")
    provinces: dict[str, str] = {}
    cities: list[tuple[str, str]] = []
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if not code.isdigit() or row["adcode"][6:].strip("0"):
                continue  # below county level
            if code.endswith("0000"):
                provinces[code[:2]] = row["name"]
            elif code.endswith("00") and row["name"] not in ("市辖区", "县", "省直辖县级行政区划"):
                cities.append((code, row["name"]))
    names: dict[str, Region] = {}
    for prefix, name in provinces.items():
        region = Region(prefix + "0000", name, name)
        names[name] = region
        names.setdefault(short_name(name), region)
    for code, name in cities:
        region = Region(code, name, provinces.get(code[:2], ""))
        names.setdefault(name, region)
        short = short_name(name)
        if len(short) >= 2 and short not in AMBIGUOUS_SHORT:
            names.setdefault(short, region)  # a province of that name keeps it (吉林)
    return names


def _prefixed(word: str, names: dict[str, Region]) -> Region | None:
    """The place a newspaper's or an agency's one-word name starts with (北京晨报 → 北京)."""
    for ending in PLACE_PREFIXED:
        if word.endswith(ending) and word[: -len(ending)] in names:
            return names[word[: -len(ending)]]
    return None


def _in_context(words: Sequence[str], i: int, names: dict[str, Region]) -> bool:
    """Whether the CONTEXT_SHORT name at ``i`` is the place: after its province's name, next
    to another region (across a 、), or before a word of 市 (开封市场监管局 cut 开封 / 市场)."""
    province = names[words[i]].province
    before = names.get(words[i - 1]) if i else None
    following = [w for w in words[i + 1 : i + 3] if w not in _LIST_MARKS][:1]
    after = names.get(following[0]) if following else None
    return (
        (before is not None and (before.name == province or before.code.endswith("00")))
        or (after is not None and after.name != province)
        or bool(following and following[0].startswith("市"))
    )


def _origin_before(words: Sequence[str], i: int) -> bool:
    """Whether a word of origin (产自, also cut 产 / 自) stands right before word ``i``."""
    return (i >= 1 and words[i - 1] in ORIGIN_WORDS) or (
        i >= 2 and words[i - 2] + words[i - 1] in ORIGIN_WORDS
    )


def regions_in(words: Sequence[str]) -> tuple[Region, ...]:
    names = gazetteer()
    found: list[Region] = []
    for i, word in enumerate(words):
        if _origin_before(words, i):
            continue  # a product's origin, not where the story is
        joined = word + words[i + 1] if i + 1 < len(words) else ""
        if joined and words[i + 1] in SUFFIX_WORDS and joined in names:
            found.append(names[joined])
        elif word in CONTEXT_SHORT:
            if _in_context(words, i, names):
                found.append(names[word])
        elif word in names:
            found.append(names[word])
        elif len(word) > 3 and (prefixed := _prefixed(word, names)) is not None:
            found.append(prefixed)
    return tuple(dict.fromkeys(found))


def named_regions(words: Sequence[str]) -> tuple[str, ...]:
    """Full names of the regions ``words`` name, cities before provinces (the more specific
    place first), each once."""
    return tuple(r.name for r in cities_first(regions_in(words)))
