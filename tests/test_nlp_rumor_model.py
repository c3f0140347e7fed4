"""The trained rumour model: CED records, grouping, training, storage without pickle, the CLI."""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from click.testing import CliRunner

from nlp.normalise import normalise
from nlp.rumor.ced import (
    RecordError,
    Response,
    RumorInput,
    from_record,
    parse_post_time,
    parse_response_time,
)
from nlp.rumor.features import DENSE_NAMES
from nlp.rumor.model import MODEL_PATH, RumorModel, rows_of
from nlp.rumor.trees import tree_features
from nlp.training.rumor_train import Params, figures, fit, near_duplicate_groups
from tests.conftest import require_dataset
from yuqing.cli import main

T = datetime(2013, 5, 1, 4, 0, tzinfo=UTC)  # 12:00 in Beijing


def test_post_times_in_every_form_the_data_uses() -> None:
    assert parse_post_time(1367380800) == T
    assert parse_post_time("1367380800") == T
    assert parse_post_time("Wed May 01 12:00:00 +0800 2013") == T
    assert parse_post_time("") is None and parse_post_time(None) is None


def test_response_times_are_beijing_time_and_month_day_takes_the_posts_year() -> None:
    assert parse_response_time("2013-05-01 12:30:00", T) == T + timedelta(minutes=30)
    assert parse_response_time("05月01日 13:00", T) == T + timedelta(hours=1)
    # December post, January reply: the next year.
    december = datetime(2012, 12, 31, 15, 0, tzinfo=UTC)
    assert parse_response_time("01月01日 08:00", december) == datetime(2013, 1, 1, 0, 0, tzinfo=UTC)
    assert parse_response_time("not a date", T) is None
    assert parse_response_time("2013-02-30 12:00:00", T) is None


def test_responses_until_a_horizon() -> None:
    record = {
        "id": "x",
        "text": "网传某地奶粉有毒",
        "time": 1367380800,
        "responses": [
            {"text": "真的吗", "date": "2013-05-01 12:10:00"},
            {"text": "求证", "date": "2013-05-01 14:00:00"},
            {"text": "假的", "date": "2013-05-03 12:00:00"},
            {"text": "没有时间", "date": ""},
        ],
    }
    item = from_record(record)
    assert [len(item.responses_until(h)) for h in (0, 1, 3, 24, None)] == [0, 1, 2, 2, 4]
    assert [r.text for r in item.responses[:3]] == ["真的吗", "求证", "假的"]  # time order


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"id": "a"}, "field 'text'"),
        ({"text": 3}, "field 'text'"),
        ({"text": "x", "responses": "nope"}, "field 'responses'"),
    ],
)
def test_bad_records_name_the_field(record: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        from_record(record)


def test_normalise_turns_markup_into_markers() -> None:
    assert normalise("转发 //@张三: 快看 http://t.cn/abc @李四 真的") == "转发 // 快看 url @ 真的"


def test_near_duplicates_share_a_group_and_different_stories_do_not() -> None:
    texts = [
        "紧急扩散！某品牌奶粉检出三聚氰胺，已有婴儿住院，大家千万不要买了",
        "【转】紧急扩散！某品牌奶粉检出三聚氰胺，已有婴儿住院，大家千万不要买了！！",
        "今天天气很好，去公园散步看到很多人在放风筝",
        "市场监管局发布电梯安全提示，请勿在电梯内蹦跳",
    ]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1]
    assert len({groups[0], groups[2], groups[3]}) == 3


def test_figures_per_class() -> None:
    y = np.array([1, 1, 0, 0])
    result = figures(y, np.array([1, 0, 0, 0]))
    assert result.accuracy == 0.75 and result.balanced_accuracy == 0.75
    assert result.f1_rumor == pytest.approx(2 / 3) and result.f1_non_rumor == pytest.approx(0.8)


# ---- a small model on project-written posts ---------------------------------------------------

