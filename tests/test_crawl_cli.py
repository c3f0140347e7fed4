"""``scrapy crawl TYPE -a source=NAME -a config=PATH`` from the repository root, as Scrapy
users expect, against the demo sites and into the configured archive."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from archive import open_archive
from tests.support.demo_crawl import sample_corpus
from yuqing.demo.sites import DemoSites
from yuqing.demo.sources import demo_sources

ROOT = Path(__file__).resolve().parent.parent


def scrapy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_scrapy_crawl_command(tmp_path: Path) -> None:
    with DemoSites(sample_corpus(), lambda: datetime(2026, 11, 20, tzinfo=UTC)) as sites:
        config = tmp_path / "yuqing.yaml"
        settings = {"archive": {"path": "cli.db"}, "sources": demo_sources(sites.base_url)}
        config.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")

        done = scrapy("crawl", "rss", "-a", "source=msjc-rss-gbk", "-a", f"config={config}")
        assert done.returncode == 0, done.stderr
        assert "DEBUG" not in done.stderr and "INFO" not in done.stderr  # LOG_LEVEL WARNING

        wrong = scrapy("crawl", "news", "-a", "source=msjc-rss", "-a", f"config={config}")
        assert "is a rss source; run `scrapy crawl rss -a source=msjc-rss`" in wrong.stderr

    with open_archive(tmp_path / "cli.db") as archive:
        titles = {m.title for _, m in archive.mentions_since(0, 100)}
        assert "民生财经：预付卡纠纷增多（7）" in titles and len(titles) == 13
        state = archive.ledger.get_source_state("msjc-rss-gbk")
        assert state.runs == 1 and state.items_last_run == 13 and state.last_success_at
