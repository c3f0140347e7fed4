"""The demo sites: what a crawler (or a person with a browser) gets over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.clock import SimulatedClock
from core.settings import Settings
from tests.support.demo_crawl import NOW, sample_corpus
from yuqing.demo.records import DEMO_START, load_corpus
from yuqing.demo.sites import DemoSites
from yuqing.demo.sources import demo_sources


class Fetched:
    def __init__(self, status: int, headers: dict[str, str], body: bytes, url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    def json(self) -> Any:
        return json.loads(self.body)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch(url: str, follow: bool = True) -> Fetched:
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return Fetched(response.status, dict(response.headers), response.read(), response.url)
    except urllib.error.HTTPError as error:
        return Fetched(error.code, dict(error.headers), error.read(), url)


@pytest.fixture
def sites() -> Iterator[tuple[DemoSites, SimulatedClock]]:
    clock = SimulatedClock(NOW)
    with DemoSites(sample_corpus(), clock.now) as running:
        yield running, clock


def test_news_list_and_article_utf8(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, _ = sites
    page = fetch(f"{demo.base_url}/jzrb/list_1.html")
    assert page.status == 200 and "charset=utf-8" in page.headers["Content-Type"]
    text = page.body.decode("utf-8")
    assert "下一页" in text and 'href="/jzrb/list_2.html"' in text
    assert text.count('<span class="date">') == 20
    assert "未来的新闻标题" not in text
    article = fetch(f"{demo.base_url}/jzrb/20261116/jz03.html").body.decode("utf-8")
    assert '<h1 class="title">江州市通报第3批食品抽检结果</h1>' in article
    assert "张三" in article and "来源：江州日报" in article and "版权所有" in article
    assert fetch(f"{demo.base_url}/jzrb/list_9.html").status == 404
    assert fetch(f"{demo.base_url}/jzrb/20261116/jz-future.html").status == 404


def test_gbk_site_with_and_without_http_charset(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, _ = sites
    first = fetch(f"{demo.base_url}/lcxw/list_1.html")
    assert first.headers["Content-Type"] == "text/html; charset=gbk"
    second = fetch(f"{demo.base_url}/lcxw/list_2.html")
    assert second.headers["Content-Type"] == "text/html"  # the meta tag is all there is
    assert b'<meta charset="gbk">' in second.body
    with pytest.raises(UnicodeDecodeError):
        first.body.decode("utf-8")
    assert "临川区镕堃电梯公司第3次被查出隐患" in first.body.decode("gbk")


def test_feeds(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, _ = sites
    utf8 = fetch(f"{demo.base_url}/rss.xml")
    assert utf8.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    assert "<pubDate>Mon, 16 Nov 2026 08:02:00 +0800</pubDate>" in utf8.body.decode("utf-8")
    gbk = fetch(f"{demo.base_url}/rss-gbk.xml")
    assert gbk.headers["Content-Type"] == "application/rss+xml"
    assert gbk.body.startswith(b'<?xml version="1.0" encoding="gb2312"?>')
    assert "民生财经：预付卡纠纷增多（11）" in gbk.body.decode("gbk")
    assert gbk.body.decode("gbk").count("<item>") == 12


def test_weibo_api(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, clock = sites
    url = f"{demo.base_url}/api/container/getIndex?containerid=100103type%3D1&page=1"
    data = fetch(url).json()
    assert data["ok"] == 1 and data["data"]["cardlistInfo"]["page"] == 2
    cards = data["data"]["cards"]
    assert len(cards) == 10 and all(card["card_type"] == 9 for card in cards)
    newest = cards[0]["mblog"]
    assert set(newest) >= {"id", "mid", "text", "created_at", "reposts_count", "user"}
    post = next(c["mblog"] for c in cards if "第13条" in c["mblog"]["text"])
    assert '<span class="surl-text">#江州奶粉事件#</span>' in post["text"]
    assert '<img alt="[怒]"' in post["text"] and "@江州市场监管</a>" in post["text"]
    assert post["user"]["screen_name"] == "江州宝妈13"
    page3 = fetch(url.replace("page=1", "page=3")).json()
    assert page3["data"]["cardlistInfo"]["page"] is None
    reposts = [c["mblog"] for c in cards if "retweeted_status" in c["mblog"]]
    assert reposts and all(r["retweeted_status"]["mid"] for r in reposts)

    mid = demo.by_id["wb01"].number
    comments = fetch(f"{demo.base_url}/api/comments/show?id={mid}&page=1").json()
    assert comments["ok"] == 1 and len(comments["data"]["data"]) == 8
    assert comments["data"]["max"] == 1
    clock.set(DEMO_START + timedelta(minutes=50))  # only comments posted by 08:50 are visible
    early = fetch(f"{demo.base_url}/api/comments/show?id={mid}&page=1").json()
    assert len(early["data"]["data"]) == 3


def test_weibo_time_forms_follow_the_clock(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, clock = sites
    url = f"{demo.base_url}/api/container/getIndex?containerid=x&page=1"
    forms = set()
    for minutes in (5 * 60 + 1, 9 * 60, 30 * 60, 4 * 24 * 60):
        clock.set(DEMO_START + timedelta(minutes=minutes))
        forms |= {c["mblog"]["created_at"] for c in fetch(url).json()["data"]["cards"]}
    assert any(f.endswith("分钟前") for f in forms)
    assert any(f.endswith("小时前") or f.startswith("今天") for f in forms)
    assert any(f.startswith("昨天") for f in forms)
    assert any(f.endswith("+0800 2026") for f in forms)
    assert "11-16" in forms


@pytest.mark.parametrize(
    ("block", "status", "marker"),
    [
        ("login", 302, "/signin/login"),
        ("captcha", 200, "验证码"),
        ("rate_limit", 418, ""),
        ("forbidden", 403, "Forbidden"),
        ("ok0", 200, '"ok": 0'),
    ],
)
def test_weibo_walls(
    sites: tuple[DemoSites, SimulatedClock], block: str, status: int, marker: str
) -> None:
    demo, _ = sites
    demo.weibo_block = block
    answer = fetch(f"{demo.base_url}/api/container/getIndex?containerid=x&page=1", follow=False)
    assert answer.status == status
    assert marker in answer.body.decode("utf-8") + answer.headers.get("Location", "")
    if block == "login":
        login = fetch(f"{demo.base_url}/api/container/getIndex?containerid=x&page=1")
        assert "/signin/login" in login.url and "登录" in login.body.decode("utf-8")


def test_official_portal(sites: tuple[DemoSites, SimulatedClock]) -> None:
    demo, _ = sites
    listing = fetch(f"{demo.base_url}/official/list_penalty_1.html").body.decode("utf-8")
    assert listing.count('href="/official/penalty/') == 2
    doc = fetch(f"{demo.base_url}/official/penalty/of-penalty-1.html").body.decode("utf-8")
    assert "<th>文号</th><td>江市监〔2026〕22号</td>" in doc
    assert "<th>发布日期</th><td>2026-11-16 09:07</td>" in doc
    assert "江州市市场监督管理局" in doc
    assert fetch(f"{demo.base_url}/official/policy/of-penalty-1.html").status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/nowhere",
        "/api/container/getIndex?containerid=x&page=abc",
        "/api/container/getIndex?page=1",
        "/api/comments/show?id=abc",
        "/api/container/getIndex?containerid=x&page=99999999999",
        "/jzrb/list_0.html",
    ],
)
def test_bad_requests_get_errors_not_crashes(
    sites: tuple[DemoSites, SimulatedClock], path: str
) -> None:
    demo, _ = sites
    assert fetch(demo.base_url + path).status in (400, 404)
    assert fetch(demo.base_url + "/robots.txt").body == b"User-agent: *\nAllow: /\n"


def test_demo_sources_are_valid_settings() -> None:
    settings = Settings.model_validate({"sources": demo_sources("http://127.0.0.1:8080")})
    types = sorted({s.type for s in settings.sources})
    assert types == ["news", "official", "rss", "weibo"]
    assert settings.source("weibo-search").interval == timedelta(minutes=30)
    assert settings.source("jzrb-news").interval == timedelta(hours=1)
    assert {s.doc_type for s in settings.sources if s.type == "official"} == {
        "policy",
        "interpretation",
        "penalty",
        "debunk",
        "notice",
    }


def test_load_corpus(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text('{"id": "a", "channel": "jzrb"}\n\n{"id": "b"}\n', encoding="utf-8")
    assert [r["id"] for r in load_corpus(path)] == ["a", "b"]
    path.write_text("{broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus\.jsonl:1"):
        load_corpus(path)
