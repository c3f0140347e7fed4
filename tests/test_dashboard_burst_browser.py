"""The overview's 话题声量突增 section in a real browser (headless Chromium), with a burst.

Same set-up as tests/test_dashboard_browser.py (tests/support/browser.py; skipped locally
without Chromium, a failure under CI=true): the fixture archive plus eight food-safety posts
in the last hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.browser import chromium, expect, fixture_dashboard, login, open_page, page_at
from tests.support.dashboard_fixtures import add_food_safety_burst

pytestmark = pytest.mark.slow


@pytest.fixture
def burst_url(tmp_path: Path) -> Iterator[str]:
    with fixture_dashboard(tmp_path, lambda made: add_food_safety_burst(made.db)) as url:
        yield url


def test_the_burst_section_shows_the_bursting_topic(burst_url: str) -> None:
    with chromium() as browser:
        page = page_at(browser, burst_url)
        login(page, "root", "root-secret-1")
        open_page(page, "总览", "舆情总览")
        expect(page.get_by_role("heading", name="话题声量突增")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("近1小时相关信息与往日同一时段", exact=False)).to_be_visible()
        table = page.get_by_role("table").filter(has_text="偶然可能")
        row = table.get_by_role("row").filter(has_text="食品安全")
        expect(row).to_be_visible(timeout=20_000)
        expect(row).to_contain_text("前7天同一时段")
        expect(row).to_contain_text("16.0")
