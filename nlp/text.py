"""Text preparation: Traditional → Simplified, and Weibo markup turned into features.

Everything downstream (lexicons, jieba's dictionary, debunk matching) is Simplified Chinese, so
Traditional text from Hong Kong / Taiwan sources or Big5 pages is converted first with OpenCC's
``t2s`` profile. Weibo markup carries information rather than noise: a repost chain says who
passed the claim along, @mentions and #topics# say whom and what it addresses, emoticon codes
such as ``[怒]`` carry sentiment, and URLs are a (weak) sign that a source is given. They are
lifted out into fields, and the cleaned text keeps the words (a #topic#'s words stay in it).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.models import Mention
from core.text.segment import clause_words
from core.text.weibo import CHAIN, EMOTICON, MENTION, REPLY, TOPIC

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
# Weibo news accounts open a post with a headline in 【】, optionally after #topics# and
# emoticon codes.
_HEADLINE = re.compile(r"^\s*((?:#[^#\n]{1,60}#\s*|\[[^\]\n]{1,8}\]\s*)*)【([^】]{2,80})】")
_TAG = re.compile(r"<[^>]{0,200}>")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
# Boilerplate Weibo inserts for an empty repost; it says nothing about the subject.
_BOILERPLATE = ("转发微博", "轉發微博", "repost")
# What any of the markup above starts with (a tag or entity, a URL, a repost chain, a reply,
# an @user, a #topic#, an emoticon, a headline, the boilerplate): a text with none of these is
# plain, and most comments are.
_MARKUP = re.compile(r"[<&/@#\[【]|回复|转发微博|轉發微博|repost|https?:|www\.", re.IGNORECASE)
# Sentence ends, for splitting clauses (sentiment negation scope, first sentences, figures).
SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
CLAUSE_END = re.compile(r"[。！？!?；;，,、：:\n\s]+")


@lru_cache(maxsize=1)
def _converter() -> object:
    from opencc import OpenCC  # opencc-python-reimplemented: pure Python, no native build

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str] | None:
    """Every character t2s changes, plus the first characters of the two t2s phrases made of
    unchanged characters only (沈船, 沈默: found by scanning TSPhrases.txt). A text with none of
    them converts to itself, so it can skip the (pure Python, slow) converter: most mentions
    are Simplified already. None when OpenCC's table is not where expected (convert all)."""
    import opencc

    table = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    if not table.exists():
        return None
    chars = {"沈"}
    for line in table.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) == 1 and any(value != key for value in values.split()):
            chars.add(key)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Traditional → Simplified (OpenCC t2s); Simplified text passes through unchanged."""
    if not text:
        return text
    traditional = _traditional_chars()
    if traditional is not None and traditional.isdisjoint(text):
        return text
    converted: str = _converter().convert(text)  # type: ignore[attr-defined]
    return converted


@dataclass(frozen=True)
class Prepared:
    """A mention's text after conversion, with its Weibo markup lifted out."""

    title: str
    body: str  # all the words: own text and every link of the repost chain
    own_text: str  # the author's own words (before the first //@ of a repost chain)
    repost_chain: tuple[tuple[str, str], ...] = ()  # (user, what that user wrote)
    mentions: tuple[str, ...] = ()  # @users
    hashtags: tuple[str, ...] = ()
    emoticons: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    reply_to: str = ""

    @property
    def full(self) -> str:
        return f"{self.title}\n{self.body}" if self.title else self.body


def _clean(fragment: str) -> str:
    fragment = _URL.sub(" ", fragment)
    fragment = EMOTICON.sub(" ", fragment)
    fragment = MENTION.sub(" ", fragment)
    fragment = TOPIC.sub(lambda m: f" {m.group(1).strip()} ", fragment)
    for boilerplate in _BOILERPLATE:
        fragment = fragment.replace(boilerplate, " ")
    return _SPACES.sub(" ", fragment).strip()


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def prepare(title: str, text: str) -> Prepared:
    title = _SPACES.sub(" ", to_simplified(html.unescape(_TAG.sub(" ", title or "")))).strip()
    raw = to_simplified(html.unescape(_TAG.sub(" ", text or "")))
    if not _MARKUP.search(raw):  # what the general path below gives plain text, sooner
        own = _SPACES.sub(" ", raw).strip()
        return Prepared(title=title, body=own, own_text=own)
    urls = _URL.findall(raw)
    emoticons = [m.group(1) for m in EMOTICON.finditer(raw)]
    hashtags = [m.group(1).strip() for m in TOPIC.finditer(raw)]
    reply = REPLY.match(raw)
    reply_to = reply.group(1) if reply else ""
    if reply:
        raw = raw[reply.end() :]
    # Split the repost chain: own text, then (user, text) for every //@user: link.
    pieces = CHAIN.split(raw)
    own_raw, chain_raw = pieces[0], pieces[1:]
    chain = tuple((chain_raw[i], _clean(chain_raw[i + 1])) for i in range(0, len(chain_raw) - 1, 2))
    # @mentions outside the chain markers (the chain's users are in repost_chain).
    mentions = [m.group(1) for m in MENTION.finditer(CHAIN.sub(" ", raw))]
    headline = _HEADLINE.match(own_raw) if not title else None
    if headline:
        # The headline is the post's title; its #topics# stay in the text.
        title = _clean(headline.group(2))
        own_raw = headline.group(1) + own_raw[headline.end() :]
    own = _clean(own_raw)
    body_parts = [own, *(text for _, text in chain)]
    body = "\n".join(part for part in body_parts if part)
    return Prepared(
        title=title,
        body=body,
        own_text=own,
        repost_chain=chain,
        mentions=_unique(mentions),
        hashtags=_unique(hashtags),
        emoticons=tuple(emoticons),
        urls=_unique(urls),
        reply_to=reply_to,
    )


