"""Author figures as quantile bins, beside their linear (log, scaled) value.

A linear model can only say "more followers, more (or less) credible". The data says otherwise:
rumours come from mid-sized accounts more than from the smallest or the largest, and from
accounts of some ages more than others. One indicator per decile of each figure lets the linear
model learn that shape. Measured on CED dev, post alone (linear SVM, char 1–3-grams + author
features, grouped 5-fold CV): 0.884 → 0.889 accuracy, later-period balanced accuracy
0.836 → 0.857; the same with the logistic model, 0.867 → 0.878 and 0.823 → 0.853.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# The figures binned (a count or a duration, where the shape is not monotone) and how many bins.
BINNED = ("log_followers", "log_friends", "log_messages", "log_account_days")
BINS = 10


def bin_edges(dense: np.ndarray, columns: Sequence[int], bins: int = BINS) -> np.ndarray:
    """Inner quantile edges per binned figure (rows: the dense ``columns``), known values only."""
    quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    edges = []
    for column in columns:
        known = dense[:, column][~np.isnan(dense[:, column])]
        edges.append(np.quantile(known, quantiles) if len(known) else np.zeros(len(quantiles)))
    return np.asarray(edges, dtype=np.float64).reshape(len(columns), bins - 1)


def bin_matrix(dense: np.ndarray, columns: Sequence[int], edges: np.ndarray) -> np.ndarray:
    """One indicator per (figure, bin); a missing figure has 1 / bins in each, the indicators'
    mean over the training rows (quantile bins hold equal shares), as a missing scaled figure
    is its mean: missing says nothing. (With no indicator at all, the 57 CED posts without a
    user, all rumours, taught the model that a missing author means a rumour.) A dense array:
    it joins the dense features' block in one sparse conversion (scoring is on the hot path)."""
    bins = edges.shape[1] + 1
    out = np.zeros((dense.shape[0], len(columns) * bins))
    for k, column in enumerate(columns):
        values = dense[:, column]
        known = ~np.isnan(values)
        out[np.ix_(~known, np.arange(k * bins, (k + 1) * bins))] = 1.0 / bins
        rows = np.flatnonzero(known)
        out[rows, k * bins + np.searchsorted(edges[k], values[rows], side="right")] = 1.0
    return out
