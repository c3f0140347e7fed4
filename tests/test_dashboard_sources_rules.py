"""The sources page (信息源) and the rules page (规则) with its backtest, over a real archive."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from archive import open_archive
from tests.support.dashboard_fixtures import (
    NOW,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
    table_with,
)

SOURCES = "views/sources.py"
RULES = "views/rules.py"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("sources"))


def test_source_health(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, SOURCES)
    assert_no_html(at)
    table = table_with(at, "信息源").set_index("信息源")
    status = table["状态"].to_dict()
    assert status == {
        "demo-news": "● 正常",
        "demo-weibo": "▲ 上次采集失败",  # the last run failed after the last success
        "demo-rss": "◆ 长时间未成功",  # 2 hours without success on a 10-minute interval
        "demo-official": "○ 尚未采集",
        "demo-spare": "■ 已停用",
        "old-forum": "▲ 上次采集失败",  # in the archive, no longer configured
    }
    weibo = table.loc["demo-weibo"]
    assert weibo["错误率"] == pytest.approx(0.2)
    assert weibo["上次条数"] == 0 and weibo["运行次数"] == 50
    assert weibo["上次成功"] == "2026-11-20 11:00"
    assert weibo["24小时提及"] == 3  # m01, m03, m05
    assert weibo["上次错误"] == "连接超时 <b>timeout</b>"  # a table cell: text, not HTML
    assert table.loc["old-forum"]["类型"] == "未配置"
    values = {m.label: m.value for m in at.metric}
    assert values == {"信息源": "6", "正常": "1", "失败": "2", "长时间未成功": "2"}
    errors = [e.value for e in at.error]
    assert any("demo\\-weibo 上次采集失败" in e and "\\<b\\>" in e for e in errors)


def test_rules_in_force_and_their_alerts(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, RULES)
    assert_no_html(at)
    table = table_with(at, "条件").set_index("规则")
    # By their display names: built-in Chinese names for the starter rules' ids, the id
    # itself for a rule of the site's own without a display_name.
    assert list(table.index) == [
        "热点舆情",
        "较大及以上突发事件",
        "谣言澄清",
        "lift-watch",
        "话题声量突增",
    ]
    assert table.loc["话题声量突增"]["条件"] == "按话题分别判断；基线：前7天同一时段"
    assert table.loc["较大及以上突发事件"]["条件"] == "等级≥较大"
    assert table.loc["较大及以上突发事件"]["开启事项"] == "发布权威信息、召开新闻发布会"
    assert table.loc["较大及以上突发事件"]["近期告警"] == 1
    assert table.loc["lift-watch"]["条件"] == "关注词：电梯"
    at.selectbox(key="rules_alerts_rule").set_value("rumours").run()
    alerts = table_with(at, "首次触发")
    assert list(alerts["标题"]) == ["网传临川区奶粉检出三聚氰胺，已被辟谣了吗"]  # the claim


def test_backtest_form_runs_the_backtest(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, RULES)
    at.selectbox(key="backtest_rule").set_value("lift-watch")
    at.date_input(key="backtest_days").set_value((NOW.date() - timedelta(days=3), NOW.date()))
    at.selectbox(key="backtest_step").set_value("1小时")
    next(b for b in at.button if b.label == "开始回测").click().run(timeout=120)
    assert_no_html(at)
    assert not at.error
    summary = "\n".join(m.value for m in at.markdown)
    # All ten mentions fall in the four Beijing days 11-17 … 11-20; they are analysed again,
    # and the watch word 电梯 matches the three events their elevator posts form.
    assert "重放 10 条提及、96 步" in summary and "触发告警 **3** 条" in summary
    raised = table_with(at, "规则或事项")
    assert set(raised["类型"]) == {"告警"} and set(raised["规则或事项"]) == {"lift-watch"}
    titles = " ".join(raised["标题"])
    for title in ("电梯又坏了", "电梯维保新规解读", "听说江州电梯事故死了三个人"):
        assert title in titles
    assert any("当前规则实际触发告警" in c.value for c in at.caption)
    # Read-only: the backtest raised nothing in the real archive.
    with open_archive(made.db, readonly=True) as archive:
        assert {a.rule for a in archive.ledger.list_alerts()} == {"major-accidents", "rumours"}


def test_backtest_window_is_limited(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, RULES)
    at.date_input(key="backtest_days").set_value((NOW.date() - timedelta(days=20), NOW.date()))
    next(b for b in at.button if b.label == "开始回测").click().run()
    assert "回测范围最长 7 天" in at.error[0].value
