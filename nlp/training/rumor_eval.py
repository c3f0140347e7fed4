"""The rumour model's figures: per-class scores, the evaluation record, the issue's baseline
(re-exported by ``nlp.training.rumor_train``, split off to keep that module small)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from nlp.rumor.ced import RumorInput
from nlp.rumor.features import MAX_RESPONSES
from nlp.training.rumor_counts import Counts, block_of, tfidf


@dataclass
class Figures:
    accuracy: float
    f1_rumor: float
    f1_non_rumor: float
    balanced_accuracy: float
    n: int

    def as_json(self) -> dict[str, float]:
        return {k: round(float(v), 4) for k, v in self.__dict__.items()}


def figures(y: np.ndarray, predicted: np.ndarray) -> Figures:
    def f1(positive: int) -> float:
        tp = int(np.sum((predicted == positive) & (y == positive)))
        fp = int(np.sum((predicted == positive) & (y != positive)))
        fn = int(np.sum((predicted != positive) & (y == positive)))
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    recalls = [float(np.mean(predicted[y == c] == c)) for c in (0, 1) if np.any(y == c)]
    return Figures(
        accuracy=float(np.mean(predicted == y)),
        f1_rumor=f1(1),
        f1_non_rumor=f1(0),
        balanced_accuracy=float(np.mean(recalls)),
        n=len(y),
    )


def horizon_name(hours: float | None) -> str:
    return "all" if hours is None else f"{hours:g}h"


@dataclass
class Evaluation:
    model: dict[str, Figures] = field(default_factory=dict)
    baseline: dict[str, Figures] = field(default_factory=dict)
    brier: dict[str, float] = field(default_factory=dict)
    period: dict[str, Figures] = field(default_factory=dict)
    groups: int = 0
    posts: int = 0
    seconds: float = 0.0
    # The calibrations fitted on the out-of-fold decision values (``RumorModel.platt``, and
    # ``platt_empty`` for the posts the post-alone trees score).
    platt: tuple[float, float] = (1.0, 0.0)
    platt_empty: tuple[float, float] | None = None

    def near_duplicate_groups_text(self) -> str:
        return f"{self.groups} near-duplicate groups"

    def as_json(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "near_duplicate_groups": self.groups,
            "model": {k: v.as_json() for k, v in self.model.items()},
            "baseline": {k: v.as_json() for k, v in self.baseline.items()},
            "brier": {k: round(v, 4) for k, v in self.brier.items()},
            "later_period": {k: v.as_json() for k, v in self.period.items()},
            "seconds": round(self.seconds),
        }


def baseline_text(item: RumorInput, hours: float | None) -> str:
    responses = " ".join(r.text for r in item.responses_until(hours)[:MAX_RESPONSES])
    return f"{item.text} {responses}"


def baseline_predict(
    counts: sp.csr_matrix, whole: Counts, train_idx: np.ndarray, test_idx: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """The issue's ten-minute baseline: character 1–3-gram TF-IDF (sublinear tf) of post +
    responses, a linear SVM with default settings, trained and tested at one horizon (reading
    the same earliest ``MAX_RESPONSES`` responses as the model). ``counts`` are the texts'
    counts over the whole file's vocabulary; the fold keeps the terms its training rows have."""
    block, columns = block_of(counts[train_idx], whole, 1, None)
    classifier = LinearSVC()
    classifier.fit(tfidf(counts[train_idx], columns, block.idf), y[train_idx])
    return np.asarray(classifier.predict(tfidf(counts[test_idx], columns, block.idf)))
