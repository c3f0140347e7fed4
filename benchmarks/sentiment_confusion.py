"""Where the shipped stance model loses: confusion matrices per kind of text (issue 22).

    nice -n 19 .venv/bin/python benchmarks/sentiment_confusion.py                 # matrices
    nice -n 19 .venv/bin/python benchmarks/sentiment_confusion.py --errors weibo_post

Reads the shipped model (``nlp/models/sentiment.npz``) as the analyser reads it (the lexicon's
polarity, the kind of mention a crawl would store) on the two yardsticks a choice may be made
on: the tuning split of benchmarks/sentiment_labels.json (the model never trained on it, its
run-time knobs were chosen on it) and the 600 read texts of the label file's batches after
``HAND_LAST_BATCH`` (never trained on, never used for a choice). The held-out split is never
read here. Printed per yardstick and per sample kind: the confusion matrix (rows gold, columns
read) and per class recall; ``--errors KIND`` lists that kind's mistakes on both yardsticks
(the text as the model reads it: its clauses joined by " | ").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.sentiment_model import CLASSES, SentimentModel, load_sentiment_model
from nlp.training.sentiment_check import kept_out_texts
from nlp.training.sentiment_tuning import TuningText, tuning_texts

Row = tuple[TuningText, int]  # a text and the class the model reads


def read_all(model: SentimentModel, texts: Sequence[TuningText]) -> list[Row]:
    return [(t, CLASSES.index(model.predict(t.clauses, t.lexicon, t.kind)[0])) for t in texts]


def confusion(rows: Sequence[Row]) -> list[list[int]]:
    """Counts [gold][read] in CLASSES order."""
    matrix = [[0] * len(CLASSES) for _ in CLASSES]
    for text, read in rows:
        matrix[text.gold][read] += 1
    return matrix


def show_matrix(name: str, rows: Sequence[Row]) -> None:
    matrix = confusion(rows)
    right = sum(matrix[i][i] for i in range(len(CLASSES)))
    print(f"  {name} (n={len(rows)}, accuracy {right / max(len(rows), 1):.3f})")
    print(f"    {'gold/read':<12}" + "".join(f"{c[:3]:>6}" for c in CLASSES) + "  recall")
    for i, label in enumerate(CLASSES):
        total = sum(matrix[i])
        recall = matrix[i][i] / total if total else 0.0
        cells = "".join(f"{v:>6}" for v in matrix[i])
        print(f"    {label:<12}{cells}  {recall:.2f}")


def by_kind(rows: Sequence[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[0].sample_kind, []).append(row)
    return dict(sorted(groups.items()))


def show_errors(name: str, rows: Sequence[Row], kind: str) -> None:
    print(f"\n== {name}: {kind} errors (gold -> read) ==")
    for text, read in rows:
        if text.sample_kind == kind and read != text.gold:
            words = " | ".join("".join(clause) for clause in text.clauses)
            pair = f"{CLASSES[text.gold][:3]}->{CLASSES[read][:3]}"
            print(f"{pair} lex={text.lexicon:+.1f} {words[:160]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", metavar="KIND", help="list this sample kind's mistakes")
    args = parser.parse_args(argv)
    model = load_sentiment_model()
    if model is None:
        print("error: no shipped model (nlp/models/sentiment.npz)", file=sys.stderr)
        return 2
    yardsticks = {
        "tuning split": read_all(model, tuning_texts()),
        "600 kept out": read_all(model, kept_out_texts()),
    }
    for name, rows in yardsticks.items():
        print(f"== {name} ==")
        for kind, group in by_kind(rows).items():
            show_matrix(kind, group)
        show_matrix("all", rows)
    if args.errors:
        for name, rows in yardsticks.items():
            show_errors(name, rows, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
