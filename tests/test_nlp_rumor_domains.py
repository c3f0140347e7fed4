"""The rumor_more training posts and the held-out splits of issue 22 (domains, periods)."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from nlp.rumor.ced import RecordError, load_ced
from nlp.rumor.model import RumorModel
from nlp.training.rumor_domains import (
    LATER_FROM,
    LATER_SHARE,
    held_out,
    held_out_table,
    post_alone_decision,
    splits_of,
)
from nlp.training.rumor_more import MM17, WEIBO21, MorePost, clean_text, load_more
from nlp.training.rumor_train import Params, cross_validate, fit_prepared, prepare_items
from nlp.training.rumor_weights import domains_of
from tests.conftest import require_dataset

# Small and quick: the figures come from benchmarks/nlp_rumor_bench.py --more.
QUICK = Params(train_horizons=(0, None), empty_model="augment")


def _more(limit: int | None = None) -> list[MorePost]:
    return load_more([require_dataset(WEIBO21), require_dataset(MM17)], limit=limit)


def test_the_more_posts_load_whole_and_as_a_crawler_gives_them() -> None:
    more = _more()
    assert len(more) == 8550
    weibo21 = [p for p in more if p.source == "weibo21"]
    mm17 = [p for p in more if p.source == "mm17"]
    assert (len(weibo21), len(mm17)) == (6092, 2458)
    assert sum(p.item.label == "rumor" for p in weibo21) == 2439
    assert len({p.domain for p in weibo21}) == 9 and all(p.domain is None for p in mm17)
    assert all(p.item.posted_at is not None for p in mm17)
    assert all(p.item.posted_at is None and not p.item.user for p in weibo21)
    assert not any("<img" in p.item.text or "&nbsp;" in p.item.text for p in more)
    # The COVID-19 items were removed on purpose (kept for a cross-domain evaluation).
    assert not any(w in p.item.text for p in weibo21 for w in ("肺炎", "疫情", "确诊"))


def test_emoticon_tags_become_their_codes() -> None:
    tag = '<imgalt=[允悲]src="https://h5.sinaimg.cn/d_yunbei.png"style="width:1em;"/>'
    assert clean_text(f"真的吗{tag}&nbsp;转发") == "真的吗[允悲]\xa0转发"


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "more.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write('{"id": "a", "label": "rumor", "text": "某地发生爆炸"}\n')
        handle.write('{"id": "b", "label": "maybe", "text": "x"}\n')
    with pytest.raises(RecordError, match=r"more.jsonl.gz:2: field 'label'"):
        load_more([path])


def test_held_out_splits_never_train_on_what_they_test() -> None:
    more = _more()
    ced = 100
    splits = {s.name: s for s in splits_of(ced, more)}
    assert len([n for n in splits if n.startswith("domain:")]) == 9
    for split in splits.values():
        assert not np.intersect1d(split.train, split.test).size
        assert np.isin(np.arange(ced), split.train).all()  # CED always trains
    domain = splits["domain:灾难事故"]
    assert {more[i - ced].domain for i in domain.test} == {"灾难事故"}
    assert "灾难事故" not in {more[i - ced].domain for i in domain.train if i >= ced}
    by_date = splits["later:by-date"]
    assert all(more[i - ced].item.posted_at >= LATER_FROM for i in by_date.test)
    trained = [more[i - ced].item.posted_at for i in by_date.train if i >= ced]
    assert trained and all(t is not None and t < LATER_FROM for t in trained)


def test_the_fair_later_split_tests_the_latest_of_each_class() -> None:
    more = _more()
    ced = 100
    later = {s.name: s for s in splits_of(ced, more)}["later"]
    for label in ("rumor", "non-rumor"):
        tested = [more[i - ced] for i in later.test if more[i - ced].item.label == label]
        trained = [more[i - ced] for i in later.train if i >= ced]
        trained = [p for p in trained if p.item.label == label]
        dated = sum(p.item.posted_at is not None and p.item.label == label for p in more)
        # Both classes on both sides, each class's test posts later than its training posts.
        assert len(tested) == dated - math.floor(dated * (1 - LATER_SHARE)) and trained
        assert min(p.item.posted_at for p in tested) >= max(p.item.posted_at for p in trained)
    assert all(more[i - ced].source == "mm17" for i in later.test)
    assert not any(i >= ced and more[i - ced].source == "weibo21" for i in later.train)


def test_held_out_scores_posts_as_the_fitted_model_does() -> None:
    # The held-out splits fit only the post-alone trees; the full fit gives the same scores.
    ced = load_ced(require_dataset("ced/ced_dev.jsonl.gz"), limit=120)
    more = _more(limit=40)
    params = Params(train_horizons=(0, None))
    items = [*ced, *(p.item for p in more)]
    y = np.array([item.label == "rumor" for item in items], dtype=int)
    train, test = np.arange(len(ced) + 40), np.arange(len(ced) + 40, len(items))
    prep = prepare_items(items, params, params.train_horizons)
    full = fit_prepared(prep, train, y[train], params).decision(prep, test, 0)
    alone = post_alone_decision(prep, train, test, y, params)
    np.testing.assert_allclose(alone, full)
    # And with the trees weighted by domain, as ``--more`` fits them: the same again, and
    # the weights change the scores.
    domains = domains_of(len(ced), more)
    weighted = fit_prepared(prep, train, y[train], params, domains).decision(prep, test, 0)
    np.testing.assert_allclose(post_alone_decision(prep, train, test, y, params, domains), weighted)
    assert not np.allclose(weighted, full)
    late = Params(train_horizons=(None,))  # CED posts with all their responses
    late_prep = prepare_items(items, late, late.train_horizons)
    with pytest.raises(ValueError, match="without responses"):
        post_alone_decision(late_prep, train, np.arange(len(ced)), y, late)


def test_held_out_figures_and_extra_posts_in_the_folds() -> None:
    ced = load_ced(require_dataset("ced/ced_dev.jsonl.gz"), limit=80)
    more = _more(limit=60)
    shipped = RumorModel.load()
    results = held_out(ced, more, QUICK, shipped=shipped)
    assert set(results) >= {"mm17", "weibo21", "later", "later:by-date"}
    assert results["weibo21"].model.n == sum(p.source == "weibo21" for p in more)
    assert results["weibo21"].baseline is not None and len(results["weibo21"].domains) > 1
    assert "| weibo21 |" in held_out_table(results)
    # The shipped model beside it, on the same test posts (its own labels, recomputed here).
    weibo21 = [p.item for p in more if p.source == "weibo21"]
    labels = shipped.predict_proba(weibo21) >= 0.5
    truth = np.array([item.label == "rumor" for item in weibo21])
    assert results["weibo21"].shipped is not None
    assert results["weibo21"].shipped.accuracy == pytest.approx(float(np.mean(labels == truth)))
    evaluation, _, y = cross_validate(
        ced, QUICK, horizons=(0,), folds=2, with_baseline=True, extra=[p.item for p in more]
    )
    # The extra posts train every fold; only CED posts are scored and calibrated on.
    assert evaluation.posts == len(ced) and evaluation.model["0h"].n == len(ced)
    assert evaluation.baseline["0h"].n == len(ced) and len(y) == 2 * len(ced)


def test_train_with_more_counts_ced_apart_and_says_so_on_the_card(tmp_path: Path) -> None:
    # Small run of the real command: the card must say rumor_more was used and what the data
    # set removed; the model's prior stays CED's share, the one its calibration was fitted on.
    from click.testing import CliRunner

    from yuqing.cli import main

    model_path, card = tmp_path / "rumor.npz", tmp_path / "rumor_card.md"
    args = ["train", "rumor", "--more", "--limit", "60"]
    result = CliRunner().invoke(main, [*args, "--output", str(model_path), "--card", str(card)])
    assert result.exit_code == 0, result.output
    model = RumorModel.load(model_path)
    ced = model.meta["evaluation"]["posts"]
    assert model.meta["posts"] == ced and model.meta["extra_posts"] > ced
    more = model.meta["more"]
    assert set(more) == {"weibo21", "mm17"}
    assert sum(cell["posts"] for cell in more.values()) == model.meta["extra_posts"]
    assert sum(cell["rumors"] for cell in more.values()) == model.meta["extra_rumors"]
    trained = model.meta["rumors"] / ced
    assert model.prior_shift(trained) == pytest.approx(0.0)
    text = card.read_text(encoding="utf-8")
    assert "`../shared/datasets/rumor_more/` (`--more`)" in text and "MDFEND" in text
    assert "near-copies of an evaluation set kept aside" in text and "COVID-19" in text
    assert "yuqing train rumor --more`" in text and "CED posts only" in text
    # The post-alone trees weigh the posts by domain (the recipe measured across domains).
    assert model.meta["params"]["domain_weights"] == "sources"
    assert "`sources`" in text and "nlp.training.rumor_weights" in text
