"""The post-alone model: gradient-boosted trees over the author figures, the post's form and a
text score, stored as plain arrays.

A post with no response yet is judged on its text and its author only. A linear model over
those reads each figure on its own; the data says they work together (a long post with many
exclamation marks from a young mid-sized account is another thing than the same post from an
old verified one). Here a linear model of the post's n-grams gives a text score, and boosted
trees (scikit-learn's HistGradientBoostingClassifier) combine it with the author figures and
the form of the post (``POST_FORM``). The text score the trees train on is out-of-fold (an
inner grouped cross-validation), so they learn how far to trust it on posts it has not seen.
Measured by grouped 5-fold CV on CED dev (``benchmarks/nlp_rumor_experiments.py
empty=augment+trees``): 0 h accuracy 0.890 → 0.904 over the linear post-alone model, later-period
balanced accuracy at 0 h 0.825 → 0.863 (0.899 and 0.861 once posts without an author were left
to trees of their own, below: the 0.904 had learnt that CED's userless posts are rumours).
The same figures in a logistic regression (the form scaled, or as deciles) lost 0.001-0.011
at 0 h: it is the trees' combining them that helps.

The trees are exported to arrays (``Trees``) and walked with numpy, all trees at once, so the
model file still loads without unpickling. Reasons: each split's change of the expected score
is credited to its feature (Saabas' path attribution); the text score's share goes to the
n-grams by their linear contributions times the trees' average slope on the text score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from core.text.weibo import EMOTICON, TOPIC
from nlp.rumor.features import DENSE_LABELS, DENSE_NAMES
from nlp.rumor.form import CLAIM_CUES, claim_cues

# The dense features the trees read (the author and the post; nothing about responses).
TREE_DENSE = DENSE_NAMES[:12]
_TREE_COLUMNS = [DENSE_NAMES.index(name) for name in TREE_DENSE]
# Author figures the crawlers often do not give (they give verified, its type and followers).
OFTEN_MISSING = ("log_friends", "log_messages", "log_account_days", "has_description", "gender_f")
_OFTEN_MISSING = [TREE_DENSE.index(name) for name in OFTEN_MISSING]
# Every author figure: news sites and forums give none of them.
AUTHOR_FIGURES = tuple(name for name in TREE_DENSE if DENSE_LABELS[name].startswith("作者"))
_AUTHOR_FIGURES = [TREE_DENSE.index(name) for name in AUTHOR_FIGURES]
# The post's form, read from its normalised text (``normalise``: URLs are "url", users "@").
POST_FORM = (
    ("log_length", "帖文长度"),
    ("log_exclaims", "帖文感叹号数"),
    ("log_questions", "帖文问号数"),
    ("log_mentions", "帖文@提及数"),
    ("log_topics", "帖文#话题#数"),
    ("log_urls", "帖文链接数"),
    ("log_digits", "帖文数字个数"),
    ("headline", "帖文带【】标题"),
    ("log_emoticons", "帖文表情数"),
    ("exclaim_run", "帖文连用感叹号"),
    ("ellipsis", "帖文连用省略号"),
    ("log_latin", "帖文拉丁字母数"),
    ("plea", "帖文求转发扩散"),
)
POST_FORM_NAMES = tuple(name for name, _ in POST_FORM)
TREE_FEATURES = (*TREE_DENSE, *POST_FORM_NAMES, "text_score")
# With the claim cues (``nlp.rumor.form.CLAIM_CUES``) between the form and the text score.
CUED_FEATURES = (*TREE_DENSE, *POST_FORM_NAMES, *(n for n, _ in CLAIM_CUES), "text_score")
_URL_TOKEN = re.compile(r"\burl\b")
_EXCLAIM_RUN = re.compile(r"[！!]{2,}")
_ELLIPSIS = re.compile(r"[。.…]{3,}")
_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
_PLEA = re.compile(r"转发|扩散|转起|顶起|告诉|身边的")
# Tuned by grouped CV at 0 h and the later-period split (commit message): 7 leaves, 300
# rounds at 0.05 (0.903 / 0.865); 15 leaves, 200 rounds 0.901-0.905 / 0.861; 31 leaves 0.898.
TREE_OPTIONS: dict[str, Any] = dict(
    max_iter=300, learning_rate=0.05, max_leaf_nodes=7, l2_regularization=1.0
)
TEXT_C = 8.0  # the text score's C (the post n-grams alone; the shared model's C)


def tree_features(cues: bool) -> tuple[str, ...]:
    """The trees' columns, with or without the claim cues."""
    return CUED_FEATURES if cues else TREE_FEATURES


