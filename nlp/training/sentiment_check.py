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

from pathlib import Path

from nlp.sentiment import lexicon_sentiment
from nlp.sentiment_model import CLASSES, SentimentModel
from nlp.text import document_from_text
from nlp.training.sentiment_hand import HAND_LABELS, hand_texts, load_hand_labels
from nlp.training.sentiment_train import MENTION_KIND, trained_on
from nlp.training.sentiment_tuning import scores

Figures = dict[str, dict[str, float]]


def kept_out_check(
    model: SentimentModel, root: Path | None = None, path: Path = HAND_LABELS
) -> Figures:
    """Accuracy and macro-F1 per sample kind and overall on the labelled texts the model was
    not trained on, with always-negative's beside; empty when every batch is trained on."""
    labels = [hand for hand in load_hand_labels(path) if not trained_on(hand)]
    pairs: dict[str, list[tuple[int, int]]] = {}
    for hand, text in zip(labels, hand_texts(labels, root), strict=True):
        kind = MENTION_KIND[hand.item["kind"]]
        document = document_from_text(text, kind=kind)
        label, _, _ = model.predict(
            document.sentiment_clauses, lexicon_sentiment(document).score, kind
        )
        for key in (hand.item["kind"], "all"):
            pairs.setdefault(key, []).append((hand.label, CLASSES.index(label)))
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
