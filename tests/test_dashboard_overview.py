"""The overview page (总览) over a real SQLite archive, through Streamlit's AppTest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.models import Event
from dashboard import actions, data_overview
from dashboard.roles import Principal
from tests.support.dashboard_fixtures import (
    EXPECTED_ACTIVE_HOTSPOTS,
    EXPECTED_NEW_24H,
    EXPECTED_OPEN_OBLIGATIONS,
    EXPECTED_OVERDUE,
    EXPECTED_PREVIOUS_24H,
    EXPECTED_RUMOURS,
    NOW,
    DashboardArchive,
    add_food_safety_burst,
    app_test,
    assert_no_html,
    build_archive,
    table_with,
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
    # which one, and what is due next, without leaving the page (the review of 2026-12-07)
    [overdue] = [e.value.replace("\\", "") for e in at.error if "已逾期" in e.value]
    assert "发布权威信息：江州商场电梯困人（已逾期 3小时，期限 2026-11-20 11:00）" in overdue
    [upcoming] = [w.value.replace("\\", "") for w in at.warning if "下一项到期" in w.value]
    assert (
        upcoming
        == "下一项到期：澄清：网传临川奶粉三聚氰胺（剩余 2小时15分，期限 2026-11-20 16:15）"
    )
    # The simulated pipeline time is shown, not the wall clock.
    assert any("模拟时间：2026-11-20 14:00" in c.value for c in at.sidebar.caption)


def test_hottest_events_table_and_charts(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    table = table_with(at, "严重程度")
    assert list(table.columns[:5]) == ["事件", "热度", "提及数", "严重程度", "状态"]
    assert table.iloc[0]["事件"] == "江州商场电梯困人"
    assert table.iloc[0]["热度"] == pytest.approx(88.5)
    assert table.iloc[0]["严重程度"] == "较大"
    assert table.iloc[0]["状态"] == "升温"
    assert "上月燃气灶质量问题" not in set(table["事件"])
    # Volume by platform, the topic facet chart, mentions by region (the fixture's places
    # have no province to map), sentiment and volume by topic over time.
    assert len(at.get("vega_lite_chart")) == 5

    at.radio(key="overview_range").set_value("近30天（按天）").run()
    assert_no_html(at)
    assert "上月燃气灶质量问题" in set(table_with(at, "严重程度")["事件"])


def test_volume_by_topic_over_time(made: DashboardArchive, monkeypatch: Any) -> None:
    monkeypatch.setenv("YUQING_CONFIG", str(made.config))
    frame = data_overview.volume_by_topic(str(made.config), NOW - timedelta(days=7), None, "day")
    totals = frame.groupby("话题")["数量"].sum().to_dict()
    # m01-m03, m07, m08, m10 (special equipment); m04, m09; m05, m06.
    assert totals == {"特种设备": 6, "产品质量": 2, "食品安全": 2}


def test_rumours_under_watch(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    watch = table_with(at, "澄清事项")
    assert list(watch["事件"]) == ["网传临川奶粉三聚氰胺"]
    assert list(watch["不实说法"]) == ["网传临川区奶粉检出三聚氰胺，已被辟谣了吗"]
    assert watch.iloc[0]["谣言概率"] == pytest.approx(0.82)
    # The KPI card counts the posts of the claims this table lists: the same numbers.
    card = next(m for m in at.metric if m.label == "高谣言风险提及")
    assert card.value == str(watch["近24小时传播帖"].sum()) == str(EXPECTED_RUMOURS)
    assert watch.iloc[0]["澄清事项"] == "待办（剩余 2小时15分）"
    # The debunk that answers the claim (the alert's 已辟谣 evidence), with its time.
    debunk = "demo-official「关于网传奶粉问题的情况通报」（2026-11-20 06:00）"
    assert watch.iloc[0]["辟谣"] == debunk
    assert watch.iloc[0]["澄清期限"] == "2026-11-20 16:15"


def test_what_changed_since_last_looked(tmp_path: Path, monkeypatch: Any) -> None:
    made = build_archive(tmp_path)
    at = app_test(made, monkeypatch)
    first = next(m.value for m in at.markdown if m.value.startswith("**最近1小时"))
    assert "新增提及 1 条" in first  # m01, published exactly an hour before NOW
    next(b for b in at.button if b.label == "标记为已看").click().run()
    assert any("没有新变化" in m.value for m in at.markdown)
    # The pipeline moves on: a new post, a new event and someone acts on an obligation.
    later = NOW + timedelta(minutes=30)
    with open_archive(made.db) as archive:
        post = archive.get_mention("m01")
        assert post is not None
        archive.upsert_mentions(
            [replace(post, id="m11", published_at=later, fetched_at=later, text="电梯又困人了")]
        )
        archive.upsert_event(
            Event(
                id="ev-new",
                title="新的电梯故障",
                first_seen=later,
                last_seen=later,
                mention_count=3,
            )
        )
        archive.ledger.record_pipeline_time(later)
    actions.perform(
        str(made.config),
        "acknowledge",
        made.obligations["urgent"],
        Principal("zhao", "admin"),
    )
    at.run()
    assert_no_html(at)
    summary = next(m.value for m in at.markdown if "以来" in m.value and "新增提及" in m.value)
    assert "上次查看（2026-11-20 14:00）以来" in summary
    assert "新增提及 1 条 · 新热点 1 个 · 新告警 0 条 · 新处置事项 0 项 · 人工操作 1 次" in summary
    details = next(m.value for m in at.markdown if "新热点：" in m.value)
    assert "新的电梯故障" in details and "zhao 确认" in details


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


def test_topic_burst_section(tmp_path: Path, monkeypatch: Any) -> None:
    made = build_archive(tmp_path)
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    assert "话题声量突增" in [s.value for s in at.subheader]
    # The fixture's last hour holds one post: nothing bursts.
    assert any("没有声量较往日同一时段明显突增" in i.value for i in at.info)

    # Eight food-safety posts in the last hour, after a week with none at this hour.
    add_food_safety_burst(made.db)
    with open_archive(made.db) as archive:
        archive.ledger.record_pipeline_time(NOW + timedelta(minutes=1))  # a new minute reads again
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    # The statistic in plain words (偶然可能), its precise name only in the caption's help.
    [table] = [t.value for t in at.table if "偶然可能" in t.value.columns]
    assert table.index.name == "话题"
    assert list(table.columns) == ["近1小时", "基线", "倍数", "偶然可能", "基线依据"]
    assert list(table.index) == ["食品安全"]  # special equipment's one post is no burst
    row = table.loc["食品安全"]
    assert (row["近1小时"], row["基线"], row["倍数"]) == ("8", "0.5", "16.0")
    assert row["基线依据"] == "前7天同一时段"
    caption = next(c.value for c in at.caption if c.value.startswith("近1小时相关信息"))
    assert "前7天同一小时" in caption and "3 倍" in caption and "不超过万分之一" in caption
    assert table.loc["食品安全"]["偶然可能"].startswith("不到")
    # and the fallback a topic without history gets (its row reads 前24小时均值)
    assert "往日数据不足的话题用前24小时每小时均值" in caption


def test_the_tab_counts_critical_alerts_until_someone_acknowledges_them(
    tmp_path: Path, monkeypatch: Any
) -> None:
    made = build_archive(tmp_path)
    at = app_test(made, monkeypatch)
    # major-accidents on ev-lift is critical and firing; its obligation is still 待办.
    assert [c.value for c in at.sidebar.caption if "严重告警" in c.value] == [
        "严重告警待确认：1 条"
    ]
    scripts = [f.proto.srcdoc for f in at.get("iframe")]
    assert any('"count": 1' in s and '"user": ' in s for s in scripts), scripts
    actions.perform(
        str(made.config), "acknowledge", made.obligations["overdue"], Principal("zhao", "admin")
    )
    at.run()
    assert not [c.value for c in at.sidebar.caption if "严重告警" in c.value]
    assert any('"count": 0' in f.proto.srcdoc for f in at.get("iframe"))


def test_sentiment_trend_counts_each_sentiment(made: DashboardArchive) -> None:
    from datetime import timedelta

    from dashboard.data_overview import sentiment_trend

    rows = sentiment_trend.__wrapped__(str(made.config), NOW - timedelta(hours=48), "hour")
    totals: dict[str, int] = {}
    for _at, sentiment, count in rows:
        totals[sentiment] = totals.get(sentiment, 0) + count
    # The fixture's mentions of the last 48 hours (m01-m09; m10 is 60 hours old).
    assert totals == {"negative": 4, "neutral": 4, "positive": 1}


def test_regions_are_counted_by_province_and_drawn_as_tiles() -> None:
    from archive.models import EntityCount
    from dashboard.region_map import PROVINCE_TILES, province_counts, tile_map_chart

    counts = province_counts(
        [
            EntityCount("region", "深圳市", "440300", 5),
            EntityCount("region", "广州市", "440100", 2),
            EntityCount("region", "北京市", "110000", 1),
            EntityCount("region", "江州市", "", 9),  # the gazetteer does not know it
            EntityCount("company", "某公司", "", 3),
        ]
    )
    assert counts == {"44": 7, "11": 1}
    spec = tile_map_chart(counts).to_dict()
    [rows] = list(spec["datasets"].values())
    assert len(rows) == len(PROVINCE_TILES) == 34  # every provincial-level division, 台湾 too
    shown = {row["省份"]: row["提及数"] for row in rows}
    assert shown["广东"] == 7 and shown["北京"] == 1 and shown["台湾"] == 0
    # No two provinces share a tile.
    assert len({(row["行"], row["列"]) for row in rows}) == len(rows)


def test_the_overview_says_when_no_region_can_be_placed(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(made, monkeypatch)
    # The fixture's regions (江州市, 临川区) are invented: nothing to place on the map.
    assert any("没有识别出可定位到省级行政区的地区" in i.value for i in at.info)


def test_the_overview_maps_events_whose_regions_are_known(tmp_path: Path, monkeypatch: Any) -> None:
    from archive.models import EntityCount

    made = build_archive(tmp_path)
    with open_archive(made.db) as archive:
        archive.upsert_event(
            Event(
                id="ev-gd",
                title="深圳电梯事故",
                first_seen=NOW - timedelta(hours=2),
                last_seen=NOW - timedelta(hours=1),
                mention_count=5,
                entities=[EntityCount("region", "深圳市", "440300", 5)],
            )
        )
    at = app_test(made, monkeypatch)
    assert_no_html(at)
    assert any("方块示意位置" in c.value for c in at.caption)
    assert not any("没有识别出可定位" in i.value for i in at.info)


def test_the_overview_counts_mentions_by_region_when_no_province_can_be_placed(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    """The demo's 地区分布 was empty: its places are invented, so the province map had nothing,
    and a city office's districts never show on a national map anyway. The mentions' own
    regions are counted beside it."""
    from dashboard import data

    since = NOW - timedelta(hours=36)
    counts = {c.value: c.count for c in data.region_counts(str(made.config), since)}
    assert counts == {"江州市": 5, "临川区": 3}  # m01-m03, m07, m08; m04-m06 (m09: 40 h)
    at = app_test(made, monkeypatch)
    assert any("按提及的所属地区统计" in c.value for c in at.caption)
