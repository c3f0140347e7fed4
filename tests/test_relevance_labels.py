"""The relevance label files: their pointers resolve, and the blind held-out sample is never
trained on, nor any near-copy of it (nlp/training/relevance_blind.py, relevance_labels.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.relevance import LexiconRelevanceScorer
from nlp.training import relevance_blind as blind
from nlp.training import relevance_blind_net as blind_net
from nlp.training import relevance_labels as hand
from nlp.training.evaluation import CED, CED_LINES, HOLDOUT_LINES, Example, read_lines
from nlp.training.relevance_blind import blind_sample
from nlp.training.relevance_train import TrainingSet, add_weibo
from nlp.training.rumor_more import MM17, WEIBO21
from nlp.training.rumor_train import near_duplicate_groups
from tests.conftest import require_dataset


@pytest.fixture(scope="module")
def root() -> Path:
    require_dataset(WEIBO21)
    return require_dataset(CED).parent.parent


def test_pointers_resolve_and_subsets_hold(root: Path) -> None:
    ced_lines = {number for number, _ in read_lines(root / CED)}
    weibo_ids = {str(r["id"]) for _, r in read_lines(root / WEIBO21)}
    assert set(blind.CED_LINES) <= ced_lines
    assert set(blind.WEIBO21_IDS) <= weibo_ids
    assert weibo_ids >= hand.WEIBO21_READ
    assert max(hand.RELEVANT | hand.AMBIGUOUS) <= hand.READ_UP_TO < max(ced_lines)
    assert set(blind.CED_LINES) >= blind.CED_RELEVANT | blind.CED_AMBIGUOUS
    assert set(blind.WEIBO21_IDS) >= blind.WEIBO21_RELEVANT | blind.WEIBO21_AMBIGUOUS
    assert not blind.WEIBO21_RELEVANT & blind.WEIBO21_AMBIGUOUS
    assert hand.WEIBO21_RELEVANT | hand.WEIBO21_AMBIGUOUS <= hand.WEIBO21_READ
    assert not hand.WEIBO21_RELEVANT & hand.WEIBO21_AMBIGUOUS
    # no pointer twice, and the blind sample shares no post with any other label file
    assert len(set(blind.CED_LINES)) == len(blind.CED_LINES)
    assert len(set(blind.WEIBO21_IDS)) == len(blind.WEIBO21_IDS)
    assert not set(blind.WEIBO21_IDS) & hand.WEIBO21_READ
    assert not set(blind.CED_LINES) & (set(CED_LINES) | set(HOLDOUT_LINES))
    assert min(blind.CED_LINES) > hand.READ_UP_TO


def test_blind_sample_has_the_documented_shape(root: Path) -> None:
    examples = blind_sample(root)
    assert len(examples) == 460 - len(blind.CED_AMBIGUOUS) - len(blind.WEIBO21_AMBIGUOUS)
    assert sum(e.relevant for e in examples) == 53
    assert all(e.text for e in examples)


def test_no_blind_post_nor_near_copy_is_trained_on(root: Path) -> None:
    data = TrainingSet([], [], {})
    add_weibo(data, root, LexiconRelevanceScorer())
    assert data.counts["weibo_hand_positive"] >= len(hand.WEIBO21_RELEVANT)
    assert data.counts["weibo_near_sample"] >= len(blind.WEIBO21_IDS)
    # every sample post, the ambiguous ones (left out of the figures) included
    lines, ids = set(blind.CED_LINES), set(blind.WEIBO21_IDS)
    held = [str(r["text"]) for n, r in read_lines(root / CED) if n in lines]
    held += [str(r["text"]) for _, r in read_lines(root / WEIBO21) if r["id"] in ids]
    assert len(held) == len(lines) + len(ids)
    texts = data.texts + held
    groups = near_duplicate_groups(texts)
    trained = {int(g) for g in groups[: len(data.texts)]}
    overlapping = [
        t[:30] for t, g in zip(held, groups[len(data.texts) :], strict=True) if g in trained
    ]
    assert overlapping == []


def test_drawn_labels_resolve_and_stay_apart_from_every_sample(root: Path) -> None:
    """The fourth pass's drawn posts: each pointer is a post of CED, Weibo21 or mm17, none is an
    evaluation or blind post or one read before, and training reads them as hand labels."""
    labels = hand.drawn_labels()
    assert len(labels) == 1445
    counts = {value: list(labels.values()).count(value) for value in hand.DRAWN_VALUES}
    assert counts == {"relevant": 54, "not_relevant": 1371, "ambiguous": 20}
    ced_lines = {number for number, _ in read_lines(root / CED)}
    more_ids = {str(r["id"]) for name in (WEIBO21, MM17) for _, r in read_lines(root / name)}
    drawn_lines = {int(key[4:]) for key in labels if key.startswith("ced:")}
    assert drawn_lines <= ced_lines and min(drawn_lines) > hand.READ_UP_TO
    assert {key for key in labels if not key.startswith("ced:")} <= more_ids
    assert not drawn_lines & (set(CED_LINES) | set(HOLDOUT_LINES) | set(blind.CED_LINES))
    assert not set(labels) & (set(blind.WEIBO21_IDS) | hand.WEIBO21_READ)
    data = TrainingSet([], [], {})
    add_weibo(data, root, LexiconRelevanceScorer())
    # a label holds for its near-copies: at least one text per labelled post
    assert data.counts["drawn_hand_positive"] >= counts["relevant"]
    assert data.counts["drawn_hand_negative"] >= counts["not_relevant"]


def test_drawn_labels_are_the_documented_draw(root: Path) -> None:
    """The label file holds the draw of ``relevance_draw`` in its order (chosen by data set and
    domain with a fixed seed, no scorer): rerunning the draw gives the same posts."""
    from nlp.training.relevance_draw import draw

    assert [c.key for c in draw(root)] == list(hand.drawn_labels())


def test_a_bad_drawn_label_file_names_the_file_and_record(tmp_path: Path) -> None:
    bad = tmp_path / "labels.json"
    bad.write_text('{"posts": [["ced:1700", "relevant"], ["ced:1701", "maybe"]]}', "utf-8")
    with pytest.raises(hand.LabelFileError, match=r"labels\.json: posts\[1\]: expected"):
        hand.drawn_labels(bad)
    bad.write_text('{"items": []}', "utf-8")
    with pytest.raises(hand.LabelFileError, match=r"labels\.json: expected a JSON object"):
        hand.drawn_labels(bad)


def test_net_training_labels_are_the_documented_draw(root: Path) -> None:
    """The fifth pass's training labels hold relevance_net_draw's train_net part in its order,
    with the counts their "about" gives; the blind file holds its two blind parts."""
    from nlp.training.relevance_net_draw import draw, in_core

    drawn = draw(root)
    labels = hand.drawn_labels(hand.NET_FILE)
    assert [c.key for c in drawn.parts["train_net"]] == list(labels)
    counts = {value: list(labels.values()).count(value) for value in hand.DRAWN_VALUES}
    assert counts == {"relevant": 24, "not_relevant": 171, "ambiguous": 5}
    pointers = blind_net.pointers()
    expected = [
        (c.key, part, in_core(c))
        for part in ("blind_random", "blind_core")
        for c in drawn.parts[part]
    ]
    assert [(p.key, p.part, p.in_core) for p in pointers] == expected
    assert not set(labels) & blind_net.kept_out_keys()
    relevant = [p for p in pointers if p.label == "relevant"]
    assert len(relevant) == 91 and all(p.label in blind_net.VALUES for p in pointers)
    assert blind_net.strata() == {"core": drawn.core, "rest": drawn.rest}


def test_no_net_blind_post_nor_near_copy_is_trained_on(root: Path) -> None:
    data = TrainingSet([], [], {})
    add_weibo(data, root, LexiconRelevanceScorer())
    assert data.counts["net_hand_positive"] >= 24
    held = [post.example.text for post in blind_net.net_blind_sample(root)]
    assert len(held) == 480 - 17  # the ambiguous posts are left out of the figures
    groups = near_duplicate_groups(data.texts + held)
    trained = {int(g) for g in groups[: len(data.texts)]}
    overlapping = [
        t[:30] for t, g in zip(held, groups[len(data.texts) :], strict=True) if g in trained
    ]
    assert overlapping == []


def test_weighted_figures_weigh_each_post_by_its_stratum() -> None:
    def post(key: str, in_core: bool, relevant: bool) -> blind_net.BlindPost:
        example = Example("net_blind", key, key, relevant)
        return blind_net.BlindPost(example, "blind_core" if in_core else "blind_random", in_core)

    # core: 2 sampled of 10 (weight 5); rest: 2 sampled of 100 (weight 50)
    posts = [
        post("hit", True, True),
        post("false-hit", True, False),
        post("missed", False, True),
        post("quiet", False, False),
    ]
    fired = {"hit", "false-hit"}
    mix = blind_net.weighted(posts, lambda e: e.key in fired, {"core": 10, "rest": 100})
    assert mix.precision == pytest.approx(5 / 10)
    assert mix.recall == pytest.approx(5 / 55)
    assert mix.relevant_share == pytest.approx(55 / 110)
