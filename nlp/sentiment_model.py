"""The trained sentiment model: negative / neutral / positive from the words of a Document.

A linear model (logistic regression, negative against positive) over the words and
within-clause word pairs of ``Document.sentiment_clauses`` (the title and the author's own
words, segmented once by the analyser, emoticon codes already removed), trained by
``yuqing train sentiment`` (``nlp.training.sentiment_train``) on weak labels: CED responses
labelled by the emoticons they carry (distant supervision, the emoticons removed from the
text), CED posts by their responses, and food-safety incident reports.

At run time the lexicon's net polarity (opinion words, negation, emoticons: ``nlp.sentiment``)
is added to the model's positive-minus-negative margin with weight ``lexicon_weight``, so an
emoticon the model never saw still counts, and the reasons name the words of both. The kind of
text moves the scores too (``kind_offsets``: a neutral bias and a shift toward positive per
``kind_group``): the analysis knows whether a mention is a comment, a news article or a post,
and a comment that takes no side is rarer than a post that reports.

Scoring is dictionary look-ups over the words the analyser already has (no second
segmentation, no sparse matrices): a few microseconds per mention.
Stored as plain arrays (``nlp/models/sentiment.npz``, ``numpy.load(allow_pickle=False)``).
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from archive.models import Reason

MODEL_PATH = Path(__file__).parent / "models" / "sentiment.npz"
FORMAT = "yuqing-sentiment-linear/1"
CLASSES = ("negative", "neutral", "positive")
# Tokens that carry no stance and only dilute the normalisation. ！ and ？ stay: "什么!!!!!",
# "钱到哪去啦？？？" say more than their words.
# Mention kinds (archive.models.MENTION_KINDS) that read alike for stance; every other kind
# (post, official, debunk, complaint, petition) is a "post".
_KIND_GROUPS = {"comment": "comment", "repost": "comment", "article": "article"}
KIND_GROUPS = ("comment", "article", "post")
_SKIP = frozenset(" \t\n，。、；：“”‘’（）()《》【】…—-~～,.;:'\"/\\|#@*&%$^_=+<>[]{}")


def features(clauses: Iterable[Sequence[str]]) -> list[str]:
    """Distinct words and within-clause word pairs ("a b") of the clauses, first seen first."""
    seen: dict[str, None] = {}
    for clause in clauses:
        tokens = [w for w in clause if w and w not in _SKIP and not w.isspace()]
        for i, word in enumerate(tokens):
            seen[word] = None
            if i:
                seen[f"{tokens[i - 1]} {word}"] = None
    return list(seen)


def kind_group(kind: str) -> str:
    """The group of a mention kind whose offsets the model applies (``KIND_GROUPS``)."""
    return _KIND_GROUPS.get(kind, "post")


@dataclass
class SentimentModel:
    terms: np.ndarray  # str, one per feature
    idf: np.ndarray  # float, per feature
    coef: np.ndarray  # (features, 3) in CLASSES order
    intercept: np.ndarray  # (3,)
    lexicon_weight: float = 0.0
    neutral_bias: float = 0.0
    # (neutral bias, shift toward positive) per kind group, on top of neutral_bias.
    kind_offsets: dict[str, tuple[float, float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    _table: dict[str, tuple[float, float, float, float]] = field(default_factory=dict, repr=False)
    _intercept: list[float] = field(default_factory=list, repr=False)

    def table(self) -> dict[str, tuple[float, float, float, float]]:
        if not self._table:
            rows = zip(self.terms.tolist(), self.idf.tolist(), self.coef.tolist(), strict=True)
            self._table = {term: (idf, c[0], c[1], c[2]) for term, idf, c in rows}
            self._intercept = [float(v) for v in self.intercept]
        return self._table

    def margins(
        self, clauses: Iterable[Sequence[str]], lexicon_score: float = 0.0, kind: str = "post"
    ) -> tuple[list[float], list[tuple[str, float, float, float]]]:
        """The three class scores, and each known feature's weighted (neg, neu, pos) part."""
        table = self.table()
        hits = [(term, table[term]) for term in features(clauses) if term in table]
        norm = math.sqrt(sum(row[0] * row[0] for _, row in hits)) or 1.0
        scores = self._intercept[:]
        parts: list[tuple[str, float, float, float]] = []
        for term, (idf, neg, neu, pos) in hits:
            x = idf / norm
            scores[0] += x * neg
            scores[1] += x * neu
            scores[2] += x * pos
            parts.append((term, x * neg, x * neu, x * pos))
        neutral, shift = self.kind_offsets.get(kind_group(kind), (0.0, 0.0))
        polar = self.lexicon_weight * lexicon_score / 2 + shift / 2
        scores[0] -= polar
        scores[2] += polar
        scores[1] += self.neutral_bias + neutral
        return scores, parts

    def predict(
        self, clauses: Iterable[Sequence[str]], lexicon_score: float = 0.0, kind: str = "post"
    ) -> tuple[str, float, list[Reason]]:
        """Label, net polarity (P(positive) - P(negative)) and the words that decided it."""
        scores, parts = self.margins(clauses, lexicon_score, kind)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        probability = [e / total for e in exp]
        best = scores.index(top)
        label = CLASSES[best]
        reasons: list[Reason] = []
        if label != "neutral":
            # A word counts for the label by how much more it gives it than the other two.
            pushes = heapq.nlargest(
                4, ((own[best] - (sum(own) - own[best]) / 2, term) for term, *own in parts)
            )
            sign = 1.0 if label == "positive" else -1.0
            reasons = [
                Reason(
                    kind="term",
                    text=f"模型词语：{term.replace(' ', '')}",
                    weight=round(sign * v, 4),
                )
                for v, term in pushes[:4]
                if v > 0.05
            ]
        return label, round(probability[2] - probability[0], 4), reasons

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "intercept": [float(v) for v in self.intercept],
            "lexicon_weight": self.lexicon_weight,
            "neutral_bias": self.neutral_bias,
            "kind_offsets": {k: list(v) for k, v in sorted(self.kind_offsets.items())},
            "meta": dict(self.meta, format=FORMAT),
        }
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header, ensure_ascii=False, sort_keys=True)),
                terms=self.terms.astype(str),
                idf=self.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SentimentModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("meta", {}).get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} model")
            return cls(
                terms=data["terms"],
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(np.float64),
                intercept=np.asarray(header["intercept"], dtype=np.float64),
                lexicon_weight=float(header["lexicon_weight"]),
                neutral_bias=float(header["neutral_bias"]),
                kind_offsets={
                    str(k): (float(v[0]), float(v[1]))
                    for k, v in header.get("kind_offsets", {}).items()
                },
                meta=header["meta"],
            )


@lru_cache(maxsize=2)
def load_sentiment_model(path: Path = MODEL_PATH) -> SentimentModel | None:
    """The shipped model, or None when the file is absent or not a sentiment model."""
    try:
        return SentimentModel.load(path)
    except (OSError, ValueError, KeyError):
        return None
