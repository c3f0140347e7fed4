"""Negative / neutral / positive, with the words that decided it.

Lexicon-based (``nlp/resources/sentiment.txt``): opinion words add their polarity, a negation
word shortly before an opinion word in the same clause flips it (不 满意 → negative; 没有 发现
问题 → not negative), a degree adverb scales it (非常 失望), and Weibo emoticon codes count as
opinion words (at most three of one code): ``lexicon_sentiment``.

``score_sentiment`` (what the analyser calls) uses the trained model of ``nlp.sentiment_model``
when ``nlp/models/sentiment.npz`` is there (``yuqing train sentiment`` writes it), with the
lexicon's polarity and the mention's kind (``Document.kind``) as inputs, and the lexicon alone
otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from archive.models import Reason
from core.text.segment import words
from nlp.lexicon import default_lexicon, sentiment_matcher
from nlp.sentiment_model import load_sentiment_model
from nlp.text import Document, clauses

# How many words back a negation reaches: 不 太 满意, 没有 发现 任何 问题. Three covers the
# common patterns without letting a 不 at a clause's start flip its last word.
NEGATION_WINDOW = 3
# A negated opinion word is not the opposite at full strength ("不满意" is milder than
# "愤怒", "没有问题" is weaker praise than "很好"): the usual damping in lexicon methods.
NEGATION_FACTOR = 0.8
# An emoticon weighs a whole opinion word. It was half (emoticons are cheap to add and can be
# sarcastic), but on the tuning split of benchmarks/topics_sentiment_labels.json full weight
# reads more posts right (accuracy 0.769 -> 0.795; negative ones alone 0.778): sarcasm there is
# in the words (良心奶[泪]), the emoticon says what the writer feels.
EMOTICON_FACTOR = 1.0
# |net polarity| below this is neutral: one weak word (好 0.4, 问题 0.3) does not make a
# mention negative or positive; one ordinary opinion word (1.0) does.
NEUTRAL_BAND = 0.6
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass
class SentimentResult:
    label: str
    score: float  # net polarity, negative below zero
    reasons: list[Reason] = field(default_factory=list)


def _label(score: float) -> str:
    if score <= -NEUTRAL_BAND:
        return "negative"
    if score >= NEUTRAL_BAND:
        return "positive"
    return "neutral"


def score_words(clause_words: Sequence[Sequence[str]]) -> tuple[float, list[Reason]]:
    lexicon = default_lexicon()
    matcher = sentiment_matcher()
    total = 0.0
    contributions: dict[str, float] = {}
    for tokens in clause_words:
        for hit in matcher.find(tokens):
            polarity = matcher.weight(hit.term)
            before = tokens[max(0, hit.start - NEGATION_WINDOW) : hit.start]
            negated = sum(1 for word in before if word in lexicon.negation) % 2 == 1
            degree = 1.0
            if hit.start > 0 and tokens[hit.start - 1] in lexicon.degree:
                degree = lexicon.degree[tokens[hit.start - 1]]
            value = polarity * degree * (-NEGATION_FACTOR if negated else 1.0)
            label = ("不" if negated else "") + hit.term
            contributions[label] = contributions.get(label, 0.0) + value
            total += value
    reasons = [
        Reason(kind="term", text=term, weight=round(value, 4))
        for term, value in sorted(contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
        if value
    ]
    return total, reasons


def _clause_words(document: Document) -> Sequence[Sequence[str]]:
    prepared = document.prepared
    if document.sentiment_clauses or not (document.title_words or document.body_words):
        return document.sentiment_clauses
    # a Document built by hand without its clauses
    texts = [prepared.title, prepared.own_text] if prepared.repost_chain else [prepared.full]
    return [words(clause) for text in texts if text for clause in clauses(text)]


def score_sentiment(document: Document) -> SentimentResult:
    """The trained model's label when it is shipped, else the lexicon's."""
    lexicon = lexicon_sentiment(document)
    model = load_sentiment_model()
    if model is None:
        return lexicon
    label, score, reasons = model.predict(_clause_words(document), lexicon.score, document.kind)
    return SentimentResult(label=label, score=score, reasons=reasons + lexicon.reasons)


def lexicon_sentiment(document: Document) -> SentimentResult:
    prepared = document.prepared
    total, reasons = score_words(_clause_words(document))
    emoticons = default_lexicon().emoticons
    for code in dict.fromkeys(prepared.emoticons):
        polarity = emoticons.get(code.lower())
        if polarity:
            count = prepared.emoticons.count(code)
            value = polarity * EMOTICON_FACTOR * min(count, 3)
            total += value
            reasons.append(Reason(kind="feature", text=f"[{code}]", weight=round(value, 4)))
    total = round(total, 4)
    return SentimentResult(label=_label(total), score=total, reasons=reasons)
