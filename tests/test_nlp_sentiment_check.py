"""The training-distribution check (nlp/training/sentiment_check.py): the read texts of batches
after HAND_LAST_BATCH scored as the analyser reads them, on tiny data sets in tmp_path, and the
shipped model's stored figure reproduced from the shipped label file (needs
../shared/datasets: skipped with a message when absent, failed under CI=true)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlp.sentiment_model import MODEL_PATH, SentimentModel, load_sentiment_model
from nlp.text import document_from_text
from nlp.training.sentiment_check import kept_out_check
from nlp.training.sentiment_train import HAND_LAST_BATCH, TrainingSet, fit
from tests.conftest import require_dataset
from tests.support.sentiment_data import write_jsonl_gz

NEGATIVE = ["黑心商家太恶心", "气死了太黑心", "恶心的地沟油"]
NEUTRAL = ["明天上午开会", "地址在人民路", "会议通知发布"]
POSITIVE = ["处理得好点赞", "点赞好样的", "太感动了点赞"]
LATER = HAND_LAST_BATCH + 1
DATASETS = (
    "ced/ced_dev.jsonl.gz",
    "rumor_more/weibo21.jsonl.gz",
    "rumor_more/mm17.jsonl.gz",
    "food_safety/food_safety_news.jsonl.gz",
)


@pytest.fixture
def model() -> SentimentModel:
    data = TrainingSet()
    for label, group in enumerate((NEGATIVE, NEUTRAL, POSITIVE)):
        for text in group * 3:  # min. document frequency 3
            data.clauses.append(document_from_text(text).sentiment_clauses)
            data.labels.append(label)
            data.weights.append(1.0)
            data.kinds.append("post")
    return fit(data)


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    posts: list[dict[str, Any]] = [
        {"id": "p0", "label": "non-rumor", "text": "黑心商家太恶心", "responses": []},
        {"id": "p1", "label": "non-rumor", "text": "明天上午开会", "responses": []},
        {
            "id": "p2",
            "label": "non-rumor",
            "text": "点赞好样的",
            "responses": [{"mid": "m0", "text": "气死了太黑心"}],
        },
    ]
    write_jsonl_gz(tmp_path / "ced" / "ced_dev.jsonl.gz", posts)
    return tmp_path


def _labels(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "hand.json"
    path.write_text(json.dumps({"about": "test", "items": items}, ensure_ascii=False), "utf-8")
    return path


ITEMS: list[dict[str, Any]] = [
    {"kind": "official_notice", "source": "ced", "line": 0, "id": "p0", "sentiment": "negative"},
    # read as neutral by the labeller; the tiny model reads 开会 as neutral too
    {"kind": "weibo_post", "source": "ced", "line": 1, "id": "p1", "sentiment": "neutral"},
    # labelled negative although the text is praise: a miss the check must count
    {"kind": "weibo_post", "source": "ced", "line": 2, "id": "p2", "sentiment": "negative"},
    {
        "kind": "comment",
        "source": "ced",
        "line": 2,
        "id": "p2",
        "mid": "m0",
        "index": 0,
        "sentiment": "negative",
    },
]


def test_only_the_batches_kept_out_of_training_are_read_per_kind_beside_negative(
    model: SentimentModel, datasets: Path, tmp_path: Path
) -> None:
    trained = {**ITEMS[3], "batch": HAND_LAST_BATCH}  # trained on: not part of the check
    path = _labels(tmp_path, [{**item, "batch": LATER} for item in ITEMS[:3]] + [trained])
    figures = kept_out_check(model, datasets, path)
    assert list(figures) == ["official_notice", "weibo_post", "all"]
    assert figures["all"]["n"] == 3
    assert figures["official_notice"]["accuracy"] == 1.0
    assert figures["weibo_post"] == {
        "n": 2,
        "accuracy": 0.5,  # the neutral notice right, the praise labelled negative wrong
        "macro_f1": round((0 + 1 + 0) / 3, 4),
        "negative_accuracy": 0.5,
        "negative_macro_f1": round((2 / 3) / 3, 4),
    }
    assert figures["all"]["accuracy"] == round(2 / 3, 4)
    assert figures["all"]["negative_accuracy"] == round(2 / 3, 4)


def test_nothing_to_check_when_every_batch_is_trained_on(
    model: SentimentModel, datasets: Path, tmp_path: Path
) -> None:
    path = _labels(tmp_path, [{**item, "batch": HAND_LAST_BATCH} for item in ITEMS])
    assert kept_out_check(model, datasets, path) == {}


def test_the_shipped_model_stores_the_check_its_label_file_gives() -> None:
    for name in DATASETS:
        require_dataset(name)
    model = load_sentiment_model()
    assert model is not None
    figures = kept_out_check(model)
    assert model.meta["kept_out"] == figures
    # the 600 texts of batches 16-27, all four kinds
    assert figures["all"]["n"] == 600
    card = (MODEL_PATH.parent / "sentiment_card.md").read_text(encoding="utf-8")
    assert "Training-distribution check" in card and str(figures) in card
    assert set(figures) == {"comment", "news", "official_notice", "weibo_post", "all"}