RUMOURS = [
    "紧急扩散！{}喝了会致癌，已经有孩子住院了，转给家人",
    "千万别吃{}！里面有塑料，看到请转发",
    "网传{}被查出致癌物，大家赶紧告诉身边的人",
]
FACTS = [
    "市场监管局通报：{}抽检合格率达到百分之九十八",
    "据新华社报道，{}新国标今日起正式实施",
    "{}召回公告：企业主动召回部分批次产品",
]
PRODUCTS = ["奶粉", "紫菜", "矿泉水", "方便面", "酸奶", "火腿肠", "大米", "食用油", "饼干", "果汁"]


def _corpus() -> list[RumorInput]:
    items: list[RumorInput] = []
    for i, product in enumerate(PRODUCTS):
        for j, template in enumerate(RUMOURS):
            doubt = [
                Response("求证，真的假的", T + timedelta(minutes=10)),
                Response("谣言吧", T + timedelta(hours=2)),
            ]
            items.append(
                RumorInput(
                    f"r{i}{j}",
                    template.format(product),
                    T,
                    {"verified": False},
                    0,
                    tuple(doubt),
                    "rumor",
                )
            )
        for j, template in enumerate(FACTS):
            items.append(
                RumorInput(
                    f"f{i}{j}", template.format(product), T, {"verified": True}, 0, (), "non-rumor"
                )
            )
    return items


def test_trained_model_round_trips_without_pickle_and_explains_itself(tmp_path: Path) -> None:
    items = _corpus()
    model = fit(items, Params(min_df=1))
    path = tmp_path / "rumor.npz"
    model.save(path)
    with zipfile.ZipFile(path) as archive:  # plain arrays only: no pickled objects inside
        for name in archive.namelist():
            with archive.open(name) as member:
                header = np.lib.format.read_magic(member)
                assert header is not None
    loaded = RumorModel.load(path)
    fresh = [
        RumorInput("n1", "千万别吃薯片！里面有塑料，看到请转发", T, {"verified": False}),
        RumorInput("n2", "市场监管局通报：薯片抽检合格率达到百分之九十八", T, {"verified": True}),
    ]
    assert np.allclose(loaded.predict_proba(fresh), model.predict_proba(fresh), atol=1e-5)
    rumour, fact = loaded.score(fresh)
    assert rumour.probability > 0.5 > fact.probability
    assert rumour.label == "rumor" and fact.label == "non-rumor"
    # Posts without responses are scored by the post-alone trees; on this toy corpus one
    # figure separates the classes, so that is the reason (n-gram reasons: the shipped test).
    assert model.post_alone is not None and rumour.reasons and fact.reasons
    answered = RumorInput(
        "n3", fresh[0].text, T, {"verified": False}, 0, (Response("求证", T + timedelta(hours=1)),)
    )
    (scored,) = loaded.score([answered])
    assert any(r.kind == "term" and r.text.startswith("帖文") for r in scored.reasons)
    # A post without any author figure is scored by the anonymous trees, also after loading.
    anonymous = [RumorInput("n4", fresh[0].text, T), RumorInput("n5", fresh[1].text, T)]
    assert loaded.post_alone is not None and loaded.post_alone.anonymous is not None
    assert np.allclose(loaded.predict_proba(anonymous), model.predict_proba(anonymous), atol=1e-5)
    document = rumour.as_json()
    assert set(document) == {"id", "rumor_probability", "label", "reasons"}


def test_a_model_with_claim_cues_round_trips_and_reads_them(tmp_path: Path) -> None:
    model = fit(_corpus(), Params(min_df=1, claim_cues=True))
    assert model.post_alone is not None and model.post_alone.cues
    path = tmp_path / "rumor.npz"
    model.save(path)
    loaded = RumorModel.load(path)
    assert loaded.post_alone is not None and loaded.post_alone.cues
    fresh = [RumorInput("n1", "紧急扩散！听说薯片里面有塑料，千万别吃", T, {"verified": False})]
    assert np.allclose(loaded.predict_proba(fresh), model.predict_proba(fresh), atol=1e-5)
    inputs = loaded.post_alone.inputs(
        sp.csr_matrix((1, len(loaded.post_alone.coef_text))),
        np.zeros((1, len(DENSE_NAMES))),
        ["紧急扩散"],
    )
    assert inputs.shape[1] == len(tree_features(True))


