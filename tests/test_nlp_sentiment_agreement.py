"""The second reading of the stance sample (benchmarks/sentiment_second_reading.json) and its
agreement figures (benchmarks/sentiment_agreement.py): pointers into the tuning split only,
said to be labelled by an AI helper agent, and kappa / agreement computed as defined."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.sentiment_agreement import (
    SECOND,
    SecondReadingError,
    agreement,
    figures,
    kappa,
    second_reading,
)
from benchmarks.sentiment_eval import load_items
from benchmarks.sentiment_sample import Pointer


def test_the_second_reading_points_at_tuning_texts_only_and_says_who_read_them() -> None:
    spec = json.loads(SECOND.read_text(encoding="utf-8"))
    assert "LABELLED BY AN AI HELPER AGENT READING EACH TEXT" in spec["about"]
    assert "NOT BY A PERSON" in spec["about"]
    allowed = {"kind", "source", "line", "id", "mid", "index", "sentiment"}
    assert all(set(item) <= allowed for item in spec["items"])
    rows = agreement(second_reading(), load_items())  # raises on a held-out or unknown text
    assert len(rows) == len(spec["items"]) == 160
    assert {p.kind for p, _, _ in rows} == {"weibo_post", "comment", "news", "official_notice"}


def test_a_held_out_text_is_refused() -> None:
    items = load_items()
    held = next(p for p, split, _ in items if split == "held_out")
    with pytest.raises(SecondReadingError, match="not a tuning text"):
        agreement({held.key(): "negative"}, items)


def test_a_malformed_item_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "second.json"
    item = {"kind": "comment", "source": "ced", "line": 1, "sentiment": "angry"}
    path.write_text(json.dumps({"about": "", "items": [item]}), encoding="utf-8")
    with pytest.raises(SecondReadingError, match=r"items\[0\]"):
        second_reading(path)


def test_kappa_is_agreement_beyond_chance() -> None:
    same = [("negative", "negative"), ("neutral", "neutral"), ("positive", "positive")]
    assert kappa(same) == pytest.approx(1.0)
    # observed 0.5; each reader half negative, half neutral: chance 0.5, so kappa 0
    pairs = [("negative", "negative"), ("negative", "neutral")]
    pairs += [("neutral", "negative"), ("neutral", "neutral")]
    assert kappa(pairs) == pytest.approx(0.0)
    # observed 3/4; chance (3*2 + 1*2) / 16 = 1/2; kappa (3/4 - 1/2) / (1/2) = 1/2
    skewed = [("negative", "negative")] * 2 + [("negative", "neutral"), ("neutral", "neutral")]
    assert kappa(skewed) == pytest.approx(0.5)


def test_figures_score_the_model_and_always_negative_against_the_first_labels() -> None:
    a = Pointer("comment", "ced", 1, "x", "m", 0)
    b = Pointer("comment", "ced", 1, "x", "n", 1)
    c = Pointer("news", "food_safety", 7, None)
    rows = [(a, "negative", "negative"), (b, "neutral", "positive"), (c, "negative", "negative")]
    predicted = {a.key(): "negative", b.key(): "neutral", c.key(): "neutral"}
    out = figures(rows, predicted)
    assert out["second_reading_comment_agree"] == 0.5
    assert out["second_reading_comment_model"] == 1.0
    assert out["second_reading_comment_neg"] == 0.5
    assert out["second_reading_all_agree"] == round(2 / 3, 4)
    assert out["second_reading_all_model"] == round(2 / 3, 4)
    assert "second_reading_weibo_post_agree" not in out  # no text of that kind
