"""Text clean-up shared by the spiders: HTML fragments to text, fingerprints.

Weibo sends post text as HTML where topics, @mentions and emoticons are markup; the archive
stores readable text (emoticons as their ``[怒]`` codes, which the rumour and sentiment models
use) and keeps the entities in ``extra`` (``core.text.weibo.weibo_entities``, the markup
module the analysis reads too) so nobody has to parse them out again.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from lxml import html as lxml_html

__all__ = [
    "clean_text",
    "fragment_to_text",
    "text_fingerprint",
]

_SPACES = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_NOT_WORDLIKE = re.compile(r"[^\w\u3400-\u9fff]+", re.UNICODE)


def clean_text(text: str) -> str:
    """Collapse runs of spaces (including full-width ones) and blank lines; trim each line."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    joined = "\n".join(lines)
    return _BLANK_LINES.sub("\n", joined).strip()


def fragment_to_text(fragment: str) -> str:
    """Readable text of an HTML fragment: ``<br>`` becomes a newline, ``<img alt>`` its alt.

    Weibo renders emoticons as ``<img alt="[怒]">`` inside a span; keeping the alt text keeps
    the emoticon in the text the models read.
    """
    if "<" not in fragment:
        return clean_text(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on broken markup; fall back to stripping
        return clean_text(html.unescape(re.sub(r"<[^>]+>", "", fragment)))
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for img in root.iter("img"):
        img.tail = (img.get("alt") or "") + (img.tail or "")
    for block in root.iter("p", "div", "li"):
        block.tail = "\n" + (block.tail or "")
    return clean_text(root.text_content())


def text_fingerprint(text: str) -> str:
    """Hash of the text with width, case, spaces and punctuation normalised away.

    Two copies of one article (a syndicated story, a page reachable under two URLs) have the
    same fingerprint (edited copies are found by ``crawlers.neardup``).
    """
    normalised = _NOT_WORDLIKE.sub("", unicodedata.normalize("NFKC", text).lower())
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()
