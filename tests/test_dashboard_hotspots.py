"""The hotspot page (热点) and the event page (事件详情) over a real SQLite archive."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from archive import open_archive
from tests.support.dashboard_fixtures import (
    NOW,
    DashboardArchive,
    app_test,
    assert_no_html,
    build_archive,
    table_with,
)

HOTSPOTS = "views/hotspots.py"
EVENT = "views/event.py"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_archive(tmp_path_factory.mktemp("hotspots"))


def _event(made: DashboardArchive, monkeypatch: Any, event_id: str) -> AppTest:
    at = app_test(made, monkeypatch)
    at.query_params["id"] = event_id
    return at.switch_page(EVENT).run()


def test_events_ranked_by_heat_with_trend(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, HOTSPOTS)
    assert_no_html(at)
    assert at.title[0].value == "热点事件"
    table = table_with(at, "走势")
    # ev-toy, a single notice, is an event but not a hotspot (settings.nlp.hotspot).
    assert list(table["事件"]) == ["江州商场电梯困人", "网传临川奶粉三聚氰胺"]
    lift = table.iloc[0]
    assert lift["热度"] == pytest.approx(88.5)
    assert (lift["状态"], lift["严重程度"]) == ("升温", "较大")
    # Daily buckets from the (partial) first day of the window: the three mentions today.
    assert list(lift["走势"]) == [0, 0, 0, 0, 0, 0, 0, 3]
    assert table.iloc[1]["疑似谣言"] == pytest.approx(0.82)
    # Hourly over 48 hours: the lift mentions at 11:00, 12:00, 13:00 Beijing time.
    at.radio(key="hotspots_range").set_value("近48小时（按小时）").run()
    trend = list(table_with(at, "走势").iloc[0]["走势"])
    assert len(trend) == 49 and trend[-4:] == [1, 1, 1, 0]
    # A link per event to its page, carrying its id.
    links = [link.proto for link in at.get("page_link")]
    lift = next(link for link in links if "江州商场电梯困人" in link.label)
    assert lift.query_string == "id=ev-lift"


def test_event_page_shows_spread_evidence_and_duties(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = _event(made, monkeypatch, "ev-lift")
    assert_no_html(at)
    assert at.title[0].value == "江州商场电梯困人"
    values = {m.label: m.value for m in at.metric}
    # 热度 with its level against the hot-events rule's min_heat (50): 88.5 is 高.
    assert values["热度"] == "88.5（高）" and values["提及数"] == "3"
    # Timeline, platform and source charts, sentiment and the word cloud; the 传播分析 tree
    # and cumulative spread.
    assert len(at.get("vega_lite_chart")) == 7
    texts = "\n".join(m.value for m in at.markdown)
    assert "最早一条" in texts  # the first post of the event leads the representative ones
    # Who and what the event is about: 电梯 in all three mentions (江州 is no real city).
    assert "- 产品：电梯×3" in texts and "地区：" not in texts
    # Rumour evidence: the post above the threshold, with its reasons.
    assert "疑似谣言帖子" in texts and "帖内质疑：听说" in texts
    # Severity basis: the figure, the phrase and the mention it came from.
    basis = table_with(at, "依据（数字与原文）")
    assert basis.iloc[0]["依据（数字与原文）"] == "死亡 3人（“死了三个人”）"
    assert basis.iloc[0]["提及编号"] == "m03"
    assert "死了三个人" in basis.iloc[0]["出处"]
    alerts = table_with(at, "规则")
    assert list(alerts["规则"]) == ["较大及以上突发事件"]
    duties = table_with(at, "剩余")
    assert list(duties["事项"]) == ["发布权威信息"] and duties.iloc[0]["剩余"] == "已逾期 3小时"


def test_event_page_known_rumour_match(made: DashboardArchive, monkeypatch: Any) -> None:
    at = _event(made, monkeypatch, "ev-milk")
    assert_no_html(at)
    texts = "\n".join(m.value for m in at.markdown)
    assert "与已登记辟谣的匹配" in texts
    assert "关于网传临川区奶粉检出三聚氰胺的情况通报（相似度 0.87）" in texts.replace("\\", "")
    assert any("尚未分级" in c.value for c in at.caption)
    assert list(table_with(at, "规则")["规则"]) == ["谣言澄清"]


def test_event_page_choice_and_unknown_event(made: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(made, monkeypatch, EVENT)
    assert_no_html(at)
    # Without an id: the hottest event, and a picker for the others.
    assert at.title[0].value == "江州商场电梯困人"
    at.selectbox(key="event_choice").set_value("ev-toy").run()
    assert at.title[0].value == "儿童玩具召回"
    assert at.query_params["id"] == ["ev-toy"] or at.query_params["id"] == "ev-toy"

    at = _event(made, monkeypatch, "no-such-event")
    assert not at.exception
    assert any("没有找到该事件" in i.value for i in at.info)


def test_event_page_opens_the_search_on_its_mentions(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = _event(made, monkeypatch, "ev-milk")
    next(b for b in at.button if b.label == "检索该事件的全部提及").click().run()
    assert_no_html(at)
    assert at.title[0].value == "舆情检索"
    assert at.multiselect(key="search_events").value == ["ev-milk"]
    assert at.selectbox(key="search_range").value == "全部时间"
    summary = next(m.value for m in at.markdown if "条结果" in m.value)
    assert summary.startswith("共 **2** 条结果")  # m05 and m06
    hits = "\n".join(m.value for m in at.markdown if "检索式写法" not in m.value)
    assert "三聚氰胺" in hits and "电梯" not in hits


# ---- events that carry their volume by platform -------------------------------------------
@pytest.fixture(scope="module")
def counted(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    """The same archive, its lift and milk events as the analyser now writes them: with their
    members per platform (ev-toy stays as written before platforms were kept)."""
    made = build_archive(tmp_path_factory.mktemp("hotspots-platforms"))
    with open_archive(made.db) as archive:
        for event_id, platforms in (
            ("ev-lift", {"weibo": 2, "news": 1}),  # m01, m03 on Weibo; m02 a news report
            ("ev-milk", {"official": 1, "weibo": 1}),
            # Its five mentions are not in the fixture: only the stored counts know them.
            ("ev-old", {"news": 3, "rss": 2}),
        ):
            event = archive.get_event(event_id)
            assert event is not None
            archive.upsert_event(replace(event, platforms=platforms))
    return made


def test_hotspots_show_each_events_platform_breakdown(
    counted: DashboardArchive, monkeypatch: Any
) -> None:
    at = app_test(counted, monkeypatch, HOTSPOTS)
    assert_no_html(at)
    table = table_with(at, "平台分布")
    breakdown = dict(zip(table["事件"], table["平台分布"], strict=True))
    # The most first, among equals by platform code; Chinese names from dashboard.labels.
    assert breakdown == {
        "江州商场电梯困人": "微博 2 · 新闻网站 1",
        "网传临川奶粉三聚氰胺": "官方网站 1 · 微博 1",
    }
    # The breakdown comes after the severity and the stage: before them it pushed both past
    # the right edge of the window (the review of 2026-12-07).
    [grid] = [d for d in at.dataframe if "平台分布" in d.value.columns]
    order = list(grid.proto.column_order)
    assert order.index("严重程度") < order.index("状态") < order.index("平台分布"), order


def _platform_chart(at: AppTest) -> dict[str, int]:
    """The bars of the event page's platform chart (its tooltip names 平台), name → count."""
    import json

    import pyarrow as pa

    [chart] = [
        c
        for c in at.get("vega_lite_chart")
        if json.loads(c.proto.spec).get("encoding", {}).get("tooltip", [{}])[0].get("title")
        == "平台"
    ]
    [dataset] = chart.proto.datasets
    table = pa.ipc.open_stream(dataset.data.data).read_all().to_pydict()
    return dict(zip(table["名称"], table["数量"], strict=True))


