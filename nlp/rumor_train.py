"""Training and evaluating the rumour model on CED-format data (``yuqing train rumor``).

Evaluation is 5-fold cross-validation in which near-duplicate posts share a fold: the Weibo data
holds many near-copies of one claim, and a split that puts one copy in training and another in
test measures memory, not judgement. Posts are grouped by the Jaccard similarity of their
character 3-shingle sets (linked when ≥ ``DUPLICATE_JACCARD``, groups are the connected
components), and ``StratifiedGroupKFold`` keeps each group in one fold.

The model is trained on every post at several horizons (the post alone, its first hour, first
six hours, all responses), so one model scores a post at any age: the score sharpens as
responses arrive. The Platt calibration is fitted on out-of-fold decision values of the same
cross-validation, so the shipped probabilities are calibrated on posts the model had not seen.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from nlp.ced import RumorInput, labels_of
from nlp.rumor_model import (
    MAX_RESPONSES,
    Rows,
    RumorModel,
    TfidfBlock,
    counter_for,
    normalise,
    rows_of,
)

# Horizons (hours after posting) the figures are given at; None is "all responses".
EVAL_HORIZONS: tuple[float | None, ...] = (0, 1, 3, 6, 12, 24, None)
# Horizons every training post is repeated at. Mixing them teaches one model what a post
# looks like at any age (tuned by CV: training on all-responses rows only loses the early
# horizons, training on 0 h only loses the late ones).
TRAIN_HORIZONS: tuple[float | None, ...] = (0, 1, 6, None)
# Near-duplicate link: ≥ 0.5 Jaccard of character 3-shingles. Read on CED dev: pairs above it
# are the same claim retold (a reposted rumour with a different lead-in); below 0.3 they are
# different stories sharing a topic.
DUPLICATE_JACCARD = 0.5
SEED = 20261202


@dataclass(frozen=True)
class Params:
    """Hyper-parameters (chosen by grouped CV on CED dev; see the model card)."""

    C: float = 8.0
    post_ngram: tuple[int, int] = (1, 3)
    response_ngram: tuple[int, int] = (1, 2)
    word_ngram: tuple[int, int] = (1, 2)
    word_max_features: int = 40_000
    post_max_features: int = 60_000
    response_max_features: int = 40_000
    min_df: int = 2
    post_weight: float = 1.0
    response_weight: float = 1.0
    train_horizons: tuple[float | None, ...] = TRAIN_HORIZONS

    def as_json(self) -> dict[str, Any]:
        return {
            "C": self.C,
            "post_ngram": list(self.post_ngram),
            "response_ngram": list(self.response_ngram),
            "word_ngram": list(self.word_ngram),
            "word_max_features": self.word_max_features,
            "post_max_features": self.post_max_features,
            "response_max_features": self.response_max_features,
            "min_df": self.min_df,
            "post_weight": self.post_weight,
            "response_weight": self.response_weight,
            "train_horizons": [h for h in self.train_horizons],
        }


# ---- near-duplicate groups --------------------------------------------------------------------


def near_duplicate_groups(texts: Sequence[str], threshold: float = DUPLICATE_JACCARD) -> np.ndarray:
    """A group number per text; texts linked by ≥ threshold shingle Jaccard share one."""
    shingles = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True, lowercase=False)
    cleaned = [normalise(t) or f"\x00{i}" for i, t in enumerate(texts)]
    matrix = sp.csr_matrix(shingles.fit_transform(cleaned), dtype=np.float32)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    inter = sp.triu(matrix @ matrix.T, k=1).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    linked = inter.data >= threshold * np.maximum(union, 1)
    parent = list(range(len(texts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(inter.row[linked], inter.col[linked], strict=True):
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return np.array([find(i) for i in range(len(texts))])


def grouped_folds(
    items: Sequence[RumorInput], folds: int = 5, seed: int = SEED
) -> list[tuple[np.ndarray, np.ndarray]]:
    groups = near_duplicate_groups([item.text for item in items])
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    y = np.array(labels_of(items))
    return list(splitter.split(np.zeros(len(items)), y, groups))


# ---- fitting ----------------------------------------------------------------------------------


def _block(
    texts: Sequence[str],
    ngram: tuple[int, int],
    max_features: int,
    min_df: int,
    analyzer: str = "char",
) -> TfidfBlock:
    """Choose the vocabulary (most frequent terms seen in ≥ min_df texts) and its IDF."""
    counter = counter_for(analyzer, ngram, min_df=min_df, max_features=max_features)
    counts = counter.fit_transform([t for t in texts if t] or ["\x00"])
    document_frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    # The smoothed IDF of scikit-learn's TfidfTransformer: ln((1 + n) / (1 + df)) + 1.
    idf = np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0
    terms = counter.get_feature_names_out()
    return TfidfBlock(ngram, np.asarray(terms, dtype=str), idf, analyzer=analyzer)


def expand(items: Sequence[RumorInput], horizons: Sequence[float | None]) -> list[RumorInput]:
    return [item.at_horizon(h) for h in horizons for item in items]


def _concat(parts: Sequence[Rows]) -> Rows:
    return Rows(
        [p for r in parts for p in r.posts],
        [p for r in parts for p in r.responses],
        np.vstack([r.dense for r in parts]),
        [s for r in parts for s in r.signals],
    )


def _moments(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation per column over the known values (0 and 1 if none)."""
    known = ~np.isnan(dense)
    count = known.sum(axis=0)
    filled = np.where(known, dense, 0.0)
    mean = filled.sum(axis=0) / np.maximum(count, 1)
    var = (np.where(known, dense - mean, 0.0) ** 2).sum(axis=0) / np.maximum(count, 1)
    scale = np.sqrt(var)
    return mean, np.where(scale < 1e-9, 1.0, scale)


