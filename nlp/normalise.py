"""What the trained models (rumour and relevance) read of a text.

One function shared by both models: their vocabularies were fitted on text normalised this
way, so a change here changes what the shipped ``nlp/models/*.npz`` see.
"""

from __future__ import annotations

import re

from core.text.weibo import MENTION_NAME, NICKNAME
from nlp.text import to_simplified

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_CHAIN_USER = re.compile(rf"//\s*@{NICKNAME}\s*[:：]?")
_AT = re.compile(rf"@{MENTION_NAME}")
_SPACES = re.compile(r"\s+")


def normalise(text: str, simplified: bool = False) -> str:
    """Simplified characters (OpenCC t2s, as the analysis reads every text; 105 of CED's 2,295
    posts hold Traditional characters), URLs, @users and repost-chain users as markers,
    lower-cased. ``simplified``: the text is converted already (a Document's), skip OpenCC."""
    text = _URL.sub(" URL ", (text or "") if simplified else to_simplified(text or ""))
    text = _CHAIN_USER.sub(" // ", text)
    text = _AT.sub("@", text)
    return _SPACES.sub(" ", text).strip().lower()
