"""The stance sample's tuning split in training and the knobs chosen by grouped cross-validation
(nlp/training/sentiment_tuning.py): on tiny data sets written to tmp_path in the data sets'
own formats, and on the shipped sample's tuning split (needs ../shared/datasets: skipped with
a message when absent, failed under CI=true)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nlp.sentiment_model import CLASSES, SentimentModel
from nlp.text import document_from_text
from nlp.training.sentiment_train import LABELS, TrainingSet, fit, sample_items
from nlp.training.sentiment_tuning import (
    FOLDS,
    TuningText,
    choose_knobs,
    grouped_folds,
    nested_figures,
    out_of_fold_margins,
    predict,
    scores,
    tune,
    tuning_texts,
    with_tuning,
)
from tests.conftest import require_dataset
from tests.support.sentiment_data import write_jsonl_gz

NEGATIVE = ["黑心商家太恶心", "气死了太黑心", "恶心的地沟油", "无良商家气死", "黑心工厂"]
NEUTRAL = ["明天上午开会", "地址在人民路", "会议通知发布", "上午在人民路", "明天发布通知"]
POSITIVE = ["处理得好点赞", "点赞好样的", "太感动了点赞", "好样的感动", "处理及时感动"]


def _weak() -> TrainingSet:
    data = TrainingSet()
    for label, group in enumerate((NEGATIVE, NEUTRAL, POSITIVE)):
        for text in group * 3:  # min. document frequency 3
            data.clauses.append(document_from_text(text).sentiment_clauses)
            data.labels.append(label)
            data.weights.append(1.0)
            data.kinds.append("comment")
    return data


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A CED file (two posts with comments), food-safety reports and a labels file whose
    held-out item points at a text the tuning code must never read."""
    comments = [{"mid": f"m{i}", "text": text} for i, text in enumerate(NEGATIVE[:3])]
    posts: list[dict[str, Any]] = [
        {"id": "p0", "label": "rumor", "text": "网传奶粉有毒", "responses": comments},
        {"id": "p1", "label": "non-rumor", "text": POSITIVE[0], "responses": []},
        {"id": "p2", "label": "non-rumor", "text": NEUTRAL[0], "responses": []},
        {"id": "p3", "label": "non-rumor", "text": NEUTRAL[0] + "。", "responses": []},
        {"id": "p4", "label": "non-rumor", "text": "保密的留出文本", "responses": []},
    ]
    write_jsonl_gz(tmp_path / "ced" / "ced_dev.jsonl.gz", posts)
    reports = [{"text": NEGATIVE[3]}, {"text": POSITIVE[1]}, {"text": NEUTRAL[1]}]
    write_jsonl_gz(tmp_path / "food_safety" / "food_safety_news.jsonl.gz", reports)
    items: list[dict[str, Any]] = [
        {"kind": "comment", "source": "ced", "line": 0, "id": "p0", "mid": f"m{i}", "index": i}
        for i in range(3)
    ]
    for item in items:
        item.update(split="tuning", sentiment="negative")
    items += [
        {"kind": "weibo_post", "source": "ced", "line": 1, "id": "p1", "sentiment": "positive"},
        {"kind": "official_notice", "source": "ced", "line": 2, "id": "p2"},
        {"kind": "official_notice", "source": "ced", "line": 3, "id": "p3"},
        {"kind": "news", "source": "food_safety", "line": 0, "sentiment": "negative"},
        {"kind": "news", "source": "food_safety", "line": 1, "sentiment": "positive"},
        {"kind": "news", "source": "food_safety", "line": 2},
    ]
    for item in items[3:]:
        item.setdefault("sentiment", "neutral")
        item["split"] = "tuning"
    items.append(
        {"kind": "weibo_post", "source": "ced", "line": 4, "id": "p4", "split": "held_out"}
        | {"sentiment": "negative"}
    )
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"items": items}, ensure_ascii=False), encoding="utf-8")
    return path


def test_one_posts_comments_and_near_copies_share_a_fold_and_groups_are_dealt_in_turn() -> None:
    items: list[dict[str, Any]] = [
        {"source": "ced", "line": 0, "index": 0},
        {"source": "ced", "line": 5},
        {"source": "ced", "line": 0, "index": 7},
        {"source": "ced", "line": 9},
        {"source": "food_safety", "line": 1},
    ]
    notice = "明日起地铁二号线调整首班车时间"
    texts = ["太黑心了", notice, "气死了", "今天天气很好", notice + "！"]
    assert grouped_folds(items, texts) == [0, 1, 0, 2, 1]


def test_the_tuning_texts_are_read_without_the_held_out_split(sample: Path) -> None:
    texts = tuning_texts(sample.parent, sample)
    assert len(texts) == 9
    words = {w for t in texts for clause in t.clauses for w in clause}
    assert "保密" not in words and "留出" not in words
    assert [t.kind for t in texts[:4]] == ["comment"] * 3 + ["post"]
    assert [t.sample_kind for t in texts[-3:]] == ["news"] * 3
    assert texts[-1].kind == "article"
    assert len({t.fold for t in texts[:3]}) == 1  # one post's comments
    assert texts[4].fold == texts[5].fold  # a near-copy
    assert [CLASSES[t.gold] for t in texts[3:5]] == ["positive", "neutral"]


def test_a_fold_left_out_is_not_trained_on(sample: Path) -> None:
    texts = tuning_texts(sample.parent, sample)
    data = _weak()
    left = with_tuning(data, texts, 30.0, leave_out=texts[0].fold)
    kept = [t for t in texts if t.fold != texts[0].fold]
    assert len(left.labels) == len(data.labels) + len(kept)
    assert left.weights[len(data.labels) :] == [30.0] * len(kept)
    assert left.kinds[len(data.labels) :] == [t.kind for t in kept]
    assert left.counts["tuning_texts"] == len(kept)
    assert len(data.labels) == 45  # the weak set itself is not changed


