"""Relevance on the labelled sample of the shared data sets (see nlp/training/evaluation.py)."""

from __future__ import annotations

import pytest

from nlp.relevance import LexiconRelevanceScorer
from nlp.text import document_from_text
from nlp.training.evaluation import CED, FOOD_SAFETY, evaluate, relevance_sample
from tests.conftest import require_dataset


@pytest.fixture(scope="module")
def scored() -> dict[str, list[tuple[bool, float]]]:
    require_dataset(FOOD_SAFETY)
    require_dataset(CED)
    scorer = LexiconRelevanceScorer()
    out: dict[str, list[tuple[bool, float]]] = {}
    for example in relevance_sample(require_dataset(FOOD_SAFETY).parent.parent):
        score = scorer.score(document_from_text(example.text)).score
        out.setdefault(example.source, []).append((example.relevant, score))
    return out


def test_sample_has_the_documented_shape(scored: dict[str, list[tuple[bool, float]]]) -> None:
    assert {k: len(v) for k, v in scored.items()} == {
        "food_safety": 100,
        "ced": 300,
        "ced_holdout": 200,
    }
    assert sum(relevant for relevant, _ in scored["ced"]) == 19
    assert sum(relevant for relevant, _ in scored["ced_holdout"]) == 12


def test_precision_and_recall_floors(scored: dict[str, list[tuple[bool, float]]]) -> None:
    # Floors a little under the figures measured when the lexicon was written, so a lexicon
    # edit that loses much of either fails here (the bench prints the exact figures).
    threshold = 0.5
    rows = [row for rows in scored.values() for row in rows]
    tp = sum(1 for relevant, s in rows if relevant and s >= threshold)
    fp = sum(1 for relevant, s in rows if not relevant and s >= threshold)
    fn = sum(1 for relevant, s in rows if relevant and s < threshold)
    assert tp / (tp + fp) >= 0.95
    assert tp / (tp + fn) >= 0.85
    food = scored["food_safety"]
    assert sum(1 for _, s in food if s >= threshold) >= 95


def test_evaluate_counts() -> None:
    from nlp.training.evaluation import Example

    examples = [Example("x", str(i), "", bool(r)) for i, r in enumerate([1, 1, 0, 0])]
    scores, false_pos, false_neg = evaluate(examples, lambda e: e.key in {"0", "2"})
    assert (scores.tp, scores.fp, scores.fn, scores.tn) == (1, 1, 1, 1)
    assert scores.precision == scores.recall == scores.f1 == 0.5
    assert [e.key for e in false_pos] == ["2"] and [e.key for e in false_neg] == ["1"]
