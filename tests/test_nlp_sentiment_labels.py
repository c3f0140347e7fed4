"""The stance sample (benchmarks/sentiment_labels.json) is well-formed and is what its "about"
says: pointers and labels only, four kinds of text, near-copies and one post's comments in
one split. Reading the texts back needs ../shared/datasets (skipped with a message when
absent, failed under CI=true)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.sentiment_eval import LABELS, StanceLabelError, load_items, scores
from benchmarks.sentiment_sample import KINDS, SOURCES, read_texts, splits
from nlp.sentiment import SENTIMENTS
from nlp.training.sentiment_train import sample_items
from tests.conftest import require_dataset


def test_the_sample_is_large_enough_and_covers_every_kind() -> None:
    items = load_items()
    assert len(items) >= 600
    kinds = Counter(p.kind for p, _, _ in items)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 100
    for kind in KINDS:  # every kind has texts in both splits and more than one label
        chosen = [(s, g) for p, s, g in items if p.kind == kind]
        assert {s for s, _ in chosen} == {"tuning", "held_out"}, kind
        assert len({g for _, g in chosen}) == 3, kind
    held = sum(1 for _, s, _ in items if s == "held_out") / len(items)
    assert 0.3 <= held <= 0.45
    assert len({p.key() for p, _, _ in items}) == len(items)


def test_the_file_holds_pointers_not_texts() -> None:
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    allowed = {"kind", "source", "line", "id", "mid", "index", "split", "sentiment"}
    for item in spec["items"]:
        assert set(item) <= allowed, item
        assert item["source"] in SOURCES
    assert tuple(spec["sentiment_values"]) == SENTIMENTS
    assert spec["about"].count("LABELLED BY READING") == 1


def test_a_malformed_item_is_refused_with_where_it_is(tmp_path: Path) -> None:
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    spec["items"][5]["sentiment"] = "angry"
    bad = tmp_path / "labels.json"
    bad.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    line = spec["items"][5]["line"]
    with pytest.raises(StanceLabelError, match=rf"items\[5\] \(\w+ line {line}\).*'angry'"):
        load_items(bad)


def test_scores_are_accuracy_and_macro_f1() -> None:
    pairs = [("negative", "negative"), ("neutral", "negative"), ("positive", "positive")]
    accuracy, macro = scores(pairs)
    assert accuracy == pytest.approx(2 / 3)
    # negative: P 1/2 R 1 F 2/3; neutral: 0; positive: 1
    assert macro == pytest.approx((2 / 3 + 0 + 1) / 3)


def test_every_pointer_reads_back_and_the_splits_are_the_documented_rule() -> None:
    for relative in SOURCES.values():
        require_dataset(relative)
    items = load_items()
    pointers = [p for p, _, _ in items]
    texts = read_texts(pointers)  # raises on an id or response mid that differs
    assert all(texts[p.key()].strip() for p in pointers)
    assert splits(pointers, texts) == [s for _, s, _ in items]
    # The training set reads the same items (to leave them out).
    assert len(sample_items()) == len(items)
