"""The fifth pass's recipe variants (benchmarks/sentiment_variants.py) on tiny data: the
character n-gram features, the weak-label filter and weights, and a variant's margins reading
what it was fitted on; the per-kind figures the check and the variants share
(nlp.training.sentiment_check.figures_by_kind)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks.sentiment_variants import (
    VARIANTS,
    Variant,
    first_clause_marked,
    lexicon_agrees,
    margins,
    neutral_times,
    with_char_grams,
    without_weak_articles,
)
from nlp.sentiment_model import features
from nlp.text import document_from_text
from nlp.training.sentiment_check import figures_by_kind
from nlp.training.sentiment_tuning import TuningText
from tests.support.sentiment_data import training_set

NEGATIVE = ["黑心商家太恶心", "气死了太黑心", "恶心的地沟油"]
NEUTRAL = ["明天上午开会", "地址在人民路", "会议通知发布"]
POSITIVE = ["处理得好点赞", "点赞好样的", "太感动了点赞"]


def test_char_grams_sit_beside_the_words_and_pairs() -> None:
    clauses = (("不", "太满意"),)
    grams = with_char_grams(2, 2)(clauses)
    assert grams[: len(features(clauses))] == features(clauses)  # the model's own first
    assert {"#不太", "#太满", "#满意"} <= set(grams)
    assert "不 太满意" in grams
    no_pairs = with_char_grams(2, 3, pairs=False)(clauses)
    assert "不 太满意" not in no_pairs and {"不", "太满意", "#不太满"} <= set(no_pairs)


def test_the_first_clause_is_marked_apart() -> None:
    clauses = (("通报", "火灾"), ("火灾", "已", "扑灭"))
    marked = first_clause_marked(features)(clauses)
    assert marked[: len(features(clauses))] == features(clauses)
    assert marked[len(features(clauses)) :] == ["^通报", "^火灾"]
    assert first_clause_marked(features)(()) == []


def test_the_lexicon_filter_drops_emoticon_labels_the_words_contradict() -> None:
    data = training_set([["太恶心了愤怒"], [], ["太恶心了愤怒", "点赞好样的"]], "comment")
    kept = lexicon_agrees(data)
    # the three copies of the angry text labelled positive go; the rest stay
    assert kept.labels == [0, 0, 0, 2, 2, 2]
    assert kept.counts["dropped_lexicon_disagrees"] == 3
    assert len(kept.clauses) == len(kept.weights) == len(kept.kinds) == 6


def test_neutral_weight_multiplies_the_neutral_rows_only() -> None:
    data = training_set([NEGATIVE, NEUTRAL, POSITIVE], "post")
    weighed = neutral_times(3.0)(data)
    assert weighed.weights == [3.0 if label == 1 else 1.0 for label in data.labels]


@pytest.mark.parametrize("name", ["shipped", "char2"])
def test_a_variant_reads_what_it_was_fitted_on(name: str) -> None:
    data = training_set([NEGATIVE, NEUTRAL, POSITIVE], "post")
    texts = [
        TuningText(gold, document_from_text(text).sentiment_clauses, 0.0, "post", "weibo_post", 0)
        for gold, text in ((0, "黑心商家太恶心"), (1, "明天上午开会"), (2, "点赞好样的"))
    ]
    (scores,) = margins(VARIANTS[name], data, texts)
    assert scores.shape == (3, 3)
    assert np.argmax(scores, axis=1).tolist() == [0, 1, 2]


def test_a_variant_without_changes_is_the_shipped_recipe() -> None:
    assert VARIANTS["shipped"] == Variant()
    assert Variant().featurize is features and Variant().c == 3.0


def test_figures_by_kind_put_always_negative_beside() -> None:
    rows = [("comment", 0, 0), ("comment", 1, 0), ("news", 2, 2)]
    out = figures_by_kind(rows)
    assert list(out) == ["comment", "news", "all"]
    assert out["comment"]["accuracy"] == 0.5 and out["comment"]["negative_accuracy"] == 0.5
    assert out["all"]["accuracy"] == round(2 / 3, 4)
    assert out["all"]["negative_accuracy"] == round(1 / 3, 4)


def test_by_kind_repeats_each_feature_under_the_kind_group() -> None:
    clauses = (("黑心", "商家"),)
    plain = Variant().row(clauses, "repost")
    assert plain == features(clauses)
    both = Variant(by_kind=True).row(clauses, "repost")
    assert both == plain + [f"comment|{t}" for t in plain]  # a repost reads as a comment
    assert Variant(by_kind=True).row(clauses, "official")[-1] == "post|黑心 商家"


def test_the_weak_articles_are_dropped_and_nothing_else() -> None:
    posts = training_set([NEGATIVE, NEUTRAL], "post")
    articles = training_set([["食品抽检不合格"]], "article")
    data = replace(
        posts,
        clauses=posts.clauses + articles.clauses,
        labels=posts.labels + articles.labels,
        weights=posts.weights + articles.weights,
        kinds=posts.kinds + articles.kinds,
    )
    kept = without_weak_articles(data)
    assert kept.kinds == ["post"] * 18 and kept.labels == posts.labels
    assert kept.clauses == posts.clauses and kept.counts["dropped_weak_articles"] == 3
