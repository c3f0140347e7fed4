"""The trained relevance model: fitting, storage without pickle, and the combined scorer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nlp.relevance import relevant_by_pair_alone
from nlp.relevance_model import (
    MODEL_PATH,
    MODEL_VETO,
    RelevanceModel,
    TrainedRelevanceScorer,
    fired_by,
)
from nlp.text import document_from_text
from nlp.training.relevance_train import TrainingSet, fit

ON_TOPIC = [
    "超市销售的樱桃被发现有蛆虫，消费者投诉",
    "某品牌果汁被曝含有农药，厂家回应",
    "网购的奶粉疑似假货，孩子喝了腹泻",
    "小区电梯突然下坠，多人被困",
    "工商部门查处一批假冒名牌运动鞋",
    "饭店使用过期肉，食客吃坏肚子",
    "手机电池突然爆炸，用户手被烧伤",
    "这批月饼检出防腐剂超标",
]
OFF_TOPIC = [
    "今天天气真好，去公园散步",
    "周末一起看电影吧，新片很好看",
    "明星离婚的消息刷屏了",
    "足球比赛太精彩了，最后一分钟进球",
    "加班到深夜，好累",
    "旅行照片分享，海边日落很美",
    "新学期开始了，孩子上学",
    "股市今天大涨，心情不错",
]


def _model() -> RelevanceModel:
    texts = ON_TOPIC * 3 + OFF_TOPIC * 3
    labels = [1] * len(ON_TOPIC) * 3 + [0] * len(OFF_TOPIC) * 3
    return fit(TrainingSet(texts, labels, {"test": len(texts)}))


def test_model_round_trips_and_separates_what_it_learned(tmp_path: Path) -> None:
    model = _model()
    path = tmp_path / "relevance.npz"
    model.save(path)
    loaded = RelevanceModel.load(path)
    texts = ["超市的樱桃有蛆虫", "周末去公园看日落"]
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-5)
    on, off = loaded.predict_proba(texts)
    assert on > 0.5 > off


def test_combined_scorer_only_adds_recall_and_says_why() -> None:
    scorer = TrainedRelevanceScorer(_model())
    lexical = document_from_text("电梯困人事故，特种设备检验不合格")
    everyday = document_from_text("超市卖的樱桃里有蛆虫，消费者投诉了")
    chatter = document_from_text("周末一起去公园散步看日落")
    assert scorer.score(lexical).score >= scorer.lexicon.score(lexical).score
    result = scorer.score(everyday)
    assert result.score >= 0.5
    assert (result.reasons and any(r.text.startswith("模型词语") for r in result.reasons)) or (
        scorer.lexicon.score(everyday).score >= 0.5
    )
    assert scorer.score(chatter).score < 0.5


def test_reasons_say_which_part_fired() -> None:
    scorer = TrainedRelevanceScorer(_model())
    both = scorer.score(document_from_text("超市的樱桃检出农药残留超标，消费者投诉"))
    assert both.score >= 0.5
    assert both.reasons[0].kind == "relevance"
    assert both.reasons[0].text in ("判定：词表+模型", "判定：词表", "判定：模型")
    model_only = scorer.score(document_from_text("网购的奶粉疑似假货，孩子喝了腹泻"))
    if scorer.lexicon.score(document_from_text("网购的奶粉疑似假货，孩子喝了腹泻")).score < 0.5:
        assert model_only.reasons[0].text == "判定：模型"
        assert any(r.text.startswith("模型词语") for r in model_only.reasons)
    assert fired_by(True, True) == "词表+模型" and fired_by(False, False) == ""


def test_model_vetoes_only_weak_lexicon_hits() -> None:
    """An article whose weak terms add up is vetoed when the model reads it as off-topic; a
    strong term (食物中毒) never is."""
    scorer = TrainedRelevanceScorer(_model())
    weak = "质量 消费者 进出口 质量 消费者 投诉 天气真好 周末去公园 明星离婚 足球比赛"
    lexicon = scorer.lexicon.score(document_from_text(weak))
    assert lexicon.score >= 0.5  # the weak terms add up
    assert not scorer.has_strong_term(lexicon)
    vetoed = scorer.score(document_from_text(weak))
    probability = scorer.model.probability(document_from_text(weak).full_text)
    assert (vetoed.score < 0.5) == (probability < MODEL_VETO)
    strong = document_from_text("周末去公园散步，明星离婚，足球比赛，幼儿园发生食物中毒")
    assert scorer.score(strong).score >= 0.5


def test_comments_are_read_by_the_lexicon_alone() -> None:
    scorer = TrainedRelevanceScorer(_model())
    text = "网购的奶粉疑似假货，孩子喝了腹泻"
    comment = document_from_text(text, kind="comment")
    assert scorer.score(comment).score == scorer.lexicon.score(comment).score


def test_runtime_scoring_equals_scikit_learns() -> None:
    """The dictionary scoring of ``RelevanceModel.probability`` gives what the fitted
    vectoriser and classifier give (the same texts, refitted here to compare)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from nlp.normalise import normalise

    texts = ON_TOPIC * 3 + OFF_TOPIC * 3
    labels = [1] * len(ON_TOPIC) * 3 + [0] * len(OFF_TOPIC) * 3
    model = fit(TrainingSet(texts, labels, {"test": len(texts)}))
    vectoriser = TfidfVectorizer(
        analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2, lowercase=False
    )
    matrix = vectoriser.fit_transform([normalise(t) for t in texts])
    classifier = LogisticRegression(C=8.0, solver="liblinear", class_weight="balanced")
    classifier.fit(matrix, labels)
    probe = ["超市的樱桃有蛆虫", "周末去公园看日落", "手机电池爆炸了"]
    expected = classifier.predict_proba(vectoriser.transform([normalise(t) for t in probe]))[:, 1]
    assert np.allclose(model.predict_proba(probe), expected, atol=1e-6)


