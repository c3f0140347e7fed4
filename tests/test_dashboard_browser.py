"""Smoke test in a real browser: ``streamlit run dashboard/app.py`` opened in headless Chromium.

The server, the browser and the login are tests/support/browser.py: without Chromium the
tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, expect, fixture_dashboard, login, open_page

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
def dashboard_url(tmp_path: Path) -> Iterator[str]:
    with fixture_dashboard(tmp_path) as url:
        yield url


def _search(page: Any, query: str, expected: str) -> None:
    page.get_by_label("检索式").fill(query)
    page.get_by_role("button", name="检索", exact=True).click()
    expect(page.get_by_text(f"条结果，{expected}")).to_be_visible(timeout=20_000)


def _shot(page: Any, name: str) -> None:
    page.wait_for_timeout(800)  # let the charts draw before the picture
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}.png"), full_page=True)


def test_dashboard_end_to_end_in_chromium(dashboard_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(
            viewport={"width": 1400, "height": 2400},
            locale="zh-CN",
            accept_downloads=True,
        )
        # Every request the pages make, to check that none leaves the dashboard's origin
        # (an intranet without internet access must get the whole page from us).
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        # A link from a message, opened before logging in: the login form, then the page.
        page.goto(f"{dashboard_url}/event?id=ev-milk")
        # Nothing but the login form until someone logs in.
        expect(page.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("24小时新增提及")).to_have_count(0)
        _shot(page, "login")
        login(page, "root", "wrong-password")
        expect(page.get_by_text("用户名或密码不正确")).to_be_visible(timeout=20_000)
        login(page, "root", "root-secret-1")
        expect(page.get_by_role("heading", name="网传临川奶粉三聚氰胺")).to_be_visible(
            timeout=20_000
        )
        assert "id=ev-milk" in page.url

        open_page(page, "总览", "舆情总览")
        expect(page.get_by_text("24小时新增提及")).to_be_visible()
        expect(page.get_by_text("有 1 项处置已逾期")).to_be_visible(timeout=10_000)
        # Served as production serves it (client.toolbarMode viewer): no developer toolbar
        # (Deploy, rerun, clear cache) for the duty officer.
        expect(page.get_by_test_id("stAppDeployButton")).to_have_count(0)
        # The tab counts the critical alert nobody has acknowledged (dashboard.alert_watch).
        expect(page).to_have_title(re.compile(r"^\(1\) "), timeout=20_000)
        expect(page.get_by_role("heading", name="谣言关注")).to_be_visible()
        expect(page.get_by_role("heading", name="最热事件")).to_be_visible()
        _shot(page, "overview")

        # Open a hotspot: the ranking, then the event's own page.
        open_page(page, "热点", "热点事件")
        _shot(page, "hotspots")
        page.get_by_role("link", name="江州商场电梯困人").click()
        expect(page.get_by_role("heading", name="江州商场电梯困人")).to_be_visible(timeout=20_000)
        assert "id=ev-lift" in page.url
        expect(page.get_by_role("heading", name="严重程度依据")).to_be_visible()
        expect(page.get_by_text("帖内质疑：听说", exact=False)).to_be_visible()
        _shot(page, "event")

        open_page(page, "检索", "舆情检索")
        _search(page, "电梯 困人", "显示 2 条")
        _shot(page, "search")
        # Crawled markup and URLs are shown as text: no tags, no links but ours.
        _search(page, "维保", "显示 2 条")
        expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
        expect(page.get_by_role("link", name="http://evil.example")).to_have_count(0)
        expect(page.get_by_role("link", name="链接")).to_have_count(0)
        expect(page.locator("img[src=x]")).to_have_count(0)
        # The export is built on click (a deferred download) and holds the whole result.
        with page.expect_download(timeout=20_000) as download:
            page.get_by_role("button", name="导出 CSV").click()
        exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert exported.startswith("id,published_at,source,platform")
        assert len(exported.strip().splitlines()) == 3
        assert "'=HYPERLINK" in exported

        # Acknowledge the overdue obligation and find the entry in the audit log.
        open_page(page, "处置", "处置事项")
        expect(page.get_by_text("已逾期 3小时")).to_be_visible()
        # Grouped by event, the overdue one first; each card has its own actions.
        expect(page.get_by_role("heading", name="江州商场电梯困人")).to_be_visible()
        page.get_by_role("button", name="确认", exact=True).first.click()
        expect(page.get_by_text("已确认（操作人：root）")).to_be_visible(timeout=20_000)
        # A reason half typed into a card's 办理 popover survives the board's refresh
        # (the fragment reruns every cache period, 10 s here).
        page.get_by_role("button", name="办理…").nth(1).click()
        reason = page.get_by_label("豁免理由").first
        reason.fill("处罚决定已撤销")
        page.wait_for_timeout(12_000)
        expect(reason).to_have_value("处罚决定已撤销")
        page.keyboard.press("Escape")
        audit = page.get_by_role("table").filter(has_text="操作人")
        row = audit.get_by_role("row").filter(has_text="待办 → 已确认")
        expect(row).to_contain_text("root")
        expect(row).to_contain_text("确认")
        _shot(page, "obligations")

        open_page(page, "信息源", "信息源状态")
        expect(page.get_by_text("demo-weibo 上次采集失败", exact=False)).to_be_visible()
        _shot(page, "sources")
        open_page(page, "规则", "规则")
        page.get_by_role("button", name="开始回测").click()
        expect(page.get_by_text("触发告警", exact=False).first).to_be_visible(timeout=60_000)
        _shot(page, "rules")

        # A viewer is offered no search and no actions. Logging in again returns to the
        # page that was open.
        page.get_by_role("button", name="退出登录").click()
        login(page, "wang", "wang-secret-1")
        expect(page.get_by_role("heading", name="规则", exact=True)).to_be_visible(timeout=20_000)
        expect(page.get_by_role("link", name="检索", exact=True)).to_have_count(0)
        expect(page.get_by_text("当前账号无规则回测权限")).to_be_visible()
        open_page(page, "处置", "处置事项")
        expect(page.get_by_text("只读权限", exact=False)).to_be_visible()
        expect(page.get_by_role("button", name="确认", exact=True)).to_have_count(0)
        outside = [
            url
            for url in requested
            if not url.startswith((dashboard_url, "data:", "blob:", "ws://127.0.0.1"))
        ]
        assert requested and not outside, outside


def _session_cookie(context: Any, page: Any) -> Any:
    """The login cookie, once the page's script has stored it (waits on the cookie itself)."""
    for _ in range(100):
        found = [c for c in context.cookies() if c["name"] == "yuqing_session"]
        if found:
            return found[0]
        page.wait_for_timeout(200)
    raise AssertionError("the login cookie was never stored")


