"""Figures for event clustering and heat: B-cubed precision/recall/F1 and Spearman's rho.

B-cubed (Bagga & Baldwin 1998; Amigó et al. 2009 show it is the clustering metric that
satisfies their four constraints): for each item, precision is the share of the items in its
predicted cluster that share its gold label, recall the share of its gold class found in its
predicted cluster; both are averaged over items.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr


@dataclass(frozen=True)
class BCubed:
    precision: float
    recall: float
    items: int

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> BCubed:
    """B-cubed over the items present in both mappings."""
    items = [item for item in gold if item in predicted]
    if not items:
        return BCubed(0.0, 0.0, 0)
    pair_counts = Counter((predicted[i], gold[i]) for i in items)
    cluster_sizes = Counter(predicted[i] for i in items)
    class_sizes = Counter(gold[i] for i in items)
    precision = recall = 0.0
    for item in items:
        both = pair_counts[(predicted[item], gold[item])]
        precision += both / cluster_sizes[predicted[item]]
        recall += both / class_sizes[gold[item]]
    return BCubed(precision / len(items), recall / len(items), len(items))


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get average ranks)."""
    if len(x) < 3:
        return float("nan")
    rho = spearmanr(np.asarray(x, dtype=float), np.asarray(y, dtype=float)).statistic
    return float(rho)
