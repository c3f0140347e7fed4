"""Training texts labelled by reading (nlp/training/sentiment_hand.py and its label file
nlp/training/sentiment_hand_labels.json): the loader on tiny data sets in tmp_path, and the
shipped file's pointers resolving to texts that are neither in nor near the evaluation
samples (reading them needs ../shared/datasets: skipped with a message when absent, failed
under CI=true)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from nlp.training.sentiment_hand import (
    HAND_LABELS,
    HandLabelError,
    hand_texts,
    load_hand_labels,
)
from nlp.training.sentiment_train import (
    HAND_LAST_BATCH,
    HAND_WEIGHT,
    LABELS,
    OLD_LABELS,
    NearCopies,
    TrainingSet,
    add_hand_labels,
    sample_items,
    sample_texts,
)
from tests.conftest import require_dataset
from tests.support.sentiment_data import write_jsonl_gz

REPORT = "【某地查获假冒白酒】" + "执法人员在仓库中查获假冒名酒一批，" * 30


@pytest.fixture
def datasets(tmp_path: Path) -> Path:
    responses = [
        {"mid": "m0", "text": "转发微博"},
        {"mid": "m1", "text": "黑心商家，再也不买了"},
    ]
    write_jsonl_gz(
        tmp_path / "ced" / "ced_dev.jsonl.gz",
        [
            {
                "id": "p0",
                "label": "non-rumor",
                "text": "【交警提醒】明日起该路段封闭施工",
                "responses": [],
            },
            {"id": "p1", "label": "rumor", "text": "网传某品牌奶粉有毒", "responses": responses},
        ],
    )
    write_jsonl_gz(tmp_path / "food_safety" / "food_safety_news.jsonl.gz", [{"text": REPORT}])
    return tmp_path


def _labels(tmp_path: Path, items: list[dict[str, Any]]) -> Path:
    path = tmp_path / "hand.json"
    path.write_text(json.dumps({"about": "test", "items": items}, ensure_ascii=False), "utf-8")
    return path


GOOD = [
    {"kind": "official_notice", "source": "ced", "line": 0, "id": "p0", "sentiment": "neutral"},
    {
        "kind": "comment",
        "source": "ced",
        "line": 1,
        "id": "p1",
        "mid": "m1",
        "index": 1,
        "sentiment": "negative",
    },
    {"kind": "news", "source": "food_safety", "line": 0, "sentiment": "negative", "batch": 3},
]


def test_the_labels_read_back_as_texts_and_join_the_training_set(
    datasets: Path, tmp_path: Path
) -> None:
    path = _labels(tmp_path, GOOD)
    labels = load_hand_labels(path)
    assert [h.label for h in labels] == [1, 0, 0]
    texts = hand_texts(labels, datasets)
    assert texts[:2] == ["【交警提醒】明日起该路段封闭施工", "黑心商家，再也不买了"]
    assert texts[2] == REPORT[:300]  # a report is read by its headline and lead
    data = TrainingSet(clauses=[(("好",),)], labels=[2], weights=[1.0])
    add_hand_labels(data, datasets, path)
    assert data.labels == [2, 1, 0, 0]
    assert data.weights == [1.0] + [HAND_WEIGHT] * 3
    assert data.counts == {"hand_neutral": 1, "hand_negative": 2}
    assert any("黑心" in clause for clause in data.clauses[2])


def test_batches_after_the_last_trained_one_stay_in_the_file_but_out_of_training(
    datasets: Path, tmp_path: Path
) -> None:
    later = [{**item, "batch": HAND_LAST_BATCH + 1} for item in GOOD[:2]]
    path = _labels(tmp_path, [*later, {**GOOD[2], "batch": HAND_LAST_BATCH}])
    assert [h.batch for h in load_hand_labels(path)] == [HAND_LAST_BATCH + 1] * 2 + [
        HAND_LAST_BATCH
    ]
    data = TrainingSet()
    add_hand_labels(data, datasets, path)
    assert data.labels == [0]  # only the report of the last trained batch
    assert data.counts == {"hand_negative": 1}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sentiment": "angry"}, r"items\[1\]: sentiment 'angry'"),
        ({"source": "twitter"}, r"items\[1\]: source 'twitter'"),
        ({"line": -1}, r"items\[1\]: line -1"),
        ({"kind": "blog"}, r"items\[1\]: kind 'blog'"),
        ({"batch": "16"}, r"items\[1\]: batch '16'"),
    ],
)
def test_a_malformed_item_is_refused_with_where_it_is(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    path = _labels(tmp_path, [GOOD[0], {**GOOD[1], **change}])
    with pytest.raises(HandLabelError, match=message):
        load_hand_labels(path)


def test_a_text_labelled_twice_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(HandLabelError, match=r"items\[1\] points at a text already labelled"):
        load_hand_labels(_labels(tmp_path, [GOOD[0], GOOD[0]]))
    with pytest.raises(HandLabelError, match="cannot read the hand labels"):
        load_hand_labels(tmp_path / "absent.json")


@pytest.mark.parametrize(
    "pointer",
    [
        {**GOOD[0], "id": "p9"},  # the line holds another record
        {**GOOD[1], "mid": "m0"},  # the response at that index is another one
        {**GOOD[1], "index": 5},
        {**GOOD[0], "line": 7},
    ],
)
def test_a_pointer_that_does_not_resolve_is_an_error_naming_it(
    datasets: Path, tmp_path: Path, pointer: dict[str, Any]
) -> None:
    labels = load_hand_labels(_labels(tmp_path, [pointer]))
    with pytest.raises(HandLabelError, match="no such text in ced"):
        hand_texts(labels, datasets)


def test_the_shipped_labels_are_enough_pointers_with_every_class() -> None:
    spec = json.loads(HAND_LABELS.read_text(encoding="utf-8"))
    assert spec["about"].count("LABELLED BY READING") == 1
    allowed = {"kind", "source", "line", "id", "mid", "index", "batch", "sentiment"}
    assert all(set(item) <= allowed for item in spec["items"])  # pointers, never text
    labels = load_hand_labels()
    assert len(labels) >= 400
    classes = Counter(h.label for h in labels)
    assert min(classes.values()) >= 40, classes
    assert len({h.item["kind"] for h in labels}) == 4


def test_the_shipped_labels_resolve_and_never_touch_the_evaluation_samples() -> None:
    require_dataset("ced/ced_dev.jsonl.gz")
    require_dataset("rumor_more/weibo21.jsonl.gz")
    require_dataset("rumor_more/mm17.jsonl.gz")
    require_dataset("food_safety/food_safety_news.jsonl.gz")
    labels = load_hand_labels()
    texts = hand_texts(labels)  # raises on any pointer that does not resolve
    assert all(texts)
    sample = sample_items(LABELS)
    old = [
        {**i, "kind": i.get("kind", "weibo_post")}
        for i in json.loads(OLD_LABELS.read_text(encoding="utf-8"))["sentiment"]
    ]
    lines = {(i["source"], i["line"]) for i in [*sample, *old]}
    posts = {str(i["id"]) for i in [*sample, *old] if i["source"] == "ced"}
    near = NearCopies(sample_texts(sample) + sample_texts(old))
    for hand, text in zip(labels, texts, strict=True):
        assert (hand.item["source"], hand.item["line"]) not in lines, hand.item
        if hand.item["source"] == "ced":
            assert str(hand.item["id"]) not in posts, hand.item
        assert text not in near, hand.item
