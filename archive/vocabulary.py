"""The Chinese names people type for the archive's closed vocabularies, and how a typed value
becomes the code the archive stores.

``topic:食品安全``, ``sentiment:负面``, ``platform:微博`` and ``region:江州`` mean what
``topic:food_safety``, ``sentiment:negative``, ``platform:weibo`` and ``region:江州市`` mean: a
code, its Chinese name or a common synonym maps to the code, case-insensitively, and a region
matches with or without 市 / 区 / 县. An unknown value of a closed field is an error that lists
the valid values, never a silent zero hits.
"""

from __future__ import annotations

import re

from archive.models import MENTION_KINDS, PLATFORM_LABELS, PLATFORMS, SENTIMENTS

MENTION_KIND_LABELS = {
    "article": "文章",
    "post": "帖子",
    "repost": "转发",
    "comment": "评论",
    "official": "官方发布",
    "debunk": "辟谣",
    "complaint": "投诉",
    "petition": "留言",
}
SENTIMENT_LABELS = {"negative": "负面", "neutral": "中性", "positive": "正面"}
# The topics' Chinese names (nlp.lexicon re-exports them; alert texts and screens show them).
TOPIC_LABELS = {
    "food_safety": "食品安全",
    "product_quality": "产品质量",
    "special_equipment": "特种设备",
    "recall": "缺陷召回",
    "counterfeit": "假冒伪劣",
    "certification": "认证认可",
    "standards": "标准化",
    "metrology": "计量",
    "inspection_quarantine": "检验检疫",
    "agency_conduct": "执法作风",
}
# Other words people use for the same codes.
_SYNONYMS = {
    "platform": {
        "新闻": "news",
        "网站": "news",
        "媒体": "news",
        "rss": "rss",
        "订阅": "rss",
        "微博帖子": "weibo",
        "官网": "official",
        "官方": "official",
        "政府网站": "official",
        "黑猫投诉": "complaint",
        "领导留言板": "board",
        "微信": "wechat",
        "公众号": "wechat",
        "头条": "portal",
        "今日头条": "portal",
    },
    "kind": {
        "原创": "post",
        "转帖": "repost",
        "通报": "official",
        "公告": "official",
        "投诉帖": "complaint",
        "诉求": "petition",
    },
    "sentiment": {"消极": "negative", "负向": "negative", "积极": "positive", "正向": "positive"},
    "topic": {
        "食安": "food_safety",
        "质量": "product_quality",
        "召回": "recall",
        "假冒": "counterfeit",
        "认证": "certification",
        "标准": "standards",
        "检验检疫": "inspection_quarantine",
        "作风": "agency_conduct",
    },
}
CLOSED_FIELDS: dict[str, dict[str, str]] = {
    "platform": {code: PLATFORM_LABELS.get(code, code) for code in PLATFORMS},
    "kind": {code: MENTION_KIND_LABELS.get(code, code) for code in MENTION_KINDS},
    "sentiment": {code: SENTIMENT_LABELS.get(code, code) for code in SENTIMENTS},
    "topic": TOPIC_LABELS,
}
_REGION_SUFFIXES = ("市", "区", "县")
# Topics are named by the lexicon, and a site's lexicon may add its own: a code-like value
# (ASCII) that is not a known name is searched as typed; a Chinese name must be known.
_OPEN_CODES = frozenset({"topic"})
_CODE_LIKE = re.compile(r"[a-z0-9][a-z0-9_-]*")


class VocabularyError(ValueError):
    """A value no code of its field answers to; the message lists the valid values."""


def valid_values(field: str) -> str:
    """The values of a closed field as the help and errors list them: code（名称）."""
    return "、".join(f"{code}（{name}）" for code, name in CLOSED_FIELDS[field].items())


def canonical(field: str, value: str) -> list[str]:
    """The stored values a typed ``field:value`` stands for (one code, or a region's forms)."""
    text = value.strip()
    if field in CLOSED_FIELDS:
        return [_code(field, text)]
    if field == "region":
        return region_forms(text)
    return [text]


def _code(field: str, text: str) -> str:
    names = CLOSED_FIELDS[field]
    folded = text.casefold()
    for code, name in names.items():
        if folded in (code.casefold(), name.casefold()):
            return code
    synonym = _SYNONYMS.get(field, {}).get(folded)
    if synonym is not None:
        return synonym
    if field in _OPEN_CODES and _CODE_LIKE.fullmatch(text):
        return text  # a topic of a site's own lexicon, stored under its own code
    raise VocabularyError(f"{field}:{text} is not a known value; valid: {valid_values(field)}")


def region_forms(text: str) -> list[str]:
    """江州 and 江州市 find each other (a source's region is written either way)."""
    base = text
    for suffix in _REGION_SUFFIXES:
        if len(text) > 2 and text.endswith(suffix):
            base = text[: -len(suffix)]
            break
    forms = [text, base, *(base + suffix for suffix in _REGION_SUFFIXES)]
    return list(dict.fromkeys(forms))
