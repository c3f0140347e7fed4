"""Segmentation: rjieba's words must be jieba's, with the domain dictionary, on real texts."""

from __future__ import annotations

from pathlib import Path

import jieba
import jieba.posseg as posseg
import pytest

from core.text.segment import (
    _keep,
    clause_words,
    cut_words,
    dictionary_entries,
    ensure_loaded,
    index_tokens,
    query_tokens,
    words,
)
from nlp.rumor.ced import read_jsonl
from nlp.text import to_simplified
from nlp.training.evaluation import CED, FOOD_SAFETY, dataset_path


def jieba_words(text: str) -> list[str]:
    return [t.lower() for t in jieba.cut(text) if _keep(t)]


def jieba_search(text: str) -> list[str]:
    return [t.lower() for t in jieba.cut_for_search(text) if _keep(t)]


def real_texts() -> list[str]:
    """Every 40th food-safety article and every 20th CED post with its first responses."""
    texts: list[str] = []
    for _, record, _ in read_jsonl(dataset_path(FOOD_SAFETY), every=40):
        if record is not None:
            texts.append(to_simplified(str(record.get("text", ""))))
    for _, record, _ in read_jsonl(dataset_path(CED), every=20):
        if record is not None:
            texts.append(to_simplified(str(record.get("text", ""))))
            for response in record.get("responses", [])[:20]:
                texts.append(to_simplified(str(response.get("text", ""))))
    return texts


@pytest.fixture(scope="module")
def texts() -> list[str]:
    ensure_loaded()
    return real_texts()


def test_precise_words_equal_jiebas_on_real_texts(texts: list[str]) -> None:
    assert len(texts) > 1000
    differ = [t[:40] for t in texts if cut_words(t) != jieba_words(t)]
    assert differ == []


def test_search_tokens_equal_jiebas_on_real_texts(texts: list[str]) -> None:
    differ = [t[:40] for t in texts if index_tokens(t) != jieba_search(t)]
    assert differ == []


def test_latin_tokens_are_split_as_jieba_splits_them() -> None:
    ensure_loaded()
    text = "转发微博 http://t.cn/zOXk2Ab @peng_iris @V-man-baby 涨价3.5%了"
    assert cut_words(text) == jieba_words(text)
    assert "t.cn" not in cut_words(text)
    assert cut_words(text)[cut_words(text).index("peng") :][:3] == ["peng", "_", "iris"]
    assert "3.5%" in cut_words(text)
    assert index_tokens(text) == jieba_search(text)


def test_domain_words_stay_whole_and_search_mode_adds_their_parts() -> None:
    ensure_loaded()
    text = "市场监督管理局对大型游乐设施和电梯井开展特种设备安全检查"
    got = cut_words(text)
    for word in ("市场监督管理局", "大型游乐设施", "特种设备"):
        assert word in got
    search = index_tokens(text)
    assert "电梯" in search and "电梯井" in search
    assert search == jieba_search(text)


def test_clauses_concatenate_to_the_words() -> None:
    import re

    ensure_loaded()
    text = "某超市销售过期食品，被罚款5万元。消费者可拨打12365投诉举报！"
    clauses = clause_words(text, re.compile(r"[，。！？]"))
    assert len(clauses) == 3
    assert [w for clause in clauses for w in clause] == words(text)


def test_dictionary_lines_are_read_as_jieba_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "site.txt"
    path.write_text("\ufeff梯控宝 30 nz\n电梯维保码 n\n扫码乘梯\n\n", encoding="utf-8")
    assert dictionary_entries(path) == [
        ("梯控宝", 30, "nz"),
        ("电梯维保码", None, "n"),
        ("扫码乘梯", None, None),
    ]


def test_a_site_dictionary_reaches_both_segmenters(tmp_path: Path) -> None:
    ensure_loaded()
    text = "全市推行食安封签制度"
    before = query_tokens(text)
    assert "食安封签" not in before
    path = tmp_path / "site.txt"
    path.write_text("食安封签 30 nz\n", encoding="utf-8")
    ensure_loaded(path)
    assert "食安封签" in cut_words(text)
    assert "食安封签" in query_tokens(text)  # the cache was cleared
    assert cut_words(text) == jieba_words(text)
    assert [p.flag for p in posseg.lcut("食安封签")] == ["nz"]
