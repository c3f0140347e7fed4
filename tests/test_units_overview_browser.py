"""The overview's KPI cards count the logged-in user's subtree (属地化, issue 23), in a real
browser on one archive: 临川区's user counts its milk rumour's posts and clarification, 白沙区's
counts nothing, the city (the top unit) counts the whole archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import chromium, expect, login, page_at, served_dashboard
from tests.support.dashboard_fixtures import (
    EXPECTED_ACTIVE_HOTSPOTS,
    EXPECTED_NEW_24H,
    EXPECTED_OPEN_OBLIGATIONS,
    EXPECTED_OVERDUE,
    build_archive,
    write_config,
)
from tests.support.unit_tree import password, units_yaml

pytestmark = pytest.mark.slow

CARDS = ("24小时新增提及", "活跃热点", "待处置事项", "已逾期事项", "高谣言风险提及")


def _cards(browser: Any, url: str, user: str) -> dict[str, str]:
    """The overview's KPI values as ``user`` sees them, by card label."""
    page = page_at(browser, f"{url}/")
    login(page, user, password(user))
    expect(page.get_by_role("heading", name="舆情总览")).to_be_visible(timeout=30_000)
    metrics = page.get_by_test_id("stMetric")
    expect(metrics).to_have_count(len(CARDS), timeout=30_000)
    values = {}
    for index in range(len(CARDS)):
        card = metrics.nth(index)
        label = card.get_by_test_id("stMetricLabel").inner_text().strip()
        values[label] = card.get_by_test_id("stMetricValue").inner_text().strip()
    page.close()
    return values


def test_a_county_users_kpi_cards_count_its_subtree(tmp_path: Path) -> None:
    made = build_archive(tmp_path / "archive")
    write_config(made.folder, made.db, extra=units_yaml(with_users=True))
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url, chromium() as browser:
        city = _cards(browser, url, "city")
        lin = _cards(browser, url, "lin")
        bai = _cards(browser, url, "bai")
    assert set(city) == set(CARDS)
    # The top unit: the whole archive's figures.
    assert city["24小时新增提及"] == str(EXPECTED_NEW_24H)
    assert city["活跃热点"] == str(EXPECTED_ACTIVE_HOTSPOTS)
    assert city["待处置事项"] == str(EXPECTED_OPEN_OBLIGATIONS)
    assert city["已逾期事项"] == str(EXPECTED_OVERDUE)
    # 临川区: the milk rumour (m05 names 临川区) with its debunk — two posts of the last 24
    # hours, one hotspot, its clarification open and not overdue; the city's lift incident
    # and its overdue release are not 临川区's.
    assert (lin["24小时新增提及"], lin["活跃热点"]) == ("2", "1")
    assert (lin["待处置事项"], lin["已逾期事项"]) == ("1", "0")
    # 白沙区: nothing of this archive happens there.
    assert bai == dict.fromkeys(CARDS, "0")
    assert lin != city