def test_out_of_fold_margins_come_from_the_model_fitted_without_the_fold(sample: Path) -> None:
    texts = tuning_texts(sample.parent, sample)
    margins = out_of_fold_margins(_weak(), texts, lambda d: fit(d, c=10.0), 30.0)
    for fold in {t.fold for t in texts}:
        model = fit(with_tuning(_weak(), texts, 30.0, leave_out=fold), c=10.0)
        for i, text in enumerate(texts):
            if text.fold == fold:
                expected = model.margins(text.clauses, 0.0, text.kind)[0]
                assert margins[i] == pytest.approx(expected)
    # the weak words read through: the comments are negative, the first report too
    assert [int(np.argmax(margins[i])) for i in (0, 1, 2, 6)] == [0, 0, 0, 0]


def _text(gold: int, kind: str, lexicon: float = 0.0, fold: int = 0) -> TuningText:
    return TuningText(gold, ((),), lexicon, kind, kind, fold)


def test_the_knobs_read_the_margins_as_the_model_does_at_run_time() -> None:
    comment = _text(1, "comment", lexicon=-1.0)
    assert predict([0.5, 0.0, 0.0], comment, 0.0, {}) == 0
    assert predict([0.5, 0.0, 0.0], comment, 0.0, {"comment": (1.0, 0.0)}) == 1
    assert predict([0.0, 0.0, 0.0], comment, 2.0, {}) == 0  # the lexicon pushes it negative
    assert predict([0.0, -1.0, 0.0], comment, 0.0, {"comment": (0.0, 1.0)}) == 2
    assert predict([0.5, 0.0, 0.0], _text(1, "post"), 0.0, {"comment": (1.0, 0.0)}) == 0


def test_knobs_are_chosen_per_kind_and_the_nested_figure_is_out_of_sample() -> None:
    # Comments: neutral texts the margins read negative by a little; posts: read right.
    texts = [_text(1, "comment", fold=i % FOLDS) for i in range(10)]
    texts += [_text(0, "post", fold=i % FOLDS) for i in range(10)]
    margins = np.array([[0.3, 0.0, -1.0]] * 10 + [[1.0, 0.0, -1.0]] * 10)
    (accuracy, _), weight, offsets = choose_knobs(margins, texts, range(len(texts)))
    assert accuracy == 1.0 and set(offsets) == {"comment", "post"}
    # the comments' offsets lift them to neutral; the posts' keep them negative
    assert predict(margins[0].tolist(), texts[0], weight, offsets) == 1
    assert predict(margins[0].tolist(), texts[0], weight, {"post": offsets["post"]}) == 0
    assert predict(margins[10].tolist(), texts[10], weight, offsets) == 0
    figures = nested_figures(margins, texts)
    assert figures["all"] == [1.0, pytest.approx(2 / 3, abs=1e-4)]  # no positive text
    assert set(figures) == {"comment", "post", "all"}
    assert scores([(0, 0), (1, 0), (2, 2), (2, 1)]) == (0.5, pytest.approx((2 / 3 + 0 + 2 / 3) / 3))


def test_tune_fits_on_all_tuning_texts_with_the_out_of_fold_knobs(sample: Path) -> None:
    model = tune(_weak(), lambda d: fit(d, c=10.0), sample.parent, sample, weight=30.0)
    tuning = model.meta["tuning"]
    assert model.meta["counts"]["tuning_texts"] == 9
    assert tuning["texts"] == 9 and tuning["tuning_weight"] == 30.0
    assert set(tuning["nested"]) == {"comment", "weibo_post", "official_notice", "news", "all"}
    assert model.lexicon_weight == tuning["lexicon_weight"]
    assert {k: list(v) for k, v in model.kind_offsets.items()} == tuning["kind_offsets"]


def test_without_tuning_weight_one_model_is_fitted_and_never_sees_the_tuning_texts(
    sample: Path,
) -> None:
    fitted: list[int] = []

    def counting_fit(data: TrainingSet) -> SentimentModel:
        fitted.append(len(data.labels))
        return fit(data, c=10.0)

    model = tune(_weak(), counting_fit, sample.parent, sample, weight=0.0)
    assert fitted == [45]
    assert "tuning_texts" not in model.meta["counts"]
    assert model.meta["tuning"]["tuning_weight"] == 0.0


def test_the_shipped_tuning_split_reads_back_in_folds_that_keep_posts_together() -> None:
    require_dataset("ced/ced_dev.jsonl.gz")
    require_dataset("rumor_more/weibo21.jsonl.gz")
    require_dataset("rumor_more/mm17.jsonl.gz")
    require_dataset("food_safety/food_safety_news.jsonl.gz")
    items = [i for i in sample_items(LABELS) if i["split"] == "tuning"]
    texts = tuning_texts()
    assert len(texts) == len(items) >= 400
    folds_of_post: dict[tuple[str, int], set[int]] = defaultdict(set)
    for item, text in zip(items, texts, strict=True):
        assert CLASSES[text.gold] == item["sentiment"]
        if "index" in item:
            folds_of_post[(item["source"], item["line"])].add(text.fold)
    assert folds_of_post and all(len(f) == 1 for f in folds_of_post.values())
    sizes = [sum(1 for t in texts if t.fold == f) for f in range(FOLDS)]
    assert min(sizes) >= len(texts) // (3 * FOLDS), sizes
