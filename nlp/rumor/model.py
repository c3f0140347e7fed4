"""The trained rumour model: features, a linear model, Platt calibration, reasons, storage.

Everything here is plain arrays, so the shipped model (``nlp/models/rumor.npz``) loads with
``numpy.load(allow_pickle=False)``: vocabularies as string arrays, IDF weights, coefficients,
the feature scaling and the calibration. Nothing is unpickled, and the transform used at
scoring time is the very code used while training (``TfidfBlock.transform``), so the stored
numbers mean the same thing in both places.

Features, all available when the post is scored (the record's final repost/comment/like counts
are not: they leak the future, and the model never sees them):
- the post: character 1–3-grams (TF-IDF, sublinear), which need no segmentation and survive
  the spelling games of Weibo;
- the responses that exist so far (reposts and comments): character 1–2-grams of their text,
  counts of responses that doubt (求证, 真的吗) or refute (辟谣, 假的, 谣言) the post, and how
  they spread and read (bare reposts, length, speed, questions, early doubt);
- the author: verified, organisation account, followers, friends, posts, account age, profile
  description, gender — any of which may be missing (a missing figure contributes nothing);
  followers, friends, posts and account age also as deciles (``nlp.rumor.bins``).
The text normalisation and the dense features live in ``nlp.rumor.features``. A post with no
response yet is scored by coefficients of its own when the model has them (``coef_empty``).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from archive.models import Reason
from nlp.rumor.bins import BINNED, bin_matrix
from nlp.rumor.ced import RumorInput
from nlp.rumor.features import (
    AUTHOR_FEATURES,
    BIN_COLUMNS,
    DENSE,
    DENSE_CLIP,
    DENSE_LABELS,
    DENSE_NAMES,
    DOUBT_PHRASES,
    MAX_RESPONSES,
    REFUTE_PHRASES,
    _found,
    dense_features,
    dense_text,
    normalise,
    read_texts,
    response_texts,
)
from nlp.rumor.inputs import input_of
from nlp.rumor.reasons import post_alone_reasons, term_reasons
from nlp.rumor.trees import PostAlone, Trees, tree_features
from nlp.tfidf import TfidfBlock, counter_for, segment, sublinear_tfidf

log = logging.getLogger(__name__)
_LOG_RESPONSES = DENSE_NAMES.index("log_responses")

# Public names, including those re-exported from nlp.rumor.features (split off this module).
__all__ = [
    "AUTHOR_FEATURES",
    "BIN_COLUMNS",
    "DENSE",
    "DENSE_CLIP",
    "DENSE_LABELS",
    "DENSE_NAMES",
    "DOUBT_PHRASES",
    "FORMAT",
    "MAX_RESPONSES",
    "MODEL_PATH",
    "REFUTE_PHRASES",
    "Rows",
    "RumorModel",
    "RumorScore",
    "TfidfBlock",
    "counter_for",
    "dense_features",
    "dense_text",
    "input_of",
    "load_model",
    "normalise",
    "response_texts",
    "rows_of",
    "segment",
    "sublinear_tfidf",
]

MODEL_PATH = Path(__file__).parent.parent / "models" / "rumor.npz"
FORMAT = "yuqing-rumor-linear/1"


@dataclass
class Rows:
    """Model inputs for a batch: the post texts, response texts and dense rows."""

    posts: list[str]
    responses: list[str]
    dense: np.ndarray
    signals: list[dict[str, list[str]]]


def rows_of(items: Sequence[RumorInput]) -> Rows:
    posts, responses, dense, signals = [], [], [], []
    for item in items:
        read = read_texts(item.responses)
        texts = response_texts(item.responses, read)
        posts.append(normalise(item.text))
        responses.append(" | ".join(texts))
        dense.append(dense_features(item, texts, read))
        doubting = [t for t in texts if _found(t, DOUBT_PHRASES) or _found(t, REFUTE_PHRASES)]
        phrases: dict[str, int] = {}
        for text in doubting:
            for phrase in _found(text, DOUBT_PHRASES) + _found(text, REFUTE_PHRASES):
                phrases[phrase] = phrases.get(phrase, 0) + 1
        ranked = sorted(phrases, key=lambda p: (-phrases[p], p))
        signals.append({"phrases": ranked, "count": [str(len(doubting))]})
    return Rows(
        posts, responses, np.array(dense, dtype=np.float64).reshape(-1, len(DENSE)), signals
    )


# ---- the model -------------------------------------------------------------------------------


@dataclass
class RumorScore:
    id: str
    probability: float
    reasons: list[Reason]

    @property
    def label(self) -> str:
        return "rumor" if self.probability >= 0.5 else "non-rumor"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rumor_probability": round(self.probability, 4),
            "label": self.label,
            "reasons": [{"kind": r.kind, "text": r.text, "weight": r.weight} for r in self.reasons],
        }


@dataclass
class RumorModel:
    post: TfidfBlock
    response: TfidfBlock
    words: TfidfBlock
    post_weight: float
    response_weight: float
    dense_mean: np.ndarray
    dense_scale: np.ndarray
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float] = (1.0, 0.0)  # p = sigmoid(a * z + b)
    meta: dict[str, Any] = field(default_factory=dict)
    bin_edges: np.ndarray | None = None  # (len(BINNED), bins - 1); None in older model files
    # The coefficients (and intercept) for a post with no response yet (``empty_of``): the
    # post alone is scored by weights of its own (``Params.empty_model``); None: shared.
    coef_empty: np.ndarray | None = None
    intercept_empty: float = 0.0
    # The post-alone trees (``nlp.rumor.trees``), which score those posts instead when present,
    # with a calibration of their own (their log-odds are on another scale than ``coef``'s).
    post_alone: PostAlone | None = None
    platt_empty: tuple[float, float] | None = None

    def scaled_dense(self, dense: np.ndarray) -> np.ndarray:
        scaled = (dense - self.dense_mean) / self.dense_scale
        return np.clip(np.where(np.isnan(scaled), 0.0, scaled), -DENSE_CLIP, DENSE_CLIP)

    def matrix(self, rows: Rows) -> sp.csr_matrix:
        return sp.hstack(
            [
                self.post.transform(rows.posts) * self.post_weight,
                self.words.transform(rows.posts) * self.post_weight,
                self.response.transform(rows.responses) * self.response_weight,
                self.dense_block(rows.dense),
            ],
            format="csr",
        )

    def dense_block(self, dense: np.ndarray) -> sp.csr_matrix:
        """The scaled dense features, then the author figures' bin indicators (if any)."""
        scaled = self.scaled_dense(dense)
        if self.bin_edges is not None:
            scaled = np.hstack([scaled, bin_matrix(dense, BIN_COLUMNS, self.bin_edges)])
        return sp.csr_matrix(scaled)

    @staticmethod
    def empty_of(dense: np.ndarray) -> np.ndarray:
        """Which rows (raw dense features) have no response at all: the post alone."""
        return np.asarray(dense[:, _LOG_RESPONSES] == 0)

    def coef_of(self, empty: np.ndarray) -> list[np.ndarray]:
        """Each row's coefficient vector (``coef_empty`` for posts without responses)."""
        if self.coef_empty is None:
            return [self.coef] * len(empty)
        return [self.coef_empty if e else self.coef for e in empty]

    def decision(
        self,
        matrix: sp.csr_matrix,
        empty: np.ndarray | None = None,
        rows: Rows | None = None,
    ) -> np.ndarray:
        """Decision values; ``empty`` (``empty_of`` the rows' dense features) selects the
        post-alone model where the model has one (the trees also read ``rows``)."""
        z = np.asarray(matrix @ self.coef).ravel() + self.intercept
        if empty is None or not empty.any():
            return z
        if self.post_alone is not None:
            if rows is None:
                raise ValueError("the post-alone trees need the rows (dense features, posts)")
            where = np.flatnonzero(empty)
            z[where] = self.post_alone.decision(
                matrix[where][:, : self.post_columns],
                rows.dense[where],
                [rows.posts[i] for i in where],
            )
        elif self.coef_empty is not None:
            z[empty] = np.asarray(matrix[empty] @ self.coef_empty).ravel() + self.intercept_empty
        return z

    @property
    def post_columns(self) -> int:
        return len(self.post.terms) + len(self.words.terms)

    def platt_of(self, empty: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """Each row's calibration (a, b): ``platt_empty`` for posts scored by the trees."""
        n = 0 if empty is None else len(empty)
        a = np.full(n, self.platt[0])
        b = np.full(n, self.platt[1])
        if empty is not None and self.post_alone is not None and self.platt_empty is not None:
            a[empty], b[empty] = self.platt_empty
        return a, b

    def calibrate(self, z: np.ndarray, empty: np.ndarray | None = None) -> np.ndarray:
        if empty is None:
            empty = np.zeros(len(z), dtype=bool)
        a, b = self.platt_of(empty)
        return 1.0 / (1.0 + np.exp(-(a * z + b)))

    def predict_proba(self, items: Sequence[RumorInput]) -> np.ndarray:
        rows = rows_of(items)
        empty = self.empty_of(rows.dense)
        return self.calibrate(self.decision(self.matrix(rows), empty, rows), empty)

    def prior_shift(self, prior: float) -> float:
        """Log-odds to add so that probabilities assume ``prior`` rumours instead of the
        training data's share (Saerens et al. 2002, adjusting outputs to new priors)."""
        posts = float(self.meta.get("posts", 0) or 0)
        trained = float(self.meta.get("rumors", 0) or 0) / posts if posts else 0.5
        trained = min(max(trained, 1e-3), 1 - 1e-3)
        prior = min(max(prior, 1e-3), 1 - 1e-3)
        return math.log(prior / (1 - prior)) - math.log(trained / (1 - trained))

    def score(
        self, items: Sequence[RumorInput], max_reasons: int = 8, prior: float | None = None
    ) -> list[RumorScore]:
        """Calibrated probabilities with reasons; ``prior`` re-bases them on another share
        of rumours than the training data's (reported as a reason of its own)."""
        rows = rows_of(items)
        matrix = self.matrix(rows)
        shift = self.prior_shift(prior) if prior is not None else 0.0
        empty = self.empty_of(rows.dense)
        alone = self.post_alone
        trees_rows = np.flatnonzero(empty) if alone is not None else np.zeros(0, dtype=int)
        z = self.decision(matrix, empty if alone is None else None)
        explained: dict[int, tuple[np.ndarray, np.ndarray, float]] = {}
        if alone is not None and len(trees_rows):  # one walk gives score and reasons
            text = matrix[trees_rows][:, : self.post_columns]
            inputs = alone.inputs(text, rows.dense[trees_rows], [rows.posts[i] for i in trees_rows])
            base, credit = alone.attribution(inputs)
            z[trees_rows] = base + credit.sum(axis=1)
            slopes = alone.slopes(inputs)
            explained = {
                int(i): (inputs[k], credit[k], float(slopes[k])) for k, i in enumerate(trees_rows)
            }
        a, b = self.platt_of(empty)
        probabilities = 1.0 / (1.0 + np.exp(-(a * z + b + shift)))
        out = []
        coefs = self.coef_of(empty)
        blocks = [(self.post.terms, "帖文用词"), (self.words.terms, "帖文词语")]
        for i, item in enumerate(items):
            if alone is not None and i in explained:
                row = matrix.getrow(i)[:, : self.post_columns]
                reasons = post_alone_reasons(
                    alone, row, blocks, *explained[i], float(a[i]), max_reasons
                )
            else:
                reasons = self._reasons(
                    matrix.getrow(i), coefs[i], rows.dense[i], rows.signals[i], max_reasons
                )
            if prior is not None:
                reasons.append(
                    Reason("feature", f"按谣言占比 {prior:.0%} 的先验校正", round(shift, 4))
                )
            out.append(RumorScore(item.id, float(probabilities[i]), reasons))
        return out

    # ---- reasons: the largest contributions (coefficient × value) ----------------------
    def _reasons(
        self,
        row: sp.csr_matrix,
        coef: np.ndarray,
        raw: np.ndarray,
        signals: Mapping[str, list[str]],
        limit: int,
    ) -> list[Reason]:
        a = self.platt[0]
        # Only the row's non-zero features contribute: work on those, not on every column.
        columns = row.indices
        contributions = row.data * coef[columns] * a
        reasons: list[Reason] = []
        start = 0
        for block, label in (
            (self.post, "帖文用词"),
            (self.words, "帖文词语"),
            (self.response, "回应用词"),
        ):
            end = start + len(block.terms)
            inside = (columns >= start) & (columns < end)
            reasons += term_reasons(
                contributions[inside], block.terms[columns[inside] - start], label, min_len=2
            )
            start = end
        dense_part = np.zeros(len(DENSE_NAMES))
        dense_columns = (columns >= start) & (columns < start + len(DENSE_NAMES))
        dense_part[columns[dense_columns] - start] = contributions[dense_columns]
        if self.bin_edges is not None:  # an author figure's bin adds to that figure's reason
            bins = self.bin_edges.shape[1] + 1
            binned = columns >= start + len(DENSE_NAMES)
            figure = (columns[binned] - start - len(DENSE_NAMES)) // bins
            np.add.at(dense_part, np.asarray(BIN_COLUMNS)[figure], contributions[binned])
        for name, value, raw_value in zip(DENSE_NAMES, dense_part, raw, strict=True):
            if abs(value) < 0.05 or math.isnan(raw_value):
                continue
            kind = "feature" if name in AUTHOR_FEATURES else "signal"
            text = dense_text(name, float(raw_value))
            if name in ("log_doubt_responses", "log_refute_responses", "doubt_share"):
                phrases = signals.get("phrases", [])
                if not phrases:
                    continue
                count = signals.get("count", ["0"])[0]
                text = f"{count} 条评论质疑：" + "、".join(phrases[:5])
            reasons.append(Reason(kind, text, round(float(value), 4)))
        merged: dict[str, Reason] = {}
        for reason in reasons:  # the three doubt features share one text: add them up
            if reason.text in merged:
                old = merged[reason.text]
                merged[reason.text] = Reason(
                    old.kind, old.text, round(old.weight + reason.weight, 4)
                )
            else:
                merged[reason.text] = reason
        ranked = sorted(merged.values(), key=lambda r: -abs(r.weight))
        return ranked[:limit]

    # ---- storage ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = dict(self.meta, format=FORMAT)
        header = {
            "post_ngram": list(self.post.ngram_range),
            "response_ngram": list(self.response.ngram_range),
            "word_ngram": list(self.words.ngram_range),
            "post_weight": self.post_weight,
            "response_weight": self.response_weight,
            "intercept": self.intercept,
            "platt": list(self.platt),
            "dense": list(DENSE_NAMES),
            "meta": meta,
        }
        arrays: dict[str, Any] = {
            "post_terms": self.post.terms.astype(str),
            "post_idf": self.post.idf.astype(np.float32),
            "response_terms": self.response.terms.astype(str),
            "response_idf": self.response.idf.astype(np.float32),
            "word_terms": self.words.terms.astype(str),
            "word_idf": self.words.idf.astype(np.float32),
            "dense_mean": self.dense_mean,
            "dense_scale": self.dense_scale,
            "coef": self.coef.astype(np.float32),
        }
        if self.coef_empty is not None:
            arrays["coef_empty"] = self.coef_empty.astype(np.float32)
            header["intercept_empty"] = self.intercept_empty
        if self.post_alone is not None:
            alone = self.post_alone
            arrays.update(alone.trees.arrays(), coef_text=alone.coef_text.astype(np.float32))
            if alone.anonymous is not None:
                arrays.update(alone.anonymous.arrays("anonymous_"))
                header.update(
                    anonymous_baseline=alone.anonymous.baseline,
                    anonymous_slope=alone.anonymous_slope,
                )
            header.update(
                tree_features=list(tree_features(alone.cues)),
                tree_baseline=alone.trees.baseline,
                intercept_text=alone.intercept_text,
                text_slope=alone.text_slope,
                platt_empty=list(self.platt_empty or self.platt),
            )
        if self.bin_edges is not None:
            header["bins"] = list(BINNED)
            arrays["bin_edges"] = self.bin_edges
        arrays["header"] = np.array(json.dumps(header, ensure_ascii=False, sort_keys=True))
        with open(path, "wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RumorModel:
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            if header.get("meta", {}).get("format") != FORMAT:
                raise ValueError(f"{path}: not a {FORMAT} model")
            if header["dense"] != list(DENSE_NAMES):
                raise ValueError(f"{path}: dense features {header['dense']} differ from code")
            if "bin_edges" in data.files and header.get("bins") != list(BINNED):
                raise ValueError(f"{path}: binned features {header.get('bins')} differ from code")
            edges = data["bin_edges"].astype(np.float64) if "bin_edges" in data.files else None
            alone = None
            if "coef_text" in data.files:
                cues = header.get("tree_features") == list(tree_features(True))
                if header.get("tree_features") != list(tree_features(cues)):
                    raise ValueError(f"{path}: tree features differ from code")
                anonymous = (
                    Trees.from_arrays(data, float(header["anonymous_baseline"]), "anonymous_")
                    if "anonymous_baseline" in header
                    else None
                )
                alone = PostAlone(
                    data["coef_text"].astype(np.float64),
                    float(header["intercept_text"]),
                    Trees.from_arrays(data, float(header["tree_baseline"])),
                    float(header["text_slope"]),
                    anonymous,
                    float(header.get("anonymous_slope", 0.0)),
                    cues,
                )
            return cls(
                post=TfidfBlock(
                    tuple(header["post_ngram"]),
                    data["post_terms"],
                    data["post_idf"].astype(np.float64),
                ),
                response=TfidfBlock(
                    tuple(header["response_ngram"]),
                    data["response_terms"],
                    data["response_idf"].astype(np.float64),
                ),
                words=TfidfBlock(
                    tuple(header["word_ngram"]),
                    data["word_terms"],
                    data["word_idf"].astype(np.float64),
                    analyzer="word",
                ),
                post_weight=float(header["post_weight"]),
                response_weight=float(header["response_weight"]),
                dense_mean=data["dense_mean"],
                dense_scale=data["dense_scale"],
                coef=data["coef"].astype(np.float64),
                intercept=float(header["intercept"]),
                platt=(float(header["platt"][0]), float(header["platt"][1])),
                meta=header["meta"],
                bin_edges=edges,
                coef_empty=(
                    data["coef_empty"].astype(np.float64) if "coef_empty" in data.files else None
                ),
                intercept_empty=float(header.get("intercept_empty", 0.0)),
                post_alone=alone,
                platt_empty=(
                    (float(header["platt_empty"][0]), float(header["platt_empty"][1]))
                    if "platt_empty" in header
                    else None
                ),
            )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> RumorModel | None:
    """The shipped model, loaded once per process; None (and a warning) when it is missing
    or unreadable, so the stage falls back to the heuristic instead of stopping."""
    try:
        return RumorModel.load(path)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("rumour model %s not loaded (%s): using the heuristic score", path, exc)
        return None
