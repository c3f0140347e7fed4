"""Draw the food-safety reports of a fresh entities split, in reading order.

    .venv/bin/python benchmarks/entities_draw.py SEED START COUNT

Prints reports ``START`` … ``START + COUNT - 1`` of the reading order (line number, then the
first ``chars`` characters converted to simplified script, as the bench reads them) for a
person or an AI agent to label *before* the extractor runs on them. The reading order is the
candidates shuffled with ``random.Random(SEED)``; the candidates are the food-safety lines no
labels file points at (``used_lines``) and, to keep clear of the reports earlier passes
looked at unlabelled, no line divisible by 3 (the second firms pass compared its output on
"every third line").

held_out_3 (issue 22, firms3 helper): seed 20261212, read in order until 150 reports naming a
firm or brand had been read; every report read, with or without a name, is in the split.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.text import to_simplified
from nlp.training.evaluation import FOOD_SAFETY, FOOD_SAFETY_LINES, dataset_path, read_lines

HERE = Path(__file__).resolve().parent
FOOD_SAFETY_SIZE = 2671
# Label files that point at food-safety lines (by "line" with "source": "food_safety", or by
# line-number keys of the entities files).
ENTITY_FILES = ("entities_labels.json", "entities_labels_orgs.json")
ITEM_FILES = (
    HERE / "sentiment_labels.json",
    HERE / "topics_sentiment_labels.json",
    HERE.parent / "nlp" / "training" / "sentiment_hand_labels.json",
)


def _item_lines(value: object) -> set[int]:
    """Food-safety lines named by the items anywhere inside ``value``."""
    found: set[int] = set()
    if isinstance(value, dict):
        if value.get("source") == "food_safety" and isinstance(value.get("line"), int):
            found.add(value["line"])
        for inner in value.values():
            found |= _item_lines(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= _item_lines(inner)
    return found


def used_lines() -> set[int]:
    """Every food-safety line a labels file or the relevance sample points at."""
    used = set(FOOD_SAFETY_LINES)
    for name in ENTITY_FILES:
        spec = json.loads((HERE / name).read_text(encoding="utf-8"))
        for split, value in spec.items():
            if isinstance(value, dict) and split != "about":
                used |= {int(line) for line in value}
    for path in ITEM_FILES:
        used |= _item_lines(json.loads(path.read_text(encoding="utf-8")))
    return used


def reading_order(seed: int) -> list[int]:
    used = used_lines()
    candidates = [n for n in range(FOOD_SAFETY_SIZE) if n not in used and n % 3 != 0]
    random.Random(seed).shuffle(candidates)
    return candidates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("seed", type=int)
    parser.add_argument("start", type=int)
    parser.add_argument("count", type=int)
    parser.add_argument("--chars", type=int, default=200)
    args = parser.parse_args()
    order = reading_order(args.seed)[args.start : args.start + args.count]
    wanted = set(order)
    texts = {
        n: str(r.get("text", "")) for n, r in read_lines(dataset_path(FOOD_SAFETY)) if n in wanted
    }
    for position, line in enumerate(order, start=args.start):
        text = to_simplified(texts[line][: args.chars]).replace("\n", " ")
        print(f"[{position}] {line}: {text}")


if __name__ == "__main__":
    main()