def test_event_page_charts_the_stored_platforms(
    counted: DashboardArchive, monkeypatch: Any
) -> None:
    at = _event(counted, monkeypatch, "ev-old")
    assert_no_html(at)
    # The stored counts, though the archive holds none of the event's mentions any more.
    assert _platform_chart(at) == {"新闻网站": 3, "RSS订阅": 2}
    at = _event(counted, monkeypatch, "ev-lift")
    assert_no_html(at)
    assert len(at.get("vega_lite_chart")) == 7
    assert _platform_chart(at) == {"微博": 2, "新闻网站": 1}
    # Written before platforms were kept: the archive's platform facets of its mentions.
    at = _event(counted, monkeypatch, "ev-toy")
    assert_no_html(at)
    assert _platform_chart(at) == {"RSS订阅": 1}


def test_event_timeline_is_hourly_over_the_first_two_days_then_daily(
    made: DashboardArchive,
) -> None:
    from archive.search import SearchFilters, SearchRequest
    from dashboard.data_events import HOURLY_SPAN, event_timeline
    from tests.support.dashboard_fixtures import HOUR, NOW, _events

    archive = open_archive(made.db)
    # An event that began 60 hours ago: the special-equipment mentions stand in for its
    # members (hours before NOW: 1, 2, 3, 20, 30, 60).
    long = replace(_events()[0], first_seen=NOW - 60 * HOUR, last_seen=NOW - HOUR)
    request = SearchRequest(filters=SearchFilters(topics=["special_equipment"]))
    timeline = event_timeline(archive, long, request)
    assert len(timeline.hours) == 49  # every hour of the first 48, zeros included
    assert timeline.hours[0] == (long.first_seen, 1)  # the first post, in the first hour
    assert timeline.hours[-1][0] == long.first_seen + HOURLY_SPAN
    # Within the first 48 hours: the posts 60, 30 and 20 hours old; the rest only daily.
    assert sum(n for _, n in timeline.hours) == 3
    assert sum(b.count for b in timeline.days) == 6

    # ev-lift lasted two hours: hourly only, up to its last post.
    short = _events()[0]
    timeline = event_timeline(
        archive, short, SearchRequest(filters=SearchFilters(events=["ev-lift"]))
    )
    assert [n for _, n in timeline.hours] == [1, 1, 1] and timeline.days == []


