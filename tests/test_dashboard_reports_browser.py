"""The 报告 page in a real browser (headless Chromium): generate a 日报, read its preview,
download the .docx. Same set-up as tests/test_dashboard_browser.py (its helpers; skipped
locally without Chromium, a failure under CI=true)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document

from tests.support.dashboard_fixtures import build_archive, write_config
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


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    made = build_archive(tmp_path / "archive")
    write_config(made.folder, made.db, extra=_users_yaml())
    with served_dashboard(made.config, tmp_path / "streamlit.log") as served:
        yield served


def test_generate_preview_and_download(url: str, tmp_path: Path) -> None:
    executable = _chromium()
    if sync_playwright is None:
        _missing("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2400}, locale="zh-CN")
            page.goto(url)
            _login(page, "root", "root-secret-1")
            _open(page, "报告", "舆情报告")
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
        finally:
            browser.close()
