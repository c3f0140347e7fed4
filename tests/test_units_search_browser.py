"""The dashboard's search and briefings honour the user's unit (issue 23), in a real browser: a
county user finds their district's milk rumour and not the city's lift incident, a sibling
county finds neither, the city finds both; a county user's briefing is their unit's, and a
sibling does not see it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, expect, login, open_page, page_at, served_dashboard
from tests.support.dashboard_fixtures import build_archive, write_config
from tests.support.unit_tree import password, units_yaml

pytestmark = pytest.mark.slow


def _search(page: Any, query: str) -> None:
    page.get_by_label("检索式").fill(query)
    page.get_by_role("button", name="检索", exact=True).click()


def _found(page: Any, query: str, shown: int) -> None:
    _search(page, query)
    expect(page.get_by_text(f"条结果，显示 {shown} 条")).to_be_visible(timeout=30_000)


def _none(page: Any, query: str) -> None:
    _search(page, query)
    expect(page.get_by_text("没有找到符合条件的内容", exact=False)).to_be_visible(timeout=30_000)


def _as(browser: Any, url: str, user: str) -> Any:
    page = page_at(browser, f"{url}/")
    login(page, user, password(user))
    open_page(page, "检索", "舆情检索")
    return page


def test_search_is_scoped_to_the_users_unit(tmp_path: Path) -> None:
    made = build_archive(tmp_path / "archive")
    write_config(made.folder, made.db, extra=units_yaml(with_users=True))
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url, chromium() as browser:
        lin = _as(browser, url, "lin")
        _found(lin, "奶粉", 2)  # the rumour and its debunk: ev-milk, 临川's
        expect(lin.get_by_text("网传临川区奶粉检出三聚氰胺", exact=False)).to_be_visible()
        _none(lin, "电梯")  # the lift incident is the city's
        open_page(lin, "报告", "舆情报告")
        lin.get_by_role("button", name="生成报告").click()
        expect(lin.get_by_text("-linchuan（草稿）", exact=False).first).to_be_visible(
            timeout=60_000
        )
        title = "临川区市场监督管理局舆情日报"
        expect(lin.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
        lin.close()

        bai = _as(browser, url, "bai")
        _none(bai, "奶粉")
        open_page(bai, "报告", "舆情报告")
        expect(bai.get_by_text("尚无报告。")).to_be_visible(timeout=30_000)
        bai.close()

        city = _as(browser, url, "city")
        _found(city, "奶粉", 2)
        _search(city, "电梯")
        expect(city.get_by_text("江州市万达广场电梯困人", exact=False)).to_be_visible(
            timeout=30_000
        )
        open_page(city, "报告", "舆情报告")  # the top unit sees its districts' briefings
        expect(city.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
