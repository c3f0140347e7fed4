"""The field's common words that jieba's IDF table holds as rare, for ``nlp.event_context``.

A story's rare words (IDF ≥ ``RARE_IDF`` in jieba's general table) say what it is about, but
the regulator's field has a vocabulary of its own that the general table never saw often
(查获, 窝点, 送检, 时许, 涉事, 标称): every food-safety report carries some of it, so two of those
words shared with an event say the field, not the story. This writes the rare words found in
at least ``MIN_SHARE`` of the food-safety news reports (first 600 characters each) to
``nlp/resources/common_rare.txt``:

    python -m nlp.training.common_rare ../shared/datasets/food_safety/food_safety_news.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections import Counter
from pathlib import Path

from nlp.event_context import COMMON_RARE, rare_word
from nlp.text import document_from_text

# A word in at least 0.5 % of the reports (14 of 2,671) is the field's, not one story's: the
# largest stories of the set (a brand's recall, one city's crackdown) stay below it.
MIN_SHARE = 0.005
HEAD_CHARS = 600


def common_rare_words(path: Path) -> list[tuple[str, int]]:
    """(word, reports naming it) for the rare words common in the reports at ``path``."""
    counts: Counter[str] = Counter()
    reports = 0
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            document = document_from_text(json.loads(line)["text"][:HEAD_CHARS])
            counts.update({w for w in document.body_words if rare_word(w, common=False)})
            reports += 1
    least = max(2, round(MIN_SHARE * reports))
    return sorted(((w, n) for w, n in counts.items() if n >= least), key=lambda x: (-x[1], x[0]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reports", type=Path, help="food_safety_news.jsonl.gz")
    args = parser.parse_args(argv)
    words = common_rare_words(args.reports)
    header = (
        f"# Written by python -m nlp.training.common_rare {args.reports.name}: rare words "
        f"(jieba IDF) in >= {MIN_SHARE:.1%} of its reports, with their count.\n"
    )
    COMMON_RARE.write_text(header + "".join(f"{w} {n}\n" for w, n in words), encoding="utf-8")
    print(f"{len(words)} words -> {COMMON_RARE}")


if __name__ == "__main__":
    main()
