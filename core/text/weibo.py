"""Weibo's markup, one definition for the crawlers and the analysis.

A post's text carries #topics#, @users, emoticon codes such as ``[怒]``, a repost chain
(``//@user: what they wrote``, nearest first) and, in a comment, a ``回复@user:`` reply marker.
The crawlers store the entities in a mention's ``extra`` (``weibo_entities``,
``repost_chain``); the analysis (``nlp.text``, ``nlp.propagation``, the rumour model's text
normalisation) lifts the same markup out of the text with the same patterns.

The character ranges are the analysis's: a nickname in a repost chain is anything up to 30
characters without a space, colon, slash or @ (Weibo nicknames also hold ·, _ and Latin
letters); an emoticon code is up to 8 word characters. The crawlers' own copies used narrower
ranges (CJK Unified Ideographs and letters only), so a chain through ``//@小明·Li:`` or a code
like ``[ok1]`` was read by one and not the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "CHAIN",
    "EMOTICON",
    "MENTION",
    "MENTION_NAME",
    "NICKNAME",
    "REPLY",
    "TOPIC",
    "repost_chain",
    "weibo_entities",
]

# What a repost chain's "//@name:" may hold as the name.
NICKNAME = r"[^\s:：/@]{1,30}"
# What an @mention in running text may hold (no punctuation: "@小明，你看" names 小明).
MENTION_NAME = r"[\w\u3400-\u9fff\-]{1,30}"

# "//@name:" or "//@name：" starts the next link of a repost chain.
CHAIN = re.compile(rf"//\s*@({NICKNAME})\s*[:：]")
# A comment answering another: "回复@name:" at its start.
REPLY = re.compile(r"^\s*回复\s*@([^\s:：@]{1,30})\s*[:：]")
MENTION = re.compile(rf"@({MENTION_NAME})")
TOPIC = re.compile(r"#([^#\n]{1,60})#")
EMOTICON = re.compile(r"\[([\w\u3400-\u9fff]{1,8})\]")


def weibo_entities(text: str) -> dict[str, list[str]]:
    """Hashtags, @mentions and emoticon codes of a post, each in order of first appearance."""
    return {
        "hashtags": _unique(m.strip() for m in TOPIC.findall(text) if m.strip()),
        "mentions": _unique(MENTION.findall(text)),
        "emoticons": _unique(f"[{m}]" for m in EMOTICON.findall(text)),
    }


def repost_chain(text: str) -> list[str]:
    """The users a repost passed through, nearest first, from ``//@user:`` markers."""
    return _unique(CHAIN.findall(text))


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
