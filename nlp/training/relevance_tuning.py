"""The relevance model's tuning part: grouped cross-validation over the hand-labelled posts.

The labelled evaluation posts are too few to tune on (the ``ced`` tuning sample has 19
relevant posts) and the blind sample (``relevance_blind``) must stay blind: its figures are
reported, its errors are never read. The tuning part (issue 22, third pass, 2026-12-07) is
therefore the posts read by hand for training (``relevance_labels``: CED lines and the
Weibo21 posts of ``WEIBO21_READ``, about 1,550 posts, 78 relevant; since the fourth pass also
the 1,445 drawn posts of ``relevance_labels.drawn_labels``, folded apart), scored **out of fold**:
they are cut into ``FOLDS`` folds by near-copy group (``StratifiedGroupKFold``, seed
``SEED``), and each fold is scored by a model trained on everything else, the fold's posts and
every training text in their near-copy groups left out. Knobs (thresholds, weights, weak-label
rules, lexicon terms) are chosen on these figures and on the ``ced`` sample; the errors printed
(``benchmarks/nlp_relevance_bench.py --tuning --errors``) are the out-of-fold ones.

Each scored post keeps the lexicon's score, whether an unambiguous term fired, and the model's
probability, so that the stage's rule (``relevance_model.decide``) can be swept over its
thresholds without refitting.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from nlp.relevance import LexiconRelevanceScorer
from nlp.relevance_model import (
    LEXICON_THRESHOLD,
    MODEL_THRESHOLD,
    MODEL_VETO,
    RelevanceModel,
    TrainedRelevanceScorer,
    decide,
)
from nlp.text import document_from_text
from nlp.training.evaluation import Scores
from nlp.training.relevance_train import TrainingSet

FIRST_KINDS = frozenset(
    {"ced_hand_positive", "ced_hand_negative", "weibo_hand_positive", "weibo_hand_negative"}
)
# The fourth pass's drawn posts (``relevance_labels.drawn_labels``), folded apart so that the
# first 1,547 posts keep the folds they had (their figures stay comparable across passes).
DRAWN_KINDS = frozenset({"drawn_hand_positive", "drawn_hand_negative"})
# The fifth pass's word-net training part (``relevance_net_draw``), folded apart likewise.
NET_KINDS = frozenset({"net_hand_positive", "net_hand_negative"})
FOLDS = 5
SEED = 20261207


@dataclass(frozen=True)
class Scored:
    """One hand-labelled post as the model trained without its fold read it."""

    text: str
    label: int
    kind: str
    lexicon: float
    strong: bool  # an unambiguous lexicon term (weight ≥ STRONG_TERM) fired
    probability: float

    def relevant(
        self,
        model_threshold: float = MODEL_THRESHOLD,
        veto: float = MODEL_VETO,
        lexicon_threshold: float = LEXICON_THRESHOLD,
    ) -> bool:
        lexicon_fired, model_fired = decide(
            self.lexicon, self.strong, self.probability, model_threshold, veto, lexicon_threshold
        )
        return lexicon_fired or model_fired


def hand_folds(data: TrainingSet, folds: int = FOLDS) -> list[np.ndarray]:
    """The hand-labelled texts' indices, one array per fold, near-copies in one fold: the first
    passes' posts and the drawn ones each split on their own, fold k holding both k-th parts."""
    parts = [_split(data, kinds, folds) for kinds in (FIRST_KINDS, DRAWN_KINDS, NET_KINDS)]
    return [np.concatenate([part[k] for part in parts if part]) for k in range(folds)]


def _split(data: TrainingSet, kinds: frozenset[str], folds: int) -> list[np.ndarray]:
    hand = np.array([i for i, kind in enumerate(data.kinds) if kind in kinds], dtype=int)
    if not len(hand):
        return []
    labels = np.array([data.labels[i] for i in hand])
    groups = np.array([data.groups[i] for i in hand])
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    return [hand[test] for _, test in splitter.split(np.zeros(len(hand)), labels, groups)]


def subset(data: TrainingSet, keep: Sequence[int]) -> TrainingSet:
    out = TrainingSet([], [], {})
    for i in keep:
        out.add(data.texts[i], data.labels[i], data.kinds[i], data.weights[i], data.groups[i])
    return out


def out_of_fold(
    data: TrainingSet,
    fit: Callable[[TrainingSet], RelevanceModel],
    folds: int = FOLDS,
    progress: Callable[[str], None] | None = None,
) -> list[Scored]:
    """Every hand-labelled post scored by a model fitted without its fold's near-copy groups."""
    lexicon = LexiconRelevanceScorer()
    scored: list[Scored] = []
    for number, held in enumerate(hand_folds(data, folds), start=1):
        held_groups = {data.groups[i] for i in held}
        keep = [i for i, g in enumerate(data.groups) if g == -1 or g not in held_groups]
        model = fit(subset(data, keep))
        scorer = TrainedRelevanceScorer(model, lexicon)
        for i in held:
            document = document_from_text(data.texts[i])
            result = lexicon.score(document)
            scored.append(
                Scored(
                    text=data.texts[i],
                    label=data.labels[i],
                    kind=data.kinds[i],
                    lexicon=result.score,
                    strong=scorer.has_strong_term(result),
                    probability=model.probability(document.full_text, simplified=True),
                )
            )
        if progress:
            progress(f"fold {number}/{folds}: {len(held)} posts scored")
    return scored


def scores(items: Sequence[Scored], predict: Callable[[Scored], bool]) -> Scores:
    tp = sum(1 for s in items if s.label and predict(s))
    fp = sum(1 for s in items if not s.label and predict(s))
    fn = sum(1 for s in items if s.label and not predict(s))
    return Scores(tp=tp, fp=fp, fn=fn, tn=len(items) - tp - fp - fn)


def sweep(items: Sequence[Scored]) -> list[tuple[float, float, Scores]]:
    """(model threshold, veto, scores) of the stage's rule over a grid of its two knobs."""
    grid: list[tuple[float, float, Scores]] = []
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        for veto in (0.0, 0.1, 0.2, 0.3):
            fired = [s for s in items if s.relevant(threshold, veto)]
            tp = sum(s.label for s in fired)
            positives = sum(s.label for s in items)
            fp = len(fired) - tp
            grid.append(
                (
                    threshold,
                    veto,
                    Scores(tp, fp, positives - tp, len(items) - tp - fp - (positives - tp)),
                )
            )
    return grid


def errors(items: Sequence[Scored]) -> list[tuple[str, Scored]]:
    """The stage's rule's false positives and negatives, strongest mistakes first."""
    wrong = [s for s in items if s.relevant() != bool(s.label)]
    wrong.sort(key=lambda s: (s.label, -s.probability if not s.label else s.probability))
    return [("false negative" if s.label else "false positive", s) for s in wrong]