def test_event_page_marks_the_5_and_24_hour_deadlines_on_its_timeline(
    made: DashboardArchive, monkeypatch: Any
) -> None:
    at = _event(made, monkeypatch, "ev-lift")
    assert any("首48小时" in m.value for m in at.markdown)
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert any('"type": "rule"' in spec for spec in specs)  # the deadline rules are drawn


def test_the_early_hours_chart_labels_each_deadline_at_its_hour() -> None:
    from archive.models import Obligation
    from dashboard.charts import early_hours_chart
    from dashboard.data_events import deadline_marks
    from tests.support.dashboard_fixtures import HOUR, NOW

    owed = [
        Obligation(kind=kind, subject="ev", title=kind, opened_at=NOW, due_at=NOW + hours * HOUR)
        for kind, hours in (("press_conference", 24), ("authoritative_release", 5),
                            ("response", 49), ("clarification", 24))
    ]  # fmt: skip
    marks = deadline_marks(owed, NOW)
    spec = early_hours_chart([(NOW, 2), (NOW + HOUR, 1)], NOW, marks).to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows if "时限" in row]
    # NOW is 14:00 in Beijing: the marks fall at 19:00 the same day and 14:00 the next; the
    # response due after the first 48 hours is not on this chart.
    assert [(row["时间"], row["时限"]) for row in rows] == [
        ("2026-11-20T19:00:00", "发布权威信息截止"),
        ("2026-11-21T14:00:00", "澄清事实截止"),
        ("2026-11-21T14:00:00", "召开新闻发布会截止"),
    ]
    assert deadline_marks([], NOW) == []  # an event that owes nothing: no red lines


def test_event_terms_and_their_cloud(made: DashboardArchive) -> None:
    from archive.search import SearchFilters, SearchRequest
    from dashboard.charts import word_cloud_chart
    from dashboard.data_events import event_terms

    archive = open_archive(made.db)
    hits = archive.search(SearchRequest(filters=SearchFilters(events=["ev-lift"]))).hits
    terms = event_terms(hits)
    words = [word for word, _ in terms]
    # 电梯 is in all three posts (once in a title, counted double), 困人 in two but rarer in
    # Chinese text at large (its IDF is higher): the two lead.
    assert set(words[:2]) == {"电梯", "困人"}
    assert all(weight > 0 for _, weight in terms)
    spec = word_cloud_chart(terms).to_dict()
    placed = [row for rows in spec["datasets"].values() for row in rows]
    assert {row["词"] for row in placed} <= set(words) and placed[0]["词"] == words[0]
    # The largest word is drawn largest, and every word inside the drawing area.
    assert placed[0]["字号"] == max(row["字号"] for row in placed)
    assert all(0 <= row["x"] <= 460 and 0 <= row["y"] <= 260 for row in placed)


def test_heat_is_read_against_the_alert_line_as_of_its_computation(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A bare 37.2 told a duty officer nothing: each page shows heat's level against the line
    where the hot-event rule alerts, and when the heat was computed (Beijing time)."""
    made = build_archive(tmp_path)
    with open_archive(made.db) as archive:
        lift = archive.get_event("ev-lift")
        assert lift is not None
        archive.upsert_event(replace(lift, updated_at=NOW - timedelta(minutes=10)))
    at = app_test(made, monkeypatch, HOTSPOTS)
    assert_no_html(at)
    # 88.5 and 61.0 against the fixture's hot-events rule, min_heat 50.
    assert list(table_with(at, "走势")["热度等级"]) == ["高", "高"]
    note = next(c.value for c in at.caption if "热度综合" in c.value)
    assert "热度为 2026-11-20 13:50（北京时间）的计算值" in note
    assert "预警线 50（规则“热点舆情”热度达到即预警）" in note  # its Chinese name, not its id
    overview = app_test(made, monkeypatch)
    assert list(table_with(overview, "严重程度")["热度等级"])[:2] == ["高", "高"]
    assert any("预警线 50" in c.value for c in overview.caption)
    overview.query_params["id"] = "ev-lift"
    event = overview.switch_page("views/event.py").run()
    assert any("热度计算于 2026-11-20 13:50（北京时间）" in c.value for c in event.caption)
