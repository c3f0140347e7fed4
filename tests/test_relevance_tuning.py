"""The relevance tuning part: out-of-fold scores of the hand-labelled posts, near-copies held
out together, and the stage's rule swept over its knobs."""

from __future__ import annotations

from nlp.relevance_model import RelevanceModel, decide
from nlp.training.relevance_train import TrainingSet, fit
from nlp.training.relevance_tuning import errors, hand_folds, out_of_fold, scores, sweep

RELEVANT = [
    "超市销售的樱桃被发现有蛆虫，消费者投诉到市场监管局",
    "某品牌果汁被曝含有农药残留，厂家回应称符合国家标准",
    "网购的奶粉疑似假货，孩子喝了腹泻，家长向12315投诉",
    "小区电梯突然下坠，多人被困，维保单位称刚检查过",
    "工商部门查处一批假冒名牌运动鞋，涉案金额二十万元",
    "饭店后厨使用过期肉，食客吃坏肚子，食药监部门介入",
]
UNRELATED = [
    "今天天气真好，和朋友去公园散步，拍了很多照片",
    "周末一起看电影吧，新上映的科幻片据说很好看",
    "明星离婚的消息刷屏了，网友纷纷留言祝福",
    "足球比赛太精彩了，最后一分钟绝杀进球",
    "加班到深夜，地铁末班车都没了，好累",
    "新学期开始了，孩子背着书包高高兴兴去上学",
]


def _data() -> TrainingSet:
    data = TrainingSet([], [], {})
    for i, text in enumerate(RELEVANT):
        data.add(text, 1, "weibo_hand_positive", 20.0, group=i)
        # a near-copy in the same group: it must never train the model that scores its twin
        data.add(text + "，转发扩散", 1, "weibo_lexicon_positive", 20.0, group=i)
    for i, text in enumerate(UNRELATED):
        data.add(text, 0, "weibo_hand_negative", group=100 + i)
        data.add(text + "。", 0, "weibo_lexicon_negative", group=100 + i)
    for text in RELEVANT[:3] + UNRELATED[:3]:  # texts with no group are always trained on
        data.add(text[:8], int(text in RELEVANT), "terms")
    return data


def test_folds_hold_each_hand_post_once_with_its_group() -> None:
    data = _data()
    folds = hand_folds(data, folds=3)
    held = sorted(int(i) for fold in folds for i in fold)
    hand = [i for i, kind in enumerate(data.kinds) if kind.startswith("weibo_hand")]
    assert held == hand
    for fold in folds:
        assert {data.labels[int(i)] for i in fold} == {0, 1}  # stratified


def test_out_of_fold_never_trains_on_a_held_group() -> None:
    data = _data()
    seen: list[set[str]] = []

    def spying_fit(part: TrainingSet) -> RelevanceModel:
        seen.append(set(part.texts))
        return fit(part)

    scored = out_of_fold(data, spying_fit, folds=3)
    assert len(scored) == len(RELEVANT) + len(UNRELATED)
    folds = hand_folds(data, folds=3)
    for trained_on, fold in zip(seen, folds, strict=True):
        for i in fold:
            text = data.texts[int(i)]
            assert text not in trained_on and text + "，转发扩散" not in trained_on
    # the real texts' lexicon and model scores are carried for the sweep
    cherry = next(s for s in scored if "樱桃" in s.text)
    assert cherry.label == 1 and cherry.lexicon > 0.0 and 0.0 <= cherry.probability <= 1.0
    walk = next(s for s in scored if "公园" in s.text)
    assert walk.lexicon == 0.0 and not walk.relevant(model_threshold=0.99)


def test_sweep_and_errors_follow_the_stage_rule() -> None:
    scored = out_of_fold(_data(), fit, folds=3)
    grid = sweep(scored)
    assert len(grid) == 20
    for threshold, veto, result in grid:
        assert result.tp + result.fp + result.fn + result.tn == len(scored)
        assert result == scores(scored, lambda s, t=threshold, v=veto: s.relevant(t, v))
    for kind, item in errors(scored):
        assert item.relevant() != bool(item.label)
        assert kind == ("false negative" if item.label else "false positive")


def test_decide_lets_a_strong_term_through_the_veto() -> None:
    assert decide(0.6, strong_term=True, probability=0.01) == (True, False)
    assert decide(0.6, strong_term=False, probability=0.01) == (False, False)
    assert decide(0.0, strong_term=False, probability=0.9) == (False, True)


def test_drawn_posts_fold_apart_and_leave_the_first_folds_unchanged() -> None:
    first = _data()
    before = [sorted(int(i) for i in fold) for fold in hand_folds(first, folds=3)]
    data = _data()
    for i, text in enumerate(RELEVANT + UNRELATED):
        label = int(text in RELEVANT)
        kind = "drawn_hand_positive" if label else "drawn_hand_negative"
        data.add("转：" + text, label, kind, 20.0 if label else 1.0, group=200 + i)
    after = hand_folds(data, folds=3)
    n = len(first.texts)
    assert [sorted(int(i) for i in fold if i < n) for fold in after] == before
    drawn = sorted(int(i) for fold in after for i in fold if i >= n)
    assert drawn == list(range(n, len(data.texts)))
    for fold in after:  # each fold holds drawn posts of both labels
        assert {data.labels[int(i)] for i in fold if i >= n} == {0, 1}


def test_a_zero_weight_text_is_scored_never_trained_on() -> None:
    data = _data()
    for text in ("零权重的独特文本甲乙丙", "又一条甲乙丙零权重的文本"):  # twice: min_df is 2
        data.add(text, 1, "drawn_hand_positive", 0.0, group=300)
    assert not any("甲乙" in str(term) for term in fit(data).terms)
    data.weights[-2:] = [1.0, 1.0]
    assert any("甲乙" in str(term) for term in fit(data).terms)
