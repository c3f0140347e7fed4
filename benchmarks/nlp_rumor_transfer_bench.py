"""Issue 22's held-out rumour splits for variants of the post-alone model
(``nlp.training.rumor_transfer``: stacking with the baseline, domain-marking n-grams dropped,
domain/class-balanced weights, per-domain n-gram copies in the text score), each beside the
baseline trained on the same posts.

    .venv/bin/python benchmarks/nlp_rumor_transfer_bench.py VARIANT [VARIANT ...]
        [--splits later,mm17,...] [--ced-folds 5] [--no-ced]

Every split trains on CED and the rumor_more posts outside its test set and scores its test
posts from their text alone (``nlp.training.rumor_domains``); ``base`` is the recipe before
2026-12-07's second pass, ``sources`` the shipped one (the same figures as
``nlp_rumor_bench.py --more``). The CED check: grouped k-fold CV on CED with every rumor_more
post in each training fold, scoring the CED posts without a response at 0 h the same way
(posts with a response are scored by the shared linear model, which no variant changes, at
every horizon). Term counts of all posts are made once and cached in /tmp, keyed on the
features' code. Per split: balanced accuracy, AUC and the best-threshold diagnostic (ranking
apart from the operating point). One line per split and variant on stderr, one JSON object
per variant on stdout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from nlp.rumor import features, stance
from nlp.rumor.ced import labels_of, load_ced
from nlp.rumor.features import DENSE_NAMES
from nlp.rumor.model import RumorModel
from nlp.training.evaluation import CED, dataset_path
from nlp.training.rumor_counts import count
from nlp.training.rumor_domains import splits_of
from nlp.training.rumor_eval import baseline_text, figures
from nlp.training.rumor_more import MM17, WEIBO21, load_more
from nlp.training.rumor_train import Params, grouped_folds, prepare_items
from nlp.training.rumor_transfer import (
    baseline_decision,
    parse_variant,
    transfer_decision,
)
from nlp.training.rumor_weights import domains_of

CACHE = Path("/tmp/yuqing_rumor_transfer_prep.pkl")


def best_balanced(y: np.ndarray, z: np.ndarray) -> float:
    """The highest balanced accuracy any threshold on ``z`` gives (a diagnostic)."""
    order = np.argsort(-z, kind="stable")
    positives = np.cumsum(y[order] == 1) / max(int((y == 1).sum()), 1)
    negatives = 1 - np.cumsum(y[order] == 0) / max(int((y == 0).sum()), 1)
    return float(max(0.5, np.max((positives + negatives) / 2)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--splits", default=None, help="Comma-separated split names (all).")
    parser.add_argument("--ced-folds", type=int, default=5)
    parser.add_argument("--no-ced", action="store_true", help="Skip the CED check.")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variants]
    params = Params()
    started = time.perf_counter()
    ced = load_ced(dataset_path(CED))
    more = load_more([dataset_path(WEIBO21), dataset_path(MM17)])
    items = [*ced, *(p.item for p in more)]
    # The features' code is part of the key: a changed feature must not read a stale cache.
    code = hashlib.sha256(b"".join(Path(m.__file__ or "").read_bytes() for m in (features, stance)))
    key = (DENSE_NAMES, code.hexdigest(), len(items), params.post_ngram, params.word_ngram)
    cached = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else None
    if cached is not None and cached[0] == key:
        _, prep, baseline = cached
    else:  # a cache written by this script, in /tmp: trusted like the code itself
        prep = prepare_items(items, params, params.train_horizons[:1])
        baseline = count([baseline_text(item, 0) for item in items], (1, 3))
        CACHE.write_bytes(pickle.dumps((key, prep, baseline)))
    print(f"prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    y = np.array(labels_of(items))
    domains = domains_of(len(ced), more)
    splits = splits_of(len(ced), more)
    if args.splits:
        wanted = args.splits.split(",")
        splits = [s for s in splits if s.name in wanted]
    everything = np.arange(len(ced), len(items))
    ced_folds = [] if args.no_ced else grouped_folds(ced, args.ced_folds)
    # CED posts with a response within the first minute are scored by the shared linear
    # model at 0 h, which no variant changes: the check scores the others.
    alone = RumorModel.empty_of(prep.rows[0].dense[: len(ced)])
    for variant in variants:
        t0 = time.perf_counter()
        out: dict[str, object] = {"variant": variant.name}
        for split in splits:
            z = transfer_decision(
                prep, split.train, split.test, y, params, variant, domains, baseline
            )
            guess = baseline_decision(baseline, split.train, split.test, y) > 0
            model = figures(y[split.test], (z > 0).astype(int))
            base = figures(y[split.test], guess.astype(int))
            truth = y[split.test]
            # Ranking (AUC) apart from the operating point; "best": the balanced accuracy
            # at the test split's own best threshold, a diagnostic of how much is lost to
            # the threshold alone (it reads the test labels: never a figure).
            auc = float(roc_auc_score(truth, z))
            out[split.name] = {
                "n": model.n,
                "balanced": round(model.balanced_accuracy, 4),
                "auc": round(auc, 4),
                "best": round(best_balanced(truth, z), 4),
                "rumour_share": round(float(truth.mean()), 4),
                "predicted_share": round(float((z > 0).mean()), 4),
                "baseline": round(base.balanced_accuracy, 4),
            }
            print(
                f"{variant.name} {split.name}: n {model.n}, balanced accuracy "
                f"{model.balanced_accuracy:.4f} (AUC {auc:.4f}, at its best threshold "
                f"{best_balanced(truth, z):.4f}), baseline {base.balanced_accuracy:.4f} "
                f"({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
        if ced_folds:
            oof = np.zeros(len(ced))
            for train_idx, test_idx in ced_folds:
                train = np.concatenate([train_idx, everything])
                scored = test_idx[alone[test_idx]]
                oof[scored] = transfer_decision(
                    prep, train, scored, y, params, variant, domains, baseline
                )
            f = figures(y[: len(ced)][alone], (oof[alone] > 0).astype(int))
            out["ced_0h"] = {
                "n": f.n,
                "accuracy": round(f.accuracy, 4),
                "balanced": round(f.balanced_accuracy, 4),
            }
            print(f"{variant.name} CED 0h: n {f.n}, accuracy {f.accuracy:.4f}", file=sys.stderr)
        out["seconds"] = round(time.perf_counter() - t0)
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
