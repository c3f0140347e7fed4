"""NLP figures: relevance precision/recall on the labelled sample, and the tuning runs behind
the rumour heuristic, the debunk-match threshold and the event-join threshold.

Relevance is scored twice: by the lexicon alone and by the stage's scorer
(``nlp.relevance.default_scorer``: the lexicon with the shipped model), with how often each
part fired; then outside CED, the stage's scorer on the articles of
../shared/datasets/news_pages_more (unrelated to the field but for a few price and consumer
pieces: the share called relevant should be small).

    .venv/bin/python benchmarks/nlp_relevance_bench.py             # relevance (~15 s)
    .venv/bin/python benchmarks/nlp_relevance_bench.py --all       # + rumour, matching, events
    .venv/bin/python benchmarks/nlp_relevance_bench.py --tuning    # + the tuning part (~10 min)
    .venv/bin/python benchmarks/nlp_relevance_bench.py --pairs     # where the word pairs fire
    .venv/bin/python benchmarks/nlp_relevance_bench.py --tuning-only --errors   # while tuning:
        # the tuning part's figures and out-of-fold errors, no held-out figure printed

Reads ../shared/datasets (see its README and nlp/training/evaluation.py for how the sample was
built); nothing from the data sets is written anywhere. The last line is one JSON object with
every figure, for comparing runs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from nlp.relevance import LexiconRelevanceScorer, RelevanceScorer, default_scorer
from nlp.text import document_from_text, prepare
from nlp.training.evaluation import (
    CED,
    FOOD_SAFETY,
    DatasetMissing,
    Example,
    dataset_path,
    evaluate,
    read_lines,
    relevance_sample,
)
from nlp.training.relevance_blind import blind_sample

THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def relevance(figures: dict[str, Any], show_errors: bool) -> None:
    lexicon = LexiconRelevanceScorer()
    stage = default_scorer()
    for name, scorer in (("lexicon", lexicon), ("stage", stage)):
        if name == "stage" and isinstance(stage, LexiconRelevanceScorer):
            print("no relevance model shipped: the stage's scorer is the lexicon")
            break
        print(f"== {name} ({type(scorer).__name__})")
        relevance_by(scorer, name, figures, show_errors)
    net_blind(stage, figures)
    outside(stage, figures)


def net_blind(stage: RelevanceScorer, figures: dict[str, Any]) -> None:
    """The second blind sample (``relevance_blind_net``): per part, and weighted to the stream."""
    from nlp.relevance_model import TrainedRelevanceScorer
    from nlp.training.relevance_blind_net import net_blind_sample, weighted

    posts = net_blind_sample()
    if not posts:
        print("net_blind: no labelled post yet")
        return
    lexicon = LexiconRelevanceScorer()
    predictors: dict[str, Callable[[Example], bool]] = {
        "lexicon": lambda e: lexicon.score(document_from_text(e.text)).score >= 0.5,
    }
    if isinstance(stage, TrainedRelevanceScorer):
        model = stage.model
        predictors["model"] = lambda e: (
            model.probability(document_from_text(e.text).full_text) >= 0.5
        )
        predictors["stage"] = lambda e: stage.score(document_from_text(e.text)).score >= 0.5
    print(f"net_blind (nlp/training/relevance_blind_net.py): {len(posts)} posts")
    for name, predict in predictors.items():
        for part in ("blind_core", "blind_random"):
            chosen = [p.example for p in posts if p.part == part]
            result, _, _ = evaluate(chosen, predict)
            print(
                f"  {name:<8}{part:<14}tp {result.tp:>3} fp {result.fp:>3} fn {result.fn:>3} "
                f"tn {result.tn:>3} precision {result.precision:.3f} recall {result.recall:.3f}"
            )
            figures[f"relevance_net_blind_{name}_{part}_precision"] = round(result.precision, 4)
            figures[f"relevance_net_blind_{name}_{part}_recall"] = round(result.recall, 4)
        mix = weighted(posts, predict)
        print(
            f"  {name:<8}{'stream mix':<14}precision {mix.precision:.3f} recall {mix.recall:.3f}"
            f" (relevant share {mix.relevant_share:.3f}, each post weighed by its stratum)"
        )
        figures[f"relevance_net_blind_{name}_weighted_precision"] = round(mix.precision, 4)
        figures[f"relevance_net_blind_{name}_weighted_recall"] = round(mix.recall, 4)


def outside(scorer: RelevanceScorer, figures: dict[str, Any]) -> None:
    """The share of news_pages_more's articles the scorer calls relevant, and by which part."""
    path = dataset_path("news_pages_more/labels.jsonl")
    fired: dict[str, int] = defaultdict(int)
    pages = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        page = json.loads(line)
        if not page.get("body"):
            continue
        pages += 1
        result = scorer.score(document_from_text(page["body"], page.get("title") or ""))
        if result.score >= 0.5:
            verdict = next((r.text for r in result.reasons if r.text.startswith("判定：")), "词表")
            fired[verdict.removeprefix("判定：")] += 1
    total = sum(fired.values())
    print(f"outside CED: {total} of {pages} news_pages_more articles relevant {dict(fired)}")
    figures["relevance_news_pages_more_relevant"] = total
    figures["relevance_news_pages_more_pages"] = pages


