"""Rumour model figures: grouped 5-fold cross-validation on the CED development file at 0, 1,
3, 6, 12 and 24 hours and with all responses, beside the issue's baseline (character
1–3-gram TF-IDF, a linear SVM, no tuning, in the same grouped folds), and a later-period split.

    .venv/bin/python benchmarks/nlp_rumor_bench.py [--folds 5] [--no-baseline] [--limit N]

The same figures as ``yuqing evaluate rumor`` (and as the model card, which ``yuqing train
rumor`` writes from its own run of this cross-validation). Each text is tokenised once for
all folds and horizons (``nlp.training.rumor_counts``). The last line is one JSON object with every
figure, the run time (``seconds``) among them.
"""

from __future__ import annotations

import argparse
import json
import sys

from nlp.rumor.ced import load_ced
from nlp.training.evaluation import CED, DatasetMissing, dataset_path
from nlp.training.rumor_card import figures_table
from nlp.training.rumor_train import cross_validate, later_period


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    try:
        items = load_ced(dataset_path(CED), limit=args.limit)
    except DatasetMissing as exc:
        sys.exit(str(exc))
    evaluation, _, _ = cross_validate(
        items,
        folds=args.folds,
        with_baseline=not args.no_baseline,
        progress=lambda m: print(m, file=sys.stderr),
    )
    evaluation.period = later_period(items)
    print(figures_table(evaluation))
    print(json.dumps(evaluation.as_json()))


if __name__ == "__main__":
    main()
