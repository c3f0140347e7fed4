"""Weibo's HTML pages as the fallback when its mobile API gives no data, served from fixtures
on 127.0.0.1 and crawled through the real Scrapy engine into a real archive: search results
(two pages, a cut post with its full text, a repost card), a post page with the post embedded
as JSON, and the walls Weibo puts in front of a crawler (login redirect, captcha, rate limit),
which are reported and never stored as posts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.models import stable_id
from tests.fixtures.crawl.weibo.site import HTML, JSON, Route, WeiboRig, page

INDEX = "/api/container/getIndex"
START = f"{INDEX}?containerid=100103type%3D1%26q%3D%E7%94%B5%E6%A2%AF&page_type=searchall"
SEARCH = "/weibo?q=%E7%94%B5%E6%A2%AF"
SEARCH_P2 = f"{SEARCH}&page=2"
DETAIL = "/detail/5103000000000001"
OFFICIAL, REPOST, PAPER, NOTICE = (
    "5102000000000001",
    "5102000000000002",
    "5102000000000003",
    "5103000000000001",
)


def beijing(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 16, hour - 8, minute, tzinfo=UTC)


def html_routes() -> dict[str, Route]:
    return {
        SEARCH: page("search_p1.html"),
        SEARCH_P2: page("search_p2.html"),
        DETAIL: page("detail_5103000000000001.html"),
    }


def make_rig(tmp_path: Path, api: Route | None, **source: object) -> WeiboRig:
    routes = html_routes()
    if api is not None:
        routes[INDEX] = api
    source.setdefault("start_urls", [START])
    source.setdefault("html_fallback", [SEARCH, DETAIL])
    return WeiboRig(tmp_path, routes, **source)


NOT_FOUND: Route = (404, {"Content-Type": HTML}, b"<html><body>404</body></html>")


def test_api_failure_falls_back_to_search_and_post_pages(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=None)  # no API route: 404
    try:
        report = rig.crawl_one()
        assert report.blocked == ""
        assert rig.site.hits_of(INDEX) == 1
        assert rig.site.hits_of(SEARCH) == 2  # both results pages, the second via "下一页"
        assert rig.site.hits_of(SEARCH_P2) == 1 and rig.site.hits_of(DETAIL) == 1
        mentions = rig.mentions()
        assert set(mentions) == {
            stable_id("weibo", mid) for mid in (OFFICIAL, REPOST, PAPER, NOTICE)
        }
        assert report.new == 4

        official = mentions[stable_id("weibo", OFFICIAL)]
        assert official.kind == "post" and official.author == "江州市场监管"
        assert official.published_at == beijing(9, 30)  # "11月16日 09:30", no year
        assert official.text.startswith("#江州电梯困人# 【通报】临川区锦绣花园电梯困人事件")
        assert official.text.endswith("我局已对其立案调查。[加油]")
        assert official.extra["hashtags"] == ["江州电梯困人"]
        assert official.extra["emoticons"] == ["[加油]"]
        assert official.metrics["reposts"] == 36 and official.metrics["comments"] == 18
        assert official.metrics["likes"] == 240
        assert official.metrics["verified"] is True and official.metrics["verified_type"] == 1
        assert official.extra["user_id"] == "6012345678"
        assert "PbD1mN3qR" in official.url

        repost = mentions[stable_id("weibo", REPOST)]
        assert repost.kind == "repost" and repost.parent_id == official.id
        assert repost.published_at == beijing(10, 5)  # "今天 10:05"
        assert repost.text == "终于有说法了，希望查到底[赞]//@江州网友甲:转发微博"
        assert repost.extra["repost_chain"] == ["江州网友甲"]
        assert repost.extra["repost_of_user"] == "江州市场监管"
        # "转发" and "赞" without a number are zero, "评论 2" is two.
        assert repost.metrics["reposts"] == 0 and repost.metrics["likes"] == 0
        assert repost.metrics["comments"] == 2
        assert repost.metrics["verified_type"] == 0  # yellow V: a person

        paper = mentions[stable_id("weibo", PAPER)]
        assert paper.published_at == beijing(13, 30)  # "30分钟前" at 14:00
        assert "一天签字30余台。" in paper.text and "每次保养不少于1小时" in paper.text
        assert "展开" not in paper.text and "收起" not in paper.text and "…" not in paper.text
        assert paper.metrics["reposts"] == 12_000 and paper.metrics["comments"] == 3568
        assert paper.metrics["likes"] == 25_000

        notice = mentions[stable_id("weibo", NOTICE)]
        assert notice.published_at == beijing(8, 0)
        assert notice.text.startswith("【提醒】近期我市发生多起电梯困人事件")
        assert notice.metrics["likes"] == 11_000 and notice.metrics["followers"] == 32_000
        assert notice.metrics["reposts"] == 3
    finally:
        rig.close()


def test_second_run_stores_nothing_twice_and_keeps_first_times(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=None)
    try:
        rig.crawl_one()
        rig.clock.advance(3600)
        second = rig.crawl_one()
        assert second.new == 0 and second.blocked == ""
        assert len(rig.mentions()) == 4
        paper = rig.archive.get_mention(stable_id("weibo", PAPER))
        # "30分钟前" now reads 14:30; the time first read stays.
        assert paper is not None and paper.published_at == beijing(13, 30)
    finally:
        rig.close()


def test_busy_page_from_the_api_falls_back(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=page("api_busy.html"))
    try:
        report = rig.crawl_one()
        assert report.blocked == ""
        assert any("reading the HTML pages" in error for error in report.errors)
        assert len(rig.mentions()) == 4
    finally:
        rig.close()


def test_search_page_as_start_url(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=None, start_urls=[SEARCH], html_fallback=[])
    try:
        report = rig.crawl_one()
        assert report.errors == [] and report.blocked == ""
        assert set(rig.mentions()) == {stable_id("weibo", m) for m in (OFFICIAL, REPOST, PAPER)}
        assert rig.site.hits_of(INDEX) == 0
    finally:
        rig.close()


def test_rate_limited_api_gets_no_more_requests(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=(418, {"Content-Type": JSON}, b""))
    try:
        report = rig.crawl_one()
        assert report.blocked == "rate limited (HTTP 418)"
        assert rig.site.hits_of(SEARCH) == 0 and rig.site.hits_of(DETAIL) == 0
        assert rig.mentions() == {}
    finally:
        rig.close()


WALLS = {
    "login": ("wall_login.html", "login wall"),
    "captcha": ("wall_captcha.html", "captcha page"),
    "rate": ("wall_rate.html", "rate limited"),
}


@pytest.mark.parametrize("wall", sorted(WALLS))
def test_walls_are_reported_and_not_stored(tmp_path: Path, wall: str) -> None:
    name, reason = WALLS[wall]
    rig = make_rig(tmp_path, api=None, html_fallback=[SEARCH])
    if wall == "login":
        # Weibo redirects a visitor without cookies to its visitor/login system.
        rig.site.routes[SEARCH] = (302, {"Location": "/visitor/visitor?entry=miniblog"}, b"")
        rig.site.routes["/visitor/visitor"] = page(name)
    else:
        rig.site.routes[SEARCH] = page(name)
    try:
        report = rig.crawl_one()
        assert report.blocked.startswith(reason), report.blocked
        assert rig.mentions() == {} and report.new == 0
        assert rig.site.hits_of(SEARCH_P2) == 0
    finally:
        rig.close()


def test_unrelated_html_is_an_error_not_content(tmp_path: Path) -> None:
    rig = make_rig(tmp_path, api=None, html_fallback=["/about"])
    rig.site.routes["/about"] = (
        200,
        {"Content-Type": HTML},
        "<html><body><h1>关于我们</h1><p>江州市某公司简介。</p></body></html>".encode(),
    )
    try:
        report = rig.crawl_one()
        assert report.blocked == ""
        assert any("unexpected page" in error and "/about" in error for error in report.errors)
        assert rig.mentions() == {}
    finally:
        rig.close()
