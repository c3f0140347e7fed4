"""Sentiment rules on the shipped lexicon (nlp/resources/sentiment.txt), through the Document the
analyser builds (``lexicon_sentiment``: the lexicon alone, which is also one input of the
trained model, tests/test_nlp_sentiment_model.py). The figures on labelled real texts are in
benchmarks/nlp_topics_sentiment_bench.py; these pin the rules behind them."""

from __future__ import annotations

import pytest

from nlp.sentiment import lexicon_sentiment as score_sentiment
from nlp.text import document_from_text


def label(text: str) -> str:
    return score_sentiment(document_from_text(text)).label


@pytest.mark.parametrize(
    "text",
    [
        "该公司负责生产和销售这批产品",  # 负责 = is in charge of: not praise
        "检测结果由专业机构出具",
        "双方正在协商解决",
        "他准备写信寻求支持",
    ],
)
def test_a_descriptive_word_alone_is_neutral(text: str) -> None:
    assert label(text) == "neutral"


@pytest.mark.parametrize(
    "text",
    [
        "一名5岁小孩在超市被人拐走",
        "执法人员端掉一个制假窝点",
        "30名员工午饭后腹泻就医",
        "家属听到消息后悲痛欲绝",
        "城管当街殴打小贩",
    ],
)
def test_harm_crime_and_grief_read_negative(text: str) -> None:
    assert label(text) == "negative"


@pytest.mark.parametrize("text", ["祝贺新书出版", "感动，这才是正能量", "今天真开心"])
def test_praise_and_warmth_read_positive(text: str) -> None:
    assert label(text) == "positive"


def test_negation_still_turns_a_problem_into_mild_praise() -> None:
    result = score_sentiment(document_from_text("检查中没有发现任何问题"))
    assert result.label == "neutral"
    assert result.score > 0
    assert [r.text for r in result.reasons] == ["不问题"]


def test_an_emoticon_alone_decides_like_an_opinion_word() -> None:
    candle = score_sentiment(document_from_text("今天路过这里[蜡烛]"))
    assert candle.label == "negative"
    assert [r.text for r in candle.reasons] == ["[蜡烛]"]
    assert label("好消息[哈哈]") == "positive"
    # Three of one code count, more do not add.
    three = score_sentiment(document_from_text("[怒][怒][怒]")).score
    assert score_sentiment(document_from_text("[怒][怒][怒][怒][怒]")).score == three
