"""The topic and sentiment labels (benchmarks/topics_sentiment_labels.json) are well-formed.

The file holds line numbers, CED ids and labels only; the texts stay in ../shared/datasets.
The form is checked without the data sets; that every line exists and carries the labelled id
needs them (skipped with a message when absent, failed under CI=true).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.nlp_topics_sentiment_bench import (
    LABELS,
    SPLITS,
    TOPICS,
    LabelError,
    load_labels,
    read_texts,
)
from nlp.sentiment import SENTIMENTS
from nlp.training.evaluation import CED, CED_RELEVANT, FOOD_SAFETY, HOLDOUT_RELEVANT
from tests.conftest import require_dataset


def test_every_record_has_known_values_and_a_split() -> None:
    records = load_labels()  # refuses an unknown topic, sentiment, split or source
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    assert spec["about"]
    assert tuple(spec["topics_values"]) == TOPICS
    assert tuple(spec["sentiment_values"]) == SENTIMENTS
    assert tuple(spec["splits"]) == SPLITS
    for record in records:
        allowed = TOPICS if record.task == "topics" else SENTIMENTS
        assert set(record.gold) <= set(allowed), record
        assert record.split in SPLITS, record
        assert len(record.gold) == len(set(record.gold)), record
    keys = Counter((r.task, r.source, r.line) for r in records)
    assert [key for key, n in keys.items() if n > 1] == []


def test_sample_has_the_documented_shape() -> None:
    records = load_labels()
    shape = Counter((r.task, r.source) for r in records)
    assert shape == {
        ("topics", "ced"): 31,
        ("topics", "food_safety"): 60,
        ("sentiment", "ced"): 150,
        ("sentiment", "food_safety"): 50,
    }
    # The topic sample is every relevant post of the relevance sample.
    topic_ids = {r.id for r in records if r.task == "topics" and r.source == "ced"}
    assert topic_ids == CED_RELEVANT | HOLDOUT_RELEVANT
    for task in ("topics", "sentiment"):
        splits = Counter(r.split for r in records if r.task == task)
        assert 0.3 <= splits["held_out"] / sum(splits.values()) <= 0.5, (task, splits)
    # A text labelled for both tasks is in the same split for both.
    split_of: dict[tuple[str, int], set[str]] = {}
    for record in records:
        split_of.setdefault((record.source, record.line), set()).add(record.split)
    assert [key for key, splits_seen in split_of.items() if len(splits_seen) > 1] == []


def test_a_malformed_record_is_refused_with_where_it_is(tmp_path: Path) -> None:
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    spec["sentiment"][3]["sentiment"] = "angry"
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    line = spec["sentiment"][3]["line"]
    with pytest.raises(LabelError, match=rf"sentiment\[3\] \(\w+ line {line}\).*'angry'"):
        load_labels(bad)
    spec["sentiment"][3]["sentiment"] = "neutral"
    spec["topics"][0]["split"] = "test"
    bad.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LabelError, match=r"topics\[0\].*split 'test'"):
        load_labels(bad)


def test_every_line_is_in_its_data_file_with_the_labelled_id() -> None:
    require_dataset(CED)
    require_dataset(FOOD_SAFETY)
    records = load_labels()
    texts = read_texts(records)  # raises on a line past the end or an id that differs
    assert {(r.source, r.line) for r in records} == set(texts)
    assert all(text.strip() for text in texts.values())
