"""The overview page (总览) over a real SQLite archive, through Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.dashboard_fixtures import (
    EXPECTED_ACTIVE_HOTSPOTS,
    EXPECTED_NEW_24H,
    EXPECTED_OPEN_OBLIGATIONS,
    EXPECTED_OVERDUE,
    EXPECTED_PREVIOUS_24H,
    EXPECTED_RUMOURS,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("overview"))


def test_metric_cards_show_the_archive_figures(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    assert at.title[0].value == "舆情总览"
    values = {metric.label: metric.value for metric in at.metric}
    assert values == {
        "24小时新增提及": str(EXPECTED_NEW_24H),
        "活跃热点": str(EXPECTED_ACTIVE_HOTSPOTS),
        "待处置事项": str(EXPECTED_OPEN_OBLIGATIONS),
        "已逾期事项": str(EXPECTED_OVERDUE),
        "高谣言风险提及": str(EXPECTED_RUMOURS),
    }
    new_card = next(m for m in at.metric if m.label == "24小时新增提及")
    assert new_card.delta == str(EXPECTED_NEW_24H - EXPECTED_PREVIOUS_24H)
    assert any("1 项处置已逾期" in e.value for e in at.error)
    # The simulated pipeline time is shown, not the wall clock.
    assert any("模拟时间：2026-11-20 14:00" in c.value for c in at.sidebar.caption)


def test_hottest_events_table_and_charts(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["事件", "热度", "提及数", "严重程度", "状态"]
    assert table.iloc[0]["事件"] == "江州商场电梯困人"
    assert table.iloc[0]["热度"] == pytest.approx(88.5)
    assert table.iloc[0]["严重程度"] == "较大"
    assert table.iloc[0]["状态"] == "升温"
    assert "上月燃气灶质量问题" not in set(table["事件"])
    # Volume by platform and the topic facet chart.
    assert len(at.get("vega_lite_chart")) == 2

    at.radio(key="overview_range").set_value("近30天（按天）").run()
    assert_no_html(at)
    assert "上月燃气灶质量问题" in set(at.dataframe[0].value["事件"])


def test_configuration_error_is_a_message_not_a_traceback(tmp_path: Path, monkeypatch: Any) -> None:
    bad = tmp_path / "yuqing.yaml"
    bad.write_text("archive:\n  backend: sqlite\n  pathh: x.db\n", encoding="utf-8")
    made = DashboardArchive(folder=tmp_path, config=bad, db=tmp_path / "x.db")
    at = app_test(made, monkeypatch)
    assert not at.exception
    assert "配置文件有误" in at.error[0].value
    assert "archive.pathh" in at.code[0].value


def test_missing_archive_says_what_to_do(tmp_path: Path, monkeypatch: Any) -> None:
    config = tmp_path / "yuqing.yaml"
    config.write_text("archive:\n  path: missing.db\n", encoding="utf-8")
    made = DashboardArchive(folder=tmp_path, config=config, db=tmp_path / "missing.db")
    at = app_test(made, monkeypatch)
    assert not at.exception
    assert "无法打开舆情档案库" in at.error[0].value
    assert "missing.db" in at.code[0].value
