"""A site-specific plug-in spider as a source type (``type: plugin``): the shipped
``crawlers.contrib.signed_api`` against a loopback API that requires a login cookie (from the
environment, through the YAML) and a signature whose key rotates after every request; a wrong
cookie is a reported login wall that never leaks the cookie; a plug-in that cannot be loaded
is one source's error."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive import open_archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.config import load_config
from core.settings import Settings, SourceSettings
from crawlers.engine import CrawlEngine, CrawlReport
from tests.fixtures.sources.signed_site import POSTS, SEARCH, SignedSite

NOW = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
SESSION = "9f3c0a7e51b2d4c6"
CONFIG = """
sources:
  - name: video-search
    type: plugin
    plugin: crawlers.contrib.signed_api:SignedVideoSearchSpider
    start_urls: ["{base}{search}"]
    cookies: {{sessionid: "${{VIDEO_SESSION}}"}}
    region: 江州市
    delay: 0
    max_pages: 3
"""


def crawl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cookie: str
) -> tuple[CrawlReport, list[Mention], SignedSite]:
    site = SignedSite(SESSION)
    monkeypatch.setenv("VIDEO_SESSION", cookie)
    path = tmp_path / "yuqing.yaml"
    path.write_text(CONFIG.format(base=site.base, search=SEARCH), encoding="utf-8")
    settings = load_config(path)
    archive = open_archive(tmp_path / "plugin.db")
    engine = CrawlEngine(settings, archive, SimulatedClock(NOW))
    try:
        report = engine.crawl(settings.sources)[0]
        stored = [m for _, m in archive.mentions_since(0, 100)]
    finally:
        engine.close()
        archive.close()
        site.close()
    return report, stored, site


def test_the_plugin_logs_in_signs_and_re_signs_when_the_key_rotates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, stored, site = crawl(tmp_path, monkeypatch, SESSION)
    assert not report.errors and not report.blocked
    assert len(stored) == len(POSTS) == report.new  # both pages
    # Page 2 was signed with the key that page 1 rotated away: refused once, key fetched again.
    assert site.counts["refused"] == 1 and site.counts["key"] == 2
    assert site.counts["accepted"] == 2
    post = next(m for m in stored if m.text.startswith("江州锦绣花园电梯又困人了"))
    assert (post.platform, post.kind, post.author) == ("other", "post", "锦绣花园业主")
    assert post.metrics == {"comments": 10, "likes": 100, "reposts": 1}
    assert post.extra["ip_region"] == "广东"
    assert post.published_at == datetime.fromtimestamp(int(str(POSTS[0]["create_time"])), UTC)
    assert post.region == "江州市" and post.url.endswith("/video/7300001")


def test_a_wrong_cookie_is_a_login_wall_and_the_cookie_is_never_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    report, stored, site = crawl(tmp_path, monkeypatch, "expired-session-0000")
    assert stored == []
    assert report.blocked == "login required (请先登录)"
    assert site.counts["login wall"] >= 1
    assert "expired-session-0000" not in caplog.text + " ".join(report.errors)


def test_a_plugin_that_cannot_be_loaded_is_the_sources_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'plugin'"):
        SourceSettings(name="x", type="plugin", start_urls=["http://127.0.0.1/"])
    archive = open_archive(tmp_path / "bad.db")
    source = SourceSettings(
        name="nowhere", type="plugin", plugin="crawlers.contrib.missing:Spider",
        start_urls=["http://127.0.0.1:9/"],
    )  # fmt: skip
    wrong = source.model_copy(update={"name": "wrong", "plugin": "crawlers.engine:CrawlEngine"})
    engine = CrawlEngine(Settings(sources=[source, wrong]), archive, SimulatedClock(NOW))
    try:
        reports = {r.source: r for r in engine.crawl([source, wrong])}
    finally:
        engine.close()
    assert "plugin module 'crawlers.contrib.missing'" in reports["nowhere"].errors[0]
    assert "is not a SourceSpider subclass" in reports["wrong"].errors[0]
    assert archive.ledger.get_source_state("nowhere").last_error.startswith(
        "source nowhere: plugin"
    )
    archive.close()
