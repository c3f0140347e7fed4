"""Region extraction against hand labels on real food-safety news.

    .venv/bin/python benchmarks/nlp_entities_bench.py

Reads ``benchmarks/entities_labels.json`` (the regions named in the first characters of 40
reports of ../shared/datasets/food_safety, labelled by hand; see its "about"), runs
``nlp.entities`` on the same characters (converted and segmented as the analysis does) and
prints micro precision and recall of the region codes, then every miss and false find.
The last line is one JSON object with the figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlp.entities import regions_in
from nlp.evaluation import FOOD_SAFETY, DatasetMissing, dataset_path, read_lines
from nlp.segment import words
from nlp.text import to_simplified

LABELS = Path(__file__).with_name("entities_labels.json")


def main() -> None:
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    gold = {int(line): set(codes) for line, codes in spec["labels"].items()}
    try:
        path = dataset_path(FOOD_SAFETY)
    except DatasetMissing as exc:
        sys.exit(str(exc))
    texts = {n: str(r.get("text", "")) for n, r in read_lines(path) if n in gold and r}
    hits = found_total = gold_total = 0
    for line in sorted(gold):
        text = to_simplified(texts[line][: spec["chars"]])
        found = {r.code for r in regions_in(words(text))}
        hits += len(found & gold[line])
        found_total += len(found)
        gold_total += len(gold[line])
        for code in sorted(gold[line] - found):
            print(f"line {line}: missed {code}")
        for code in sorted(found - gold[line]):
            print(f"line {line}: false find {code}")
    precision = hits / found_total if found_total else 0.0
    recall = hits / gold_total if gold_total else 0.0
    print(
        f"regions on {len(gold)} reports: precision {precision:.3f} ({hits}/{found_total}), "
        f"recall {recall:.3f} ({hits}/{gold_total})"
    )
    print(
        json.dumps(
            {"reports": len(gold), "precision": round(precision, 4), "recall": round(recall, 4)}
        )
    )


if __name__ == "__main__":
    main()