def relevance_by(
    scorer: RelevanceScorer, label: str, figures: dict[str, Any], show_errors: bool
) -> None:
    examples = relevance_sample() + blind_sample()
    started = time.perf_counter()
    scores = {
        (example.source, example.key): scorer.score(document_from_text(example.text))
        for example in examples
    }
    elapsed = time.perf_counter() - started
    chars = sum(len(e.text) for e in examples)
    print(
        f"relevance: {len(examples)} examples scored in {elapsed:.2f}s "
        f"({len(examples) / elapsed:.0f} docs/s, {chars / elapsed / 1e3:.0f} kchar/s)"
    )
    print(
        f"{'subset':<14}{'thr':>5}{'tp':>5}{'fp':>5}{'fn':>5}{'tn':>5}"
        f"{'precision':>11}{'recall':>8}{'f1':>7}"
    )

    def above(threshold: float) -> Callable[[Example], bool]:
        return lambda e: scores[(e.source, e.key)].score >= threshold

    subsets: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        subsets[example.source].append(example)
    subsets["all"] = examples
    subsets["weibo (ced+holdout)"] = subsets["ced"] + subsets["ced_holdout"]
    # ced is the tuning part; ced_holdout and weibo_blind (relevance_blind) are held out
    for name, subset in subsets.items():
        for threshold in THRESHOLDS:
            result, _, _ = evaluate(subset, above(threshold))
            print(
                f"{name[:14]:<14}{threshold:>5.1f}{result.tp:>5}{result.fp:>5}{result.fn:>5}"
                f"{result.tn:>5}{result.precision:>11.3f}{result.recall:>8.3f}"
                f"{result.f1:>7.3f}"
            )
            if threshold == 0.5:
                figures[f"relevance_{label}_{name}_precision"] = round(result.precision, 4)
                figures[f"relevance_{label}_{name}_recall"] = round(result.recall, 4)
    fired: dict[str, int] = defaultdict(int)
    for scored in scores.values():
        if scored.score >= 0.5:
            verdict = next(
                (r.text for r in scored.reasons if r.text.startswith("判定：")), "判定：词表"
            )
            fired[verdict.removeprefix("判定：")] += 1
    print(f"relevant at 0.5, by the part that fired: {dict(fired)}")
    if show_errors:  # the tuning part's only: reading held-out errors would tune on them
        tuning = [e for e in examples if e.source in ("ced", "food_safety")]
        _, false_pos, false_neg = evaluate(tuning, above(0.5))
        for label, items in (("false positive", false_pos), ("false negative", false_neg)):
            for e in items:
                scored = scores[(e.source, e.key)]
                terms = ", ".join(r.text for r in scored.reasons[:5])
                print(
                    f"  {label}: {e.source} {e.key} score {scored.score} [{terms}] {e.text[:50]!r}"
                )


