"""The 报告 page in a real browser (headless Chromium): generate a 日报, read its preview,
download the .docx. Same set-up as tests/test_dashboard_browser.py (tests/support/browser.py;
skipped locally without Chromium, a failure under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from tests.support.browser import chromium, expect, fixture_dashboard, login, open_page, page_at

pytestmark = pytest.mark.slow


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with fixture_dashboard(tmp_path) as served:
        yield served


def test_generate_preview_and_download(url: str, tmp_path: Path) -> None:
    with chromium() as browser:
        page = page_at(browser, url)
        login(page, "root", "root-secret-1")
        open_page(page, "报告", "舆情报告")
        # The default is the day before the archive's "now" (the 19th); the 20th is typed
        # into the date field's day part.
        day = page.get_by_role("spinbutton", name="day, 统计日期（周报为最后一天）")
        day.click()
        page.keyboard.type("20")
        page.get_by_role("button", name="生成报告").click()
        expect(page.get_by_text("已生成 daily-20261120")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("共监测到相关舆情信息6条", exact=False)).to_be_visible()
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="下载 DOCX").click()
        saved = tmp_path / "daily.docx"
        download.value.save_as(saved)
        assert any(p.text == "舆情日报" for p in Document(str(saved)).paragraphs)
