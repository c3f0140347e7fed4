"""Firms found by the shape of their name or of the sentence around it, where the company-word
reading of ``nlp.entities_firms`` stops short (issue 22, third pass, tuned on ``tuning_4`` of
``benchmarks/entities_labels_orgs.json``):

- a **registered name's shape**, region + own name + trade + company word, the form every
  Chinese firm is registered under (广州市 + 联和 + 食品加工 + 有限公司, 新西兰 + 恒天然 +
  公司): read from the place, so a name jieba cuts into a verb and a conjunction (联 / 和) is
  kept whole;
- a name **joined to a firm** found (香港牛栏和美国雅培公司先后发布公告): a registered brand
  name or a rare proper name right before 和 / 与 / 及 / 、 and the firm's name;
- a **quoted name a firm's role introduces** (标注的经销商也是“广州百益”, 生产厂家为“…”);
- a Japanese or Korean firm written with 株 (（株）大海生产的…).

Each is a context of a firm, not a bare word, so that ordinary words stay out.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence

import jieba.posseg as posseg

from nlp.entities_firms import (
    CUT_WORDS,
    GENERIC_HEADS,
    TRADES,
    _frequencies,
    is_rare,
    parser_list,
    words_before,
)
from nlp.entities_regions import gazetteer
from nlp.entities_registered import is_ordinary, not_a_firm, registered_names

# The company words a registered name ends in (店, 超市 name shops by other shapes).
_REGISTERED_END = re.compile(r"股份有限公司|有限责任公司|有限公司|集团公司|总公司|集团|公司")
SHAPE_LOOKBACK = 16  # characters read before the company word for the place and the name
OWN_NAME_MIN, OWN_NAME_MAX = 2, 4  # characters of a firm's own name (字号): 联和, 恒天然, 金福来
SHAPE_MIDDLE_MAX = 10  # own name + trades: 联和 + 食品加工
# Tags no firm's own name holds: numerals, measures, pronouns, prepositions, particles, locality
# and time words, punctuation (多家 + 食品公司, 这 + 家公司, 其 + 下属公司).
_NOT_OWN_FLAGS = ("m", "q", "r", "p", "u", "y", "e", "x", "f", "t", "o")
# Tags of an own name standing with no trade after it: the name must name something (恒 nr +
# 天然 b), not describe (市民 n + 反映 v).
_NO_TRADE_FLAGS = ("v", "c", "d", "a", "vn", "ad", "l", "i")
_PLACE_ENDS = ("省", "市", "县", "区", "州", "镇")
_SPLIT = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]")


def shaped_names(text: str, companies: Sequence[str]) -> list[str]:
    """``companies`` (found by ``nlp.entities_firms``) with the names of the registered shape
    region + own name + trades + company word: added where none holds them (广州市联和食品加工
    有限公司 when the reading stopped at 和), and in place of one the shape ends (薄金生态科技有限
    公司 → 江西金薄金生态科技有限公司) or that runs on before the shape's region into words
    that hold no place (腾讯假葡萄酒批发京城秦皇岛昌黎县野力公司 → 秦皇岛昌黎县野力公司: the
    reports' keyword line runs words together)."""
    found = list(companies)
    for match in _REGISTERED_END.finditer(text):
        before = _SPLIT.split(text[max(0, match.start() - SHAPE_LOOKBACK) : match.start()])[-1]
        name = _shaped(before)
        if not name:
            continue
        firm = name + match.group(0)
        ending = [c for c in found if c != firm and (firm.endswith(c) or c.endswith(firm))]
        if firm in found or any(_wider_place(c, firm) for c in ending):
            continue
        if ending:
            found = [firm if c in ending else c for c in found]
        elif not any(firm in c or c in firm for c in found if len(c) >= 3):
            found.append(firm)
    return list(dict.fromkeys(found))


def _wider_place(found: str, shaped: str) -> bool:
    """Whether a name found that runs on before the shape's region is to be kept: unless what
    it adds holds a word no name holds (a verb, a preposition: 委托…, 腾讯假葡萄酒批发京城…) and
    no region of the gazetteer (湖北咸宁向阳湖…, 阳江市阳东区…: the shape read a later place)."""
    if not found.endswith(shaped) or found == shaped:
        return False
    before = [(p.word, p.flag) for p in posseg.lcut(found[: len(found) - len(shaped)])]
    if any(word in gazetteer() or word.endswith(_PLACE_ENDS) for word, _ in before):
        return True
    return not any(flag.startswith(_NOT_NAME_FLAGS) or word in CUT_WORDS for word, flag in before)


# Tags of words no firm's name holds before its region: verbs, prepositions, conjunctions,
# particles, adverbs, pronouns, numerals.
_NOT_NAME_FLAGS = ("v", "p", "c", "u", "d", "r", "m")


def _is_place(word: str, flag: str) -> bool:
    return word in gazetteer() or (flag == "ns" and len(word) >= 2)


def _shaped(before: str) -> str:
    """The region and the own name with its trades that end ``before``, or ""."""
    tagged = [(p.word, p.flag) for p in posseg.lcut(before)]
    for i in range(len(tagged) - 1, -1, -1):
        if not _is_place(*tagged[i]):
            continue
        middle = tagged[i + 1 :]
        if not 0 < sum(len(w) for w, _ in middle) <= SHAPE_MIDDLE_MAX:
            return ""  # the nearest place is too far from the company word
        if not _own_and_trades(middle):
            return ""
        start = i
        while start > 0 and (
            tagged[start - 1][0] in gazetteer() or tagged[start - 1][0].endswith(_PLACE_ENDS)
        ):
            start -= 1  # 湖北 + 咸宁; not 京城 (a word jieba tags ns, written before a name)
        return "".join(w for w, _ in tagged[start:])
    return ""


def _own_and_trades(middle: Sequence[tuple[str, str]]) -> bool:
    """Whether the words between a place and a company word are an own name of 2–4
    characters and trades only (联和 + 食品 + 加工; 恒天然 with none)."""
    text = "".join(w for w, _ in middle)
    if any(w in CUT_WORDS or f.startswith(_NOT_OWN_FLAGS) for w, f in middle):
        return False
    for size in range(OWN_NAME_MIN, min(OWN_NAME_MAX, len(text)) + 1):
        own, rest = text[:size], text[size:]
        if not _trades_only(rest) or not _own_name(own):
            continue
        if rest:
            return True
        # No trade to confirm the shape: the own name must name something by itself.
        tags = [p.flag for p in posseg.lcut(own)]
        registered = own in registered_names() and not is_ordinary(own)
        if (registered or is_rare(own)) and not any(f in _NO_TRADE_FLAGS for f in tags):
            return True
    return False


def _own_name(own: str) -> bool:
    trades = parser_list(TRADES)
    return not (
        own in GENERIC_HEADS
        or own in trades
        or own in gazetteer()
        or not_a_firm(own)
        or _frequencies().get(own, 0) >= ORDINARY_OWN_FREQ
    )


# jieba's frequency above which a would-be own name is an ordinary word (生产 2,000+, 部分):
# a firm's own name is rare in a dictionary (联和 9, 金穗 0); the same bar as
# ``entities_registered.COMMON_WORD_FREQ``.
ORDINARY_OWN_FREQ = 300


def _trades_only(rest: str) -> bool:
    """Whether ``rest`` is made of trades of companynameparser's list, longest first."""
    trades = parser_list(TRADES)
    while rest:
        size = next((n for n in range(min(6, len(rest)), 1, -1) if rest[:n] in trades), 0)
        if not size:
            return False
        rest = rest[size:]
    return True


_JOINED = re.compile(r"(和|与|及|以及|、)$")
JOINED_MAX_WORDS = 3  # 香港 + 牛栏


def joined_firms(text: str, companies: Sequence[str]) -> list[str]:
    """A name joined by 和 / 与 / 及 / 、 right before a firm found (香港牛栏和美国雅培公司): a
    registered brand name that is no ordinary word, or a rare proper name, a place before it
    kept."""
    found = []
    for company in companies:
        for match in re.finditer(re.escape(company), text):
            head = _SPLIT.split(text[max(0, match.start() - 10) : match.start()])[-1]
            joint = _JOINED.search(head)
            if joint is None:
                continue
            name, tagged = words_before(head[: joint.start()], most=JOINED_MAX_WORDS)
            own = [(w, f) for w, f in tagged if not _is_place(w, f)]
            if not own or tagged[-1] != own[-1]:
                continue  # a place alone (广东和美国雅培公司) or a place last
            if len(own) > 1 and not all(is_rare(w) for w, _ in own):
                continue  # words jieba knows, joined (前途 + 光明): a phrase, not a name
            own_name = "".join(w for w, _ in own)
            if _joinable(own_name, own) and name not in companies:
                found.append(name)
    return found


def _joinable(name: str, tagged: Sequence[tuple[str, str]]) -> bool:
    if len(name) < 2 or not_a_firm(name) or name in GENERIC_HEADS or is_ordinary(name):
        return False
    if name in parser_list(TRADES) or any(f in _NO_TRADE_FLAGS for _, f in tagged):
        return False  # a trade, a set phrase or a description (前途光明)
    if name in registered_names():
        return True
    return is_rare(name) and all(f in ("nr", "nz", "nt", "nrt", "j") for _, f in tagged)


_ROLE_QUOTED = re.compile(
    r"(?:经销商|生产商|生产厂家|生产厂商|厂家|厂商|供应商|制造商|生产企业|委托商|进口商|代理商|"
    r"销售商|供货商)(?:也|均|都|则|仍)?(?:是|为|系|：|:)?[“\"「『]"
    r"([\u4e00-\u9fffA-Za-z0-9·（）()]{2,20})[”\"」』]"
)


def role_quoted(text: str) -> list[str]:
    """A quoted name after a firm's role (经销商也是“广州百益”, 生产厂家为“…”)."""
    return [m.group(1) for m in _ROLE_QUOTED.finditer(text) if m.group(1) not in GENERIC_HEADS]


# （株） of a Japanese or Korean firm's name (株式会社, which ``nlp.entities_firms`` reads as a
# company word) before what the firm does.
_KABUSHIKI = re.compile(
    r"[（(]株[）)]([\u4e00-\u9fffA-Za-z]{2,8}?)(?=生产|制造|出品|公司|的|[，。、,])"
)


def kabushiki_firms(text: str) -> list[str]:
    """Japanese and Korean firms written with （株）: （株）大海生产的… gives 大海."""
    return [m.group(1) for m in _KABUSHIKI.finditer(text)]


def shaped_firms(text: str, companies: Sequence[str]) -> list[str]:
    """The firms joined to ``companies`` (those found before, ``shaped_names``' among them),
    quoted after a firm's role or written with 株 in ``text``."""
    return [*joined_firms(text, companies), *role_quoted(text), *kabushiki_firms(text)]


# A firm's name with its region in brackets (不凡帝范梅勒糖果（中国）有限公司, 雅贝氏(深圳)乳业
# 有限公司): the own name read back from the bracket, the rest as written.
_BRACKETED = re.compile(
    r"([\u4e00-\u9fffA-Za-z]{2,12})([（(])([\u4e00-\u9fff]{2,4})([）)])([\u4e00-\u9fff]{0,8}?)"
    r"(股份有限公司|有限责任公司|有限公司|集团|公司)"
)
BRACKET_OWN_MAX_WORDS = 4


def bracketed_names(text: str) -> list[str]:
    """Names with a region in brackets: the own name before the bracket read back to the first
    word no name holds (负责生产阿尔卑斯棒棒糖的不凡帝范梅勒糖果（中国）有限公司)."""
    found = []
    for match in _BRACKETED.finditer(text):
        own, region, rest = match.group(1), match.group(3), match.group(5)
        if region not in gazetteer() and region != "中国":
            continue
        name, _ = words_before(own, most=BRACKET_OWN_MAX_WORDS, guessed=True)
        if len(name) < 2 or name in GENERIC_HEADS:
            continue
        found.append(name + match.group(2) + region + match.group(4) + rest + match.group(6))
    return found


# A quoted name before a company word (“满堂红”大酒店): the firm's name is both.
_QUOTED_FIRM = re.compile(
    r"[“\"「『]([\u4e00-\u9fffA-Za-z0-9]{2,12})[”\"」』]"
    r"(大酒店|酒店|酒楼|酒家|饭店|餐厅|餐馆|饭馆|火锅店|超市|商场|商行|有限公司|公司|集团|食品厂)"
)


def quoted_firm_names(
    text: str, not_names: frozenset[str], products: frozenset[str]
) -> list[tuple[str, str]]:
    """Quoted names before a company word (“满堂红”大酒店 → 满堂红大酒店), each with the
    quoted name alone, which other readings may have found; not a kind of goods or business
    in quotes (“黑心”商家, ``not_names``), nor goods (“毒五常米”超市: ``products``)."""
    found = []
    for match in _QUOTED_FIRM.finditer(text):
        quoted = match.group(1)
        if quoted in not_names or quoted in GENERIC_HEADS:
            continue
        if any(quoted.endswith(term) for term in products):
            continue
        found.append((quoted + match.group(2), quoted))
    return found


# Single characters jieba glues to a name as a person's name (但永辉, 从永辉: 永辉超市).
_GLUED_FUNCTION_CHARS = "但从在对向被由和与及将把给为让据经"
# A branch named after its chain (永辉超市 + 垡头店, 乐购 + 黄村公司).
_BRANCH_ENDS = ("分店", "店", "分公司", "公司")
_CHAIN_ENDS = ("超市", "商场", "商城", "便利店")
BRANCH_HEAD_MAX = 4  # characters of a branch's place (垡头, 黄村, 西直门)


def mended(text: str, companies: Sequence[str], known: Container[str]) -> list[str]:
    """``companies`` with the names jieba's cuts spoilt mended: a function character glued to
    a name as a person's name dropped (但永辉超市 → 永辉超市), a branch joined to its chain
    written just before it (永辉超市垡头店, 乐购黄村公司), and names with a region in brackets."""
    found = [_unglued(c) for c in companies]
    found = _branches(text, found, known)
    for name in bracketed_names(text):
        inside = [c for c in found if c in name]
        found = [c for c in found if c not in inside] + [name]
    return list(dict.fromkeys(found))


def _unglued(name: str) -> str:
    if len(name) < 4 or name[0] not in _GLUED_FUNCTION_CHARS:
        return name
    first = posseg.lcut(name)[0]
    glued = len(first.word) == 3 and first.flag.startswith("nr")
    return name[1:] if glued else name


def _branches(text: str, found: list[str], known: Container[str]) -> list[str]:
    result = list(found)
    for branch in found:
        suffix = next((w for w in _BRANCH_ENDS if branch.endswith(w)), "")
        head = branch[: len(branch) - len(suffix)]
        if not suffix or not 2 <= len(head) <= BRANCH_HEAD_MAX:
            continue
        for match in re.finditer(re.escape(branch), text):
            before = text[max(0, match.start() - 8) : match.start()]
            chain = next(
                (c for c in found if before.endswith(c) and c.endswith(_CHAIN_ENDS)), ""
            ) or next((before[-n:] for n in range(4, 1, -1) if before[-n:] in known), "")
            if chain:
                result = [chain + branch if c == branch else c for c in result]
                if not written_alone(text, chain, result):
                    result = [c for c in result if c != chain]  # written only as the chain
                break
    return result


def written_alone(text: str, name: str, names: Sequence[str]) -> bool:
    """Whether ``name`` is written in ``text`` other than as the start of a branch's name
    among ``names`` (永辉超市 of 永辉超市垡头店)."""
    branches = [n for n in names if n != name and n.startswith(name) and n.endswith(_BRANCH_ENDS)]
    rest = text
    for branch in sorted(branches, key=len, reverse=True):
        rest = rest.replace(branch, "")
    return name in rest
