"""Firms named without a company word (蒙牛, 德芙, 聚兴隆): found by the context they stand in.

A company word (有限公司, 超市, 店) makes a name (``nlp.entities_firms``); news name most firms
without one. The contexts, each a firm acting or described as a business, not a bare word:

- a **registered brand name** acting, or before a firm's trade (``nlp.entities_registered``:
  德芙生产商, 海底捞门店, 湖南亚华乳业);
- a **quoted name** described as a business (“聚兴隆”的肉制品企业, “年糕杨”的工作人员);
- the items of a **list of firms** (知名企业如味全、台糖、85度C…; 家乐福、沃尔玛等超市, and
  思朗、亿达等品牌 as brands);
- a firm's **own name learned from the text**: a firm named with its company word elsewhere in
  the text (河南烨赫堂生物科技有限公司), its own name (``core_name``: 烨赫堂) where it acts
  again (河南烨赫堂将…) or in quotes (又称“烨赫国际”);

and Latin names with a company suffix (BLENDANDPACK PTY LTD). A region written before a name
is kept with it (杭州味全), as the labels write it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence

import jieba.posseg as posseg

from nlp.entities_firms import COMPANY_WORDS, GENERIC_HEADS, core_name, words_before
from nlp.entities_regions import gazetteer
from nlp.entities_registered import (
    ACTING_AFTER,
    NUMERIC_NAME,
    is_ordinary,
    not_a_firm,
    registered_acting,
    trade_named_firms,
)

BUSINESS_WORDS = ("企业", "厂家", "商家", "工作人员", "负责人", "门店", "生产商")
_QUOTED_BUSINESS = re.compile(
    r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9·]{2,12})[”\"」』]的?[\u4e00-\u9fff]{0,4}?(?:"
    + "|".join(BUSINESS_WORDS)
    + ")"
)
_QUOTED = re.compile(r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9·]{2,12})[”\"」』]")
_FIRM_LIST = re.compile(
    r"(?:企业|品牌|商家|厂家|公司|餐厅|门店)(?:如|包括|例如|比如)([^。；;！？!?：:]{2,80})"
)
_LIST_SPLIT = re.compile(r"[、，,]|和|及|与")
LIST_ITEM_MAX = 10
_LATIN_FIRM = re.compile(
    r"(?<![A-Za-z])[A-Z][A-Za-z0-9&\-.]{1,40}?(?:PTY ?LTD|LTD|Ltd\.?|LIMITED|Limited|INC|Inc\.?"
    r"|GMBH|GmbH|LLC|CORP|Corp\.?|S\.A\.)(?![A-Za-z])"
)
# Company words a learned name is written with again (新西兰恒天然公司 … 恒天然集团).
LEARNED_FIRM_WORDS = ("集团公司", "集团", "公司")
# A verb, an adverb or a preposition after a learned name: the firm acting (河南烨赫堂将…).
_ACTING_FLAGS = ("v", "d", "p")


def quoted_businesses(text: str, not_names: frozenset[str]) -> list[str]:
    """Quoted names described as a business: “聚兴隆”的肉制品企业, “年糕杨”的工作人员."""
    return [
        m.group(1)
        for m in _QUOTED_BUSINESS.finditer(text)
        if m.group(1) not in not_names and m.group(1) not in GENERIC_HEADS and not _acts(m.group(1))
    ]


def _acts(quoted: str) -> bool:
    """Whether a quote is a verb phrase, not a name (嗑瓜子“嗑出”死老鼠厂家…)."""
    return all(p.flag.startswith(("v", "d")) for p in posseg.lcut(quoted))


def listed_firms(text: str) -> list[str]:
    """The items of a list of firms (企业如味全、台糖、85度C…): each short, no verb in it."""
    found = []
    for match in _FIRM_LIST.finditer(text):
        for item in _LIST_SPLIT.split(match.group(1)):
            item = re.sub(r"等+.*$", "", item.split("的")[-1]).strip()
            if not 2 <= len(item) <= LIST_ITEM_MAX or NUMERIC_NAME.match(item):
                continue
            tagged = posseg.lcut(item)
            if any(p.flag.startswith(("v", "r", "d", "p", "u")) for p in tagged):
                continue  # a clause, not a name (企业如实上报)
            if item not in GENERIC_HEADS:
                found.append(item)
    return found


def learned_names(text: str, companies: Sequence[str]) -> list[str]:
    """A firm's own name where it acts again or is quoted: ``core_name`` of each company found
    with its company word (河南烨赫堂生物科技有限公司 → 烨赫堂 → 河南烨赫堂将…, “烨赫国际”)."""
    found = []
    spans = [m.span() for c in companies for m in re.finditer(re.escape(c), text)]
    for company in companies:
        core = core_name(company)
        if not core or is_ordinary(core):
            continue
        stem = _stem(company, core)
        if stem and stem in text.replace(company, ""):
            found.append(stem)  # 泰奇食品 of 泰奇食品有限公司: the name without its company word
        for match in re.finditer(re.escape(core), text):
            if any(s <= match.start() < e for s, e in spans):
                continue  # inside a name already found
            if stem and text.startswith(stem, match.start()):
                continue
            start = match.start()
            place = next((p for p in gazetteer() if len(p) >= 2 and text.endswith(p, 0, start)), "")
            following = posseg.lcut(text[match.end() : match.end() + 6])
            word, flag = (following[0].word, following[0].flag) if following else ("", "")
            ends = not word.strip() or word in "，。；、！？"
            firm_word = next((w for w in LEARNED_FIRM_WORDS if text.startswith(w, match.end())), "")
            if firm_word:
                found.append(place + core + firm_word)  # 对恒天然集团 after 新西兰恒天然公司
            elif ends or word in ACTING_AFTER or flag.startswith(_ACTING_FLAGS):
                found.append(place + core)
        for quoted in _QUOTED.findall(text):
            if core in quoted and quoted != core and not quoted.endswith(COMPANY_WORDS):
                found.append(quoted)
    return found


STEM_MIN = 4  # characters of a name without its company word (泰奇食品; not 泰奇, the core's)


def _stem(company: str, core: str) -> str:
    """A firm's own name and trade without its company word, when it starts with its core (泰奇
    食品有限公司 → 泰奇食品), else ""."""
    suffix = next((w for w in COMPANY_WORDS if company.endswith(w)), "")
    stem = company[: len(company) - len(suffix)]
    if not suffix or len(stem) < STEM_MIN or not stem.startswith(core) or stem == core:
        return ""
    return stem


# Names before 等 and the kind of firm they are (蒙牛、伊利等乳企, 思朗、亿达等品牌).
_LIST_BEFORE_KIND = re.compile(
    r"([^，,。；;！？!?：:“”\s]{2,80}?)等(?:[\d一二两三四五六七八九十多几]+家)?(?:知名|大型|国内|国外|多个|多)?"
    r"(企业|公司|商家|厂家|厂商|乳企|酒企|餐厅|超市|门店|餐馆|饭店|品牌)"
)
_LIST_SEP = re.compile(r"[、，,]|和|及|与|以及")


def listed_before_kind(
    text: str, products: frozenset[str], known: Container[str] = ()
) -> tuple[list[str], list[str]]:
    """The items of a list that ends in 等 and a kind of firm: firms (蒙牛、伊利等乳企), or
    brands before 等品牌. Only lists of two or more, each item short, no verb in it, and the
    first item read back from the clause to its name (被曝光的还有蒙格尔 → 蒙格尔); ``known``:
    the known names, items whatever jieba tags them (好利来 l)."""
    firms: list[str] = []
    brands: list[str] = []
    for match in _LIST_BEFORE_KIND.finditer(text):
        items = [item.strip() for item in _LIST_SEP.split(match.group(1))]
        if len(items) < 2:
            continue
        first, _ = words_before(items[0], most=3)
        items[0] = first
        kept = [item for item in items if item in known or _list_item(item, products)]
        if len(kept) < 2:
            continue
        (brands if match.group(2) == "品牌" else firms).extend(kept)
    return firms, brands


LIST_NAME_MAX = 4  # an item this short is a name whatever jieba makes of it (可 / 拉奥)


def _list_item(item: str, products: frozenset[str]) -> bool:
    if not 2 <= len(item) <= LIST_ITEM_MAX or NUMERIC_NAME.match(item) or item in GENERIC_HEADS:
        return False
    if item in gazetteer() or is_ordinary(item):
        return False  # 广东、广西等企业: places; 进口、国产等品牌: words
    if "有限" in item or any(item.endswith(term) for term in products if len(term) >= 2):
        return False  # a company (companies_in finds it) or a product (某某饮用纯净水)
    tagged = posseg.lcut(item)
    if any(p.flag == "l" for p in tagged):
        return False  # a set phrase (好生意, 另一家)
    if len(item) <= LIST_NAME_MAX:
        return True
    # A clause or a count, not a name.
    return not any(p.flag.startswith(("v", "r", "d", "p", "u", "c", "m")) for p in tagged)


def latin_firms(text: str) -> list[str]:
    """Latin names with a company suffix (BLENDANDPACKPTYLTD, Nestle S.A.)."""
    return [m.group(0) for m in _LATIN_FIRM.finditer(text)]


def context_firms(
    text: str,
    words: Sequence[str],
    companies: Sequence[str],
    products: frozenset[str],
    quoted_not_names: frozenset[str] = frozenset(),
) -> list[str]:
    """Every firm the contexts above find in ``text`` (its jieba ``words``), given the
    ``companies`` already found by their company word; ``quoted_not_names``: quoted words that
    describe goods, never a name (“问题”企业, “黑心”商家)."""
    found = [
        *registered_acting(words, products),
        *quoted_businesses(text, quoted_not_names),
        *listed_firms(text),
        *learned_names(text, companies),
        *trade_named_firms(text, companies, products),
        *listed_before_kind(text, products)[0],
        *latin_firms(text),
    ]
    return [name for name in found if not not_a_firm(name)]
