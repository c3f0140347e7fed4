"""Crawls of the real demo sites over loopback HTTP, through the real Scrapy engine, into a
real SQLite archive: what comes out must be right to the character and to the minute."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from archive import open_archive
from archive.models import stable_id
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings, SourceSettings
from crawlers.engine import crawl_once
from tests.support.demo_crawl import LATER, NOW, DemoRig, sample_corpus
from yuqing.demo.records import DEMO_START
from yuqing.demo.sites import DemoSites
from yuqing.demo.sources import demo_sources


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[DemoRig]:
    setup = DemoRig(tmp_path)
    yield setup
    setup.close()


def shanghai(minutes: float) -> datetime:
    return (DEMO_START + timedelta(minutes=minutes)).astimezone(UTC)


def test_news_sites_utf8_and_gbk(rig: DemoRig) -> None:
    reports = rig.crawl("jzrb-news", "lcxw-news")
    assert reports["lcxw-news"].errors == []
    lcxw = {m.title: m for m in rig.by_source("lcxw-news")}
    # 22 GBK articles, all visible at NOW; two list pages (20 per page) were walked.
    assert len(lcxw) == 22 and reports["lcxw-news"].new == 22
    article = lcxw["临川区镕堃电梯公司第3次被查出隐患"]  # 镕 and 堃 are GBK, not GB2312
    assert article.text.startswith("临川区市场监管局对镕堃电梯公司开展第3次专项检查")
    assert "下一步将持续加强特种设备监管。" in article.text
    for boilerplate in ("版权所有", "热点排行", "相关新闻", "广告", "责任编辑"):
        assert boilerplate not in article.text
    assert article.published_at == shanghai(3 * 12 + 1)
    assert article.author == "李四"
    assert article.extra["site"] == "临川新闻网"
    assert article.region == "临川"
    assert article.url == f"{rig.base}/lcxw/20261116/lc03.html"
    assert article.id == stable_id(article.url)

    jzrb = rig.by_source("jzrb-news")
    titles = {m.title for m in jzrb}
    assert "未来的新闻标题" not in titles  # published after NOW: not served yet
    assert len(jzrb) == 25 and all(m.author == "张三" for m in jzrb)
    first = next(m for m in jzrb if m.title == "江州市通报第7批食品抽检结果")
    assert first.published_at == shanghai(70)
    assert all("?" not in m.url for m in jzrb)  # ?spm= tracking stripped


def test_rss_feeds_times_and_encoding(rig: DemoRig) -> None:
    reports = rig.crawl("msjc-rss-gbk")
    assert reports["msjc-rss-gbk"].errors == [] and reports["msjc-rss-gbk"].new == 12
    items = {m.title: m for m in rig.by_source("msjc-rss-gbk")}
    assert set(items) == {f"民生财经：预付卡纠纷增多（{i}）" for i in range(12)}
    for i in range(12):
        # Half of the GBK feed's pubDates carry no zone: they mean Beijing time.
        assert items[f"民生财经：预付卡纠纷增多（{i}）"].published_at == shanghai(i * 20 + 2)
    assert items["民生财经：预付卡纠纷增多（5）"].extra["site"] == "民生财经"
    assert "健身、美容美发" in items["民生财经：预付卡纠纷增多（5）"].text

    again = rig.crawl("msjc-rss")  # the UTF-8 feed links the same articles: same ids
    assert again["msjc-rss"].new == 0 and again["msjc-rss"].items == 12


def test_weibo_posts_reposts_comments(rig: DemoRig) -> None:
    report = rig.crawl("weibo-search")["weibo-search"]
    mentions = {m.id: m for m in rig.by_source("weibo-search")}
    mid = {rid: str(rig.sites.by_id[rid].number) for rid in rig.sites.by_id}

    post = mentions[stable_id("weibo", mid["wb03"])]
    assert post.kind == "post" and post.parent_id is None
    assert post.text == "#江州奶粉事件# 第3条：孩子喝了以后腹泻，@江州市场监管 管不管？[怒]"
    assert post.extra["hashtags"] == ["江州奶粉事件"]
    assert post.extra["mentions"] == ["江州市场监管"]
    assert post.extra["emoticons"] == ["[怒]"]
    assert post.author == "江州宝妈3"
    assert post.metrics["followers"] == 1003 and post.metrics["verified"] is True
    assert post.metrics["verified_type"] == 0
    assert post.metrics["reposts"] >= 1  # wr03 reposted it
    assert post.url == f"{rig.base}/detail/{mid['wb03']}"

    repost = mentions[stable_id("weibo", mid["wr02"])]
    assert repost.kind == "repost"
    assert repost.parent_id == stable_id("weibo", mid["wb02"])
    assert repost.extra["repost_chain"] == ["江州宝妈2"]
    assert repost.extra["repost_of_user"] == "江州宝妈2"

    comments = [m for m in mentions.values() if m.kind == "comment"]
    assert len(comments) == 8
    assert {c.parent_id for c in comments} == {stable_id("weibo", mid["wb01"])}
    assert len({c.url for c in comments}) == 8
    assert mentions[stable_id("weibo", mid["wb01"])].metrics["comments"] == 8

    # 14 posts + 6 reposts + 8 comments; the two bad posts were kept aside.
    assert report.new == 28 and report.rejected == 2
    assert stable_id("weibo", mid["wb-future"]) not in mentions

    rig.clock.advance(3600)  # relative times ("5分钟前") now read differently...
    second = rig.crawl("weibo-search")["weibo-search"]
    assert second.new == 0 and second.errors == []
    # ...but a stored post keeps the publish time from when it was first seen.
    assert rig.archive.get_mention(post.id).published_at == post.published_at  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("login", "login wall"),
        ("captcha", "captcha"),
        ("rate_limit", "HTTP 418"),
        ("forbidden", "HTTP 403"),
        ("ok0", "rate limited"),
    ],
)
def test_weibo_walls_are_reported_not_stored(rig: DemoRig, block: str, expected: str) -> None:
    rig.sites.weibo_block = block
    report = rig.crawl("weibo-search")["weibo-search"]
    assert expected in report.blocked and report.errors
    assert rig.archive.count_mentions() == 0
    state = rig.archive.ledger.get_source_state("weibo-search")
    assert expected in state.last_error
    assert state.errors >= 1 and state.runs == 1
    assert state.last_error_at == NOW and state.last_success_at is None
    assert state.state["blocked"] == report.blocked

    rig.sites.weibo_block = None  # the wall lifts: the next run collects and succeeds
    report = rig.crawl("weibo-search")["weibo-search"]
    assert report.blocked == "" and report.new == 28
    state = rig.archive.ledger.get_source_state("weibo-search")
    assert state.last_success_at == NOW and state.runs == 2


def test_official_documents(rig: DemoRig) -> None:
    names = [f"official-{t}" for t in ("policy", "interpretation", "penalty", "debunk", "notice")]
    reports = rig.crawl(*names)
    assert all(r.errors == [] and r.new == 2 for r in reports.values())
    debunk = rig.by_source("official-debunk")
    assert {m.kind for m in debunk} == {"debunk"}
    penalty = {m.extra["doc_number"]: m for m in rig.by_source("official-penalty")}
    assert set(penalty) == {"江市监〔2026〕21号", "江市监〔2026〕22号"}
    document = penalty["江市监〔2026〕22号"]
    assert document.kind == "official" and document.extra["doc_type"] == "penalty"
    assert document.extra["issuer"] == "江州市市场监督管理局"
    assert document.title == "江州市市场监督管理局关于penalty事项的公告（1）"
    assert document.published_at == shanghai(60 + 7)
    assert document.text.startswith("根据《中华人民共和国食品安全法》")


def test_bad_records_are_kept_aside_with_reasons(rig: DemoRig) -> None:
    reports = rig.crawl("weibo-search", "jzrb-news")
    rejects = {r.reason: r for r in rig.archive.ledger.list_rejects()}
    assert reports["jzrb-news"].rejected == 1 and reports["weibo-search"].rejected == 2
    assert "unparseable publish time '上古时期'" in rejects
    assert any(reason.startswith("no text") for reason in rejects)
    news_reject = next(r for r in rejects.values() if r.source == "jzrb-news")
    assert "年份错了的稿件" in news_reject.record
    assert news_reject.reason.startswith("publish time 2099-01-01T02:00:00+00:00 is after")
    assert news_reject.at == NOW
    # Still bad next round: counted, but neither fetched nor kept aside a second time.
    rig.crawl("weibo-search", "jzrb-news")
    assert len(rig.archive.ledger.list_rejects()) == 3
    # The crawl went on: everything else was stored.
    assert reports["jzrb-news"].new == 25 and reports["weibo-search"].new == 28


def test_repeated_rounds_insert_only_what_is_new(rig: DemoRig) -> None:
    sources = [s.name for s in rig.settings.sources]
    first = rig.crawl(*sources)
    # 25 + 22 news articles, 12 feed items, 14 posts + 6 reposts + 8 comments, 10 documents.
    assert sum(r.new for r in first.values()) == rig.archive.count_mentions() == 97
    second = rig.crawl(*sources)
    assert sum(r.new for r in second.values()) == 0
    assert all(r.errors == [] for r in second.values())

    rig.clock.set(DEMO_START + timedelta(minutes=LATER + 1))
    third = rig.crawl(*sources)
    assert third["jzrb-news"].new == 1  # 未来的新闻标题
    assert third["weibo-search"].new == 1
    assert third["msjc-rss"].new + third["msjc-rss-gbk"].new == 1
    for _ in range(3):  # the engine keeps working round after round
        assert sum(r.new for r in rig.crawl(*sources).values()) == 0
    state = rig.archive.ledger.get_source_state("jzrb-news")
    assert state.runs == 6 and state.last_run_at == rig.clock.now() and state.items_last_run == 0


def test_paging_resumes_after_an_unclean_run(rig: DemoRig) -> None:
    rig.engine.crawl([rig.source("jzrb-news", max_pages=1)])
    after_first_page = len(rig.by_source("jzrb-news"))
    assert 0 < after_first_page < 25
    # After a clean run, "already stored" means "caught up": nothing new, no paging.
    assert rig.crawl("jzrb-news")["jzrb-news"].new == 0
    # A run that dies leaves its source marked incomplete (it is marked when a run starts);
    # the next run then pages back to max_pages and fills the gap.
    state = rig.archive.ledger.get_source_state("jzrb-news")
    state.state["complete"] = False
    rig.archive.ledger.save_source_state(state)
    report = rig.crawl("jzrb-news")["jzrb-news"]
    assert report.new == 25 - after_first_page
    assert rig.archive.ledger.get_source_state("jzrb-news").state["complete"] is True


def test_unreachable_source_is_reported_and_others_still_run(rig: DemoRig) -> None:
    dead = SourceSettings(
        name="dead", type="rss", start_urls=["http://127.0.0.1:9/rss.xml"], delay=0
    )
    reports = {r.source: r for r in rig.engine.crawl([dead, rig.source("msjc-rss")])}
    assert reports["dead"].errors and reports["dead"].items == 0
    assert reports["msjc-rss"].new == 12
    state = rig.archive.ledger.get_source_state("dead")
    assert state.errors >= 1 and "127.0.0.1:9" in state.last_error
    assert state.last_success_at is None


def test_syndicated_copy_is_marked(tmp_path: Path) -> None:
    text = (
        "江州市市场监管局发布消费提示：近期气温下降，燃气热水器使用量增加，请消费者注意通风。" * 2
    )
    corpus = [
        {"id": "orig", "channel": "jzrb", "offset_minutes": 0, "title": "消费提示", "text": text},
        {"id": "copy", "channel": "lcxw", "offset_minutes": 30, "title": "消费提示（转载）",
         "text": text},
    ]  # fmt: skip
    setup = DemoRig(tmp_path, corpus)
    try:
        setup.crawl("jzrb-news")
        setup.crawl("lcxw-news")
        original, copy = setup.by_source("jzrb-news")[0], setup.by_source("lcxw-news")[0]
        assert "duplicate_of" not in original.extra
        assert copy.extra["duplicate_of"] == original.id
    finally:
        setup.close()


def test_crawl_once(tmp_path: Path) -> None:
    clock = SimulatedClock(NOW)
    with DemoSites(sample_corpus(), clock.now) as sites:
        settings = Settings.model_validate({"sources": demo_sources(sites.base_url)})
        with open_archive(tmp_path / "once.db") as archive:
            reports = crawl_once(settings, archive, clock, ["msjc-rss", "official-debunk"])
            assert [r.source for r in reports] == ["msjc-rss", "official-debunk"]
            assert archive.count_mentions() == 14
            published = archive.ledger.get_source_state("msjc-rss").last_success_at
            assert published is not None and published.astimezone(SHANGHAI).hour == 13
