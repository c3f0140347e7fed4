"""Firms and brands by the registered brand names of ``companynameparser`` (285,000 names,
its ``data/brand.txt``), each in a context that makes it a firm or a brand, since a bare
registered name is as often an ordinary word (光明, 统一, 思念, 海外, 联邦):

- a registered name (also one jieba splits: 徐福 / 记, 海底 / 捞) right before a word of the
  firm acting, speaking or as a business (德芙生产商, 味全发布声明, 海底捞门店, 三鹿董事长),
  after one only a firm can follow (起诉X, 约谈X), or before 的 and a firm's own word when
  jieba hardly knows it (吉野家的工作人员); names that are ordinary words (jieba's frequency ≥
  ``COMMON_WORD_FREQ``) or common nouns (地沟油) never count here;
- a name before a firm's trade (湖南亚华乳业, 联邦制药, 光明乳业: ``trade_named_firms``), a
  registered name or a proper name that is no place (not the industry: 中国乳业);
- a registered name before a product (南山奶粉, 好侍芝麻香油: ``registered_brands``), a brand.

Split from ``nlp.entities_context``, which holds the other contexts and joins them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import jieba.posseg as posseg

from core.text.segment import word_tags
from nlp.entities_firms import (
    COMPANY_WORDS,
    GENERIC_HEADS,
    TRADES,
    _frequencies,
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
     "股价", "市值", "公关部",
     # issue 22, third pass: a firm called a business (强冠企业问题油品, 修正药企)
     "企业", "药企", "乳企", "酒企"}
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
NUMERIC_NAME = re.compile(r"^[\d一二两三四五六七八九十百千几多数]+[家个种款批]?$")
BRAND_LIST_FILE = "brand.txt"


def registered_names() -> frozenset[str]:
    """The brand list shipped by ``companynameparser``, or nothing when it is not installed."""
    return parser_list(BRAND_LIST_FILE)


def is_ordinary(name: str) -> bool:
    return _frequencies().get(name, 0) >= COMMON_WORD_FREQ


def not_a_firm(name: str) -> bool:
    return name in NOT_FIRMS or name in GENERIC_HEADS or name.endswith(NOT_FIRM_ENDS)


def _place_before(words: Sequence[str], i: int) -> str:
    return words[i - 1] if i and words[i - 1] in gazetteer() else ""


def registered_acting(words: Sequence[str], products: frozenset[str]) -> list[str]:
    """Registered brand names that act as firms (德芙生产商, 起诉蒙牛, 海底捞门店, 伊利的工作
    人员), a region before kept; a name jieba does not know is read as the run of up to
    ``REGISTERED_MAX_WORDS`` words that makes it (海底 / 捞)."""
    return [
        _place_before(words, start) + name
        for start, end, name in _registered_runs(tuple(words), products)
        if _acting_at(words, start, end)
    ]


@lru_cache(maxsize=4)
def _registered_runs(
    words: tuple[str, ...], products: frozenset[str]
) -> tuple[tuple[int, int, str], ...]:
    """The runs of ``words`` that are registered names a firm or brand may be known by (start,
    end, name), the longest at each place, left to right; shared by ``registered_acting`` and
    ``registered_brands``, which the extraction asks for the same words."""
    names = registered_names()
    runs = []
    i = 0
    while i < len(words):
        for n in range(min(REGISTERED_MAX_WORDS, len(words) - i), 0, -1):
            if n > 1 and sum(len(w) for w in words[i : i + n]) > JOINED_NAME_MAX:
                continue
            name = "".join(words[i : i + n])
            if name not in names:
                continue  # the cheap test first: most runs are no registered name
            if n > 1 and not _joined_name(words[i : i + n], products):
                continue
            if _registered_firm(name, names, products):
                runs.append((i, i + n, name))
                i += n - 1
                break
        i += 1
    return tuple(runs)


JOINED_NAME_MAX = 6  # characters of a name jieba splits (三只松鼠, 徐福记, 庆丰包子铺 is 5)
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
    tags = word_tags()
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
        or is_ordinary(name)
        or name in gazetteer()
        or name in products
        or not_a_firm(name)
        or NUMERIC_NAME.match(name)
        or _common_noun(name)
    )


# jieba's frequency above which a word it tags as a common noun is goods (地沟油 20, 蜂产品 12),
# not a name; the known brands it tags so (双汇 68, 茅台 86) are resources/brands.txt's.
COMMON_NOUN_FREQ = 10


def _common_noun(name: str) -> bool:
    tag = word_tags().get(name, "")
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
    # the goods (优倍乳品中…, 乳品里): a trade that is also a kind of goods
    "中", "里",
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
    if len(name) < 2 or not_a_firm(name) or not tagged or len(tagged[-1][0]) < 2:
        return ""  # 小餐饮, 奶饮品: a kind of business or goods
    if tagged[-1][0] in EATERY_KINDS:
        return ""
    proper = any(flag in _OWN_FLAGS and word not in gazetteer() for word, flag in tagged)
    return name if proper else ""


def _registered_name(run: str, tagged: Sequence[tuple[str, str]]) -> bool:
    if run not in registered_names() or not_a_firm(run) or run in gazetteer():
        return False
    if run in parser_list(TRADES) or run in EATERY_KINDS or NUMERIC_NAME.match(run):
        return False  # 酵素, 火锅, 农家乐: trades, goods and kinds of eatery registered as brands
    return not any(flag in _NOT_NAME_FLAGS for _, flag in tagged)


def registered_brands(words: Sequence[str], products: frozenset[str]) -> list[str]:
    """Registered names before a product, or before 的 and a product when jieba hardly knows
    them (华义冰淇淋, 百老泉白酒, 江记豆腐乳): brands, by the same tests as a firm acting
    (``registered_acting``), never a word describing the goods (高品质白酒)."""
    return [
        name
        for start, end, name in _registered_runs(tuple(words), products)
        if _product_at(words, start, end, products) and _brand_words(words[start:end])
    ]


# Tags of a word before goods that say what kind they are, not whose (鲜榨 v, 冰爽 z, 中老年 j,
# 山泉 ns; 老 a of 老冰棍, 又 d of 又一家).
_GOODS_FLAGS = frozenset(
    {"n", "a", "b", "vn", "an", "v", "l", "ad", "d", "m", "z", "j", "ns",
     # issue 22, firms3: a time, a festival (中秋节月饼, tuning_7), is whose goods are for
     "t", "tg"}
)  # fmt: skip


def _brand_words(parts: Sequence[str]) -> bool:
    """Whether the words of a registered name before goods make a maker's name: each unknown to
    jieba or known as a proper name (华义, 江 / 记), none a word of the goods' kind."""
    tags = word_tags()
    for part in parts:
        if part in tags:
            if tags[part] in _GOODS_FLAGS:
                return False
        # A word jieba does not know, by the tags it guesses (冰爽 z, 松露 v; 科泉 n is a name).
        elif any(p.flag in _GOODS_FLAGS - {"n", "ns"} for p in posseg.lcut(part)):
            return False
    return True


def _product_at(words: Sequence[str], start: int, end: int, products: frozenset[str]) -> bool:
    after = words[end] if end < len(words) else ""
    if after == "的" and end + 1 < len(words):
        name = "".join(words[start:end])
        if _frequencies().get(name, 0) >= DE_NAME_MAX_FREQ:
            return False
        after = words[end + 1]
    return any(after.startswith(term) for term in products if len(term) >= 2)
