"""Variants of the stance model's recipe on its two yardsticks (issue 22, fifth pass).

    nice -n 19 .venv/bin/python benchmarks/sentiment_variants.py            # all (~20 min)
    nice -n 19 .venv/bin/python benchmarks/sentiment_variants.py shipped char2

Each variant is fitted on the shipped recipe's data (weak labels and the read texts of
batches up to ``HAND_LAST_BATCH``, ``nlp.training.sentiment_train``) with one thing changed,
and read on (1) the tuning split of benchmarks/sentiment_labels.json, nested (each fold read
with the run-time knobs chosen on the other four: ``sentiment_tuning.nested_figures``) and (2)
the 600 read texts the model never trains on, with the knobs chosen on the whole tuning split
as ``yuqing train sentiment`` chooses them (``sentiment_check``). The held-out split is never
read here. Printed per variant: accuracy / macro-F1 on both, per kind of text, beside
always-negative; the last line is one JSON object with the figures.

What the variants try (the brief of the fifth pass): a richer text representation (character
n-grams of the clause's own words beside the words and word pairs), a weaker regulariser, and
better distant supervision (dropping emoticon-labelled texts whose own opinion words say the
other side; weighting the weak neutral posts more); and from the sixth pass, each feature also
under its kind group (``by_kind``) and the weak food-safety reports dropped. None is in the
shipped model: a variant ships only when both yardsticks gain beyond their noise (the tuning
split's nested figure moves by up to seven points between resamples of one recipe,
nlp/README.md "Fourth pass").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.sentiment import score_words
from nlp.sentiment_model import CLASSES, features, kind_group
from nlp.training.sentiment_check import figures_by_kind, kept_out_texts
from nlp.training.sentiment_train import (
    TrainingSet,
    add_hand_labels,
    tfidf_matrix,
    vocabulary,
    weak_training_set,
)
from nlp.training.sentiment_tuning import (
    TuningText,
    choose_knobs,
    nested_figures,
    predict,
    tuning_texts,
)

Featurizer = Callable[[Sequence[Sequence[str]]], list[str]]
# An emoticon label this far from the text's own opinion words (the lexicon's net polarity,
# in opinion-word units: one ordinary word is 1.0) is taken for noise or sarcasm.
DISAGREEMENT = 1.0


def with_char_grams(shortest: int, longest: int, pairs: bool = True) -> Featurizer:
    """The model's words (and word pairs unless ``pairs`` is False) and, marked with ``#``,
    the character n-grams of each clause's words joined: 不太满意 cut as 不 太满意 still gives
    不太 and 太满."""

    def featurize(clauses: Sequence[Sequence[str]]) -> list[str]:
        seen = dict.fromkeys(t for t in features(clauses) if pairs or " " not in t)
        for clause in clauses:
            joined = "".join(w for w in clause if w.strip())
            for n in range(shortest, longest + 1):
                seen.update((f"#{joined[i : i + n]}", None) for i in range(len(joined) - n + 1))
        return list(seen)

    return featurize


def first_clause_marked(featurize: Featurizer) -> Featurizer:
    """``featurize``'s features and, marked with ``^``, the words of the first clause: a
    post's 【headline】 or opening, where a notice says what it is about."""

    def marked(clauses: Sequence[Sequence[str]]) -> list[str]:
        first = dict.fromkeys(w for w in clauses[0] if w.strip()) if clauses else {}
        return featurize(clauses) + [f"^{word}" for word in first]

    return marked


def lexicon_agrees(data: TrainingSet) -> TrainingSet:
    """``data`` without the polar weak texts whose own opinion words say the other side."""
    keep = []
    for label, clauses in zip(data.labels, data.clauses, strict=True):
        net = score_words(clauses)[0]
        keep.append(
            not ((label == 2 and net <= -DISAGREEMENT) or (label == 0 and net >= DISAGREEMENT))
        )
    return _rows(data, [i for i, k in enumerate(keep) if k], "dropped_lexicon_disagrees")


def neutral_times(factor: float) -> Callable[[TrainingSet], TrainingSet]:
    def weigh(data: TrainingSet) -> TrainingSet:
        weights = [
            w * factor if lb == 1 else w for lb, w in zip(data.labels, data.weights, strict=True)
        ]
        return replace(data, weights=weights)

    return weigh


def without_weak_articles(data: TrainingSet) -> TrainingSet:
    """``data`` without the weak food-safety reports (every weak article is a negative report,
    which may teach that report-like text is negative; the read reports stay)."""
    kept = [i for i, kind in enumerate(data.kinds) if kind != "article"]
    return _rows(data, kept, "dropped_weak_articles")