def pairs(figures: dict[str, Any]) -> None:
    """Where the word pairs (``resources/relevance_pairs.txt``) fire among the training texts
    (every Weibo post of CED, Weibo21 and mm17 but the labelled samples' near-copy groups, and
    the food-safety reports), per kind of text and label: on the hand-read posts, how precise
    they are. No held-out post is read."""
    from nlp.lexicon import default_lexicon
    from nlp.relevance import pair_hits
    from nlp.training.relevance_train import training_set

    data = training_set()
    lexicon_pairs = default_lexicon().pairs
    fired: dict[tuple[str, int], int] = defaultdict(int)
    for text, label, kind in zip(data.texts, data.labels, data.kinds, strict=True):
        if kind != "terms" and pair_hits(document_from_text(text).full_text, lexicon_pairs):
            fired[(kind, label)] += 1
    hand = {k: n for k, n in fired.items() if "_hand_" in k[0]}
    print(
        f"word pairs fire on {sum(fired.values())} of {len(data.texts)} training texts: "
        f"{dict(sorted(fired.items()))}"
    )
    print(
        f"  on the hand-read posts: {sum(hand.values())}, of them relevant: "
        f"{sum(n for (_, label), n in hand.items() if label)}"
    )
    figures["relevance_pairs_fired"] = sum(fired.values())
    figures["relevance_pairs_fired_hand"] = sum(hand.values())
    figures["relevance_pairs_fired_hand_relevant"] = sum(
        n for (_, label), n in hand.items() if label
    )


def tuning(figures: dict[str, Any], show_errors: bool) -> None:
    """The tuning part (``nlp.training.relevance_tuning``): the hand-labelled training posts
    scored out of fold, the stage's rule over its knobs, and (``--errors``) its mistakes."""
    from nlp.training.relevance_train import fit, training_set
    from nlp.training.relevance_tuning import (
        DRAWN_KINDS,
        FIRST_KINDS,
        NET_KINDS,
        errors,
        out_of_fold,
        scores,
        sweep,
    )

    scored = out_of_fold(training_set(), fit, progress=lambda m: print(m, file=sys.stderr))
    print(f"tuning part, out of fold: {len(scored)} hand-labelled posts")
    # first: the 1,547 posts of the first three passes (their folds unchanged since); drawn: the
    # fourth pass's drawn posts (nlp/training/relevance_drawn_labels.json); net: the fifth
    # pass's word-net training part (nlp/training/relevance_net_labels.json)
    parts = {
        "ced": lambda s: s.kind.startswith("ced"),
        "weibo": lambda s: s.kind.startswith("weibo"),
        "first": lambda s: s.kind in FIRST_KINDS,
        "drawn": lambda s: s.kind in DRAWN_KINDS,
        "net": lambda s: s.kind in NET_KINDS,
        "all": lambda s: True,
    }
    for part, member in parts.items():
        chosen = [s for s in scored if member(s)]
        for name, predict in (
            ("lexicon", lambda s: s.lexicon >= 0.5),
            ("model", lambda s: s.probability >= 0.5),
            ("lexicon+model", lambda s: s.relevant()),
        ):
            result = scores(chosen, predict)
            print(
                f"  {part:<6}{name:<15}tp {result.tp:>3} fp {result.fp:>3} fn {result.fn:>3} "
                f"precision {result.precision:.3f} recall {result.recall:.3f}"
            )
            if part in ("first", "all"):
                key = "relevance_tuning" + ("_first" if part == "first" else "")
                figures[f"{key}_{name}_precision"] = round(result.precision, 4)
                figures[f"{key}_{name}_recall"] = round(result.recall, 4)
    print("  the stage's rule by model threshold and veto:")
    for threshold, veto, result in sweep(scored):
        print(
            f"    model ≥ {threshold:.1f}, veto < {veto:.1f}: precision {result.precision:.3f} "
            f"recall {result.recall:.3f} F1 {result.f1:.3f}"
        )
    if show_errors:
        for label, item in errors(scored):
            print(
                f"  {label}: {item.kind} lexicon {item.lexicon:.2f} model {item.probability:.2f}"
                f" {item.text[:60]!r}"
            )