def form_of(cues: bool) -> tuple[tuple[str, str], ...]:
    """The post's form columns (name, Chinese label), with or without the claim cues."""
    return (*POST_FORM, *CLAIM_CUES) if cues else POST_FORM


def post_form(text: str, cues: bool = False) -> list[float]:
    """One row of ``form_of(cues)`` for a normalised post text."""
    urls = len(_URL_TOKEN.findall(text))
    return [
        math.log1p(len(text)),
        math.log1p(text.count("！") + text.count("!")),
        math.log1p(text.count("？") + text.count("?")),
        math.log1p(text.count("@")),
        math.log1p(len(TOPIC.findall(text))),
        math.log1p(urls),
        math.log1p(len(_DIGIT.findall(text))),
        float("【" in text),
        math.log1p(len(EMOTICON.findall(text))),
        float(bool(_EXCLAIM_RUN.search(text))),
        float(bool(_ELLIPSIS.search(text))),
        math.log1p(max(0, len(_LATIN.findall(text)) - 3 * urls)),
        float(bool(_PLEA.search(text))),
        *(claim_cues(text) if cues else ()),
    ]


def tree_inputs(
    dense: np.ndarray,
    posts: Sequence[str],
    text_score: np.ndarray,
    cues: bool = False,
    extra: np.ndarray | None = None,
) -> np.ndarray:
    """The trees' input rows: raw dense author/post figures (NaN kept), form (with the claim
    cues if ``cues``), ``extra`` columns (a second text view, transfer experiments), text
    score (always last)."""
    width = len(form_of(cues))
    form = np.array([post_form(p, cues) for p in posts], dtype=np.float64).reshape(-1, width)
    more = np.zeros((len(posts), 0)) if extra is None else np.asarray(extra).reshape(len(posts), -1)
    return np.hstack([dense[:, _TREE_COLUMNS], form, more, np.asarray(text_score).reshape(-1, 1)])


