"""The news-pages stance group (benchmarks/sentiment_news_pages.py and its label file): a
well-formed, AI-labelled file that says so; the page read the crawl's way and refused when
its text is no longer the one labelled; and the confusion matrix of
benchmarks/sentiment_confusion.py. Reading pages needs ../shared/datasets (skipped with a
message when absent, failed under CI=true)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.sentiment_confusion import confusion
from benchmarks.sentiment_news_pages import (
    LABELS,
    NewsPageLabelError,
    labelled_pages,
)
from nlp.sentiment import SENTIMENTS
from nlp.training.sentiment_tuning import TuningText
from tests.conftest import require_dataset

PAGE = "news_pages:sina/2.html"  # 中铁总辟谣 12306 leak: a debunk stated flatly, neutral


def _items() -> list[dict[str, str]]:
    return list(json.loads(LABELS.read_text(encoding="utf-8"))["items"])


def test_the_file_says_who_labelled_it_and_keeps_the_news_apart() -> None:
    about = json.loads(LABELS.read_text(encoding="utf-8"))["about"]
    assert "AI HELPER AGENT READING EACH TEXT" in about and "NOT BY A PERSON" in about
    assert "never merged" in about


def test_every_page_is_labelled_or_excluded_with_a_reason() -> None:
    items = _items()
    assert len({i["page"] for i in items}) == len(items)
    for item in items:
        assert len(item["text_sha256"]) == 12, item
        assert ("sentiment" in item) != ("excluded" in item), item
        assert item.get("sentiment", "negative") in SENTIMENTS, item
        assert item.get("excluded", "reason") != "", item
    kept = Counter(i["sentiment"] for i in items if "sentiment" in i)
    assert sum(kept.values()) >= 100 and min(kept.values()) >= 30, kept


def _one_page_labels(tmp_path: Path, digest: str | None = None) -> Path:
    item = next(i for i in _items() if i["page"] == PAGE)
    if digest is not None:
        item = dict(item, text_sha256=digest)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"about": "test", "items": [item]}), encoding="utf-8")
    return path


def test_a_page_is_read_as_the_crawl_stores_it(tmp_path: Path) -> None:
    root = require_dataset("news_pages").parent
    [(name, gold, title, lead)] = labelled_pages(root, _one_page_labels(tmp_path))
    assert (name, gold) == (PAGE, "neutral")
    assert "12306" in title and "辟谣" in lead and len(lead) <= 300


def test_a_page_whose_text_changed_is_refused(tmp_path: Path) -> None:
    root = require_dataset("news_pages").parent
    with pytest.raises(NewsPageLabelError, match="changed since it was labelled"):
        labelled_pages(root, _one_page_labels(tmp_path, digest="000000000000"))


def test_the_confusion_matrix_counts_gold_rows_and_read_columns() -> None:
    def text(gold: int) -> TuningText:
        return TuningText(gold, (), 0.0, "post", "weibo_post", 0)

    rows = [(text(1), 0), (text(1), 0), (text(1), 1), (text(2), 2), (text(0), 0)]
    assert confusion(rows) == [[1, 0, 0], [2, 1, 0], [0, 0, 1]]
