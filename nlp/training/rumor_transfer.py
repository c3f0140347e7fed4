"""Variants of the post-alone rumour model meant to transfer across domains and periods
(issue 22), measured on ``nlp.training.rumor_domains``' held-out splits.

The split's test posts have no responses, so they are scored by the post-alone trees alone
(``rumor_domains.post_alone_decision``, the ``base`` variant here). A variant is ``+``-joined
parts (``parse_variant``):

- ``cells``: sample weights that balance the classes *within* each training domain (CED, mm17,
  each Weibo21 domain), each domain keeping its total weight (``nlp.training.rumor_weights``).
- ``sources``: as ``cells``, and each *source* (CED, mm17, Weibo21) weighs the same in total.
- ``drop=Q``: the share ``Q`` of the post n-grams (character and word blocks) whose class
  ratio differs most across the training domains is dropped. Per domain ``d`` and n-gram
  ``t``, ``L(d, t)`` is the log-odds of a rumour among the domain's posts holding ``t``
  (smoothed towards the domain's own rate, ``DROP_PRIOR`` pseudo-posts) minus the domain's
  log-odds; an n-gram's spread is the post-weighted standard deviation of ``L`` over the
  domains it occurs in (n-grams of one domain have none: they are left). Counted on the
  training rows only.
- ``copies[=S]``: the text score the trees read is fitted with every n-gram also copied per
  training domain (times ``S``, default 1) and an intercept per domain, and scores with the
  shared part only (``nlp.rumor.trees.TextModel``): a term that tells rumours in one domain
  only is carried partly by that domain's copy.
- ``stack``: a logistic regression over two out-of-fold scores, the post-alone trees' and
  the issue's baseline's (char 1–3-gram TF-IDF, linear SVM; stacking by a logistic
  regression on its decision value is its Platt calibration, fitted jointly); the scores are
  out-of-fold by ``STACK_FOLDS`` grouped folds inside the training rows, and the final two
  models are fitted on all of them.
- ``cues``: the trees also read the claim cues (``nlp.rumor.form.CLAIM_CUES``: urgency, shock,
  pleas, defects, hearsay, absolute claims, unverifiable specifics, a named authority,
  first-hand), 0/1 columns about the claim's form, not its topic.
- ``view2``: a second text view for the trees: the baseline SVM's decision value (char
  1–3-gram TF-IDF, no sublinear tf, every term, unweighted), out-of-fold on the training rows
  by the same grouped inner folds as the text score, fitted on all of them for the test rows;
  the trees combine the two scores (``stack`` combines them linearly, after the trees).
- ``c=X``: the text score's logistic regression with C = X instead of ``TEXT_C`` (a smaller C
  spreads the weight over more n-grams, fewer of them a training period's topic words).

Nothing here reads a test post's label: each fitted thing (weights, n-gram spreads, folds,
stacker) is computed from the split's training rows. The one free number, ``drop``'s share,
is given on the command line and was fixed before the run (not tuned on a held-out split).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from nlp.rumor.model import RumorModel
from nlp.rumor.trees import TEXT_C
from nlp.training.rumor_counts import Counts, Prepared, block_of, tfidf
from nlp.training.rumor_domains import trees_decision
from nlp.training.rumor_train import SEED, Params, near_duplicate_groups
from nlp.training.rumor_weights import sample_weights

# Pseudo-posts of a domain's own rumour rate behind each n-gram's rate in it: an n-gram seen
# in two posts of a domain moves its log-odds little.
DROP_PRIOR = 4.0
# Outer folds of the stacking (each refits the post-alone model with its own inner 5 folds).
STACK_FOLDS = 3


@dataclass(frozen=True)
class Variant:
    weights: str = ""  # "", "cells" or "sources"
    drop: float = 0.0
    stack: bool = False
    copies: float = 0.0  # the scale of the text score's per-domain n-gram copies (0: none)
    text_c: float = 0.0  # the text score's C (0: ``nlp.rumor.trees.TEXT_C``)
    cues: bool = False  # the trees read the claim cues (``nlp.rumor.form.CLAIM_CUES``)
    view2: bool = False  # the trees read the baseline SVM's out-of-fold score too

    @property
    def name(self) -> str:
        parts = [self.weights] if self.weights else []
        parts += [f"drop={self.drop:g}"] if self.drop else []
        parts += ["stack"] if self.stack else []
        parts += [f"copies={self.copies:g}"] if self.copies else []
        parts += [f"c={self.text_c:g}"] if self.text_c else []
        parts += ["cues"] if self.cues else []
        parts += ["view2"] if self.view2 else []
        return "+".join(parts) or "base"


def parse_variant(text: str) -> Variant:
    """``base``, or ``+``-joined ``cells`` / ``sources``, ``drop=Q`` (0 < Q < 1), ``stack``,
    ``copies[=S]`` (S > 0, default 1), ``c=X`` (X > 0), ``cues``, ``view2``."""
    weights, drop, stack, copies, text_c = "", 0.0, False, 0.0, 0.0
    cues = view2 = False
    for part in text.split("+"):
        if part == "base":
            continue
        if part in ("cells", "sources"):
            weights = part
        elif part.startswith("drop="):
            drop = float(part[5:])
            if not 0 < drop < 1:
                raise ValueError(f"variant {text!r}: drop must be between 0 and 1, got {drop}")
        elif part == "stack":
            stack = True
        elif part == "copies" or part.startswith("copies="):
            copies = float(part[7:] or 1) if "=" in part else 1.0
            if copies <= 0:
                raise ValueError(f"variant {text!r}: copies must be above 0, got {copies}")
        elif part == "cues":
            cues = True
        elif part == "view2":
            view2 = True
        elif part.startswith("c="):
            text_c = float(part[2:])
            if text_c <= 0:
                raise ValueError(f"variant {text!r}: c must be above 0, got {text_c}")
        else:
            raise ValueError(f"variant {text!r}: unknown part {part!r}")
    return Variant(weights, drop, stack, copies, text_c, cues, view2)


def domain_spread(presence: sp.csr_matrix, domains: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per column: the post-weighted standard deviation over domains of the column's rumour
    log-odds relative to its domain's (0 for a column seen in fewer than two domains)."""
    presence = sp.csr_matrix(presence > 0, dtype=np.float64)
    totals = np.zeros(presence.shape[1])
    first = np.zeros(presence.shape[1])
    second = np.zeros(presence.shape[1])
    seen_in = np.zeros(presence.shape[1])
    for name in np.unique(domains):
        rows = domains == name
        rate = float(y[rows].mean())
        if rate in (0.0, 1.0):  # a one-class domain says nothing about the class ratio
            continue
        k = np.asarray(presence[rows].sum(axis=0)).ravel()
        k1 = np.asarray(presence[rows & (y == 1)].sum(axis=0)).ravel()
        p = (k1 + DROP_PRIOR * rate) / (k + DROP_PRIOR)
        shift = np.log(p / (1 - p)) - np.log(rate / (1 - rate))
        totals += k
        first += k * shift
        second += k * shift**2
        seen_in += k > 0
    mean = first / np.maximum(totals, 1)
    variance = np.maximum(second / np.maximum(totals, 1) - mean**2, 0.0)
    return np.where(seen_in >= 2, np.sqrt(variance), 0.0)