def take(rows: Rows, index: np.ndarray) -> Rows:
    return Rows(
        [rows.posts[i] for i in index],
        [rows.responses[i] for i in index],
        rows.dense[index],
        [rows.signals[i] for i in index],
    )


def fit(
    items: Sequence[RumorInput],
    params: Params = Params(),
    rows_cache: dict[float | None, Rows] | None = None,
) -> RumorModel:
    """A model fitted on ``items`` at ``params.train_horizons`` (uncalibrated: platt 1, 0)."""
    per_horizon = [
        rows_cache[h] if rows_cache is not None and h in rows_cache else rows_of(expand(items, [h]))
        for h in params.train_horizons
    ]
    rows = _concat(per_horizon)
    y = np.array(labels_of(items) * len(params.train_horizons))
    post = _block(
        rows.posts[: len(items)], params.post_ngram, params.post_max_features, params.min_df
    )
    words = _block(
        rows.posts[: len(items)], params.word_ngram, params.word_max_features, params.min_df, "word"
    )
    response = _block(
        per_horizon[-1].responses,
        params.response_ngram,
        params.response_max_features,
        params.min_df,
    )
    mean, scale = _moments(rows.dense)
    model = RumorModel(
        post=post,
        response=response,
        words=words,
        post_weight=params.post_weight,
        response_weight=params.response_weight,
        dense_mean=mean,
        dense_scale=scale,
        coef=np.zeros(0),
        intercept=0.0,
    )
    matrix = model.matrix(rows)
    classifier = LogisticRegression(C=params.C, solver="liblinear", max_iter=2000)
    classifier.fit(matrix, y)
    model.coef = classifier.coef_.ravel().astype(np.float64)
    model.intercept = float(classifier.intercept_[0])
    return model


