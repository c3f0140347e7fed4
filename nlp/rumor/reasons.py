"""Reasons of the rumour model's scores: the features pushing hardest either way.

Split from ``nlp.rumor.model`` to keep that module small: the n-gram reasons (shared by the
linear model and the post-alone trees) and the post-alone trees' reasons (``nlp.rumor.trees``).
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from archive.models import Reason
from nlp.rumor.features import AUTHOR_FEATURES, dense_text
from nlp.rumor.trees import POST_FORM, TREE_DENSE, PostAlone, form_of

# Form figures stored as log(1 + n), shown as n.
_FORM_COUNTED = {name for name, _ in POST_FORM if name.startswith("log_")}


def term_reasons(
    contributions: np.ndarray, terms: np.ndarray, label: str, min_len: int, top: int = 3
) -> list[Reason]:
    """The n-grams pushing hardest either way; an n-gram inside a stronger one is skipped."""
    order = np.argsort(-np.abs(contributions))
    chosen: list[tuple[str, float]] = []
    for index in order[: 40 * top]:
        value = float(contributions[index])
        if abs(value) < 0.02:
            break
        term = str(terms[index]).strip()
        if len(term) < min_len or any(term in other for other, _ in chosen):
            continue
        chosen.append((term, value))
        if len(chosen) >= top:
            break
    return [Reason("term", f"{label}：{term}", round(value, 4)) for term, value in chosen]


def post_alone_reasons(
    alone: PostAlone,
    text_row: sp.csr_matrix,
    blocks: list[tuple[np.ndarray, str]],
    inputs: np.ndarray,
    credit: np.ndarray,
    slope: float,
    a: float,
    limit: int,
) -> list[Reason]:
    """Reasons of a post scored alone: each tree feature's share of the log-odds (times the
    calibration slope ``a``), the text score's share spread over the post's n-grams by their
    linear contributions times the trees' mean ``slope`` (``PostAlone.slopes``). ``text_row``:
    the post blocks' row; ``blocks``: each block's terms and label, in column order."""
    columns = text_row.indices
    contributions = text_row.data * alone.coef_text[columns] * slope * a
    reasons: list[Reason] = []
    start = 0
    for terms, label in blocks:
        inside = (columns >= start) & (columns < start + len(terms))
        reasons += term_reasons(contributions[inside], terms[columns[inside] - start], label, 2)
        start += len(terms)
    for k, name in enumerate(TREE_DENSE):
        value = float(credit[k]) * a
        if abs(value) < 0.05 or math.isnan(inputs[k]):
            continue
        kind = "feature" if name in AUTHOR_FEATURES else "signal"
        reasons.append(Reason(kind, dense_text(name, float(inputs[k])), round(value, 4)))
    for k, (name, label) in enumerate(form_of(alone.cues), start=len(TREE_DENSE)):
        value = float(credit[k]) * a
        if abs(value) < 0.05:
            continue
        if name in _FORM_COUNTED:
            label = f"{label} {round(math.expm1(float(inputs[k])))}"
        elif inputs[k] < 0.5:
            label = f"{label}：无"
        reasons.append(Reason("signal", label, round(value, 4)))
    return sorted(reasons, key=lambda r: -abs(r.weight))[:limit]
