"""Sample weights that keep a training collection's topics and class mix from passing for
evidence (issue 22): each training post's domain, and weights balancing the classes within
each domain (``cells``) and, for ``sources``, giving each source the same total.

Weibo21's labels lean by domain (灾难事故 three-quarters rumours, 文体娱乐 three-quarters
true): unweighted, a domain's topic words carry its rumour rate, which a held-out domain or a
later period does not share. With the classes balanced in each domain, a topic alone says
nothing about the label; with each source weighing the same, no one collection's style
dominates the fit. Measured on the held-out splits by ``benchmarks/
nlp_rumor_transfer_bench.py`` (nlp/README.md, "Post-alone variants"); the post-alone trees of
``yuqing train rumor --more`` are fitted with ``sources`` weights (``Params.domain_weights``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp.training.rumor_more import MorePost

# Weight modes: "" (none), "cells", "sources".
MODES = ("", "cells", "sources")


def domains_of(ced: int, more: Sequence[MorePost]) -> np.ndarray:
    """Each post's training domain: ``ced``, ``mm17`` or ``weibo21:<domain>``."""
    names = [p.source if p.source != "weibo21" else f"weibo21:{p.domain}" for p in more]
    return np.array(["ced"] * ced + names)


def domains_with(ced: int, extra_domains: Sequence[str]) -> np.ndarray | None:
    """The training domain of ``ced`` CED posts followed by the extra posts' (None without
    extra posts: one domain, nothing to weigh)."""
    return np.array(["ced"] * ced + list(extra_domains)) if extra_domains else None


def sample_weights(domains: np.ndarray, y: np.ndarray, mode: str) -> np.ndarray:
    """Row weights averaging 1: ``cells`` balances the classes within each domain (each
    domain keeps its share), ``sources`` also gives each source (the part before ':') the
    same total. A domain with one class only keeps weight 1 (nothing to balance)."""
    if mode not in MODES[1:]:
        raise ValueError(f"weights: expected one of {MODES[1:]}, got {mode!r}")
    weight = np.ones(len(y))
    for name in np.unique(domains):
        rows = domains == name
        counts = np.bincount(y[rows], minlength=2)
        if counts.min() == 0:
            continue
        weight[rows] = rows.sum() / (2.0 * counts[y[rows]])
    if mode == "sources":
        source = np.array([d.split(":")[0] for d in domains])
        names = np.unique(source)
        for name in names:
            rows = source == name
            weight[rows] *= len(y) / (len(names) * weight[rows].sum())
    return weight * len(y) / weight.sum()


def copy_domains(domains: np.ndarray | None, index: np.ndarray, wanted: float) -> np.ndarray | None:
    """The ``index`` rows' domains for the post-alone text score's per-domain n-gram copies
    (``Params.text_copies``, ``nlp.rumor.trees.TextModel``), or None: not ``wanted`` (0), or the
    rows are of one domain (a CED-only training run: nothing to copy)."""
    if not wanted or domains is None or len(np.unique(domains[index])) < 2:
        return None
    return np.asarray(domains[index])
