"""The 信息源 page shows the new source types (issue 23) with their Chinese names and their
health after a real crawl of the loopback complaint platform and message board."""

from __future__ import annotations

from typing import Any

import pytest

from archive import open_archive
from core.clock import SimulatedClock
from core.config import load_config
from crawlers.engine import CrawlEngine
from tests.fixtures.sources.boards_site import boards_site
from tests.support.dashboard_fixtures import NOW, DashboardArchive, app_test, build_archive


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    made = build_archive(tmp_path_factory.mktemp("new-sources"))
    site = boards_site()
    added = (
        "sources:\n"
        f"  - {{name: tousu, type: complaints, start_urls: ['{site.base}/complaints/latest'],"
        " next_page_pattern: 'page=\\d+', delay: 0, interval: 30m}\n"
        f"  - {{name: liuyan, type: petitions, start_urls: ['{site.base}/board/messages'],"
        " delay: 0, interval: 1h}\n"
        "  - {name: video, type: plugin,"
        " plugin: 'crawlers.contrib.signed_api:SignedVideoSearchSpider',"
        " start_urls: ['http://127.0.0.1:9/'], enabled: false}\n"
    )
    text = made.config.read_text(encoding="utf-8")
    made.config.write_text(text.replace("sources:\n", added, 1), encoding="utf-8")
    settings = load_config(made.config)
    try:
        with open_archive(made.db) as archive:
            engine = CrawlEngine(settings, archive, SimulatedClock(NOW))
            try:
                wanted = [s for s in settings.sources if s.name in ("tousu", "liuyan")]
                reports = engine.crawl(wanted)
            finally:
                engine.close()
    finally:
        site.close()
    assert all(r.new for r in reports), reports
    return made


def test_new_source_types_show_their_names_and_health(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch, "views/sources.py")
    assert not at.exception, [e.value for e in at.exception]
    table = next(d.value for d in at.dataframe if "信息源" in d.value.columns).set_index("信息源")
    assert table.loc["tousu"]["类型"] == "投诉平台"
    assert table.loc["liuyan"]["类型"] == "领导留言板"
    assert table.loc["video"]["类型"] == "插件采集"
    assert table.loc["tousu"]["状态"] == "● 正常"
    assert table.loc["tousu"]["上次条数"] == 6 and table.loc["liuyan"]["上次条数"] == 3
    assert table.loc["video"]["状态"] == "■ 已停用"
