"""Article extraction on real Chinese news pages (the shared GNE test pages).

GeneralNewsExtractor's own output for 20 of them is a peer's answer, not ground truth; we
require agreement on most titles, publish times and opening sentences, and no crashes on any
of the 62 pages.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from crawlers.dates import DateParseError, parse_datetime
from crawlers.extract import extract_article
from tests.conftest import require_dataset

NOW = datetime(2030, 1, 1, tzinfo=UTC)
_BLOCK = re.compile(r">{5,}(.*?)>{5,}\s*(\{.*?\})\s*<{5,}", re.S)


def read_page(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", errors="replace")


def peer_answers(root: Path) -> list[tuple[Path, dict[str, str]]]:
    text = (root / "gne_result.txt").read_text(encoding="utf-8")
    return [
        (root / name.strip().removeprefix("tests/"), json.loads(answer))
        for name, answer in _BLOCK.findall(text)
    ]


def minute(text: str) -> datetime | None:
    try:
        return parse_datetime(text, NOW).replace(second=0)
    except DateParseError:
        return None


def test_agrees_with_a_peer_extractor_on_real_pages() -> None:
    root = require_dataset("news_pages")
    answers = [(p, a) for p, a in peer_answers(root) if p.exists()]
    assert len(answers) >= 15
    titles = times = openings = 0
    timed = 0
    for path, answer in answers:
        article = extract_article(read_page(path), "http://example.cn/", NOW)
        titles += article.title == answer["title"].strip()
        expected_time = minute(answer["publish_time"])
        if expected_time is not None and ":" in answer["publish_time"]:
            timed += 1
            found = article.published_at.replace(second=0) if article.published_at else None
            times += found == expected_time
        opening = re.sub(r"\s+", "", answer["content"])[:15]
        openings += opening in re.sub(r"\s+", "", article.text)
    assert titles >= len(answers) - 2
    assert times >= 0.6 * timed
    assert openings >= 0.75 * len(answers)


def test_every_real_page_extracts_without_error() -> None:
    root = require_dataset("news_pages")
    pages = sorted(root.glob("*/*.html"))
    assert len(pages) >= 50
    substantial = 0
    for path in pages:
        article = extract_article(read_page(path), "http://example.cn/", NOW)
        assert article.title and article.text, path
        substantial += len(article.text) > 100
    # A WeChat page whose body is loaded by script and a page whose body is one image are
    # allowed to come out short; the rest must not.
    assert substantial >= 0.95 * len(pages)


def test_site_selectors_override_the_extractor() -> None:
    page = """<html><head><title>站点首页</title></head><body>
    <div class="hd"><span class="tt">真正的标题在这里</span></div>
    <div class="meta">发稿：2026-11-16 10:35 撰稿人：赵六</div>
    <div id="a"><div class="c">正文第一段，讲的是市场监管。</div>
    <div class="c">正文第二段。</div></div>
    <p>页脚很长很长的一段免责声明文字，不应当被当成正文。</p></body></html>"""
    selectors = {
        "title": "span.tt",
        "text": "//div[@id='a']/div[@class='c']",
        "author": "div.meta",
        "published": "div.meta",
    }
    article = extract_article(page, "http://example.cn/a.html", NOW, selectors)
    assert article.title == "真正的标题在这里"
    assert article.text == "正文第一段，讲的是市场监管。\n正文第二段。"
    assert article.method == "selectors"
    assert article.published_at == datetime(2026, 11, 16, 2, 35, tzinfo=UTC)
