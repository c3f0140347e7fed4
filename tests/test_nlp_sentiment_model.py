"""The trained sentiment model (nlp/sentiment_model.py) and its weak labels
(nlp/training/sentiment_train.py, nlp/training/sentiment_posts.py).

Unit behaviour on small real arrays and texts; the shipped model's figures on the labelled
sample are benchmarks/nlp_topics_sentiment_bench.py's, not asserted here.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlp.sentiment import lexicon_sentiment, score_sentiment
from nlp.sentiment_model import (
    MODEL_PATH,
    SentimentModel,
    features,
    kind_group,
    load_sentiment_model,
)
from nlp.text import document_from_text
from nlp.training.sentiment_posts import disaster_posts, emoticon_posts, neutral_posts
from nlp.training.sentiment_train import NearCopies, TrainingSet, fit, post_label, weak_label
from tests.support.sentiment_data import write_jsonl_gz


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
    assert "--tuning-weight" in result.output
    refused = CliRunner().invoke(main, ["train", "sentiment", "--tuning-weight", "-1"])
    assert refused.exit_code == 2 and "--tuning-weight" in refused.output


def test_the_kind_of_mention_moves_the_scores_by_its_own_offsets(tmp_path: Path) -> None:
    model = fit(_tiny_training_set(), c=10.0)
    clauses = document_from_text("人民路").sentiment_clauses
    plain, _ = model.margins(clauses, 0.0, "comment")
    model.kind_offsets = {"comment": (0.5, 1.0), "article": (-1.0, 0.0)}
    comment, _ = model.margins(clauses, 0.0, "comment")
    repost, _ = model.margins(clauses, 0.0, "repost")  # read as a comment
    post, _ = model.margins(clauses, 0.0, "post")  # no offsets of its own
    assert comment == repost
    assert comment[1] - plain[1] == pytest.approx(0.5)
    assert comment[2] - plain[2] == pytest.approx(0.5)
    assert comment[0] - plain[0] == pytest.approx(-0.5)
    assert post == pytest.approx(plain)
    assert kind_group("article") == "article" and kind_group("official") == "post"
    path = tmp_path / "sentiment.npz"
    model.save(path)
    assert SentimentModel.load(path).kind_offsets == model.kind_offsets


def test_posts_are_labelled_by_their_own_emoticons_their_domain_or_a_notice(
    tmp_path: Path,
) -> None:
    write_jsonl_gz(
        tmp_path / "ced" / "ced_dev.jsonl.gz",
        [
            {"id": "1", "label": "non-rumor", "text": "【提醒】明日起地铁二号线调整首班车时间"},
            {"id": "2", "label": "rumor", "text": "太黑心了，这家店用地沟油[怒]"},
            {"id": "3", "label": "non-rumor", "text": "【提醒】今天真是气死人了！！太差劲"},
        ],
    )
    weibo21 = [
        ("科技", "某公司发布新款手机，售价三千元"),
        ("灾难事故", "某地发生山体滑坡，多人被困"),
        ("科技", "某公司发布新款手机，售价三千元起"),
        ("社会生活", "某小区的居民今天去公园散步"),
    ]
    write_jsonl_gz(
        tmp_path / "rumor_more" / "weibo21.jsonl.gz",
        [
            {"id": str(n), "label": "non-rumor", "domain": domain, "text": text}
            for n, (domain, text) in enumerate(weibo21)
        ],
    )
    write_jsonl_gz(tmp_path / "rumor_more" / "mm17.jsonl.gz", [])
    counts: Counter[str] = Counter()
    skip = {("weibo21", 2)}  # a line the labelled sample draws from
    near = NearCopies(["今天天气很好"])
    polar = frozenset(["怒", "赞"])
    neutral = list(neutral_posts(tmp_path, skip, near.__contains__, polar, counts))
    # The tip (ced 0) and the tech report (weibo21 0); not the angry "notice" (ced 2), not
    # the sample's line, not an everyday post outside the report domains without a notice.
    assert [w for c in neutral[0] for w in c][:2] == ["提醒", "明日"]
    assert len(neutral) == 2
    assert counts["neutral_skipped_takes_a_side"] == 1
    assert counts["neutral_skipped_in_sample"] == 1
    emoticons = list(emoticon_posts(tmp_path, skip, near.__contains__, weak_label, counts))
    assert [label for _, label in emoticons] == [0]
    assert "怒" not in {w for c in emoticons[0][0] for w in c}  # the emoticon is not read
    disasters = list(disaster_posts(tmp_path, skip, near.__contains__, counts))
    assert len(disasters) == 1 and counts["disaster_weibo21"] == 1