def first_sentence(text: str, limit: int = 60) -> str:
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip()
        if len(sentence) >= 4:
            return sentence[:limit]
    return text.strip()[:limit]


# A summary line: a headline or a lead sentence needs this many characters of words (Chinese
# characters, letters, digits) to say what happened: 【转需】, 【警情通报】, 【辟谣】, "转发微博"
# or an emoticon alone are labels and gestures, not summaries.
MIN_SUMMARY_CHARS = 6
# A lead cut for a title keeps at most this many characters, cut at a clause end when one
# falls past SUMMARY_MIN_CUT (a list's title column shows about this much).
SUMMARY_CHARS = 40
SUMMARY_MIN_CUT = 12
_WORD_CHARS = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_CLAUSE_CUT = re.compile(r"[，,；;：:、]")
_PARTICLES = frozenset("的之是在了被把为和与")


def is_summary(line: str) -> bool:
    """Whether ``line`` says something: enough word characters, not a bare label."""
    return len(_WORD_CHARS.findall(line)) >= MIN_SUMMARY_CHARS


def summary_lead(prepared: Prepared, limit: int = SUMMARY_CHARS) -> str:
    """The first sentence of the author's own words that is a summary, without the #topics#
    that open or close it, cut at a clause end within ``limit``; "" when there is none."""
    text = prepared.own_text or prepared.body
    for tag in prepared.hashtags:
        text = text.replace(f" {tag} ", f"{tag}")  # a #topic# inside a sentence reads as words
    for sentence in SENTENCE_END.split(text):
        sentence = sentence.strip(" ，,")
        changed = True
        while changed:
            changed = False
            for tag in prepared.hashtags:
                rest = sentence[len(tag) :].lstrip()
                # A #topic# followed by a particle is the sentence's subject (#健身房跑路#的会员们).
                if sentence.startswith(tag) and rest and rest[0] not in _PARTICLES:
                    sentence, changed = sentence[len(tag) :].strip(" ，,"), True
                elif sentence.endswith(tag) and len(sentence) > len(tag):
                    sentence, changed = sentence[: -len(tag)].strip(" ，,"), True
        if not is_summary(sentence):
            continue
        if len(sentence) <= limit:
            return sentence
        cuts = [m.start() for m in _CLAUSE_CUT.finditer(sentence, SUMMARY_MIN_CUT, limit)]
        return sentence[: cuts[-1]] if cuts else sentence[:limit] + "…"
    return ""


def clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_END.split(text) if c]


@dataclass(frozen=True)
class Document:
    """Everything the per-mention analyses need, computed once per mention."""

    mention_id: str
    kind: str
    prepared: Prepared
    title_words: tuple[str, ...]
    body_words: tuple[str, ...]
    # The words of what sentiment reads (title and own text of a repost, else everything),
    # per clause: computed with the other words in one segmentation pass.
    sentiment_clauses: tuple[tuple[str, ...], ...] = ()

    @property
    def full_text(self) -> str:
        return self.prepared.full


def make_document(mention: Mention) -> Document:
    return document_from_text(mention.text, mention.title, mention.id, mention.kind)


def document_from_text(
    text: str, title: str = "", mention_id: str = "", kind: str = "post"
) -> Document:
    """A Document for free text (benchmarks, tests, a CLI's ``analyze --text``)."""
    prepared = prepare(title, text)
    title_clauses = clause_words(prepared.title, CLAUSE_END) if prepared.title else []
    if prepared.repost_chain:
        # The body is the own text, a line break and the chain's texts; jieba never joins
        # words across a line break, which also ends a clause, so the own text is segmented
        # once, for the body and for sentiment.
        own = clause_words(prepared.own_text, CLAUSE_END) if prepared.own_text else []
        chain = "\n".join(text for _, text in prepared.repost_chain if text)
        body_clauses = own + (clause_words(chain, CLAUSE_END) if chain else [])
        sentiment_clauses = title_clauses + own
    else:
        body_clauses = clause_words(prepared.body, CLAUSE_END) if prepared.body else []
        sentiment_clauses = title_clauses + body_clauses
    return Document(
        mention_id=mention_id,
        kind=kind,
        prepared=prepared,
        title_words=tuple(w for clause in title_clauses for w in clause),
        body_words=tuple(w for clause in body_clauses for w in clause),
        sentiment_clauses=tuple(tuple(clause) for clause in sentiment_clauses),
    )