def test_a_login_survives_a_reload_until_logout(dashboard_url: str) -> None:
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{dashboard_url}/")
        login(page, "root", "root-secret-1")
        expect(page.get_by_role("heading", name="舆情总览")).to_be_visible(timeout=20_000)
        cookie = _session_cookie(context, page)
        assert cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 7 * 3600
        assert cookie["httpOnly"]  # set by the server's route: out of scripts' reach
        assert page.evaluate("document.cookie").find("yuqing_session") == -1
        assert "root-secret-1" not in cookie["value"]
        # A reload is a new Streamlit session: the cookie logs it in, on the same page.
        open_page(page, "处置", "处置事项")
        page.reload()
        expect(page.get_by_role("heading", name="处置事项", exact=True)).to_be_visible(
            timeout=20_000
        )
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
        # An edited token (another user's name in it) is refused: the login form.
        payload, signature = cookie["value"].split(".")
        forged = {**cookie, "value": f"{payload[:-2]}xx.{signature}"}
        context.clear_cookies()
        context.add_cookies([forged])  # type: ignore[list-item]
        page.reload()
        expect(page.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
        # A logout clears the cookie: a reload after it asks for the password again.
        login(page, "root", "root-secret-1")
        expect(page.get_by_role("button", name="退出登录")).to_be_visible(timeout=20_000)
        # An admin sees the session in the sidebar's list.
        page.get_by_text("登录会话（", exact=False).click()
        expect(page.get_by_text("root · ", exact=False).first).to_be_visible()
        copied = _session_cookie(context, page)
        page.get_by_role("button", name="退出登录").click()
        expect(page.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
        page.wait_for_timeout(500)
        assert not [c for c in context.cookies() if c["name"] == "yuqing_session"]
        page.reload()
        expect(page.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
        # A copy of the cookie made before the logout does not log in from another
        # browser: the server-side session record was revoked.
        other = browser.new_context(viewport={"width": 1400, "height": 1600}, locale="zh-CN")
        other.add_cookies([copied])
        stolen = other.new_page()
        stolen.goto(f"{dashboard_url}/")
        expect(stolen.get_by_role("heading", name="登录舆情监测平台")).to_be_visible(timeout=20_000)
        expect(stolen.get_by_role("button", name="退出登录")).to_have_count(0)