def test_counted_once_matrix_equals_the_models_own_transform() -> None:
    # Training tokenises each text once and derives every fold's matrix from the counts
    # (nlp.training.rumor_counts); scoring transforms the texts. Both must give the same numbers.
    from nlp.training.rumor_train import expand, fit_prepared, prepare_items

    items = _corpus()
    params = Params(min_df=1, response_min_df=1, post_max_features=40)
    prep = prepare_items(items, params, params.train_horizons)
    y = np.array([1 if i.label == "rumor" else 0 for i in items])
    train, test = np.arange(0, len(items), 2), np.arange(1, len(items), 2)
    fitted = fit_prepared(prep, train, y[train], params)
    assert len(fitted.model.post.terms) == 40
    for hours in (0, 1, None):
        fast = fitted.matrix(prep, test, hours).toarray()
        slow = fitted.model.matrix(rows_of(expand([items[i] for i in test], [hours])))
        assert np.allclose(fast, slow.toarray())


def test_author_deciles_are_indicators_and_a_missing_figure_has_their_mean(
    tmp_path: Path,
) -> None:
    from nlp.rumor.bins import bin_edges, bin_matrix
    from nlp.rumor.model import BIN_COLUMNS, DENSE_NAMES

    dense = np.full((12, len(DENSE_NAMES)), np.nan)
    dense[:10, BIN_COLUMNS[0]] = np.arange(10.0)
    edges = bin_edges(dense, BIN_COLUMNS, bins=5)
    assert edges.shape == (len(BIN_COLUMNS), 4)
    matrix = bin_matrix(dense, BIN_COLUMNS, edges)
    assert matrix.shape == (12, 5 * len(BIN_COLUMNS))
    known = matrix[:10, :5]
    assert known.sum(axis=1).tolist() == [1.0] * 10 and set(known.ravel()) == {0.0, 1.0}
    assert matrix[0, 0] == 1 and matrix[9, 4] == 1
    # A missing figure says nothing: each of its bins holds their mean share, 1 / bins.
    assert np.allclose(matrix[:10, 5:], 0.2) and np.allclose(matrix[10:], 0.2)
    # A model file written before the bins (no bin_edges array) still loads and scores.
    model = fit(_corpus(), Params(min_df=1, bins=0))
    assert model.bin_edges is None
    model.save(tmp_path / "old.npz")
    loaded = RumorModel.load(tmp_path / "old.npz")
    assert loaded.bin_edges is None
    item = [RumorInput("x", "千万别吃薯片！里面有塑料", T, {"followers": 10})]
    assert np.allclose(loaded.predict_proba(item), model.predict_proba(item), atol=1e-5)


def test_load_refuses_a_file_of_another_format(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, header=np.array(json.dumps({"meta": {"format": "other"}})))
    with pytest.raises(ValueError, match="not a yuqing-rumor-linear"):
        RumorModel.load(path)


# ---- the shipped model ----------------------------------------------------------------------


def test_shipped_model_sharpens_as_doubting_responses_arrive() -> None:
    model = RumorModel.load(MODEL_PATH)
    post = "紧急扩散！某品牌奶粉检出致癌物，已有婴儿住院，大家千万不要买，转给家人"
    alone = RumorInput("p", post, T, {"verified": False, "followers": 300})
    doubted = RumorInput(
        "p",
        post,
        T,
        {"verified": False, "followers": 300},
        0,
        tuple(
            Response(text, T + timedelta(minutes=5 * i))
            for i, text in enumerate(
                ["求证", "真的假的？", "这是谣言，早就辟谣了", "假的，别信", "谣言"]
            )
        ),
    )
    before, after = model.score([alone, doubted])
    assert after.probability > before.probability
    assert any("条评论质疑" in r.text for r in after.reasons)
    assert model.meta["posts"] >= 2000 and "evaluation" in model.meta