def _auc(labels: list[int], scores: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def rumour(figures: dict[str, Any]) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score

    from nlp.rumor.score import doubt_phrases, features_of, heuristic_score

    labels: list[int] = []
    rows: list[list[float]] = []
    full: list[float] = []
    early: list[float] = []
    for _, record in read_lines(dataset_path(CED)):
        user = record["user"] if isinstance(record["user"], dict) else {}
        metrics = {"verified": user["verified"]} if "verified" in user else {}
        prepared = prepare("", str(record["text"]))
        features = features_of(prepared, metrics)
        responses = record["responses"] if isinstance(record["responses"], list) else []
        comments = [str(r["text"]) for r in responses if r.get("text")]
        doubting = sum(1 for c in comments if doubt_phrases(prepare("", c).full))
        sourced = bool(features.sources) or features.has_url or bool(record.get("has_url"))
        verified = 1.0 if features.verified else (-1.0 if features.verified is False else 0.0)
        rows.append(
            [
                features.doubt_weight,
                features.refute_weight,
                math.log1p(doubting),
                verified,
                features.alarmist_weight,
                0.0 if sourced else 1.0,
            ]
        )
        labels.append(1 if record["label"] == "rumor" else 0)
        full.append(heuristic_score(features, doubting).score)
        early.append(heuristic_score(features, 0).score)
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(max_iter=1000)
    cv_auc = float(cross_val_score(model, x, y, cv=5, scoring="roc_auc").mean())
    model.fit(x, y)
    names = [
        "doubt_text",
        "refute_text",
        "log1p_doubting_comments",
        "verified(+1/-1)",
        "alarmist",
        "no_source",
    ]
    coefficients = {n: round(float(c), 2) for n, c in zip(names, model.coef_[0], strict=True)}
    accuracy = sum((s >= 0.5) == bool(t) for s, t in zip(full, labels, strict=True)) / len(y)
    print(f"rumour heuristic on CED dev ({len(y)} posts, {sum(labels)} rumours):")
    print(
        f"  hand-set weights: ROC AUC {_auc(labels, full):.3f} with comments, "
        f"{_auc(labels, early):.3f} without (first minutes); accuracy@0.5 {accuracy:.3f}"
    )
    print(
        f"  logistic regression on the same features: 5-fold CV AUC {cv_auc:.3f}; "
        f"coefficients {coefficients}, bias {float(model.intercept_[0]):.2f}"
    )
    figures.update(
        rumour_auc=round(_auc(labels, full), 4),
        rumour_auc_no_comments=round(_auc(labels, early), 4),
        rumour_accuracy=round(accuracy, 4),
        rumour_fitted_cv_auc=round(cv_auc, 4),
    )


def matching(figures: dict[str, Any]) -> None:
    from nlp.rumor.score import bigrams

    minimum = 8
    texts = [str(r["text"]) for _, r in read_lines(dataset_path(CED))]
    grams = [bigrams(prepare("", t).full) for t in texts]
    index: dict[str, set[int]] = defaultdict(set)
    for j, g in enumerate(grams):
        for gram in g:
            index[gram].add(j)
    rng = random.Random(7)
    unrelated: list[float] = []
    retold: list[float] = []
    for i, text in enumerate(texts):
        body = prepare("", text).body
        claims = [c for c in re.split(r"[。！？!?\n]+", body) if len(bigrams(c)) >= minimum]
        if not claims:
            continue
        claim = bigrams(rng.choice(claims))
        shared: dict[int, int] = defaultdict(int)
        for gram in claim:
            for j in index[gram]:
                shared[j] += 1
        post_shared: dict[int, int] = defaultdict(int)
        for gram in grams[i]:
            for j in index[gram]:
                post_shared[j] += 1
        for j in range(len(texts)):
            if j == i or len(grams[j]) < minimum:
                continue
            jaccard = post_shared.get(j, 0) / max(1, len(grams[i] | grams[j]))
            value = shared.get(j, 0) / min(len(claim), len(grams[j]))
            if jaccard < 0.1:
                unrelated.append(value)
            elif jaccard >= 0.4:
                retold.append(value)
    print(
        f"debunk matching (claims of >= {minimum} bigrams): {len(unrelated)} unrelated pairs, "
        f"{len(retold)} retold pairs"
    )
    for threshold in (0.4, 0.5, 0.6, 0.7, 0.8):
        false = sum(1 for v in unrelated if v >= threshold) / len(unrelated)
        recall = sum(1 for v in retold if v >= threshold) / max(1, len(retold))
        print(
            f"  threshold {threshold:.1f}: false-match rate {false:.2e}, retellings matched "
            f"{recall:.3f}"
        )
        if threshold == 0.6:
            figures.update(match_false_rate=false, match_recall=round(recall, 4))


def events(figures: dict[str, Any]) -> None:
    from nlp.vectors import cosine, term_vector

    rows = [str(r["text"]) for _, r in read_lines(dataset_path(FOOD_SAFETY))]
    sample = random.Random(5).sample(rows, 400)
    halves = []
    leads = []
    for text in sample:
        sentences = [s for s in re.split(r"(?<=[。！？])", text) if s.strip()]
        if len(sentences) >= 4:
            k = len(sentences) // 2
            halves.append(
                (
                    term_vector(document_from_text("".join(sentences[:k]))),
                    term_vector(document_from_text("".join(sentences[k:]))),
                )
            )
        if len(sentences) >= 3:
            leads.append(
                (
                    term_vector(document_from_text(sentences[0])),
                    term_vector(document_from_text("".join(sentences[1:]))),
                )
            )
    for name, pairs in (("halves", halves), ("lead sentence", leads)):
        same = [cosine(a, b) for a, b in pairs]
        other = [
            cosine(pairs[i][0], pairs[j][1])
            for i in range(len(pairs))
            for j in range(i + 1, min(len(pairs), i + 40))
        ]
        print(
            f"event similarity, {name}: {len(same)} same-story pairs (median "
            f"{statistics.median(same):.3f}), {len(other)} different-story pairs"
        )
        for threshold in (0.15, 0.2, 0.25, 0.3, 0.35):
            joins = sum(v >= threshold for v in same) / len(same)
            merges = sum(v >= threshold for v in other) / len(other)
            print(
                f"  threshold {threshold:.2f}: same story joins {joins:.3f}, "
                f"different stories merge {merges:.4f}"
            )
            if threshold == 0.25:
                figures[f"event_{name.replace(' ', '_')}_join"] = round(joins, 4)
                figures[f"event_{name.replace(' ', '_')}_merge"] = round(merges, 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rumour", action="store_true", help="rumour heuristic on CED dev")
    parser.add_argument("--matching", action="store_true", help="debunk-match threshold")
    parser.add_argument("--events", action="store_true", help="event-join threshold")
    parser.add_argument("--all", action="store_true", help="every section")
    parser.add_argument("--errors", action="store_true", help="list the tuning part's errors")
    parser.add_argument(
        "--tuning", action="store_true", help="hand-labelled posts out of fold (~10 min)"
    )
    parser.add_argument(
        "--pairs", action="store_true", help="where the word pairs fire in the training texts"
    )
    parser.add_argument(
        "--tuning-only",
        action="store_true",
        help="the tuning part alone: the labelled sample (and the blind one's figures) unscored",
    )
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    try:
        if args.pairs:
            pairs(figures)
        elif not args.tuning_only:
            relevance(figures, args.errors)
        if args.tuning or args.tuning_only:
            tuning(figures, args.errors)
        if args.rumour or args.all:
            rumour(figures)
        if args.matching or args.all:
            matching(figures)
        if args.events or args.all:
            events(figures)
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
