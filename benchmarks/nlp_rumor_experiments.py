"""Quick rumour-model experiments: grouped 5-fold CV at 0 h, 1 h and all responses, and the
later-period split, for variants of the model fit.

    .venv/bin/python benchmarks/nlp_rumor_experiments.py VARIANT [VARIANT ...] [--C 8]

A variant is ``+``-joined parts over ``base`` (one shared logistic regression at every horizon,
over the features ``nlp.training.rumor_train.frame_prepared`` gives, i.e. the current ``DENSE``):
``nb`` / ``nbbin`` (n-gram blocks scaled by the NB log-count ratio, Wang & Manning 2012, from
TF-IDF values / binarised), ``aug0`` (post blocks repeated for rows without responses),
``split0`` (a separate post-only model for them, ``C0=4`` its C), ``ind0`` (an indicator
column for them), ``textless`` (rows without response *text* count as empty). ``aug0+split0``
with ``C0=4`` is what ``Params.empty_model`` ships. Parts for the post-only model alone:
``nb0`` (its n-gram blocks scaled by the binarised NB ratio, alpha 1, of the training fold's
0 h rows), ``char4`` (the post's character 1-4 grams in place of its 1-3 grams), ``vxf0``
(verified x follower-decile indicators). Measured 2026-12-02 against aug0+split0+C0=4 (CV 0 h
0.890): nb0 0.877-0.888 at C0 1/4/16/32, char4 0.888-0.889, vxf0 0.889, ind0 0.890; none
adopted. ``empty=MODE`` runs the training code itself (``fit_prepared``) with
``Params.empty_model`` = MODE; measured 2026-12-02 (CV 0 h / 1 h / all, later-period balanced
0 h / 1 h / all): ``empty=augment+separate`` (the linear post-alone model) 0.890 / 0.924 / 0.950,
0.825 / 0.891 / 0.914; ``empty=augment+trees`` (``nlp.rumor.trees``, adopted) 0.904 / 0.925 /
0.950, 0.863 / 0.894 / 0.914; 2026-12-03, with missing author figures neutral (mean bins,
anonymous trees): 0.899 / 0.923 / 0.949, 0.861 / 0.882 / 0.908. Texts are tokenised once
(``nlp.training.rumor_counts``) and cached in /tmp (keyed by the dense feature names), so a variant
costs only its fits (five folds and the later-period split, which fits on the earliest 70 % of
the whole-file counts: the same vocabulary and IDF as ``later_period``). One JSON line each.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from nlp.rumor.ced import labels_of, load_ced
from nlp.rumor.features import DENSE_NAMES
from nlp.training.evaluation import CED, dataset_path
from nlp.training.rumor_counts import Counts, Prepared, block_of, count, tfidf
from nlp.training.rumor_train import (
    Fitted,
    Params,
    figures,
    fit_prepared,
    frame_prepared,
    grouped_folds,
    prepare_items,
)

HORIZONS: tuple[float | None, ...] = (0, 1, None)
CACHE = Path("/tmp/yuqing_rumor_prep.pkl")


def nb_ratio(
    x: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0, binary: bool = False
) -> np.ndarray:
    """Log-count ratio r = log((p/|p|1) / (q/|q|1)) with p, q the smoothed feature sums of
    the positive and negative rows (Wang & Manning 2012, on the TF-IDF values)."""
    if binary:  # Wang & Manning's binarised counts
        x = (x > 0).astype(np.float64)
    p = alpha + np.asarray(x[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(x[y == 0].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum()))


_CHAR4: list[Counts] = []


def _char4_counts(prep: Prepared) -> Counts:
    """Character 1-4-gram counts of every post, counted once per run."""
    if not _CHAR4:
        _CHAR4.append(count(prep.rows[0].posts, (1, 4)))
    return _CHAR4[0]


def experiment_fit(
    prep: Prepared, index: np.ndarray, y: np.ndarray, params: Params, variant: str
) -> Callable[[np.ndarray, float | None], np.ndarray]:
    """A decision function for rows of ``prep`` at a horizon, fitted on rows ``index``."""
    if variant.startswith("empty="):  # the training code itself, Params.empty_model = the rest
        shipped = fit_prepared(prep, index, y, replace(params, empty_model=variant[6:]))
        return lambda rows, h: shipped.decision(prep, rows, h)
    fitted: Fitted = frame_prepared(prep, index, params)  # vocabularies, scaling
    parts = set(variant.split("+"))
    train_h = params.train_horizons

    def blocks(
        rows: np.ndarray, h: float | None
    ) -> tuple[list[sp.csr_matrix], sp.csr_matrix, np.ndarray]:
        full = fitted.matrix(prep, rows, h)
        m = fitted.model
        sizes = [len(m.post.terms), len(m.words.terms), len(m.response.terms)]
        edges = np.cumsum([0, *sizes])
        grams = [full[:, edges[k] : edges[k + 1]] for k in range(3)]
        dense = full[:, edges[3] :]
        if "textless" in parts:  # no response text (bare reposts count as none)
            empty = np.asarray(prep.responses[h][rows].sum(axis=1)).ravel() == 0
        else:  # no response at all: nothing is known but the post and its author
            empty = prep.rows[h].dense[rows, DENSE_NAMES.index("log_responses")] == 0
        return grams, dense, empty

    per = {h: blocks(index, h) for h in train_h}
    yy = np.tile(y, len(train_h))
    ratios = None
    if "nb" in parts or "nbbin" in parts:
        ratios = [
            nb_ratio(
                sp.vstack([per[h][0][k] for h in train_h], format="csr"),
                yy,
                binary="nbbin" in parts,
            )
            for k in range(3)
        ]

    def assemble(
        grams: list[sp.csr_matrix], dense: sp.csr_matrix, empty: np.ndarray
    ) -> sp.csr_matrix:
        if ratios is not None:
            grams = [g @ sp.diags(r) for g, r in zip(grams, ratios, strict=True)]
        if "aug0" in parts:  # the post blocks again, for rows without responses only
            mask = sp.diags(empty.astype(np.float64))
            grams = [*grams, mask @ grams[0], mask @ grams[1]]
        if "ind0" in parts:  # an intercept of its own for rows without responses
            dense = sp.hstack([dense, sp.csr_matrix(empty.astype(np.float64)[:, None])])
        return sp.hstack([*grams, dense], format="csr")

    def lr(matrix: sp.csr_matrix, labels: np.ndarray) -> LogisticRegression:
        classifier = LogisticRegression(C=params.C, solver="liblinear", max_iter=2000)
        return classifier.fit(matrix, labels)

    matrix = sp.vstack([assemble(*per[h]) for h in train_h], format="csr")
    main = lr(matrix, yy)
    c0 = next((float(p[3:]) for p in parts if p.startswith("C0=")), params.C)
    zero = None
    # nb0: binarised NB ratios (alpha 1) for the post-only model's n-gram blocks, from the
    # training fold's 0 h rows only; vxf0: verified x follower-decile indicators for it.
    ratios0 = [nb_ratio(per[0][0][k], y, binary=True) for k in range(3)] if "nb0" in parts else None
    verified = DENSE_NAMES.index("verified")
    n_dense = len(DENSE_NAMES)

    def assemble_zero(
        grams: list[sp.csr_matrix], dense: sp.csr_matrix, empty: np.ndarray, rows: np.ndarray
    ) -> sp.csr_matrix:
        if ratios0 is not None:
            grams = [g @ sp.diags(r) for g, r in zip(grams, ratios0, strict=True)]
        if "char4" in parts:  # the post's character 1-4 grams in place of its 1-3 grams
            grams = [_char4_block(rows), *grams[1:]]
        if "vxf0" in parts:  # follower bins are the first ten bin columns (BINNED order)
            v = np.nan_to_num(prep.rows[0].dense[rows, verified])
            followers = dense[:, n_dense : n_dense + 10]
            dense = sp.hstack([dense, sp.diags(v) @ followers])
        return assemble(grams, dense, empty)

    if "char4" in parts:
        whole = _char4_counts(prep)
        block, columns = block_of(
            whole.matrix[index], whole, params.min_df, params.post_max_features
        )

        def _char4_block(rows: np.ndarray) -> sp.csr_matrix:
            return tfidf(whole.matrix[rows], columns, block.idf)

    if "split0" in parts:  # the posts alone (0 h rows), C0 (default: C)
        zero = LogisticRegression(C=c0, solver="liblinear", max_iter=2000)
        zero.fit(assemble_zero(*per[0], index), y)

    def decide(rows: np.ndarray, h: float | None) -> np.ndarray:
        grams, dense, empty = blocks(rows, h)
        x = assemble(grams, dense, empty)
        z = main.decision_function(x)
        if zero is not None:
            z0 = zero.decision_function(assemble_zero(grams, dense, empty, rows))
            z = np.where(empty, z0, z)
        return np.asarray(z)

    return decide


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--C", type=float, default=None)
    args = parser.parse_args()
    items = load_ced(dataset_path(CED))
    params = Params() if args.C is None else Params(C=args.C)
    started = time.perf_counter()
    cached = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else None
    if cached is not None and cached[0] == DENSE_NAMES:
        _, prep, splits = cached
    else:  # a cache written by this script, in /tmp: trusted like the code itself
        prep = prepare_items(items, params, [*HORIZONS, *params.train_horizons])
        splits = grouped_folds(items)
        CACHE.write_bytes(pickle.dumps((DENSE_NAMES, prep, splits)))
    print(f"prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    y = np.array(labels_of(items))
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    order = sorted(range(len(items)), key=lambda i: (items[i].posted_at or epoch, items[i].id))
    cut = math.floor(len(items) * 0.7)
    early, late = np.array(order[:cut]), np.array(order[cut:])
    for variant in args.variants:
        t0 = time.perf_counter()
        oof = {h: np.zeros(len(items)) for h in HORIZONS}
        for train_idx, test_idx in splits:
            decide = experiment_fit(prep, train_idx, y[train_idx], params, variant)
            for h in HORIZONS:
                oof[h][test_idx] = decide(test_idx, h)
        decide = experiment_fit(prep, early, y[early], params, variant)
        out = {"variant": variant, "C": params.C}
        for h in HORIZONS:
            name = "all" if h is None else f"{h:g}h"
            out[f"cv_{name}"] = round(figures(y, (oof[h] > 0).astype(int)).accuracy, 4)
        for h in HORIZONS:
            name = "all" if h is None else f"{h:g}h"
            z = decide(late, h)
            out[f"later_bal_{name}"] = round(
                figures(y[late], (z > 0).astype(int)).balanced_accuracy, 4
            )
        out["seconds"] = round(time.perf_counter() - t0)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