def _rows(data: TrainingSet, kept: list[int], dropped: str) -> TrainingSet:
    """``data`` with only the rows ``kept``; ``counts[dropped]`` says how many went."""
    return replace(
        data,
        clauses=[data.clauses[i] for i in kept],
        labels=[data.labels[i] for i in kept],
        weights=[data.weights[i] for i in kept],
        kinds=[data.kinds[i] for i in kept],
        counts=dict(data.counts, **{dropped: len(data.labels) - len(kept)}),
    )


@dataclass(frozen=True)
class Variant:
    featurize: Featurizer = features
    c: float = 3.0
    weak: Callable[[TrainingSet], TrainingSet] | None = None  # applied before the read texts
    # Each feature also as "group|feature" for the text's kind group (comment, article, post):
    # Daumé's augmentation, the kinds share what they share and learn their own words apart.
    by_kind: bool = False

    def row(self, clauses: Sequence[Sequence[str]], kind: str) -> list[str]:
        terms = self.featurize(clauses)
        if not self.by_kind:
            return terms
        group = kind_group(kind)
        return terms + [f"{group}|{term}" for term in terms]


VARIANTS = {
    "shipped": Variant(),
    "char2": Variant(with_char_grams(2, 2)),
    "char2_c1": Variant(with_char_grams(2, 2), c=1.0),
    "char2_no_pairs": Variant(with_char_grams(2, 2, pairs=False)),
    "char1_3": Variant(with_char_grams(1, 3)),
    "char2_lexicon_agrees": Variant(with_char_grams(2, 2), weak=lexicon_agrees),
    "char2_c1_neutral_x3": Variant(with_char_grams(2, 2), c=1.0, weak=neutral_times(3.0)),
    "first_clause": Variant(first_clause_marked(features)),
    "by_kind": Variant(by_kind=True),
    "no_weak_articles": Variant(weak=without_weak_articles),
    "by_kind_char2_no_pairs": Variant(with_char_grams(2, 2, pairs=False), by_kind=True),
}


def margins(variant: Variant, data: TrainingSet, *texts: Sequence[TuningText]) -> list[np.ndarray]:
    """The variant fitted on ``data``; each text list's three class scores (no knobs)."""
    rows = [variant.row(c, k) for c, k in zip(data.clauses, data.kinds, strict=True)]
    terms, idf = vocabulary(rows)
    classifier = LogisticRegression(C=variant.c, max_iter=300, class_weight="balanced")
    classifier.fit(
        tfidf_matrix(rows, terms, idf),
        np.asarray(data.labels),
        sample_weight=np.asarray(data.weights),
    )
    out = []
    for chosen in texts:
        matrix = tfidf_matrix([variant.row(t.clauses, t.kind) for t in chosen], terms, idf)
        out.append(np.asarray(matrix @ classifier.coef_.T + classifier.intercept_))
    return out


def measure(
    variant: Variant, weak: TrainingSet, tuning: list[TuningText], check: list[TuningText]
) -> dict[str, Any]:
    data = variant.weak(weak) if variant.weak else weak
    # a copy: add_hand_labels appends in place, and the weak set is shared by the variants
    data = replace(
        data,
        clauses=list(data.clauses),
        labels=list(data.labels),
        weights=list(data.weights),
        kinds=list(data.kinds),
    )
    add_hand_labels(data, None)
    tuned, checked = margins(variant, data, tuning, check)
    _, weight, offsets = choose_knobs(tuned, tuning, range(len(tuning)))
    rows = [
        (t.sample_kind, t.gold, predict(checked[i].tolist(), t, weight, offsets))
        for i, t in enumerate(check)
    ]
    return {"nested": nested_figures(tuned, tuning), "kept_out": figures_by_kind(rows)}


def show(name: str, figures: dict[str, Any]) -> None:
    nested, kept = figures["nested"], figures["kept_out"]
    print(f"{name}")
    print(f"  {'kind':<16}{'tuning, nested':>16}{'600 kept out':>16}{'always neg (600)':>18}")
    for kind in kept:
        n = nested.get(kind, [0.0, 0.0])
        k = kept[kind]
        print(
            f"  {kind:<16}{n[0]:>9.3f}/{n[1]:.3f}{k['accuracy']:>9.3f}/{k['macro_f1']:.3f}"
            f"{k['negative_accuracy']:>11.3f}/{k['negative_macro_f1']:.3f}"
        )


def main(names: list[str]) -> int:
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        print(f"error: unknown variant(s) {unknown}; known: {list(VARIANTS)}", file=sys.stderr)
        return 2
    weak = weak_training_set()
    tuning, check = tuning_texts(), kept_out_texts()
    print(f"classes {CLASSES}; tuning split {len(tuning)} texts, kept out {len(check)}")
    figures = {}
    for name in names or list(VARIANTS):
        figures[name] = measure(VARIANTS[name], weak, tuning, check)
        show(name, figures[name])
    print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
