"""How often two readers give a text the same stance: the ceiling of the sentiment aim.

    .venv/bin/python benchmarks/sentiment_agreement.py

``benchmarks/sentiment_second_reading.json`` holds a second, independent reading of 160 texts
of the stance sample's TUNING split (``benchmarks/sentiment_labels.json``; labelled by an AI
helper agent reading each text, not by a person, blind to the first labels; its "about" says
which texts, and which were left out because their first label had been seen). Printed per
kind of text and overall: the share of texts both readings label alike and Cohen's kappa,
beside the shipped model (``score_sentiment``, read as ``sentiment_eval`` reads the sample)
and always-negative, both scored against the first labels on the same texts. A model cannot
be expected to agree with the first labeller more than a second reader does; the issue's aim
(accuracy 15 points above always-negative) is set against that. The held-out split is never
read here.

These are the easier part of what was drawn: the texts left out had been seen in a listing
of the model's errors (gold neutral, read negative), so the agreement here is an upper bound
and the model's figure is flattered (its knobs were also chosen on the tuning split).
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sentiment_eval import LABELS, load_items
from benchmarks.sentiment_sample import KINDS, Pointer, read_texts
from nlp.sentiment import SENTIMENTS, score_sentiment
from nlp.text import document_from_text
from nlp.training.evaluation import DatasetMissing
from nlp.training.sentiment_train import MENTION_KIND

SECOND = Path(__file__).with_name("sentiment_second_reading.json")


class SecondReadingError(ValueError):
    pass


def second_reading(path: Path = SECOND) -> dict[str, str]:
    """The second reading's label per ``Pointer.key``; a malformed item is refused."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    labels: dict[str, str] = {}
    for number, raw in enumerate(spec["items"]):
        if raw.get("sentiment") not in SENTIMENTS or raw.get("kind") not in KINDS:
            raise SecondReadingError(f"{path.name}: items[{number}] has no valid kind/sentiment")
        pointer = Pointer(
            raw["kind"], raw["source"], raw["line"], raw.get("id"), raw.get("mid"), raw.get("index")
        )
        labels[pointer.key()] = raw["sentiment"]
    return labels


def kappa(pairs: list[tuple[str, str]]) -> float:
    """Cohen's kappa of two labellings: agreement beyond what their label shares give by chance."""
    n = len(pairs)
    if not n:
        return 0.0
    observed = sum(1 for a, b in pairs if a == b) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[s] * second[s] for s in SENTIMENTS) / (n * n)
    return (observed - chance) / (1 - chance) if chance < 1 else 1.0


def agreement(
    second: dict[str, str], items: list[tuple[Pointer, str, str]]
) -> list[tuple[Pointer, str, str]]:
    """(pointer, first label, second label) for each second-read text, which must be a tuning
    text of the sample."""
    first = {p.key(): (p, split, gold) for p, split, gold in items}
    rows = []
    for key, label in second.items():
        if key not in first or first[key][1] != "tuning":
            raise SecondReadingError(f"{key}: not a tuning text of {LABELS.name}")
        rows.append((first[key][0], first[key][2], label))
    return rows


def figures(rows: list[tuple[Pointer, str, str]], predicted: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    print(f"second reading ({SECOND.name}) against the first labels, tuning split")
    print(f"  {'kind':<16}{'n':>4}{'agree':>8}{'kappa':>8}{'model':>8}{'always neg':>12}")
    for kind in (*KINDS, "all"):
        chosen = [r for r in rows if kind == "all" or r[0].kind == kind]
        if not chosen:
            continue
        n = len(chosen)
        agree = sum(1 for _, a, b in chosen if a == b) / n
        k = kappa([(a, b) for _, a, b in chosen])
        model = sum(1 for p, a, _ in chosen if predicted[p.key()] == a) / n
        negative = sum(1 for _, a, _ in chosen if a == "negative") / n
        print(f"  {kind:<16}{n:>4}{agree:>8.3f}{k:>8.3f}{model:>8.3f}{negative:>12.3f}")
        for name, value in (("agree", agree), ("kappa", k), ("model", model), ("neg", negative)):
            out[f"second_reading_{kind}_{name}"] = round(value, 4)
    confusion = Counter((a, b) for _, a, b in rows)
    print("  rows first label, columns second:" + "".join(f"{s:>10}" for s in SENTIMENTS))
    for first in SENTIMENTS:
        print(f"  {first:>33}" + "".join(f"{confusion[(first, s)]:>10}" for s in SENTIMENTS))
    return out


def main() -> int:
    try:
        rows = agreement(second_reading(), load_items())
        texts = read_texts(p for p, _, _ in rows)
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SecondReadingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    predicted = {
        p.key(): score_sentiment(
            document_from_text(texts[p.key()], kind=MENTION_KIND[p.kind])
        ).label
        for p, _, _ in rows
    }
    print(json.dumps(figures(rows, predicted), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
