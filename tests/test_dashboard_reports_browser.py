"""The 报告 page in a real browser (headless Chromium): generate a 日报, read its preview,
download the .docx. Same set-up as tests/test_dashboard_browser.py (tests/support/browser.py;
skipped locally without Chromium, a failure under CI=true)."""

from __future__ import annotations

import re
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
        expect(page.get_by_text("已生成「舆情日报（2026年11月20日）」")).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_text("共监测到相关舆情信息6条", exact=False)).to_be_visible()
        with page.expect_download(timeout=30_000) as download:
            page.get_by_role("button", name="下载 DOCX").click()
        saved = tmp_path / "daily.docx"
        download.value.save_as(saved)
        assert any(p.text == "舆情日报" for p in Document(str(saved)).paragraphs)


def test_a_special_briefing_is_made_for_an_event_chosen_by_title(url: str) -> None:
    """The 专报's event is picked by its title (it was a box for the event's raw id), and
    stored briefings are listed by title and period, not by key."""
    with chromium() as browser:
        page = page_at(browser, url)
        login(page, "root", "root-secret-1")
        open_page(page, "报告", "舆情报告")
        page.get_by_role("button", name="生成报告").click()  # a 日报 first
        expect(page.get_by_text("已生成「舆情日报", exact=False)).to_be_visible(timeout=60_000)
        page.get_by_role("combobox", name="类型").click()
        page.get_by_role("option", name="舆情专报").click()
        page.get_by_role("button", name="生成报告").click()
        expect(page.get_by_text("生成专报请先选择事件。")).to_be_visible(timeout=30_000)
        events = page.get_by_role("combobox", name="事件（专报）")
        expect(events).to_have_attribute("placeholder", "生成专报时选择事件")
        events.click()
        page.get_by_role("option", name="江州商场电梯困人", exact=False).click()
        page.get_by_role("button", name="生成报告").click()
        expect(page.get_by_text("已生成「舆情专报：江州商场电梯困人", exact=False)).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_text("专报〔2026〕", exact=False).first).to_be_visible()
        chosen = page.get_by_role("combobox", name="报告")
        expect(chosen).to_have_value(re.compile(r"^舆情专报：江州商场电梯困人（.+）（草稿）$"))
        expect(page.get_by_text("event-ev-lift")).to_have_count(0)
