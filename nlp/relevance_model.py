"""A trained relevance model beside the lexicon: does a mention concern the agency's field?

The lexicon scorer is precise but misses everyday wording on Weibo (樱桃有蛆虫, 果粒橙, 手机爆炸):
about half of the relevant posts of the labelled CED sample. This model learns the wider
vocabulary from what is available without hand labels:

- positives: the food-safety news reports of ``../shared/datasets/food_safety`` (cut to their
  first ``NEWS_CHARS`` characters, so news and posts differ less in length), the CED posts the
  lexicon scores as relevant (its precision is 1.00 on the labelled sample), and every domain
  lexicon term of weight ≥ 0.6 as a one-term text (so topics with no training text — elevators,
  metrology — are not unknown to the model);
- negatives: the CED posts the lexicon finds no domain term in (the off-topic majority; about
  7 % of CED is relevant, so a few of these are mislabelled, which the regularisation absorbs).

The lines of the labelled evaluation sample (``nlp.training.evaluation``) are never trained on.
``TrainedRelevanceScorer`` takes the lexicon's result and raises its score to the model's
probability when that reaches ``MODEL_THRESHOLD``, so the model can only add recall, and its
reasons name the words that pushed it. The stage uses it when ``settings.nlp.models_dir``
holds a ``relevance.npz`` (it is not the default: on the labelled holdout it gains no F1 over
the lexicon; see nlp/models/relevance_card.md).
Stored as plain arrays (``nlp/models/relevance.npz``, ``numpy.load(allow_pickle=False)``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from archive.models import Reason
from nlp.normalise import normalise
from nlp.relevance import LexiconRelevanceScorer, RelevanceResult, RelevanceScorer
from nlp.text import Document, document_from_text
from nlp.tfidf import TfidfBlock

MODEL_PATH = Path(__file__).parent / "models" / "relevance.npz"
FORMAT = "yuqing-relevance-linear/1"
# News reports are long; Weibo posts are a sentence or two. 200 characters is about a long
# post and keeps the lead of a report, where its subject is.
NEWS_CHARS = 200
# CED posts whose lexicon score is at most this are taken as off-topic negatives; above 0.5
# (the stage's threshold) as positives; the posts in between are left out as ambiguous.
NEGATIVE_BELOW = 0.2
# The model counts only when its probability reaches this. Chosen on the tuning part of the
# labelled sample (nlp.training.evaluation "ced"; F1 of lexicon-or-model 0.78 at 0.5, 0.85 at 0.6,
# 0.81 at 0.7), never on its holdout part.
MODEL_THRESHOLD = 0.6


@dataclass
class RelevanceModel:
    chars: TfidfBlock
    words: TfidfBlock
    coef: np.ndarray
    intercept: float
    meta: dict[str, Any] = field(default_factory=dict)

    def matrix(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = [normalise(t) for t in texts]
        return sp.hstack(
            [self.chars.transform(cleaned), self.words.transform(cleaned)], format="csr"
        )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        z = np.asarray(self.matrix(texts) @ self.coef).ravel() + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def explain(self, text: str, top: int = 4) -> tuple[float, list[Reason]]:
        row = self.matrix([text])
        contributions = row.toarray().ravel() * self.coef
        probability = float(1.0 / (1.0 + np.exp(-(contributions.sum() + self.intercept))))
        terms = np.concatenate([self.chars.terms, self.words.terms])
        reasons: list[Reason] = []
        for index in np.argsort(-contributions)[: top * 10]:
            value = float(contributions[index])
            term = str(terms[index]).strip()
            if value <= 0.05 or len(reasons) >= top:
                break
            if len(term) < 2 or any(term in r.text for r in reasons):
                continue
            reasons.append(Reason("term", f"模型词语：{term}", round(value, 4)))
        return probability, reasons

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {
            "char_ngram": list(self.chars.ngram_range),
            "word_ngram": list(self.words.ngram_range),
            "intercept": self.intercept,
            "meta": dict(self.meta, format=FORMAT),
        }
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                header=np.array(json.dumps(header, ensure_ascii=False, sort_keys=True)),
                char_terms=self.chars.terms.astype(str),
                char_idf=self.chars.idf.astype(np.float32),
                word_terms=self.words.terms.astype(str),
                word_idf=self.words.idf.astype(np.float32),
                coef=self.coef.astype(np.float32),
            )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RelevanceModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("meta", {}).get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} model")
            char_ngram = tuple(header["char_ngram"])
            word_ngram = tuple(header["word_ngram"])
            return cls(
                chars=TfidfBlock(
                    (int(char_ngram[0]), int(char_ngram[1])),
                    data["char_terms"],
                    data["char_idf"].astype(np.float64),
                ),
                words=TfidfBlock(
                    (int(word_ngram[0]), int(word_ngram[1])),
                    data["word_terms"],
                    data["word_idf"].astype(np.float64),
                    analyzer="word",
                ),
                coef=data["coef"].astype(np.float64),
                intercept=float(header["intercept"]),
                meta=header["meta"],
            )


class TrainedRelevanceScorer:
    """The lexicon's topics and score, raised to the model's probability when that is higher."""

    def __init__(self, model: RelevanceModel, lexicon: LexiconRelevanceScorer | None = None):
        self.model = model
        self.lexicon = lexicon or LexiconRelevanceScorer()

    def score(self, document: Document) -> RelevanceResult:
        result = self.lexicon.score(document)
        probability, reasons = self.model.explain(document.full_text)
        if probability >= MODEL_THRESHOLD and probability > result.score:
            result.score = round(probability, 4)
            result.reasons = reasons + result.reasons
        return result


@lru_cache(maxsize=2)
def load_relevance_model(path: Path = MODEL_PATH) -> RelevanceModel | None:
    try:
        return RelevanceModel.load(path)
    except (OSError, ValueError, KeyError):
        return None


def trained_scorer(path: Path = MODEL_PATH) -> RelevanceScorer | None:
    model = load_relevance_model(path)
    return TrainedRelevanceScorer(model) if model is not None else None


def lexicon_score(text: str, scorer: LexiconRelevanceScorer) -> float:
    return scorer.score(document_from_text(text)).score
