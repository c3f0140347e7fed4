"""The trained sentiment model (nlp/sentiment_model.py) and its weak labels
(nlp/training/sentiment_train.py).

Unit behaviour on small real arrays and texts; the shipped model's figures on the labelled
sample are benchmarks/nlp_topics_sentiment_bench.py's, not asserted here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment import lexicon_sentiment, score_sentiment
from nlp.sentiment_model import MODEL_PATH, SentimentModel, features, load_sentiment_model
from nlp.text import document_from_text
from nlp.training.sentiment_train import NearCopies, TrainingSet, fit, post_label, weak_label


def test_features_are_words_and_within_clause_pairs_without_punctuation() -> None:
    assert features([["黑心", "商家", "，", "太", "恶心"], ["黑心"]]) == [
        "黑心",
        "商家",
        "黑心 商家",
        "太",
        "商家 太",
        "恶心",
        "太 恶心",
    ]


def test_weak_labels_come_from_the_responders_own_emoticons() -> None:
    assert weak_label("太黑心了[怒][怒]") == 0
    assert weak_label("处理得好[赞]") == 2
    assert weak_label("转发微博") == 1  # no emoticon: a neutral candidate
    assert weak_label("[怒]可是又[赞]") is None  # both sides
    assert weak_label("看看[围观]") is None  # only a code that takes no side
    # The repost chain's emoticons are someone else's.
    assert weak_label("知道了//@某人:气死了[怒]") == 1


def test_a_post_takes_the_side_most_of_its_responses_take() -> None:
    assert post_label(Counter({0: 8, 2: 1, 1: 40})) == 0
    assert post_label(Counter({0: 1, 2: 6})) == 2
    assert post_label(Counter({0: 4, 2: 4})) is None  # split
    assert post_label(Counter({1: 40, 0: 1})) == 1  # many responses, no side
    assert post_label(Counter({1: 3})) is None  # too few to say


def test_near_copies_of_sample_texts_are_recognised() -> None:
    near = NearCopies(["【提醒】花露水属易燃品，涂完别马上做饭，转告家人"])
    assert "花露水属易燃品，涂完别马上做饭！！@某人" in near
    assert "今天天气很好，出去走走" not in near


def _tiny_training_set() -> TrainingSet:
    texts = {
        0: ["黑心商家太恶心", "气死了太黑心", "恶心的地沟油", "无良商家气死", "黑心工厂"],
        1: ["明天上午开会", "地址在人民路", "会议通知发布", "上午在人民路", "明天发布通知"],
        2: ["处理得好点赞", "点赞好样的", "太感动了点赞", "好样的感动", "处理及时感动"],
    }
    data = TrainingSet()
    for label, group in texts.items():
        for text in group * 3:  # min. document frequency 3
            data.clauses.append(document_from_text(text).sentiment_clauses)
            data.labels.append(label)
            data.weights.append(1.0)
    return data


def test_a_model_fitted_on_weak_labels_reads_new_texts_and_survives_saving(
    tmp_path: Path,
) -> None:
    model = fit(_tiny_training_set(), c=10.0)
    for text, expected in (("这家黑心商家", "negative"), ("人民路会议通知", "neutral")):
        label, _, reasons = model.predict(document_from_text(text).sentiment_clauses)
        assert label == expected, (text, label)
    label, score, reasons = model.predict(document_from_text("点赞，好样的").sentiment_clauses)
    assert label == "positive" and score > 0
    assert reasons and all(r.text.startswith("模型词语：") for r in reasons)
    path = tmp_path / "sentiment.npz"
    model.lexicon_weight, model.neutral_bias = 1.5, -0.25
    model.save(path)
    again = SentimentModel.load(path)
    assert (again.lexicon_weight, again.neutral_bias) == (1.5, -0.25)
    clauses = document_from_text("黑心商家点赞").sentiment_clauses
    assert again.margins(clauses, 0.5)[0] == pytest.approx(model.margins(clauses, 0.5)[0])


def test_the_lexicon_polarity_moves_the_margin_by_its_weight() -> None:
    model = fit(_tiny_training_set(), c=10.0)
    clauses = document_from_text("人民路").sentiment_clauses
    model.lexicon_weight = 2.0
    plain, _ = model.margins(clauses, 0.0)
    pushed, _ = model.margins(clauses, -1.0)
    assert pushed[0] - plain[0] == pytest.approx(1.0)
    assert pushed[2] - plain[2] == pytest.approx(-1.0)
    assert pushed[1] == pytest.approx(plain[1])


def test_a_file_that_is_not_a_sentiment_model_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "other.npz"
    np.savez(bad, header=np.array('{"meta": {"format": "something-else"}}'))
    with pytest.raises(ValueError, match="not a yuqing-sentiment-linear/1 model"):
        SentimentModel.load(bad)
    assert load_sentiment_model(tmp_path / "missing.npz") is None


def test_the_analyser_uses_the_shipped_model_with_the_lexicon_as_an_input() -> None:
    model = load_sentiment_model()
    if model is None:
        pytest.skip(f"no shipped model at {MODEL_PATH} (yuqing train sentiment writes it)")
    texts = ("抽检不合格，黑心商家太恶心了[怒]", "市场监管局发布通知", "执法人员处理及时，点赞！")
    for text in texts:
        document = document_from_text(text)
        result = score_sentiment(document)
        lexicon = lexicon_sentiment(document).score
        label, score, _ = model.predict(document.sentiment_clauses, lexicon)
        assert (result.label, result.score) == (label, score)


def test_the_cli_offers_training_the_sentiment_model() -> None:
    from click.testing import CliRunner

    from yuqing.cli import main

    result = CliRunner().invoke(main, ["train", "sentiment", "--help"])
    assert result.exit_code == 0, result.output
    assert "--output" in result.output and "emoticon" in result.output