def fit_platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling: a 1-D logistic regression of the label on the decision value."""
    calibrator = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    calibrator.fit(z.reshape(-1, 1), y)
    return float(calibrator.coef_[0, 0]), float(calibrator.intercept_[0])


# ---- figures ----------------------------------------------------------------------------------


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


def baseline_predict(
    train: Sequence[RumorInput], test: Sequence[RumorInput], hours: float | None
) -> np.ndarray:
    """The ten-minute baseline: character 1–3-gram TF-IDF of post + responses, logistic
    regression with default settings, trained and tested at the same horizon (reading the
    same earliest ``MAX_RESPONSES`` responses as the model)."""

    def text(item: RumorInput) -> str:
        responses = " ".join(r.text for r in item.responses_until(hours)[:MAX_RESPONSES])
        return f"{item.text} {responses}"

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    x_train = vectorizer.fit_transform([text(i) for i in train])
    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(x_train, labels_of(train))
    return np.asarray(classifier.predict(vectorizer.transform([text(i) for i in test])))


def cross_validate(
    items: Sequence[RumorInput],
    params: Params = Params(),
    horizons: Sequence[float | None] = EVAL_HORIZONS,
    folds: int = 5,
    with_baseline: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[Evaluation, np.ndarray, np.ndarray]:
    """Grouped k-fold figures per horizon; also the out-of-fold decision values and labels
    at the training horizons (for the Platt calibration)."""
    started = time.perf_counter()
    y = np.array(labels_of(items))
    splits = grouped_folds(items, folds)
    wanted = list(dict.fromkeys([*horizons, *params.train_horizons]))
    cache = {h: rows_of(expand(items, [h])) for h in wanted}
    groups = len(set(near_duplicate_groups([i.text for i in items]).tolist()))
    oof = {h: np.zeros(len(items)) for h in horizons}
    base = {h: np.zeros(len(items), dtype=int) for h in horizons}
    calib_z: list[np.ndarray] = []
    calib_y: list[np.ndarray] = []
    for number, (train_idx, test_idx) in enumerate(splits, start=1):
        train = [items[i] for i in train_idx]
        test = [items[i] for i in test_idx]
        model = fit(train, params, {h: take(cache[h], train_idx) for h in wanted})
        for h in horizons:
            oof[h][test_idx] = model.decision(model.matrix(take(cache[h], test_idx)))
            if with_baseline:
                base[h][test_idx] = baseline_predict(train, test, h)
        for h in params.train_horizons:
            z = (
                oof[h][test_idx]
                if h in oof
                else model.decision(model.matrix(take(cache[h], test_idx)))
            )
            calib_z.append(z)
            calib_y.append(y[test_idx])
        if progress:
            progress(f"fold {number}/{folds} done ({time.perf_counter() - started:.0f} s)")
    platt = fit_platt(np.concatenate(calib_z), np.concatenate(calib_y))
    evaluation = Evaluation(groups=groups, posts=len(items))
    for h in horizons:
        name = horizon_name(h)
        evaluation.model[name] = figures(y, (oof[h] > 0).astype(int))
        p = 1.0 / (1.0 + np.exp(-(platt[0] * oof[h] + platt[1])))
        evaluation.brier[name] = float(np.mean((p - y) ** 2))
        if with_baseline:
            evaluation.baseline[name] = figures(y, base[h])
    evaluation.seconds = time.perf_counter() - started
    return evaluation, np.concatenate(calib_z), np.concatenate(calib_y)


def later_period(
    items: Sequence[RumorInput],
    params: Params = Params(),
    horizons: Sequence[float | None] = (0, 1, None),
    share: float = 0.3,
) -> dict[str, Figures]:
    """Train on the earliest posts, test on the latest ``share``: a proxy for "rumours from
    another period" (balanced accuracy, since the class mix drifts over time)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    ordered = sorted(items, key=lambda i: (i.posted_at or epoch, i.id))
    cut = math.floor(len(ordered) * (1 - share))
    train, test = ordered[:cut], ordered[cut:]
    model = fit(train, params)
    y = np.array(labels_of(test))
    out: dict[str, Figures] = {}
    for h in horizons:
        z = model.decision(model.matrix(rows_of(expand(test, [h]))))
        out[horizon_name(h)] = figures(y, (z > 0).astype(int))
    return out


def train(
    items: Sequence[RumorInput],
    params: Params = Params(),
    progress: Callable[[str], None] | None = None,
    source: str = "",
) -> tuple[RumorModel, Evaluation]:
    """Cross-validate (figures and calibration), then fit the shipped model on everything."""
    evaluation, z, y = cross_validate(items, params, progress=progress)
    evaluation.period = later_period(items, params)
    if progress:
        progress("later-period split done")
    model = fit(items, params)
    model.platt = fit_platt(z, y)
    model.meta = {
        "trained_on": source,
        "posts": len(items),
        "rumors": int(sum(labels_of(items))),
        "params": params.as_json(),
        "evaluation": evaluation.as_json(),
    }
    return model, evaluation
