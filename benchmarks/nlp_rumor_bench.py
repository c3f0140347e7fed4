"""Rumour model figures: grouped 5-fold cross-validation on the CED development file at 0, 1,
3, 6, 12 and 24 hours and with all responses, beside the issue's baseline (character
1–3-gram TF-IDF, a linear SVM, no tuning, in the same grouped folds), and a later-period split.

    .venv/bin/python benchmarks/nlp_rumor_bench.py [--folds 5] [--no-baseline] [--limit N]
        [--more] [--more-limit N] [--held-out-only]

With ``--more`` the two rumor_more sets (Weibo21, mm17; ``nlp.training.rumor_more``) join every
training fold, and the held-out splits of issue 22 follow (``nlp.training.rumor_domains``:
leave one Weibo21 domain out, mm17, all of Weibo21, the later period two ways), each beside the
baseline trained on the same posts and the shipped model's figure on the same test posts.
Without it, the model and figures are CED's alone.

The same CED figures as ``yuqing evaluate rumor`` (and as the model card, which ``yuqing train
rumor`` writes from its own run of this cross-validation). Each text is tokenised once for
all folds and horizons (``nlp.training.rumor_counts``). The last line is one JSON object with every
figure, the run time (``seconds``) among them.
"""

from __future__ import annotations

import argparse
import json
import sys

from nlp.rumor.ced import load_ced
from nlp.rumor.model import load_model
from nlp.training.evaluation import CED, DatasetMissing, dataset_path
from nlp.training.rumor_card import figures_table
from nlp.training.rumor_domains import held_out, held_out_table
from nlp.training.rumor_more import MM17, WEIBO21, MorePost, load_more
from nlp.training.rumor_train import cross_validate, later_period


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--more", action="store_true", help="Train on rumor_more too.")
    parser.add_argument("--more-limit", type=int, default=None, help="About N posts per file.")
    parser.add_argument("--held-out-only", action="store_true", help="Skip the CED figures.")
    args = parser.parse_args()
    more: list[MorePost] = []
    try:
        items = load_ced(dataset_path(CED), limit=args.limit)
        if args.more:
            paths = [dataset_path(WEIBO21), dataset_path(MM17)]
            more = load_more(paths, limit=args.more_limit)
    except DatasetMissing as exc:
        sys.exit(str(exc))
    extra = [p.item for p in more]
    report: dict[str, object] = {}
    if not args.held_out_only:
        evaluation, _, _ = cross_validate(
            items,
            folds=args.folds,
            with_baseline=not args.no_baseline,
            progress=lambda m: print(m, file=sys.stderr),
            extra=extra,
        )
        evaluation.period = later_period(items, extra=extra)
        print(figures_table(evaluation))
        report.update(evaluation.as_json())
    if more:
        splits = held_out(
            items,
            more,
            with_baseline=not args.no_baseline,
            progress=lambda m: print(m, file=sys.stderr),
            shipped=load_model(),
        )
        print(held_out_table(splits))
        report["held_out"] = {k: v.as_json() for k, v in splits.items()}
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
