"""The overview's 话题声量突增 section in a real browser (headless Chromium), with a burst.

Same set-up as tests/test_dashboard_browser.py (its helpers; skipped locally without Chromium,
a failure under CI=true): the fixture archive plus eight food-safety posts in the last hour.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dashboard_fixtures import add_food_safety_burst, build_archive, write_config
from tests.test_dashboard_browser import (
    CHROMIUM_ARGS,
    _chromium,
    _login,
    _missing,
    _open,
    _users_yaml,
    expect,
    served_dashboard,
    sync_playwright,
)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def burst_url(tmp_path: Path) -> Iterator[str]:
    made = build_archive(tmp_path / "archive")
    add_food_safety_burst(made.db)
    write_config(made.folder, made.db, extra=_users_yaml())
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url:
        yield url


def test_the_burst_section_shows_the_bursting_topic(burst_url: str) -> None:
    executable = _chromium()
    if sync_playwright is None:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
            page.goto(burst_url)
            _login(page, "root", "root-secret-1")
            _open(page, "总览", "舆情总览")
            expect(page.get_by_role("heading", name="话题声量突增")).to_be_visible(timeout=20_000)
            expect(page.get_by_text("近1小时相关信息与往日同一时段", exact=False)).to_be_visible()
            table = page.get_by_role("table").filter(has_text="泊松尾概率")
            row = table.get_by_role("row").filter(has_text="食品安全")
            expect(row).to_be_visible(timeout=20_000)
            expect(row).to_contain_text("前7天同一时段")
            expect(row).to_contain_text("16.0")
        finally:
            browser.close()