def kept_columns(
    matrix: sp.csr_matrix, domains: np.ndarray, y: np.ndarray, share: float
) -> np.ndarray:
    """Indices of the columns left once the ``share`` with the largest spread are dropped."""
    spread = domain_spread(matrix, domains, y)
    dropped = round(share * matrix.shape[1])
    order = np.argsort(-spread, kind="stable")
    keep = np.ones(matrix.shape[1], dtype=bool)
    keep[order[:dropped]] = False
    return np.flatnonzero(keep)


def _text_blocks(
    prep: Prepared,
    train: np.ndarray,
    params: Params,
    variant: Variant,
    domains: np.ndarray,
    y: np.ndarray,
) -> list[tuple[Counts, np.ndarray, np.ndarray]]:
    """(counts, columns, idf) of the post's character and word blocks the training rows give,
    without the dropped n-grams."""
    out = []
    for counts, cap in (
        (prep.post, params.post_max_features),
        (prep.words, params.word_max_features),
    ):
        block, columns = block_of(counts.matrix[train], counts, params.min_df, cap)
        idf = block.idf
        if variant.drop:
            keep = kept_columns(
                counts.matrix[train][:, columns], domains[train], y[train], variant.drop
            )
            columns, idf = columns[keep], idf[keep]
        out.append((counts, columns, idf))
    return out


