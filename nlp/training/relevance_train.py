"""Training the relevance model (``yuqing train relevance``) and comparing it with the lexicon
on the labelled sample of ``nlp.training.evaluation`` (``yuqing evaluate relevance``).

How the training set is made is in ``nlp.relevance_model``'s docstring; this module reads the
shared data sets, leaves out every line of the labelled sample, fits and reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from nlp.lexicon import default_lexicon
from nlp.normalise import normalise
from nlp.relevance import LexiconRelevanceScorer
from nlp.relevance_model import (
    NEGATIVE_BELOW,
    NEWS_CHARS,
    RelevanceModel,
    TrainedRelevanceScorer,
    lexicon_score,
)
from nlp.text import document_from_text
from nlp.tfidf import fit_block
from nlp.training.evaluation import (
    CED,
    CED_LINES,
    FOOD_SAFETY,
    FOOD_SAFETY_LINES,
    HOLDOUT_LINES,
    Example,
    Scores,
    dataset_path,
    evaluate,
    read_lines,
    relevance_sample,
)

C = 2.0  # liblinear regularisation; 1–4 gave the same holdout recall on the tuning sample
MIN_TERM_WEIGHT = 0.6


@dataclass
class TrainingSet:
    texts: list[str]
    labels: list[int]
    counts: dict[str, int]


def training_set(
    root: Path | None = None, progress: Callable[[str], None] | None = None
) -> TrainingSet:
    texts: list[str] = []
    labels: list[int] = []
    counts = {"news": 0, "ced_positive": 0, "ced_negative": 0, "ced_ambiguous": 0, "terms": 0}
    held_news = set(FOOD_SAFETY_LINES)
    for number, record in read_lines(dataset_path(FOOD_SAFETY, root)):
        if number in held_news:
            continue
        texts.append(str(record["text"])[:NEWS_CHARS])
        labels.append(1)
        counts["news"] += 1
    held_ced = set(CED_LINES) | set(HOLDOUT_LINES)
    lexicon = LexiconRelevanceScorer()
    for number, record in read_lines(dataset_path(CED, root)):
        if number in held_ced:
            continue
        text = str(record["text"])
        score = lexicon_score(text, lexicon)
        if score >= 0.5:
            texts.append(text)
            labels.append(1)
            counts["ced_positive"] += 1
        elif score <= NEGATIVE_BELOW:
            texts.append(text)
            labels.append(0)
            counts["ced_negative"] += 1
        else:
            counts["ced_ambiguous"] += 1
    for term, (_, weight) in sorted(default_lexicon().topic_terms().items()):
        if weight >= MIN_TERM_WEIGHT:
            texts.append(term)
            labels.append(1)
            counts["terms"] += 1
    if progress:
        progress(f"training set: {counts}")
    return TrainingSet(texts, labels, counts)


def fit(data: TrainingSet) -> RelevanceModel:
    cleaned = [normalise(t) for t in data.texts]
    chars = fit_block(cleaned, (2, 3), 60_000, 2)
    words = fit_block(cleaned, (1, 1), 40_000, 2, "word")
    model = RelevanceModel(chars, words, np.zeros(0), 0.0)
    matrix = sp.csr_matrix(model.matrix(data.texts))
    classifier = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
    classifier.fit(matrix, data.labels)
    model.coef = classifier.coef_.ravel().astype(np.float64)
    model.intercept = float(classifier.intercept_[0])
    model.meta = {"counts": data.counts, "C": C, "news_chars": NEWS_CHARS}
    return model


def compare(model: RelevanceModel, root: Path | None = None) -> dict[str, dict[str, Scores]]:
    """Precision/recall per sample subset for the lexicon, the model and their maximum."""
    examples = relevance_sample(root)
    lexicon = LexiconRelevanceScorer()
    combined = TrainedRelevanceScorer(model, lexicon)
    probabilities = dict(
        zip(
            [(e.source, e.key) for e in examples],
            model.predict_proba([e.text for e in examples]).tolist(),
            strict=True,
        )
    )
    predictors: dict[str, Callable[[Example], bool]] = {
        "lexicon": lambda e: lexicon.score(document_from_text(e.text)).score >= 0.5,
        "model": lambda e: probabilities[(e.source, e.key)] >= 0.5,
        "lexicon+model": lambda e: combined.score(document_from_text(e.text)).score >= 0.5,
    }
    out: dict[str, dict[str, Scores]] = {}
    for subset in ("food_safety", "ced", "ced_holdout", "all"):
        chosen = [e for e in examples if subset == "all" or e.source == subset]
        out[subset] = {name: evaluate(chosen, p)[0] for name, p in predictors.items()}
    return out


def table(results: dict[str, dict[str, Scores]]) -> str:
    lines = [
        "| subset | scorer | tp | fp | fn | tn | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for subset, by_scorer in results.items():
        for name, s in by_scorer.items():
            lines.append(
                f"| {subset} | {name} | {s.tp} | {s.fp} | {s.fn} | {s.tn} "
                f"| {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
            )
    return "\n".join(lines)


def as_json(results: dict[str, dict[str, Scores]]) -> dict[str, Any]:
    return {
        subset: {
            name: {
                "precision": round(s.precision, 4),
                "recall": round(s.recall, 4),
                "f1": round(s.f1, 4),
            }
            for name, s in by_scorer.items()
        }
        for subset, by_scorer in results.items()
    }
