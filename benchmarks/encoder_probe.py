"""What a pretrained Chinese sentence encoder would add to issue 22's three models (a probe).

    nice -n 19 .venv/bin/python benchmarks/encoder_probe.py [--part rumour|relevance|sentiment]

The encoder is bge-small-zh-v1.5 (quantised ONNX, from Maven Central: nlp/training/encoder.py).
Each part trains a logistic regression on the encoder's vectors of a model's own training
texts and scores it beside what ships, on a yardstick the project already reads:

- rumour: issue 22's held-out splits (later period, mm17, leave-one-Weibo21-domain-out; CED and
  the rest of rumor_more train, nlp/training/rumor_domains.py), post text alone: the encoder's
  regression, the issue's char 1–3-gram TF-IDF + linear SVM, and the sum of the two scores
  (each divided by its spread on the training posts); class-balanced within every domain (the
  shipped recipe's ``sources`` weights, nlp/training/rumor_weights.py). Balanced accuracy at 0
  and AUC.
- relevance: the hand-read training posts out of fold (nlp/training/relevance_tuning.py, same
  grouped folds): the stage's rule, and a logistic regression over its inputs (lexicon score,
  unambiguous term, model probability) with and without the encoder's out-of-fold probability,
  itself out of fold (5 stratified folds); recall at precision 0.75–0.9 and AUC.
- sentiment: the 1,400 texts read for training (nlp/training/sentiment_hand.py), scored on the
  stance sample's tuning split (benchmarks/sentiment_labels.json, never its held-out split),
  per kind, beside the shipped model and always-negative.

Nothing here chooses or ships anything: the probe answers whether the encoder is worth its
run-time cost (about 3.6 ms of a core per text, against the analysis's 87 µs per mention).
Vectors are cached under the encoder's cache folder (``embeddings/``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    precision_recall_curve,
    roc_auc_score,
)
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from nlp.training.encoder import Encoder, cache_root, embed_cached

Embed = Callable[[Sequence[str]], np.ndarray]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(p / (1 - p)))


def rumour(embed: Embed) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from nlp.rumor.ced import labels_of, load_ced
    from nlp.training.evaluation import CED, dataset_path
    from nlp.training.rumor_domains import splits_of
    from nlp.training.rumor_more import MM17, WEIBO21, load_more
    from nlp.training.rumor_weights import domains_of, sample_weights

    ced = load_ced(dataset_path(CED))
    more = load_more([dataset_path(WEIBO21), dataset_path(MM17)])
    items = [*ced, *(p.item for p in more)]
    y = np.array(labels_of(items))
    vectors = embed([item.text for item in items])
    texts = [item.text for item in items]
    domains = domains_of(len(ced), more)
    print("\nrumour: balanced accuracy at 0 (AUC), post text alone")
    print(f"{'held out':<16}{'n':>6}  {'encoder':<16}{'char SVM':<16}{'sum':<16}")
    for split in splits_of(len(ced), more):
        if split.name in ("later:by-date", "weibo21"):  # confounded / the domains' union
            continue
        train, test = split.train, split.test
        weights = sample_weights(domains[train], y[train], "sources")
        encoder = LogisticRegression(C=3.0, max_iter=3000)
        encoder.fit(vectors[train], y[train], sample_weight=weights)
        grams = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
        seen = grams.fit_transform([texts[i] for i in train])
        svm = LinearSVC(C=0.5).fit(seen, y[train], sample_weight=weights)
        scores = {
            "encoder": encoder.decision_function(vectors[test]),
            "char SVM": svm.decision_function(grams.transform([texts[i] for i in test])),
        }
        spread_e = np.std(encoder.decision_function(vectors[train]))
        spread_s = np.std(svm.decision_function(seen))
        scores["sum"] = scores["encoder"] / spread_e + scores["char SVM"] / spread_s
        cells_text = [
            f"{balanced_accuracy_score(y[test], z > 0):.3f} ({roc_auc_score(y[test], z):.3f})"
            for z in scores.values()
        ]
        print(f"{split.name:<16}{len(test):>6}  " + "".join(f"{c:<16}" for c in cells_text))


def _recall_at(y: np.ndarray, p: np.ndarray, precision: float) -> float:
    pr, rc, _ = precision_recall_curve(y, p)
    return float(max([r for q, r in zip(pr, rc, strict=True) if q >= precision] or [0.0]))


def relevance(embed: Embed) -> None:
    from nlp.training.relevance_train import fit, training_set
    from nlp.training.relevance_tuning import hand_folds, out_of_fold

    data = training_set(progress=print)
    vectors = embed(data.texts)
    y, w, groups = np.array(data.labels), np.array(data.weights), np.array(data.groups)
    encoder_p: dict[str, float] = {}
    for held in hand_folds(data):
        held_groups = set(groups[held].tolist())
        keep = np.array([i for i, g in enumerate(groups) if g == -1 or g not in held_groups])
        model = LogisticRegression(C=3.0, max_iter=3000, class_weight="balanced")
        model.fit(vectors[keep], y[keep], sample_weight=w[keep])
        for i, p in zip(held, model.predict_proba(vectors[held])[:, 1], strict=True):
            encoder_p[data.texts[i]] = float(p)
    scored = out_of_fold(data, fit, progress=print)
    gold = np.array([s.label for s in scored])
    rule = np.array([s.relevant() for s in scored])
    tp, fp = int((rule & (gold == 1)).sum()), int((rule & (gold == 0)).sum())
    print("\nrelevance: hand-read training posts, out of fold")
    print(f"the stage's rule: precision {tp / max(tp + fp, 1):.3f}, recall {tp / gold.sum():.3f}")
    base = np.array([[s.lexicon, s.strong, _logit(np.array(s.probability))] for s in scored])
    with_encoder = np.hstack([base, _logit(np.array([encoder_p[s.text] for s in scored]))[:, None]])
    folds = StratifiedKFold(5, shuffle=True, random_state=20261208)
    for name, features in (("lexicon+model", base), ("lexicon+model+encoder", with_encoder)):
        p = cross_val_predict(
            LogisticRegression(max_iter=2000), features, gold, cv=folds, method="predict_proba"
        )[:, 1]
        recalls = ", ".join(
            f"R@P{t:.2f} {_recall_at(gold, p, t):.3f}" for t in (0.75, 0.8, 0.85, 0.9)
        )
        print(f"{name:<24} AUC {roc_auc_score(gold, p):.3f}  {recalls}")


def sentiment(embed: Embed) -> None:
    from nlp.sentiment_model import CLASSES, load_sentiment_model
    from nlp.training.sentiment_hand import load_hand_labels
    from nlp.training.sentiment_train import sample_items, sample_texts
    from nlp.training.sentiment_tuning import tuning_texts

    hand = load_hand_labels()
    train_x = embed(sample_texts([h.item for h in hand]))
    train_y = np.array([h.label for h in hand])
    items = [i for i in sample_items() if i["split"] == "tuning"]
    tuning = tuning_texts()
    test_x = embed(sample_texts(items))
    gold = np.array([t.gold for t in tuning])
    kinds = np.array([t.sample_kind for t in tuning])
    model = load_sentiment_model()
    if model is None:
        raise SystemExit("no shipped sentiment model (nlp/models/sentiment.npz)")
    reads = {
        "shipped model": np.array(
            [CLASSES.index(model.predict(t.clauses, t.lexicon, t.kind)[0]) for t in tuning]
        ),
        "always negative": np.full(len(tuning), CLASSES.index("negative")),
    }
    for c in (1.0, 3.0):
        fitted = LogisticRegression(C=c, max_iter=3000).fit(train_x, train_y)
        reads[f"encoder C={c:g}"] = fitted.predict(test_x)
    print("\nsentiment: tuning split of the stance sample, accuracy / macro-F1")
    names = ["all", *sorted(set(kinds.tolist()))]
    print(f"{'reader':<18}" + "".join(f"{n:<20}" for n in names))
    for reader, read in reads.items():
        row = []
        for name in names:
            mask = np.ones(len(gold), bool) if name == "all" else kinds == name
            acc = accuracy_score(gold[mask], read[mask])
            f1 = f1_score(gold[mask], read[mask], average="macro", labels=[0, 1, 2])
            row.append(f"{acc:.3f} / {f1:.3f} ({mask.sum()})")
        print(f"{reader:<18}" + "".join(f"{c:<20}" for c in row))


PARTS = {"rumour": rumour, "relevance": relevance, "sentiment": sentiment}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--part", choices=sorted(PARTS), action="append")
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads")
    args = parser.parse_args(argv)
    encoder = Encoder(threads=args.threads)
    folder = cache_root() / "embeddings"

    def embed(texts: Sequence[str]) -> np.ndarray:
        return embed_cached(encoder, texts, folder, progress=print)

    for part in args.part or list(PARTS):
        PARTS[part](embed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