def second_view(
    baseline: Counts, posts: list[str], train: np.ndarray, test: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The baseline SVM's decision values: out-of-fold for the ``train`` rows (the grouped
    inner folds ``fit_post_alone`` uses: same groups, labels and seed), and fitted on all of
    them for the ``test`` rows; ``posts``: the training rows' post texts."""
    oof = np.zeros(len(train))
    groups = near_duplicate_groups(posts)
    splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED)
    for inner_train, inner_test in splitter.split(np.zeros(len(train)), y[train], groups):
        oof[inner_test] = baseline_decision(baseline, train[inner_train], train[inner_test], y)
    return oof, baseline_decision(baseline, train, test, y)


def _trees_decision(
    prep: Prepared,
    train: np.ndarray,
    test: np.ndarray,
    y: np.ndarray,
    params: Params,
    variant: Variant,
    domains: np.ndarray,
    baseline: Counts | None = None,
) -> np.ndarray:
    """The post-alone trees fitted on ``train`` (weighted, n-grams dropped as the variant
    says), scoring ``test``."""
    first = prep.rows[params.train_horizons[0]]
    blocks = _text_blocks(prep, train, params, variant, domains, y)

    def text(index: np.ndarray) -> sp.csr_matrix:
        parts = [tfidf(c.matrix[index], columns, idf) for c, columns, idf in blocks]
        return sp.hstack(parts, format="csr") * params.post_weight

    weight = sample_weights(domains[train], y[train], variant.weights) if variant.weights else None
    copies = domains if variant.copies else None
    extra = None
    if variant.view2:
        if baseline is None:
            raise ValueError("the view2 variant needs the baseline's counts")
        extra = second_view(baseline, [first.posts[i] for i in train], train, test, y)
    return trees_decision(
        text,
        first,
        train,
        test,
        y,
        weight,
        copies,
        variant.copies or 1.0,
        variant.text_c or TEXT_C,
        variant.cues,
        extra,
    )


def baseline_decision(
    baseline: Counts, train: np.ndarray, test: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """The issue's baseline (char 1–3-gram TF-IDF, default linear SVM) as a decision value."""
    block, columns = block_of(baseline.matrix[train], baseline, 1, None)
    svm = LinearSVC().fit(tfidf(baseline.matrix[train], columns, block.idf), y[train])
    return np.asarray(svm.decision_function(tfidf(baseline.matrix[test], columns, block.idf)))


def transfer_decision(
    prep: Prepared,
    train: np.ndarray,
    test: np.ndarray,
    y: np.ndarray,
    params: Params,
    variant: Variant,
    domains: np.ndarray,
    baseline: Counts | None = None,
) -> np.ndarray:
    """Decision values of the ``variant``'s model fitted on ``train`` for the response-less
    posts ``test`` (``baseline``: the baseline's counts of every post, for ``stack``)."""
    first = prep.rows[params.train_horizons[0]]
    if not RumorModel.empty_of(first.dense[test]).all():
        raise ValueError("transfer_decision scores posts without responses only")
    trees = _trees_decision(prep, train, test, y, params, variant, domains, baseline)
    if not variant.stack:
        return trees
    if baseline is None:
        raise ValueError("the stack variant needs the baseline's counts")
    oof = np.zeros((len(train), 2))
    groups = near_duplicate_groups([first.posts[i] for i in train])
    splitter = StratifiedGroupKFold(n_splits=STACK_FOLDS, shuffle=True, random_state=SEED)
    for inner_train, inner_test in splitter.split(np.zeros(len(train)), y[train], groups):
        a, b = train[inner_train], train[inner_test]
        oof[inner_test, 0] = _trees_decision(prep, a, b, y, params, variant, domains, baseline)
        oof[inner_test, 1] = baseline_decision(baseline, a, b, y)
    weight = sample_weights(domains[train], y[train], variant.weights) if variant.weights else None
    stacker = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)
    stacker.fit(oof, y[train], sample_weight=weight)
    scores = np.column_stack([trees, baseline_decision(baseline, train, test, y)])
    return np.asarray(stacker.decision_function(scores))