def test_shipped_model_loads_and_reads_everyday_wording() -> None:
    """The file ``yuqing train relevance`` wrote (its figures: ``yuqing evaluate relevance``)."""
    model = RelevanceModel.load(MODEL_PATH)
    on, off = model.predict_proba(["地沟油又回到餐桌，吃火锅要小心", "今天的足球比赛太精彩了"])
    assert on > 0.5 > off
    assert model.meta["counts"]["news"] > 2000


def test_the_stage_uses_the_shipped_model_and_says_which_part_fired() -> None:
    from nlp.relevance import default_scorer

    scorer = default_scorer()
    assert isinstance(scorer, TrainedRelevanceScorer)
    # A complaint in everyday words that no lexicon term covers: only the model can find it.
    everyday = scorer.score(document_from_text("这家超市卖的猪肉注水严重，吃了拉肚子"))
    assert everyday.score >= 0.5
    assert everyday.reasons[0].kind == "relevance" and everyday.reasons[0].text == "判定：模型"
    chatter = scorer.score(document_from_text("周末和朋友去海边看日落，心情很好"))
    assert chatter.score < 0.5 and not any(r.kind == "relevance" for r in chatter.reasons)


def test_a_word_pair_is_never_vetoed() -> None:
    """缆车 + 停了 is the public's telling of a special-equipment incident: the model, which
    has read few of them, cannot veto it (a strong term)."""
    scorer = TrainedRelevanceScorer(_model())
    text = "今天天气真好，去公园散步，缆车停了"
    document = document_from_text(text)
    lexicon = scorer.lexicon.score(document)
    assert scorer.has_strong_term(lexicon)
    assert scorer.model.probability(document.full_text) < MODEL_VETO  # it would veto a term
    result = scorer.score(document)
    assert result.score >= 0.5 and result.reasons[0].text.startswith("判定：词表")
    assert relevant_by_pair_alone(result.reasons)  # the lexicon's pair alone fired


def test_a_pair_is_not_alone_when_the_model_fires_too() -> None:
    """The model reads the text as relevant by itself: the pair is not all that made it so."""
    scorer = TrainedRelevanceScorer(_model())
    document = document_from_text("导购说国补后3999，上周标价才3499，超市销售的樱桃被发现有蛆虫")
    assert relevant_by_pair_alone(scorer.lexicon.score(document).reasons)
    result = scorer.score(document)
    assert result.reasons[0].text == "判定：词表+模型"
    assert any(r.kind == "relevance" and r.text.startswith("词对：") for r in result.reasons)
    assert not relevant_by_pair_alone(result.reasons)