def test_shipped_model_separates_the_development_posts() -> None:
    """A sanity check of the shipped file against its data (in-sample: not a figure)."""
    from nlp.rumor.ced import labels_of, load_ced

    items = load_ced(require_dataset("ced/ced_dev.jsonl.gz"), limit=150)
    model = RumorModel.load(MODEL_PATH)
    predicted = (model.predict_proba(items) >= 0.5).astype(int)
    assert figures(np.array(labels_of(items)), predicted).accuracy > 0.85
    alone = [item.at_horizon(0) for item in items]  # the post-alone trees
    predicted = (model.predict_proba(alone) >= 0.5).astype(int)
    assert figures(np.array(labels_of(items)), predicted).accuracy > 0.85


def test_shipped_model_does_not_read_a_missing_author_as_a_rumour() -> None:
    """The 57 CED posts without a user are all rumours (deleted accounts): models that could
    tell a missing author learnt that, and scored news articles and notices (no author
    figures) as rumours: the notice below 0.92, and a quarter of the non-rumour posts with an
    hour of replies when stripped of their author."""
    from nlp.rumor.ced import load_ced

    model = RumorModel.load(MODEL_PATH)
    notice = (
        "【江州市市场监管局：3批次食品抽检不合格】江州市市场监督管理局今日发布食品安全监督"
        "抽检信息，3批次食品不合格，已责令企业下架召回。"
    )
    assert model.predict_proba([RumorInput("notice", notice, T)])[0] < 0.5
    items = load_ced(require_dataset("ced/ced_dev.jsonl.gz"), limit=400)
    answered = [i.at_horizon(1) for i in items if i.label == "non-rumor"]
    stripped = [replace(i, user={}) for i in answered if i.responses]
    assert len(stripped) > 100
    assert float(np.mean(model.predict_proba(stripped) >= 0.5)) < 0.1


def test_shipped_post_alone_trees_explain_with_terms_and_author() -> None:
    model = RumorModel.load(MODEL_PATH)
    assert model.post_alone is not None and model.platt_empty is not None
    post = "紧急扩散！！某品牌奶粉检出致癌物，已有婴儿住院，大家千万不要买，转给家人"
    (score,) = model.score([RumorInput("p", post, T, {"verified": False, "followers": 300})])
    kinds = {r.kind for r in score.reasons}
    assert "term" in kinds and "feature" in kinds
    assert all(r.text.startswith("帖文") for r in score.reasons if r.kind == "term")


def test_exported_trees_equal_scikit_learns_and_their_shares_add_up() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from nlp.rumor.trees import TREE_OPTIONS, Trees

    rng = np.random.default_rng(0)
    x = rng.random((400, 4))
    x[::5, 1] = np.nan  # missing values take the side the trees learnt
    y = (x[:, 0] + np.nan_to_num(x[:, 1], nan=0.7) * x[:, 2] > 0.8).astype(int)
    boosted = HistGradientBoostingClassifier(early_stopping=False, **TREE_OPTIONS).fit(x, y)
    trees = Trees.from_sklearn(boosted, x)
    assert np.allclose(trees.raw(x), boosted.decision_function(x))
    base, credit = trees.attribution(x)
    assert np.allclose(base + credit.sum(axis=1), trees.raw(x))
    assert credit[:, 3].std() < credit[:, 0].std()  # the unused figure gets (almost) nothing


