"""The training-distribution check of ``yuqing train sentiment``: the texts labelled by reading
that the model does not train on.

``nlp/training/sentiment_hand_labels.json`` holds batches after ``HAND_LAST_BATCH`` (600 texts
read 2026-12-07, kept out of training: ``nlp.training.sentiment_train``). They were drawn like
the training batches (notices, posts, comments, food-safety reports, away from the evaluation
samples), so they say how the model reads texts of its training distribution that it never
saw, a second figure beside the tuning split's nested one: 600 texts rather than 455, and
never used for any choice of the model's knobs. A variant that wins on the tuning split by a
point or two and loses here is noise, not a gain (nlp/README.md, "Fourth pass").

Each text is read as the analyser reads it (``SentimentModel.predict`` with the lexicon's
polarity and the kind of mention a crawl would store it as), beside always-negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nlp.sentiment import lexicon_sentiment
from nlp.sentiment_model import CLASSES, SentimentModel
from nlp.text import document_from_text
from nlp.training.sentiment_hand import HAND_LABELS, hand_texts, load_hand_labels
from nlp.training.sentiment_train import MENTION_KIND, trained_on
from nlp.training.sentiment_tuning import TuningText, scores

Figures = dict[str, dict[str, float]]


def kept_out_texts(root: Path | None = None, path: Path = HAND_LABELS) -> list[TuningText]:
    """The labelled texts the model is not trained on, read as the analyser reads them (the
    lexicon's polarity, the kind of mention a crawl would store); all in fold 0."""
    labels = [hand for hand in load_hand_labels(path) if not trained_on(hand)]
    texts = []
    for hand, text in zip(labels, hand_texts(labels, root), strict=True):
        kind = MENTION_KIND[hand.item["kind"]]
        document = document_from_text(text, kind=kind)
        texts.append(
            TuningText(
                gold=hand.label,
                clauses=document.sentiment_clauses,
                lexicon=lexicon_sentiment(document).score,
                kind=kind,
                sample_kind=hand.item["kind"],
                fold=0,
            )
        )
    return texts


def kept_out_check(
    model: SentimentModel, root: Path | None = None, path: Path = HAND_LABELS
) -> Figures:
    """Accuracy and macro-F1 per sample kind and overall on the labelled texts the model was
    not trained on, with always-negative's beside; empty when every batch is trained on."""
    rows = [
        (t.sample_kind, t.gold, CLASSES.index(model.predict(t.clauses, t.lexicon, t.kind)[0]))
        for t in kept_out_texts(root, path)
    ]
    return figures_by_kind(rows)


def figures_by_kind(rows: Sequence[tuple[str, int, int]]) -> Figures:
    """(sample kind, gold, predicted) rows as accuracy and macro-F1 per kind and overall, with
    always-negative's beside."""
    pairs: dict[str, list[tuple[int, int]]] = {}
    for kind, gold, predicted in rows:
        for key in (kind, "all"):
            pairs.setdefault(key, []).append((gold, predicted))
    figures: Figures = {}
    for key in sorted(pairs, key=lambda k: (k == "all", k)):
        accuracy, macro = scores(pairs[key])
        base_accuracy, base_macro = scores([(gold, 0) for gold, _ in pairs[key]])
        figures[key] = {
            "n": len(pairs[key]),
            "accuracy": round(accuracy, 4),
            "macro_f1": round(macro, 4),
            "negative_accuracy": round(base_accuracy, 4),
            "negative_macro_f1": round(base_macro, 4),
        }
    return figures
