"""The relevance label files: their pointers resolve, and the blind held-out sample is never
trained on, nor any near-copy of it (nlp/training/relevance_blind.py, relevance_labels.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.relevance import LexiconRelevanceScorer
from nlp.training import relevance_blind as blind
from nlp.training import relevance_labels as hand
from nlp.training.evaluation import CED, CED_LINES, HOLDOUT_LINES, read_lines
from nlp.training.relevance_blind import blind_sample
from nlp.training.relevance_train import TrainingSet, add_weibo
from nlp.training.rumor_more import WEIBO21
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
