"""The small rules behind every mention: canonical URLs, text clean-up, validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from parsel import Selector
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, TextResponse

from archive import open_archive
from archive.models import stable_id
from core.clock import RealClock
from core.settings import SourceSettings
from core.text.weibo import repost_chain, weibo_entities
from crawlers.context import CrawlContext
from crawlers.engine import scrapy_settings
from crawlers.items import MentionItem
from crawlers.normalise import InvalidRecord, mention_id, record_json, to_mention
from crawlers.spiders.news import NewsSpider
from crawlers.spiders.official import metadata_table
from crawlers.spiders.weibo import _count, detect_block
from crawlers.text import fragment_to_text, text_fingerprint
from crawlers.url import absolute_url, canonical_url, identity_url

FETCHED = datetime(2026, 11, 16, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Example.CN:80/a/1.html?utm_source=wx&id=3#top", "http://news.example.cn/a/1.html?id=3"),
        ("https://example.cn:443/x?spm=a.b.c&from=timeline&page=2", "https://example.cn/x?page=2"),
        ("https://example.cn:8443/x?share_token=zz&isappinstalled=0", "https://example.cn:8443/x"),
        ("https://example.cn", "https://example.cn/"),
        ("http://example.cn/a?b=1&a=2", "http://example.cn/a?b=1&a=2"),
    ],
)  # fmt: skip
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("mobile", "desktop"),
    [
        ("https://m.thepaper.cn/newsDetail_forward_1?from=groupmessage", "https://www.thepaper.cn/newsDetail_forward_1"),
        ("http://WAP.jzrb.example.cn/a/1.html#c", "http://www.jzrb.example.cn/a/1.html"),
        ("http://m.cn/a", "http://m.cn/a"),
        ("http://news.m.example.cn:8080/a", "http://news.m.example.cn:8080/a"),
    ],
)  # fmt: skip
def test_mobile_and_desktop_pages_are_one_mention(mobile: str, desktop: str) -> None:
    assert identity_url(mobile) == desktop
    assert mention_id("news", mobile) == mention_id("news", desktop)
    # The stored link keeps the host it was found under: it must still open.
    assert canonical_url(mobile).split("/")[2] == urlsplit(mobile).netloc.lower().split("#")[0]


def test_absolute_url() -> None:
    assert absolute_url("http://x.cn/list/1.html", "../a/2.html?spm=1") == "http://x.cn/a/2.html"


def test_weibo_text_and_entities() -> None:
    fragment = (
        '<a href="/search"><span class="surl-text">#江州奶粉#</span></a> 太气人了'
        '<span class="url-icon"><img alt="[怒]" src="x.png"></span><br />'
        "<a href='/n/江州市场监管'>@江州市场监管</a> 管管吧//<a href='/n/张三'>@张三</a>:转发"
    )
    text = fragment_to_text(fragment)
    assert text == "#江州奶粉# 太气人了[怒]\n@江州市场监管 管管吧//@张三:转发"
    assert weibo_entities(text) == {
        "hashtags": ["江州奶粉"],
        "mentions": ["江州市场监管", "张三"],
        "emoticons": ["[怒]"],
    }
    assert repost_chain("好//@李四:对//@张三：转发") == ["李四", "张三"]


def test_fingerprint_ignores_width_spacing_and_punctuation() -> None:
    assert text_fingerprint("江州 奶粉，检出超标！ABC") == text_fingerprint("江州奶粉检出超标abc")
    assert text_fingerprint("江州奶粉") != text_fingerprint("临川奶粉")


def item(**changes: object) -> MentionItem:
    values: dict[str, object] = {
        "source": "s",
        "platform": "weibo",
        "kind": "comment",
        "url": "http://127.0.0.1/detail/1?cid=2",
        "native_id": "2",
        "text": " 必须严查[怒] ",
        "published_at": FETCHED - timedelta(minutes=5),
        "parent_native_id": "1",
        "fetched_at": FETCHED,
    }
    values.update(changes)
    return MentionItem(**values)  # type: ignore[arg-type]


def test_to_mention() -> None:
    mention = to_mention(item(), FETCHED)
    assert mention.id == stable_id("weibo", "2")
    assert mention.parent_id == stable_id("weibo", "1")
    assert mention.text == "必须严查[怒]"
    page = to_mention(
        item(platform="news", kind="article", native_id="", parent_native_id=None,
             url="http://X.cn/a.html?utm_medium=x"),
        FETCHED,
    )  # fmt: skip
    assert page.id == stable_id("http://x.cn/a.html") and page.url == "http://x.cn/a.html"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"text": "  "}, "no text"),
        ({"published_at": None, "published_raw": "上古"}, "unparseable publish time '上古'"),
        ({"published_at": None}, "no publish time"),
        ({"published_at": FETCHED + timedelta(days=3)}, "is after the fetch time"),
        ({"native_id": ""}, "without its id"),
        ({"parent_native_id": None}, "a comment without the id"),
        ({"url": "javascript:void(0)"}, "no usable URL"),
        ({"kind": "tweet"}, "unknown kind 'tweet'"),
        ({"platform": "myspace"}, "unknown platform"),
        ({"published_at": datetime(2026, 11, 16, 10, 0)}, "has no timezone"),
    ],
)
def test_invalid_records(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidRecord, match=reason.replace("(", r"\(")):
        to_mention(item(**changes), FETCHED)


def test_record_json_is_readable() -> None:
    record = json.loads(record_json(item(text="长" * 5000)))
    assert len(record["text"]) == 2000 and record["published_at"].startswith("2026-11-16T03:55")


def response(status: int = 200, body: bytes = b"{}", url: str = "http://w.cn/api") -> TextResponse:
    return TextResponse(url=url, status=status, body=body, encoding="utf-8")


def test_detect_block() -> None:
    assert detect_block(response()) == ""
    assert "HTTP 418" in detect_block(response(418, b""))
    assert "HTTP 403" in detect_block(response(403, b"Forbidden"))
    login = HtmlResponse(
        url="https://passport.weibo.cn/signin/login?r=x", body="<html>登录</html>".encode()
    )
    assert detect_block(login).startswith("login wall")
    assert detect_block(response(body="<p>请输入验证码</p>".encode())).startswith("captcha")
    assert detect_block(response(body=b"<html>oops</html>")).startswith("unexpected answer")


def test_weibo_counts() -> None:
    assert [_count(v) for v in (12, "1.2万", "100万+", "3亿", None, "", True, "n/a")] == [
        12, 12000, 1000000, 300000000, 0, 0, 0, 0,
    ]  # fmt: skip


def test_metadata_table_layouts() -> None:
    paired = Selector(
        text="<table><tr><th>文号</th><td>江市监〔2026〕3号</td><th>发布机构</th>"
        "<td>江州市市场监督管理局</td></tr><tr><td>发布日期：2026-11-16</td></tr></table>"
    )
    assert metadata_table(paired) == {
        "doc_number": "江市监〔2026〕3号",
        "issuer": "江州市市场监督管理局",
        "published": "2026-11-16",
    }


def test_source_settings_reach_scrapy(tmp_path: Path) -> None:
    """Per-source delay, concurrency and headers become the crawler's own settings."""
    source = SourceSettings.model_validate(
        {
            "name": "site",
            "type": "news",
            "start_urls": ["http://127.0.0.1/list.html"],
            "delay": 2.5,
            "concurrency": 3,
            "headers": {"X-Token": "secret-value"},
        }
    )
    crawler = Crawler(NewsSpider, scrapy_settings())
    with open_archive(tmp_path / "a.db") as archive:
        context = CrawlContext(source=source, archive=archive, clock=RealClock())
        spider = NewsSpider.from_crawler(crawler, context=context)
        assert spider.start_urls == ["http://127.0.0.1/list.html"]
    assert crawler.settings.getfloat("DOWNLOAD_DELAY") == 2.5
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert crawler.settings.getdict("DEFAULT_REQUEST_HEADERS")["X-Token"] == "secret-value"
    assert "Yuqing" in crawler.settings["USER_AGENT"]
    assert crawler.settings.getbool("ROBOTSTXT_OBEY") is True
    assert crawler.settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert crawler.settings.getbool("HTTPCACHE_ENABLED") is False
    assert crawler.settings["LOG_LEVEL"] == "WARNING"
