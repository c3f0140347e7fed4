"""What a duty officer reads, in a real browser (headless Chromium): found by walking the
dashboard over the wangjiang_canteen drill (docs/scenarios.md).

- The audit log named escalations ``obligation.escalated`` and showed them as
  ``duty-officer → leader`` (recipient ids in the status column): now 升级提醒, the
  recipients' names and why.
- The event page's cumulative spread chart labelled its time axis in English ("06 PM",
  "Tue 17", Vega's default): now Beijing month-day hour:minute like the other charts.
- The overview's time charts each stretched over their own data: the topic chart ended
  hours before the platform chart above it. They now share the page's time range.
- The sidebar's 值班人员 box of an open dashboard (no users, the demo's) was filled with the
  default actor's id, ``dashboard``: now empty, saying what an empty name is recorded as.
- The first-48-hours chart drew a major emergency's 5 h release and 24 h press conference
  on every event (a power-bank rumour too): now the deadlines the event itself owes.

Same set-up as tests/test_dashboard_browser.py (tests/support/browser.py; skipped locally
without Chromium, a failure under CI=true).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from archive import open_archive
from archive.models import Analysis, AuditEntry, Event, Mention, stable_id
from tests.support.browser import (
    chromium,
    expect,
    fixture_dashboard,
    login,
    open_page,
    page_at,
    served_dashboard,
)
from tests.support.dashboard_fixtures import NOW, DashboardArchive, build_archive

pytestmark = pytest.mark.slow

START = NOW - timedelta(hours=30)


def _post(mid: str, author: str, minutes: int, parent: str | None) -> Mention:
    return Mention(
        id=stable_id("weibo", mid),
        source="weibo",
        platform="weibo",
        kind="repost" if parent else "post",
        url=f"https://weibo.com/{author}/{mid}",
        text="望江区幼儿园多名幼儿呕吐送医" if parent is None else "转发微博",
        published_at=START + timedelta(minutes=minutes),
        fetched_at=NOW,
        author=author,
        parent_id=stable_id("weibo", parent) if parent else None,
        metrics={"verified_type": 1} if parent is None else {},
    )


def _prepare(made: DashboardArchive) -> None:
    """A day-long repost thread (so the chart's axis spans days) and one escalation."""
    posts = [_post("root", "望江发布", 0, None)]
    posts += [_post(f"r{i}", f"网友{i}", 90 * i, "root") for i in range(1, 18)]
    with open_archive(made.db) as archive:
        archive.upsert_mentions(posts)
        archive.upsert_analyses(
            [Analysis(m.id, relevant=True, relevance=0.9, event_id="ev-walk") for m in posts]
        )
        archive.upsert_event(
            Event(id="ev-walk", title="望江区幼儿园多名幼儿呕吐送医", first_seen=START,
                  last_seen=NOW, mention_count=len(posts), heat=1.0)
        )  # fmt: skip
        archive.ledger.audit(
            AuditEntry(
                NOW - timedelta(minutes=5),
                "system",
                "obligation.escalated",
                "obligation",
                str(made.obligations["overdue"]),
                {"to": "leader", "from": "spokesperson", "hop": 1, "unacknowledged_minutes": 30},
            )
        )


@pytest.fixture
def walk_url(tmp_path: Path) -> Iterator[str]:
    with fixture_dashboard(tmp_path, _prepare) as url:
        yield url


def test_escalations_and_the_spread_chart_read_in_chinese(walk_url: str) -> None:
    with chromium() as browser:
        page = page_at(browser, walk_url)
        login(page, "root", "root-secret-1")
        open_page(page, "处置", "处置事项")
        log = page.get_by_role("table").filter(has_text="操作人")
        row = log.get_by_role("row").filter(has_text="升级提醒")
        expect(row).to_be_visible(timeout=20_000)
        expect(row).to_contain_text("新闻发言人 → 分管领导")
        expect(row).to_contain_text("30分钟未确认，第1级升级")
        expect(log).not_to_contain_text("obligation.escalated")
        expect(log).not_to_contain_text("spokesperson")

        page.goto(f"{walk_url}/event?id=ev-walk")
        expect(page.get_by_text("关键传播节点")).to_be_visible(timeout=30_000)
        chart = page.locator(".vega-embed").filter(has_text="累计传播量")
        expect(chart).to_have_count(1, timeout=20_000)
        labels = chart.locator("svg text").all_text_contents()
        ticks = [t for t in labels if re.fullmatch(r"\d{2}-\d{2} \d{2}:\d{2}", t)]
        assert ticks, labels
        english = [t for t in labels if re.search(r"AM|PM|Mon|Tue|Wed|Thu|Fri|Sat|Sun", t)]
        assert not english, english


def test_the_first_hours_chart_draws_the_deadlines_the_event_owes(walk_url: str) -> None:
    with chromium() as browser:
        page = page_at(browser, walk_url)
        login(page, "root", "root-secret-1")
        expect(page.get_by_role("heading", name="舆情总览")).to_be_visible(timeout=20_000)
        # ev-milk (the fixture's claim) owes a clarification due 10 h after it began
        page.goto(f"{walk_url}/event?id=ev-milk")
        expect(
            page.get_by_text("首48小时（逐小时，红线为本事件处置事项的截止时间）")
        ).to_be_visible(timeout=30_000)
        owed = page.locator(".vega-embed").filter(has_text="澄清事实截止")
        expect(owed).to_have_count(1, timeout=20_000)
        expect(page.locator(".vega-embed").filter(has_text="新闻发布会")).to_have_count(0)
        expect(page.locator(".vega-embed").filter(has_text="发布权威信息")).to_have_count(0)
        # ev-walk owes nothing: no red lines, and the heading does not promise any
        page.goto(f"{walk_url}/event?id=ev-walk")
        expect(page.get_by_text("首48小时（逐小时）", exact=True)).to_be_visible(timeout=30_000)
        expect(page.locator(".vega-embed").filter(has_text="截止")).to_have_count(0)


def _ticks(chart: object) -> list[str]:
    texts = chart.locator("svg text").all_text_contents()  # type: ignore[attr-defined]
    return [t for t in texts if re.fullmatch(r"\d{2}-\d{2} \d{2}:\d{2}", t)]


def test_the_overview_time_charts_share_the_page_range(walk_url: str) -> None:
    with chromium() as browser:
        page = page_at(browser, walk_url)
        login(page, "root", "root-secret-1")
        open_page(page, "总览", "舆情总览")
        expect(page.get_by_role("heading", name="最热事件")).to_be_visible(timeout=30_000)
        # platforms, sentiment, topics; ev-walk's reposts (no topic) begin 30 h ago
        timed = page.locator(".vega-embed").filter(has_text="时间（北京时间）")
        expect(timed).to_have_count(3, timeout=20_000)
        ticks = [_ticks(timed.nth(i)) for i in range(3)]
        assert ticks[0] and ticks[0] == ticks[1] == ticks[2], ticks
        # the 48 h range from 11-18 14:00 (NOW is 11-20 14:00): the first tick within 3 hours
        assert "11-18 14:00" <= ticks[0][0] <= "11-18 17:00", ticks[0]


def test_an_open_dashboard_asks_for_the_duty_officer_by_name(tmp_path: Path) -> None:
    made = build_archive(tmp_path / "open")  # no users: the demo's loopback dashboard
    with served_dashboard(made.config, tmp_path / "streamlit.log") as url, chromium() as browser:
        page = page_at(browser, url)
        expect(page.get_by_role("heading", name="舆情总览")).to_be_visible(timeout=30_000)
        box = page.get_by_role("textbox", name="值班人员")
        expect(box).to_have_value("")
        expect(box).to_have_attribute("placeholder", "未填写时记为“值班人员”")
