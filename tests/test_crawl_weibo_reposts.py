"""Reposts of watched Weibo posts through the mobile API's repost timeline
(``/api/statuses/repostTimeline?id=MID&page=N``), served from fixtures on 127.0.0.1 and
crawled through the real Scrapy engine: each repost is a mention whose parent is the watched
post, paging follows ``data.max``, and a post whose repost count did not change is not asked
again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.models import stable_id
from tests.fixtures.crawl.weibo.site import JSON, NOW, Route, WeiboRig, fixture, page

WATCHED = "5101000000000001"
OTHER = "5101000000000002"
INDEX = "/api/container/getIndex"
TIMELINE = "/api/statuses/repostTimeline"


def routes() -> dict[str, Route]:
    return {
        INDEX: page("container_index.json", JSON),
        f"{TIMELINE}?id={WATCHED}&page=1": page("repost_timeline_p1.json", JSON),
        f"{TIMELINE}?id={WATCHED}&page=2": page("repost_timeline_p2.json", JSON),
    }


def make_rig(tmp_path: Path, **source: object) -> WeiboRig:
    start = [f"{INDEX}?containerid=100103type%3D1%26q%3D%E7%94%B5%E6%A2%AF&page_type=searchall"]
    return WeiboRig(tmp_path, routes(), start_urls=start, **source)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[WeiboRig]:
    setup = make_rig(tmp_path, reposts=True)
    yield setup
    setup.close()


def beijing(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 16, hour - 8, minute, tzinfo=UTC)


def test_reposts_of_a_watched_post(rig: WeiboRig) -> None:
    report = rig.crawl()
    assert report.errors == [] and report.blocked == ""
    mentions = rig.mentions()
    reposts = {m.id: m for m in mentions.values() if m.kind == "repost"}
    # Two posts in the timeline; five reposts of the first over two timeline pages.
    assert len(mentions) == 7 and report.new == 7 and len(reposts) == 5
    assert rig.site.hits_of(f"{TIMELINE}?id={WATCHED}&page=1") == 1
    assert rig.site.hits_of(f"{TIMELINE}?id={WATCHED}&page=2") == 1
    assert rig.site.hits_of(f"{TIMELINE}?id={OTHER}") == 0  # it has no reposts
    assert {m.parent_id for m in reposts.values()} == {stable_id("weibo", WATCHED)}

    chain = reposts[stable_id("weibo", "5101000000000013")]
    assert chain.text == "再次提醒大家注意电梯安全//@江州网友甲:转发微博"
    assert chain.author == "江州网友乙"
    assert chain.extra["repost_chain"] == ["江州网友甲"]
    assert chain.extra["repost_of_user"] == "江州市场监管"
    assert chain.published_at == beijing(11, 5)
    assert chain.url == f"{rig.site.base}/detail/5101000000000013"

    paper = reposts[stable_id("weibo", "5101000000000012")]
    assert paper.metrics["followers"] == 560_000 and paper.metrics["verified_type"] == 3
    assert paper.metrics["likes"] == 12
    thanks = reposts[stable_id("weibo", "5101000000000014")]
    assert thanks.text == "已转给小区物业[赞]" and thanks.extra["emoticons"] == ["[赞]"]
    recent = reposts[stable_id("weibo", "5101000000000015")]
    assert recent.published_at == beijing(13, 55)  # "5分钟前" at 14:00
    assert recent.extra["mentions"] == ["临川区市场监管局"]

    watched = mentions[stable_id("weibo", WATCHED)]
    assert watched.kind == "post" and watched.metrics["reposts"] == 5
    assert watched.text.startswith("#江州电梯困人# 11月16日8时许，临川区锦绣花园3栋")
    assert watched.text.endswith("请广大市民遇电梯故障拨打96333。[加油]")
    assert watched.metrics["followers"] == 32_000


def test_unchanged_repost_count_is_not_asked_again(rig: WeiboRig) -> None:
    rig.crawl()
    rig.clock.advance(600)
    second = rig.crawl()
    assert second.errors == [] and second.new == 0
    assert rig.site.hits_of(TIMELINE) == 2  # the first run's two pages only
    # Stored reposts keep the time first read, though "5分钟前" now means 14:05.
    recent = rig.archive.get_mention(stable_id("weibo", "5101000000000015"))
    assert recent is not None and recent.published_at == datetime(2026, 11, 16, 5, 55, tzinfo=UTC)

    # A sixth repost arrives: the count goes up, the timeline is read again, one new mention.
    index = json.loads(fixture("container_index.json"))
    index["data"]["cards"][0]["card_group"][0]["mblog"]["reposts_count"] = 6
    timeline = json.loads(fixture("repost_timeline_p1.json"))
    newest = dict(timeline["data"]["data"][0], id="5101000000000016", mid="5101000000000016")
    newest["text"], newest["created_at"] = "刚看到，转发提醒家里老人", "刚刚"
    timeline["data"]["data"].insert(0, newest)
    rig.site.routes[INDEX] = (200, {"Content-Type": JSON}, json.dumps(index).encode())
    first_page = f"{TIMELINE}?id={WATCHED}&page=1"
    rig.site.routes[first_page] = (200, {"Content-Type": JSON}, json.dumps(timeline).encode())
    third = rig.crawl()
    assert third.errors == [] and third.new == 1
    added = rig.archive.get_mention(stable_id("weibo", "5101000000000016"))
    assert added is not None and added.parent_id == stable_id("weibo", WATCHED)
    assert added.published_at == NOW.replace(minute=10)  # "刚刚" at the third run's clock


def test_reposts_are_off_unless_configured(tmp_path: Path) -> None:
    rig = make_rig(tmp_path)
    try:
        report = rig.crawl()
        assert report.errors == [] and report.new == 2
        assert rig.site.hits_of(TIMELINE) == 0
    finally:
        rig.close()


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            (200, {"Content-Type": JSON}, '{"ok": 0, "msg": "请求过于频繁"}'.encode()),
            "rate limited",
        ),
        ((418, {"Content-Type": JSON}, b""), "HTTP 418"),
        ((200, {"Content-Type": "text/html"}, fixture("wall_login.html")), "login wall"),
    ],
)
def test_walled_repost_timeline_is_reported(rig: WeiboRig, answer: Route, expected: str) -> None:
    rig.site.routes[f"{TIMELINE}?id={WATCHED}&page=1"] = answer
    report = rig.crawl()
    assert expected in report.blocked
    assert any(TIMELINE in e and expected in e for e in report.errors)
    kinds = sorted(m.kind for m in rig.mentions().values())
    assert kinds == ["post", "post"]  # the posts are kept; the wall is not read as reposts
    state = rig.archive.ledger.get_source_state("weibo-watch")
    assert expected in state.last_error


def test_an_official_accounts_refutation_is_a_debunk() -> None:
    from crawlers.spiders.weibo import official_refutation

    clarification = "【澄清】网上流传“白沙爆炸死亡三十多人”的说法，经核实，上述信息不实。"
    assert official_refutation(clarification, 1)  # a government account
    assert official_refutation("网传紫菜是塑料做的，系谣言。", 3)  # a media account
    # A citizen saying the same, an official asking, or an official's plain report: not one.
    assert not official_refutation(clarification, -1)
    assert not official_refutation(clarification, 0)
    assert not official_refutation("求辟谣：白沙爆炸是不是死了三十多人？", 1)
    assert not official_refutation("【通报】白沙区人民路一饭馆发生燃气爆炸，已致10人死亡。", 1)
    assert not official_refutation("【通报】经查，系维保单位未按规定保养，我局已立案调查。", 1)
