"""What the duty officer sees on the 热点 page, in a real browser (headless Chromium): found
by walking the dashboard over the demo (the review of 2026-12-07).

- 查看事件详情 laid the event links out in three columns, and a long title was clipped
  mid-word with no ellipsis ("江州驰骋新能源科技有限公司召回部分电动"): now one link a line,
  each title whole.

Same set-up as tests/test_dashboard_browser.py (tests/support/browser.py; skipped locally
without Chromium, a failure under CI=true).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import open_archive
from archive.models import Event
from tests.support.browser import chromium, expect, fixture_dashboard, login, page_at
from tests.support.dashboard_fixtures import HOUR, NOW, DashboardArchive

pytestmark = pytest.mark.slow

LONG_TITLE = "江州驰骋新能源科技有限公司召回部分电动自行车用锂离子电池组"


def _prepare(made: DashboardArchive) -> None:
    with open_archive(made.db) as archive:
        archive.upsert_event(
            Event(id="ev-recall", title=LONG_TITLE, first_seen=NOW - 30 * HOUR,
                  last_seen=NOW - 2 * HOUR, mention_count=40, heat=30.0, status="declining")
        )  # fmt: skip


def test_event_links_show_whole_titles(tmp_path: Path) -> None:
    with fixture_dashboard(tmp_path, _prepare) as url, chromium() as browser:
        page = page_at(browser, url)
        login(page, "root", "root-secret-1")
        expect(page.get_by_role("heading", name="舆情总览")).to_be_visible(timeout=20_000)
        page.goto(f"{url}/hotspots")
        link = page.get_by_role("link", name=LONG_TITLE)
        expect(link).to_be_visible(timeout=30_000)
        clipped = link.evaluate(
            "a => [...a.querySelectorAll('*')].concat([a])"
            ".some(e => e.scrollWidth > e.clientWidth + 1)"
        )
        assert not clipped
