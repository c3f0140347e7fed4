"""WeChat articles through a search page and portal (Toutiao-style) feed articles, through the
real engine from a loopback site (tests/fixtures/sources/feeds_site.py): WeChat articles read
at once behind their temporary links, identified by account and title so the next search's
new links are not followed again, an expired link kept aside; the portal feed paged past a
429, articles stored with the feed's outlet, id, time and counts; health in ``yuqing stats``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.settings import Settings
from crawlers.engine import CrawlEngine, CrawlReport
from tests.fixtures.sources.feeds_site import ARTICLES, FEED, FEED_2, SEARCH, FeedsSite
from yuqing.cli import main

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)


class Rig:
    def __init__(self, tmp_path: Path) -> None:
        self.site = FeedsSite()
        self.clock = SimulatedClock(NOW)
        base = self.site.base
        self.config: dict[str, Any] = {
            "archive": {"path": str(tmp_path / "feeds.db")},
            "sources": [
                {"name": "wx-dianti", "type": "wechat", "start_urls": [f"{base}{SEARCH}"],
                 "next_page_pattern": r"page=\d+", "delay": 0, "max_pages": 2},
                {"name": "tt-society", "type": "portal", "start_urls": [f"{base}{FEED}"],
                 "delay": 0, "max_pages": 3},
            ],
        }  # fmt: skip
        self.config_path = tmp_path / "yuqing.yaml"
        self.config_path.write_text(yaml.safe_dump(self.config, allow_unicode=True))
        self.settings = Settings.model_validate(self.config)
        self.archive: Archive = open_archive(tmp_path / "feeds.db")
        overrides = {"RETRY_TIMES": 2, "RETRY_BACKOFF_BASE": 0.2}
        self.engine = CrawlEngine(self.settings, self.archive, self.clock, overrides=overrides)

    def crawl(self) -> dict[str, CrawlReport]:
        return {r.source: r for r in self.engine.crawl(self.settings.sources)}

    def of(self, source: str) -> dict[str, Mention]:
        return {m.title: m for _, m in self.archive.mentions_since(0, 1000) if m.source == source}

    def close(self) -> None:
        self.engine.close()
        self.archive.close()
        self.site.close()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    setup = Rig(tmp_path_factory.mktemp("feeds"))
    setup.first = setup.crawl()  # type: ignore[attr-defined]
    yield setup
    setup.close()


def test_wechat_articles_are_stored_whole_from_their_temporary_links(rig: Rig) -> None:
    stored = rig.of("wx-dianti")
    assert set(stored) == {ARTICLES[k][1] for k in ("a1", "a2", "a4")}  # page 2 included
    article = stored["江州通报锦绣花园电梯困人事件调查进展"]
    assert (article.platform, article.kind) == ("wechat", "article")
    assert article.author == "江州发布" and article.extra["account"] == "江州发布"
    assert article.text.startswith("11月16日上午，临川区锦绣花园小区")
    assert "立案调查" in article.text
    assert article.published_at == datetime.fromtimestamp(1763262000, UTC)  # var ct
    assert (article.extra["biz"], article.extra["mid"]) == ("MzA5NDc1NzQ4MA==", "2651234001")
    assert "/s?src=11&timestamp=" in article.url


def test_an_expired_link_is_kept_aside_not_stored(rig: Rig) -> None:
    report: CrawlReport = rig.first["wx-dianti"]  # type: ignore[attr-defined]
    assert any("WeChat link expired (链接已过期)" in e for e in report.errors)
    reasons = [r.reason for r in rig.archive.ledger.list_rejects("wx-dianti")]
    assert reasons == ["the temporary link answered 「链接已过期」"]
    assert "电梯维保乱象调查" not in rig.of("wx-dianti")


def test_portal_articles_carry_the_feeds_outlet_id_time_and_counts(rig: Rig) -> None:
    stored = rig.of("tt-society")
    assert len(stored) == 3  # both feed pages, the second after a 429
    assert rig.site.refused[FEED_2] == 1
    article = stored["江州一商场电梯突发故障 多名顾客受轻伤"]
    assert (article.platform, article.kind) == ("portal", "article")
    assert article.author == "江州晚报" and article.extra["outlet"] == "江州晚报"
    assert article.metrics == {"comments": 35, "reads": 12000}
    assert article.published_at == datetime.fromtimestamp(1763265600, UTC)
    assert article.text.startswith("16日中午，江州万达广场一部自动扶梯")
    assert "相关推荐" not in article.text


def test_the_next_search_does_not_follow_new_links_to_known_articles(rig: Rig) -> None:
    rig.site.rotate()
    before = dict(rig.site.hits)
    reports = rig.crawl()
    assert reports["wx-dianti"].new == 0 and reports["tt-society"].new == 0
    followed = [
        p for p, n in rig.site.hits.items() if p.startswith("/link") and n > before.get(p, 0)
    ]
    assert followed == ["/link?url=old-1"]  # only the expired one, known to nobody
    assert len(rig.of("wx-dianti")) == 3


def test_stats_shows_both_sources(rig: Rig) -> None:
    result = CliRunner().invoke(main, ["-c", str(rig.config_path), "stats"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines()}
    assert "运行 2 次" in lines["wx-dianti"] and "运行 2 次" in lines["tt-society"]
