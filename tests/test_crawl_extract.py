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
from crawlers.encoding import decode_html
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


def test_figures_on_the_real_pages_reach_the_aims() -> None:
    """The issue's aims, on the labelled pages: publish time exact on at least 90 % of the
    pages that show one, body char-F1 at least 0.90 against the peer's answers."""
    from benchmarks.extract_bench import char_f1, same_time
    from benchmarks.extract_bench import peer_answers as peer_table

    root = require_dataset("news_pages")
    labels = json.loads((Path("benchmarks") / "extract_labels.json").read_text("utf-8"))
    timed = exact = 0
    for name, truth in labels.items():
        if not truth.get("published_at"):
            continue
        article = extract_article(decode_html((root / name).read_bytes()), "http://x.cn/", NOW)
        timed += 1
        exact += same_time(article.published_at, truth["published_at"])
    assert timed >= 55 and exact >= 0.9 * timed
    scores = [
        char_f1(
            extract_article(decode_html((root / name).read_bytes()), "", NOW).text, a["content"]
        )
        for name, a in peer_table(root).items()
    ]
    assert sum(scores) / len(scores) >= 0.9


def test_byline_beats_metadata_and_scripts_complete_a_day() -> None:
    page = """<html><head><meta property="article:published_time"
    content="2026-11-16T12:00:00+08:00"></head><body><h1>电梯困人事件通报</h1>
    <span class="date">2026年11月16日 10:35</span><p>正文。</p></body></html>"""
    article = extract_article(page, "http://x.cn/", NOW)
    assert article.published_at == datetime(2026, 11, 16, 2, 35, tzinfo=UTC)
    page = """<html><body><h1>电梯困人事件通报</h1><div class="info">发布日期：2026-11-16</div>
    <script>var ct = "1794796500";</script><p>正文。</p></body></html>"""
    article = extract_article(page, "http://x.cn/", NOW)
    assert article.published_at == datetime.fromtimestamp(1794796500, UTC)
    prose = (
        "退休后，他有了更多的时间来进行创作，时间：2011年1月1日 08:00 也写了很多。" + "写歌。" * 20
    )
    page = f"""<html><body><h1>电梯困人事件通报</h1><em class="time">昨天</em>
    <p>{prose}</p>
    </body></html>"""
    article = extract_article(page, "http://x.cn/", NOW)
    assert article.published_raw == "昨天"  # a date inside prose is not the byline


def test_page_furniture_is_trimmed_from_the_edges_only() -> None:
    body = "".join(
        f"<p>第{i}段正文，记者从市场监管局获悉有关情况，来源：现场采访。</p>" for i in range(6)
    )
    page = f"""<html><body><h1>标题</h1><div class="content">
    <p>您所在的位置：</p><p>江州日报 2026-11-16 10:35 来源：江州日报</p>{body}
    <p>责任编辑：</p><p>- 推荐</p><p>- 娱乐</p></div>
    <ul><li><a href="/1.html">另一篇新闻的标题在这里</a></li></ul></body></html>"""
    text = extract_article(page, "http://x.cn/", NOW).text
    assert text.startswith("第0段正文") and text.endswith(
        "第5段正文，记者从市场监管局获悉有关情况，来源：现场采访。"
    )
    assert text.count("来源：现场采访") == 6
