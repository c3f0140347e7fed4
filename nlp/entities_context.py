"""Firms named without a company word (蒙牛, 德芙, 聚兴隆): found by the context they stand in.

A company word (有限公司, 超市, 店) makes a name (``nlp.entities_firms``); news name most firms
without one. Four contexts, each a firm acting or described as a business, not a bare word:

- a **registered brand name** (the brand list of the ``companynameparser`` package, 285,000
  names) right before a word of the firm acting or speaking (德芙生产商, 味全发布声明, 双汇
  承认) or after one that only a firm can follow (起诉X, 约谈X). Names that are ordinary words
  (光明, 统一, 思念: jieba's frequency ≥ ``COMMON_WORD_FREQ``) never count here;
- a **quoted name** described as a business (“聚兴隆”的肉制品企业, “年糕杨”的工作人员);
- the items of a **list of firms** (知名企业如味全、台糖、85度C…);
- a firm's **own name learned from the text**: a firm named with its company word elsewhere in
  the text (河南烨赫堂生物科技有限公司), its own name (``core_name``: 烨赫堂) where it acts
  again (河南烨赫堂将…) or in quotes (又称“烨赫国际”);

and Latin names with a company suffix (BLENDANDPACK PTY LTD). A region written before a name
is kept with it (杭州味全), as the labels write it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jieba.posseg as posseg

from nlp.entities_firms import (
    COMPANY_WORDS,
    GENERIC_HEADS,
    TRADES,
    _frequencies,
    core_name,
    parser_list,
    words_before,
)
from nlp.entities_regions import gazetteer

# jieba's frequency at or above which a listed brand is an ordinary word (光明 1,219, 思念 585,
# 苹果 1,334) and not taken as a firm by context alone; brands news name are rarer (伊利 269,
# 双汇 68, 蒙牛 47, 德芙 5). Chosen on the tuning splits of benchmarks/entities_labels_orgs.json.
COMMON_WORD_FREQ = 300
# Words after a firm's name that show it acting, speaking or as a business.
ACTING_AFTER = frozenset(
    {"回应", "表示", "称", "承认", "否认", "致歉", "道歉", "声明", "召回", "旗下", "门店", "专卖店",
     "分店", "官方", "客服", "负责人", "工作人员", "生产商", "厂家", "厂商", "总部", "方面", "员工",
     "发布", "公告", "宣布", "回复", "赔偿", "起诉", "涉嫌",
     # issue 22: a firm's outlets, officers and dealers (海底捞门店, 三鹿董事长)
     "加盟店", "连锁店", "旗舰店", "董事长", "总裁", "总经理", "发言人", "创始人", "高管",
     "股价", "市值", "公关部"}
)  # fmt: skip
# A firm's own after 的 (伊利的工作人员, 蒙牛的生产基地).
FIRM_OWN_AFTER_DE = frozenset(
    {"工作人员", "负责人", "员工", "客服", "门店", "董事长", "总裁", "老板", "创始人", "工厂",
     "声明", "回应", "官方", "旗舰店", "专卖店", "股价", "高管"}
)  # fmt: skip
# Words before a name that only a firm follows.
ACTING_BEFORE = frozenset({"起诉", "状告", "约谈", "收购", "并购"})
# Not firms though listed as brands: bodies, people, platforms' features, kinds of food.
NOT_FIRM_ENDS = (
    "局", "署", "委员会", "部门", "厅", "法院", "检察院", "研究院", "研究所", "中心", "政府",
    "协会", "商标", "先生", "女士", "小姐", "记者", "电视台", "日报", "晚报",
    "专家", "所", "事业部", "网", "后厨",
)  # fmt: skip
NOT_FIRMS = frozenset({"微博", "微信", "拉面", "网友", "消费者", "专家"})
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
_NUMERIC = re.compile(r"^[\d一二两三四五六七八九十百千几多数]+[家个种款批]?$")
# A verb, an adverb or a preposition after a learned name: the firm acting (河南烨赫堂将…).
_ACTING_FLAGS = ("v", "d", "p")
BRAND_LIST_FILE = "brand.txt"


def registered_names() -> frozenset[str]:
    """The brand list shipped by ``companynameparser``, or nothing when it is not installed."""
    return parser_list(BRAND_LIST_FILE)


def _ordinary(name: str) -> bool:
    return _frequencies().get(name, 0) >= COMMON_WORD_FREQ


def _not_a_firm(name: str) -> bool:
    return name in NOT_FIRMS or name in GENERIC_HEADS or name.endswith(NOT_FIRM_ENDS)


def _place_before(words: Sequence[str], i: int) -> str:
    return words[i - 1] if i and words[i - 1] in gazetteer() else ""


def registered_acting(words: Sequence[str], products: frozenset[str]) -> list[str]:
    """Registered brand names that act as firms (德芙生产商, 起诉蒙牛, 海底捞门店, 伊利的工作
    人员), a region before kept; a name jieba does not know is read as the run of up to
    ``REGISTERED_MAX_WORDS`` words that makes it (海底 / 捞)."""
    names = registered_names()
    found = []
    i = 0
    while i < len(words):
        for n in range(min(REGISTERED_MAX_WORDS, len(words) - i), 0, -1):
            name = "".join(words[i : i + n])
            if n > 1 and not _joined_name(words[i : i + n], products):
                continue
            if _registered_firm(name, names, products) and _acting_at(words, i, i + n):
                found.append(_place_before(words, i) + name)
                i += n - 1
                break
        i += 1
    return found


REGISTERED_MAX_WORDS = 3
DE_NAME_MAX_FREQ = (
    5  # jieba's frequency of 蒙牛 is 47, 地沟油 20, 蛋糕店 7, 伊利 269: 伊利的… needs more
)
_ROLE_PARTS = frozenset({"先生", "女士", "小姐", "老板", "师傅", "阿姨", "家"})
# Tags of words no name is made of: particles, prepositions, conjunctions, pronouns, adverbs.
_FUNCTION_FLAGS = ("u", "p", "c", "r", "d", "x")


def _joined_name(parts: Sequence[str], products: frozenset[str]) -> bool:
    """Whether words jieba split can be one name (海底 / 捞, 徐福 / 记): no function word among
    them, and not ending in a company word, a trade or a product (便利 / 店, 水务 / 集团, 冰 /
    淇淋: those are the other rules' or no names)."""
    tags = posseg.dt.word_tag_tab
    if any(tags.get(part, "x").startswith(_FUNCTION_FLAGS) for part in parts if len(part) > 1):
        return False
    if any(part in ("的", "在", "了", "是", "和", "与", "及") for part in parts):
        return False
    if any(part in _ROLE_PARTS for part in parts):
        return False  # 贾先生家, 小老板: people
    if all(tags.get(part, "") == "n" for part in parts):
        return False  # 桂花 / 鸭: common nouns make goods more often than a name
    last = parts[-1]
    joined = "".join(parts)
    return not (
        joined.endswith(COMPANY_WORDS)
        or last in parser_list(TRADES)
        or last in products
        or joined in _frequencies()
    )


def _registered_firm(name: str, names: frozenset[str], products: frozenset[str]) -> bool:
    return not (
        len(name) < 2
        or name not in names
        or name.endswith(COMPANY_WORDS)  # companies_in's (便利店, 养殖场)
        or _ordinary(name)
        or name in gazetteer()
        or name in products
        or _not_a_firm(name)
        or _NUMERIC.match(name)
        or _common_noun(name)
    )


# jieba's frequency above which a word it tags as a common noun is goods (地沟油 20, 蜂产品 12),
# not a name; the known brands it tags so (双汇 68, 茅台 86) are resources/brands.txt's.
COMMON_NOUN_FREQ = 10


def _common_noun(name: str) -> bool:
    tag = posseg.dt.word_tag_tab.get(name, "")
    return tag == "n" and _frequencies().get(name, 0) >= COMMON_NOUN_FREQ


def _acting_at(words: Sequence[str], start: int, end: int) -> bool:
    """Whether the name in ``words[start:end]`` acts as a firm: an acting word after it, a firm's
    word after 的 (伊利的工作人员), or a word before it that only a firm follows."""
    after = words[end] if end < len(words) else ""
    if after == "的" and end + 1 < len(words):
        # The weakest context (蛋糕店的老板, 养殖场的负责人): only for a name jieba hardly knows.
        name = "".join(words[start:end])
        rare = _frequencies().get(name, 0) < DE_NAME_MAX_FREQ and name not in parser_list(TRADES)
        return rare and words[end + 1] in FIRM_OWN_AFTER_DE
    before = words[start - 1] if start else ""
    return after in ACTING_AFTER or before in ACTING_BEFORE


def quoted_businesses(text: str, not_names: frozenset[str]) -> list[str]:
    """Quoted names described as a business: “聚兴隆”的肉制品企业, “年糕杨”的工作人员."""
    return [
        m.group(1)
        for m in _QUOTED_BUSINESS.finditer(text)
        if m.group(1) not in not_names and m.group(1) not in GENERIC_HEADS
    ]


def listed_firms(text: str) -> list[str]:
    """The items of a list of firms (企业如味全、台糖、85度C…): each short, no verb in it."""
    found = []
    for match in _FIRM_LIST.finditer(text):
        for item in _LIST_SPLIT.split(match.group(1)):
            item = re.sub(r"等+.*$", "", item.split("的")[-1]).strip()
            if not 2 <= len(item) <= LIST_ITEM_MAX or _NUMERIC.match(item):
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
        if not core or _ordinary(core):
            continue
        for match in re.finditer(re.escape(core), text):
            if any(s <= match.start() < e for s, e in spans):
                continue  # inside a name already found
            start = match.start()
            place = next((p for p in gazetteer() if len(p) >= 2 and text.endswith(p, 0, start)), "")
            following = posseg.lcut(text[match.end() : match.end() + 6])
            word, flag = (following[0].word, following[0].flag) if following else ("", "")
            ends = not word.strip() or word in "，。；、！？"
            if ends or word in ACTING_AFTER or flag.startswith(_ACTING_FLAGS):
                found.append(place + core)
        for quoted in _QUOTED.findall(text):
            if core in quoted and quoted != core and not quoted.endswith(COMPANY_WORDS):
                found.append(quoted)
    return found


# Trades that make the name before them a firm's, used as its name without a company word
# (伊利乳业, 海底捞餐饮, 茅台酒业, 华润饮品): a trade of goods or food service in 业 or one a
# firm is named by; 食品 is not here (问题食品, 散装食品 name goods far more often).
FIRM_TRADES = frozenset(
    {"乳业", "酒业", "药业", "制药", "牧业", "肉业", "茶业", "餐饮", "粮油", "乳品", "糖业"}
)  # fmt: skip
TRADE_NAME_MAX_WORDS = 3  # words of the name read back from the trade (恒天然, 海底 / 捞)


_TRADE_AT = re.compile("|".join(sorted(FIRM_TRADES, key=len, reverse=True)))
_OWN_FLAGS = frozenset({"nz", "nr", "nrt", "nrfg", "nt", "j", "eng"})
EATERY_KINDS = frozenset(
    {"农家乐", "火锅", "食府", "快餐", "小吃", "酒楼", "饭店", "排档", "大排档", "烧烤", "自助",
     "中餐", "西餐", "团餐", "外卖"}
)  # fmt: skip
# Places, times, numbers, set phrases: registered as brands, but before a trade the industry's.
_NOT_NAME_FLAGS = frozenset({"ns", "s", "f", "t", "m", "mq", "l", "i", "v", "r"})
_TRADE_NOT_FIRM_AFTER = (
    "行业", "企业", "产业", "协会", "巨头", "龙头", "服务", "监管", "单位", "环节", "业", "处",
    "科", "安全", "市场", "消费", "经营", "店", "门店", "场所",
)  # fmt: skip
TRADE_LOOKBACK = 8  # characters read before a trade for its firm's name


def trade_named_firms(text: str, companies: Sequence[str], products: frozenset[str]) -> list[str]:
    """A name before a firm's trade, with no company word after it (伊利乳业, 海底捞餐饮): the
    name a registered brand that is no ordinary word, or words that name something (a proper
    name, a rare word: not a place alone, 中国乳业 is the industry). Not inside a name found
    with its company word (``companies``: 华天酒业 of 阳江市阳东区华天酒业食品有限公司)."""
    found = []
    for match in _TRADE_AT.finditer(text):
        after = text[match.end() :]
        if after.startswith(_TRADE_NOT_FIRM_AFTER):
            continue  # the trade itself (乳业行业, 乳业巨头, 餐饮服务, 餐饮单位)
        before = re.split(
            r"[^\u4e00-\u9fffA-Za-z0-9]",
            text[max(0, match.start() - TRADE_LOOKBACK) : match.start()],
        )[-1]
        name = _name_of_trade(before, products)
        firm = name + match.group(0)
        if name and not any(firm in company for company in companies):
            found.append(firm)
    return found


def _name_of_trade(before: str, products: frozenset[str]) -> str:
    """The words ending ``before`` that name a firm: the shortest run that is a registered
    brand (光明乳业, 联邦制药: an ordinary word too, the trade after it names the firm), with
    the places before it (湖南亚华乳业); else a run with a proper name that is no place
    (晨园乳业). Never across a product, never a trade, a place or a time (中国乳业, 海外药业,
    二季度餐饮: the industry)."""
    _, tagged = words_before(before, most=TRADE_NAME_MAX_WORDS)
    cut = max((i + 1 for i, (word, _) in enumerate(tagged) if word in products), default=0)
    tagged = tagged[cut:]
    for n in range(1, len(tagged) + 1):
        run = "".join(word for word, _ in tagged[-n:])
        if _registered_name(run, tagged[-n:]):
            while n < len(tagged) and tagged[-n - 1][0] in gazetteer():
                n += 1
            return "".join(word for word, _ in tagged[-n:])
    name = "".join(word for word, _ in tagged)
    if len(name) < 2 or _not_a_firm(name) or not tagged or len(tagged[-1][0]) < 2:
        return ""  # 小餐饮, 奶饮品: a kind of business or goods
    if tagged[-1][0] in EATERY_KINDS:
        return ""
    proper = any(flag in _OWN_FLAGS and word not in gazetteer() for word, flag in tagged)
    return name if proper else ""


def _registered_name(run: str, tagged: Sequence[tuple[str, str]]) -> bool:
    if run not in registered_names() or _not_a_firm(run) or run in gazetteer():
        return False
    if run in parser_list(TRADES) or run in EATERY_KINDS or _NUMERIC.match(run):
        return False  # 酵素, 火锅, 农家乐: trades, goods and kinds of eatery registered as brands
    return not any(flag in _NOT_NAME_FLAGS for _, flag in tagged)


# Names before 等 and the kind of firm they are (蒙牛、伊利等乳企, 思朗、亿达等品牌).
_LIST_BEFORE_KIND = re.compile(
    r"([^，,。；;！？!?：:“”\s]{2,80}?)等(?:[\d一二两三四五六七八九十多几]+家)?(?:知名|大型|国内|国外|多个)?"
    r"(企业|公司|商家|厂家|厂商|乳企|酒企|餐厅|超市|门店|餐馆|饭店|品牌)"
)
_LIST_SEP = re.compile(r"[、，,]|和|及|与|以及")


def listed_before_kind(text: str, products: frozenset[str]) -> tuple[list[str], list[str]]:
    """The items of a list that ends in 等 and a kind of firm: firms (蒙牛、伊利等乳企), or
    brands before 等品牌. Only lists of two or more, each item short, no verb in it, and the
    first item read back from the clause to its name (被曝光的还有蒙格尔 → 蒙格尔)."""
    firms: list[str] = []
    brands: list[str] = []
    for match in _LIST_BEFORE_KIND.finditer(text):
        items = [item.strip() for item in _LIST_SEP.split(match.group(1))]
        if len(items) < 2:
            continue
        first, _ = words_before(items[0], most=3)
        items[0] = first
        kept = [item for item in items if _list_item(item, products)]
        if len(kept) < 2:
            continue
        (brands if match.group(2) == "品牌" else firms).extend(kept)
    return firms, brands


LIST_NAME_MAX = 4  # an item this short is a name whatever jieba makes of it (可 / 拉奥)


def _list_item(item: str, products: frozenset[str]) -> bool:
    if not 2 <= len(item) <= LIST_ITEM_MAX or _NUMERIC.match(item) or item in GENERIC_HEADS:
        return False
    if item in gazetteer() or _ordinary(item):
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
    return [name for name in found if not _not_a_firm(name)]
