"""Extraction that holds on layouts it was not tuned on (issue 21): the scored publish time
and the per-page body choice, on pages written for the project (``tests/fixtures/extract``,
see its ``make_fixtures.py``) and on a few real pages of ``../shared/datasets``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector

from crawlers.body import densest_block
from crawlers.dates import find_dated
from crawlers.encoding import decode_html
from crawlers.extract import Article, extract_article
from tests.conftest import require_dataset
from tests.fixtures.extract.make_fixtures import BODY, COMMENTS, RELATED, TITLE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extract"
# When the pages are read: after every time they show except the deliberately future one.
NOW = datetime(2026, 11, 20, tzinfo=UTC)
PAGE_URL = "http://www.jz.gov.cn/news/content_88.htm"
DATED_URL = "http://www.jz.gov.cn/zwgk/2021-03/15/content_88.htm"


def extract(name: str, url: str = PAGE_URL, now: datetime = NOW) -> Article:
    return extract_article(decode_html((FIXTURES / name).read_bytes()), url, now)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Beijing wall-clock time as the aware UTC instant extraction returns."""
    from core.clock import SHANGHAI

    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_header_time_beats_a_related_list_with_later_times() -> None:
    article = extract("related_list.html")
    assert article.title == TITLE
    assert article.published_at == at(2022, 2, 13, 9, 57)
    assert all(day not in article.published_raw for _, day in RELATED)


@pytest.mark.parametrize("page", ["table_gb2312.html", "table_br_gb2312.html"])
def test_old_table_layout_in_gb2312_keeps_its_body_and_byline(page: str) -> None:
    assert b"charset=gb2312" in (FIXTURES / page).read_bytes()
    article = extract(page)
    assert article.title == TITLE
    assert article.text == "\n".join(BODY)
    # The byline under the <font><b> title, not the later days of the related list beside it.
    assert article.published_at == at(2005, 3, 21, 11, 21)


def test_the_url_date_is_used_only_when_the_page_shows_none() -> None:
    assert extract("url_only.html", DATED_URL).published_at == at(2021, 3, 15)
    assert extract("url_only.html", PAGE_URL).published_at is None
    assert extract("url_and_byline.html", DATED_URL).published_at == at(2021, 3, 16, 10, 0)


def test_a_time_after_the_fetch_time_is_rejected() -> None:
    # The byline says 2027 (a wrong server clock); the page's metadata has the real time.
    article = extract("future_byline.html")
    assert article.published_at == at(2026, 11, 16, 10, 35)
    # Read after 2027 the byline is plausible again, and the byline beats the metadata.
    later = extract("future_byline.html", now=datetime(2027, 6, 1, tzinfo=UTC))
    assert later.published_at == at(2027, 1, 1, 9, 0)
    # With nothing trusted and plausible (only the URL's day), the future byline is returned,
    # so that validation keeps the page aside saying its time is in the future.
    early = extract("url_and_byline.html", DATED_URL, now=at(2021, 3, 16, 9, 0))
    assert early.published_at == at(2021, 3, 16, 10, 0)


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("fullwidth.html", at(2026, 11, 16, 10, 35)),
        ("chinese_numerals.html", at(2026, 11, 16)),
        ("traditional.html", at(2026, 11, 16, 10, 35)),
    ],
)
def test_full_width_chinese_numeral_and_traditional_dates(page: str, expected: datetime) -> None:
    assert extract(page).published_at == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二〇〇五年三月二十一日", at(2005, 3, 21)),
        ("二〇一九年十二月三十一日 十时零五分", at(2019, 12, 31, 10, 5)),
        ("２０２４年５月２０日週一 下午２:０５", at(2024, 5, 20, 14, 5)),
        ("發佈時間：2016年3月19日 10時48分", at(2016, 3, 19, 10, 48)),
        ("2024年5月22日星期三 晚上8:21", at(2024, 5, 22, 20, 21)),
    ],
)
def test_date_forms(text: str, expected: datetime) -> None:
    found = find_dated(text, NOW)
    assert found is not None and found[0] == expected, found


def test_comments_are_kept_out_of_a_short_body() -> None:
    article = extract("comments.html")
    assert article.text == "\n".join(BODY)
    assert not any(comment[:12] in article.text for comment in COMMENTS)
    # The comments' own times are later than the article's and do not replace it.
    assert article.published_at == at(2026, 11, 16, 10, 35)
    # The densest block alone skips the comment container although its paragraphs weigh more.
    page = Selector(text=decode_html((FIXTURES / "comments.html").read_bytes()))
    assert densest_block(page.root) == "\n".join(BODY)


def test_site_selectors_still_override_the_scoring() -> None:
    html = decode_html((FIXTURES / "related_list.html").read_bytes())
    selectors = {"published": "ul.news-list li:first-child span.time", "text": "div.side li"}
    article = extract_article(html, PAGE_URL, NOW, selectors)
    assert article.published_at == at(2005, 3, 25, 8, 0)
    assert article.method == "selectors" and RELATED[0][0] in article.text


# Real pages of the tuning part (benchmarks/extract_pages.py), each for a different reason.
REAL_TIMES = {
    # The byline inside a <ul> after a breadcrumb that repeats the title, no <h1>.
    "magic-html/1.html": at(2023, 12, 1, 14, 43),
    # "2024年5月20日週一 下午2:05" on a Hong Kong portal.
    "magic-html/20.html": at(2024, 5, 20, 14, 5),
    # CSDN: "最新推荐文章于 2024-05-07" comes first; the post's own "于 ... 发布" is the time.
    "magic-html/16.html": at(2024, 5, 6, 15, 47),
    # WeChat: the time only in the page's script (var ct).
    "magic-html/2.html": at(2022, 7, 31, 21, 34),
}


def test_publish_times_on_real_pages() -> None:
    root = require_dataset("news_pages_more")
    for name, expected in REAL_TIMES.items():
        html = decode_html((root / name).read_bytes())
        article = extract_article(html, "", datetime(2030, 1, 1, tzinfo=UTC))
        found = article.published_at
        assert found is not None and found.replace(second=0) == expected, name


def test_bodies_on_real_pages() -> None:
    """Pages where one reading alone goes astray (a link list, code blocks, another article)
    and the per-page choice keeps the labelled body."""
    from benchmarks.extract_pages import char_f1, load_pages

    require_dataset("news_pages_more")
    wanted = {f"magic-html/{n}.html" for n in (18, 21, 22, 27)}
    pages = [p for p in load_pages() if p.name in wanted]
    assert len(pages) == len(wanted)
    for page in pages:
        assert page.part == "tuning" and page.body
        html = decode_html(page.path.read_bytes())
        article = extract_article(html, page.url, datetime(2030, 1, 1, tzinfo=UTC))
        assert char_f1(article.text, page.body) >= 0.9, page.name