def test_score_rumor_command_writes_one_line_per_record_and_reports_bad_ones(
    tmp_path: Path,
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps(
            {
                "id": "a",
                "text": "紧急扩散！自来水有毒，千万别喝",
                "responses": [{"text": "求证", "date": ""}],
            }
        ),
        "{not json",
        json.dumps({"id": "b"}),
        json.dumps({"id": "c", "text": "市场监管局发布电梯安全提示", "user": {"verified": True}}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["score", "rumor", "--input", str(source)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "c"]
    for o in out:
        assert 0.0 <= o["rumor_probability"] <= 1.0
        assert o["label"] in ("rumor", "non-rumor") and isinstance(o["reasons"], list)
    assert "in.jsonl:2: skipped: not JSON" in result.stderr
    assert "in.jsonl:3: skipped: field 'text'" in result.stderr


def test_rescoring_schedule_is_every_early_reply_then_doublings() -> None:
    from nlp.analyzer import rescore_due

    assert all(rescore_due(n, False) for n in range(1, 17))
    assert [n for n in range(17, 300) if rescore_due(n, False)] == [32, 64, 128, 256]
    assert rescore_due(100, True) and not rescore_due(1000, True) and rescore_due(1024, True)


def test_a_broken_model_file_falls_back_to_the_heuristic(tmp_path: Path) -> None:
    from nlp.rumor.model import load_model

    broken = tmp_path / "rumor.npz"
    broken.write_bytes(b"not a zip file")
    assert load_model(broken) is None


def test_tfidf_block_equals_scikit_learns_transform() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.tfidf import TfidfBlock

    texts = ["电梯困人事故", "奶粉检出三聚氰胺，奶粉召回", "", "今天天气很好"]
    reference = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
    expected = reference.fit_transform(texts).toarray()
    block = TfidfBlock((1, 2), reference.get_feature_names_out().astype(str), reference.idf_)
    assert np.allclose(block.transform(texts).toarray(), expected)
    # Its own counting equals scikit-learn's, runs of spaces and unknown n-grams included.
    others = ["电梯  困人 | 奶粉奶粉奶粉", "全新的词", "", "   "]
    assert (block.counts(others) != block.counter().transform(others)).nnz == 0
    words = TfidfBlock((1, 2), np.array(["奶粉", "召回", "奶粉 召回"]), np.ones(3), "word")
    sample = ["奶粉召回，奶粉召回", "没有"]
    assert (words.counts(sample) != words.counter().transform(sample)).nnz == 0


def test_a_lower_prior_lowers_the_probability_and_says_so() -> None:
    model = RumorModel.load(MODEL_PATH)
    item = RumorInput("p", "紧急扩散！超市的紫菜是塑料做的，千万别买", T, {"verified": False})
    (plain,) = model.score([item])
    (rebased,) = model.score([item], prior=0.1)
    assert rebased.probability < plain.probability
    assert model.prior_shift(1026 / 2295) == pytest.approx(0.0, abs=1e-3)
    assert any("先验校正" in r.text for r in rebased.reasons)


def test_spread_features_read_bare_reposts_speed_questions_and_early_doubt() -> None:
    from nlp.rumor.features import spread_features

    item = RumorInput(
        "s",
        "某地自来水有毒",
        T,
        {},
        0,
        (
            Response("转发微博", T + timedelta(minutes=1)),
            Response("真的假的？", T + timedelta(minutes=5)),
            Response("关注", T + timedelta(minutes=30)),
            Response("谣言", T + timedelta(hours=3)),
        ),
    )
    empty, length, within_10m, within_60m, questions, early = spread_features(item)
    assert empty == pytest.approx(1 / 4)
    assert length == pytest.approx(math.log1p((5 + 2 + 2) / 3))
    assert (within_10m, within_60m) == (pytest.approx(math.log1p(2)), pytest.approx(math.log1p(3)))
    assert questions == pytest.approx(1 / 3)
    # doubt at positions 1 and 3 of the read responses, weighted 1/sqrt(1 + position)
    assert early == pytest.approx(1 / math.sqrt(2) + 1 / math.sqrt(4))
    assert spread_features(RumorInput("t", "帖文")) == [0.0] * 6


@pytest.mark.parametrize(
    ("text", "doubt", "refute"),
    [
        ("求辟谣！听说某品牌奶粉致癌", 1.0, 0.0),  # asking for a debunk is doubt, not refutation
        ("这是不是谣言？某地自来水有毒", 1.0, 0.0),
        ("【辟谣】网传某品牌奶粉致癌不实，经抽检合格", 0.0, 1.0),
        ("关于某超市售卖过期食品的传言系谣言", 0.0, 1.0),
        ("某地自来水有毒，大家别喝了", 0.0, 0.0),
    ],
)
def test_the_posts_own_doubt_and_refutation_are_its_stance(
    text: str, doubt: float, refute: float
) -> None:
    # The model's post_doubt / post_refute read nlp.rumor.stance: with the lexicon's refute
    # words (求辟谣 among them) the model had learnt that debunk wording raises a score.
    from nlp.rumor.features import DENSE_NAMES, dense_features

    row = dense_features(RumorInput("s", text, T), [])
    post_doubt, post_refute = DENSE_NAMES.index("post_doubt"), DENSE_NAMES.index("post_refute")
    assert (row[post_doubt], row[post_refute]) == (doubt, refute)


@pytest.mark.parametrize(
    "mode", ["augment", "separate", "augment+separate", "", "augment+trees", "trees"]
)
def test_posts_without_responses_use_their_own_coefficients(mode: str, tmp_path: Path) -> None:
    items = _corpus()
    model = fit(items, Params(min_df=1, empty_model=mode))
    assert (model.coef_empty is None and model.post_alone is None) == (mode == "")
    assert (model.post_alone is not None) == ("trees" in mode)
    model.save(tmp_path / "m.npz")
    loaded = RumorModel.load(tmp_path / "m.npz")
    alone = RumorInput("a", "千万别吃薯片！里面有塑料，看到请转发", T, {"verified": False})
    answered = RumorInput(
        "b", alone.text, T, {"verified": False}, 0, (Response("求证", T + timedelta(minutes=3)),)
    )
    assert np.allclose(
        loaded.predict_proba([alone, answered]), model.predict_proba([alone, answered])
    )
    if model.coef_empty is not None and model.post_alone is None:
        rows = rows_of([alone, answered])
        matrix = model.matrix(rows)
        empty = model.empty_of(rows.dense)
        assert empty.tolist() == [True, False]
        z = model.decision(matrix, empty)
        assert z[0] == pytest.approx(matrix[0] @ model.coef_empty + model.intercept_empty)
        assert z[1] == pytest.approx(matrix[1] @ model.coef + model.intercept)
    if model.post_alone is not None:  # the trees' walk for scores and for reasons agree
        probabilities = [score.probability for score in loaded.score([alone, answered])]
        assert np.allclose(probabilities, loaded.predict_proba([alone, answered]))
        rows = rows_of([alone])
        with pytest.raises(ValueError, match="need the rows"):
            model.decision(model.matrix(rows), model.empty_of(rows.dense))


def test_traditional_text_is_read_as_simplified() -> None:
    model = RumorModel.load(MODEL_PATH)
    simplified = "紧急扩散！某品牌奶粉检出致癌物，已有婴儿住院，大家千万不要买"
    traditional = "緊急擴散！某品牌奶粉檢出致癌物，已有嬰兒住院，大家千萬不要買"
    replies = (Response("真的假的？求证", T + timedelta(minutes=20)),)
    traditional_replies = (Response("真的假的？求證", T + timedelta(minutes=20)),)
    for answers, traditional_answers in (((), ()), (replies, traditional_replies)):
        a = model.predict_proba([RumorInput("s", simplified, T, {}, 0, answers)])
        b = model.predict_proba([RumorInput("t", traditional, T, {}, 0, traditional_answers)])
        assert np.allclose(a, b)