@dataclass
class Trees:
    """Boosted regression trees as arrays; node ``value``: a leaf's (shrunk) value, or the
    expected value below an inner node over the training rows (for the attribution)."""

    feature: np.ndarray  # int32 per node
    threshold: np.ndarray  # go left when x <= threshold
    missing_left: np.ndarray  # bool: where NaN goes
    left: np.ndarray  # int32 node index (global)
    right: np.ndarray
    leaf: np.ndarray  # bool
    value: np.ndarray
    roots: np.ndarray  # int32: each tree's root node
    baseline: float

    ARRAYS = ("feature", "threshold", "missing_left", "left", "right", "leaf", "value", "roots")

    def _walk(self, x: np.ndarray, credit: np.ndarray | None = None) -> np.ndarray:
        """Each row's leaf in every tree (rows x trees); with ``credit`` (rows x features),
        adds each split's change of expected value to its feature."""
        nodes = np.tile(self.roots, (x.shape[0], 1))
        rows = np.arange(x.shape[0])[:, None]
        while True:
            inner = ~self.leaf[nodes]
            if not inner.any():
                return nodes
            features = self.feature[nodes]
            values = x[rows, features]
            left = np.where(
                np.isnan(values), self.missing_left[nodes], values <= self.threshold[nodes]
            )
            after = np.where(inner, np.where(left, self.left[nodes], self.right[nodes]), nodes)
            if credit is not None:
                gain = np.where(inner, self.value[after] - self.value[nodes], 0.0)
                np.add.at(credit, (np.broadcast_to(rows, nodes.shape), features), gain)
            nodes = after

    def raw(self, x: np.ndarray) -> np.ndarray:
        """Log-odds per row (as the classifier's ``decision_function``)."""
        return self.value[self._walk(x)].sum(axis=1) + self.baseline

    def attribution(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """The expected log-odds and each feature's share for each row (they add to ``raw``)."""
        credit = np.zeros(x.shape)
        self._walk(x, credit)
        return float(self.value[self.roots].sum() + self.baseline), credit

    def arrays(self, prefix: str = "tree_") -> dict[str, np.ndarray]:
        return {f"{prefix}{name}": getattr(self, name) for name in self.ARRAYS}

    @classmethod
    def from_arrays(cls, data: Any, baseline: float, prefix: str = "tree_") -> Trees:
        arrays: dict[str, Any] = {name: np.asarray(data[f"{prefix}{name}"]) for name in cls.ARRAYS}
        return cls(**arrays, baseline=baseline)

    @classmethod
    def from_sklearn(cls, model: HistGradientBoostingClassifier, x: np.ndarray) -> Trees:
        """Export a fitted binary classifier (its per-iteration predictors: a private but
        stable attribute, checked against ``decision_function`` by the tests); ``x``: the
        training rows, whose paths give the inner nodes' expected values."""
        parts: dict[str, list[np.ndarray]] = {name: [] for name in cls.ARRAYS}
        offset = 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not exported")
            parts["feature"].append(nodes["feature_idx"].astype(np.int32))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["left"].append(nodes["left"].astype(np.int32) + offset)
            parts["right"].append(nodes["right"].astype(np.int32) + offset)
            parts["leaf"].append(nodes["is_leaf"].astype(bool))
            parts["value"].append(np.where(nodes["is_leaf"], nodes["value"], 0.0))
            parts["roots"].append(np.array([offset], dtype=np.int32))
            offset += len(nodes)
        arrays: dict[str, Any] = {name: np.concatenate(parts[name]) for name in cls.ARRAYS}
        trees = cls(**arrays, baseline=float(np.ravel(model._baseline_prediction)[0]))
        trees._expect(x)
        return trees

    def _expect(self, x: np.ndarray) -> None:
        """Inner nodes' value: the mean leaf value of the training rows below them."""
        visits = np.zeros(len(self.value))
        nodes = np.tile(self.roots, (x.shape[0], 1))
        rows = np.arange(x.shape[0])[:, None]
        np.add.at(visits, nodes.ravel(), 1)
        paths = [nodes]
        while not self.leaf[nodes].all():
            inner = ~self.leaf[nodes]
            values = x[rows, self.feature[nodes]]
            left = np.where(
                np.isnan(values), self.missing_left[nodes], values <= self.threshold[nodes]
            )
            nodes = np.where(inner, np.where(left, self.left[nodes], self.right[nodes]), nodes)
            paths.append(np.where(inner, nodes, -1))
        leaf_value = self.value[nodes]  # every row's final leaf, per tree
        totals = np.zeros(len(self.value))
        for step in paths:
            seen = step >= 0
            np.add.at(totals, step[seen], leaf_value[seen])
            if step is not paths[0]:
                np.add.at(visits, step[seen], 1)
        inner_nodes = ~self.leaf
        self.value = self.value.copy()
        self.value[inner_nodes] = totals[inner_nodes] / np.maximum(visits[inner_nodes], 1)


@dataclass
class PostAlone:
    """The fitted post-alone model: the text score's coefficients and the trees; posts without
    any author figure (news sites, forums) have trees of their own (``anonymous``)."""

    coef_text: np.ndarray  # over the post blocks (character, then word n-grams)
    intercept_text: float
    trees: Trees
    text_slope: float  # the trees' mean change of log-odds per unit of text score
    anonymous: Trees | None = None
    anonymous_slope: float = 0.0
    cues: bool = False  # the trees read the claim cues (``CUED_FEATURES``)

    def inputs(
        self,
        text: sp.csr_matrix,
        dense: np.ndarray,
        posts: Sequence[str],
        extra: np.ndarray | None = None,
    ) -> np.ndarray:
        score = np.asarray(text @ self.coef_text).ravel() + self.intercept_text
        return tree_inputs(dense, posts, score, self.cues, extra)

    def without_author(self, inputs: np.ndarray) -> np.ndarray:
        """Which rows the anonymous trees score: no author figure at all (and such trees)."""
        if self.anonymous is None:
            return np.zeros(len(inputs), dtype=bool)
        return np.asarray(np.isnan(inputs[:, _AUTHOR_FIGURES]).all(axis=1))

    def slopes(self, inputs: np.ndarray) -> np.ndarray:
        """Each row's text slope (for the n-gram reasons)."""
        return np.where(self.without_author(inputs), self.anonymous_slope, self.text_slope)

    def attribution(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's expected log-odds and its features' shares (they add to the score),
        each row walked by its own trees only."""
        bases = np.zeros(len(inputs))
        credit = np.zeros(inputs.shape)
        for trees, rows, x in self._by_trees(inputs):
            bases[rows], credit[rows] = trees.attribution(x)
        return bases, credit

    def decision(
        self,
        text: sp.csr_matrix,
        dense: np.ndarray,
        posts: Sequence[str],
        extra: np.ndarray | None = None,
    ) -> np.ndarray:
        """Log-odds per row: a plain walk (the attribution's credit is for reasons only);
        ``extra``: the columns the trees were fitted with (``fit_post_alone``)."""
        inputs = self.inputs(text, dense, posts, extra)
        z = np.zeros(len(inputs))
        for trees, rows, x in self._by_trees(inputs):
            z[rows] = trees.raw(x)
        return z

    def _by_trees(self, inputs: np.ndarray) -> list[tuple[Trees, np.ndarray, np.ndarray]]:
        """(trees, row mask, their input) for the rows with an author and those without."""
        anonymous = self.without_author(inputs)
        parts = [(self.trees, ~anonymous, inputs[~anonymous])]
        if self.anonymous is not None and anonymous.any():
            parts.append((self.anonymous, anonymous, _blank_author(inputs[anonymous])))
        return [part for part in parts if part[1].any()]


def _blank_author(x: np.ndarray) -> np.ndarray:
    """The anonymous trees' input: the author columns constant (they were trained so)."""
    x = x.copy()
    x[:, _AUTHOR_FIGURES] = 0.0
    return x


def fit_post_alone(
    text: sp.csr_matrix,
    dense: np.ndarray,
    posts: Sequence[str],
    y: np.ndarray,
    groups: np.ndarray,
    seed: int,
    folds: int = 5,
    sample_weight: np.ndarray | None = None,
    text_domains: np.ndarray | None = None,
    copy_scale: float = 1.0,
    text_c: float = TEXT_C,
    cues: bool = False,
    extra: np.ndarray | None = None,
) -> PostAlone:
    """The text model on ``text`` (the post blocks of the training rows), its out-of-fold
    scores by a grouped inner CV, and the trees over those with the dense rows and posts;
    ``sample_weight`` (one per row, default 1) weighs the rows in every fit (training
    experiments across data sets, ``nlp.training.rumor_transfer``); ``text_domains`` (one
    training domain per row): the text model is fitted with the n-grams copied per domain
    (times ``copy_scale``) and keeps the shared part only (``TextModel``); ``text_c``: the text
    model's C (transfer experiments); ``cues``: the trees also read the claim cues; ``extra``:
    further out-of-fold columns per row (a second text view, transfer experiments only: the
    stored model has none)."""
    weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)

    def text_model(rows: np.ndarray) -> TextModel:
        return TextModel.fit(
            text[rows],
            y[rows],
            None if weight is None else weight[rows],
            None if text_domains is None else text_domains[rows],
            seed,
            copy_scale,
            text_c,
        )

    out_of_fold = np.zeros(len(y))
    folds = min(folds, len(set(groups.tolist())))  # a toy corpus may have fewer groups
    splitter = StratifiedGroupKFold(n_splits=max(folds, 2), shuffle=True, random_state=seed)
    for inner_train, inner_test in splitter.split(np.zeros(len(y)), y, groups):
        if len(np.unique(y[inner_train])) == 2:  # else (a toy corpus) the score says nothing
            out_of_fold[inner_test] = text_model(inner_train).decision_function(text[inner_test])
    x = tree_inputs(dense, posts, out_of_fold, cues, extra)
    # A figure no training row has cannot be binned (scikit-learn fails on it): a constant 0
    # instead, which no tree splits on.
    x[:, np.isnan(x).all(axis=0)] = 0.0
    # Every row again without the figures crawled mentions often lack (``OFTEN_MISSING``), so
    # that the trees learn what to do without them: trained on complete CED rows only, they
    # sent a missing figure down an arbitrary side, and the later-period balanced accuracy at
    # 0 h fell from 0.863 to 0.792 with those figures removed from the test posts.
    # Rows without any author figure are left to the anonymous trees below: in CED they are
    # the 57 posts whose account was gone, all rumours, and trees that saw them learnt "no
    # author, a rumour" (a news article, which has no author figures, scored 0.997).
    known = ~np.isnan(x[:, _AUTHOR_FIGURES]).all(axis=1)
    x_known, y_known = x[known], y[known]
    blind = x_known.copy()
    blind[:, _OFTEN_MISSING] = np.nan
    trees, slope = _boost(
        np.vstack([x_known, blind]),
        np.concatenate([y_known, y_known]),
        x_known,
        out_of_fold[known],
        seed,
        None if weight is None else np.concatenate([weight[known], weight[known]]),
    )
    # Posts without any author figure get trees of their own, trained without them: a third
    # copy in the trees above cost 0.007-0.009 of CV accuracy at 0 h on posts with authors,
    # and these score the later-period posts stripped of them at 0.788 balanced accuracy
    # (0.757 by trees that had seen CED's userless rows; 2026-12-03, the card's last
    # later-period row).
    anonymous, anonymous_slope = _boost(
        _blank_author(x), y, _blank_author(x), out_of_fold, seed, weight
    )
    final = text_model(np.arange(len(y)))
    return PostAlone(
        final.coef,
        final.intercept,
        trees,
        slope,
        anonymous,
        anonymous_slope,
        cues,
    )


@dataclass
class TextModel:
    """The text score's logistic regression. Fitted with ``domains``, each row's n-grams are
    also copied into columns of its own domain, with an intercept per domain (Daumé 2007,
    "Frustratingly easy domain adaptation", used for generalisation): what one domain's
    posts alone say (its topics, its collection's style, its rumour rate) can be carried by
    that domain's copy, which costs no more L2 than the shared column, so the shared
    weights keep what holds across domains. Only the shared part scores (an unseen domain
    has no copy), so the stored model is the same shape either way. ``scale`` multiplies the
    copies: above 1 a copy's weight costs less than the shared one's, so more of what differs
    across domains moves to the copies."""

    coef: np.ndarray
    intercept: float

    @classmethod
    def fit(
        cls,
        text: sp.csr_matrix,
        y: np.ndarray,
        weight: np.ndarray | None,
        domains: np.ndarray | None,
        seed: int,
        scale: float = 1.0,
        c: float = TEXT_C,
    ) -> TextModel:
        model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=seed)
        width = text.shape[1]
        model.fit(text if domains is None else domain_copies(text, domains, scale), y, weight)
        coef = model.coef_.ravel().astype(np.float64)[:width]
        return cls(coef, float(model.intercept_[0]))

    def decision_function(self, text: sp.csr_matrix) -> np.ndarray:
        return np.asarray(text @ self.coef).ravel() + self.intercept


def domain_copies(text: sp.csr_matrix, domains: np.ndarray, scale: float = 1.0) -> sp.csr_matrix:
    """``text`` followed by one copy of its columns (times ``scale``) and one indicator column
    per domain, each copy holding only the rows of its domain."""
    names = np.unique(domains)
    parts = [sp.csr_matrix(text)]
    for name in names:
        mask = sp.diags((domains == name).astype(np.float64) * scale)
        parts.append(sp.csr_matrix(mask @ text))
    indicators = (domains[:, None] == names[None, :]).astype(np.float64)
    parts.append(sp.csr_matrix(indicators))
    return sp.hstack(parts, format="csr")


def _boost(
    x: np.ndarray,
    y: np.ndarray,
    rows: np.ndarray,
    text_score: np.ndarray,
    seed: int,
    weight: np.ndarray | None,
) -> tuple[Trees, float]:
    """Boosted trees on ``x`` (rows weighed by ``weight``), exported, with their mean slope on
    the text score over the original training ``rows``."""
    boosted = HistGradientBoostingClassifier(
        random_state=seed, early_stopping=False, **TREE_OPTIONS
    )
    boosted.fit(x, y, sample_weight=weight)
    trees = Trees.from_sklearn(boosted, x)
    _, credit = trees.attribution(rows)
    centred = text_score - text_score.mean()
    slope = float(credit[:, -1] @ centred / max(float(centred @ centred), 1e-12))
    return trees, slope
