"""Every page over an archive filled by the demo pipeline's analysis and alert stages.

The hand-made archive of the other tests pins exact figures; this one checks that what the
real stages write (events of a hundred posts, their reasons, default rules, penalty notices)
renders on every page without an error or any HTML.
"""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from archive import open_archive
from tests.support.dashboard_fixtures import (
    DashboardArchive,
    app_test,
    assert_no_html,
    build_demo_archive,
)

PAGES = [
    "views/overview.py",
    "views/hotspots.py",
    "views/event.py",
    "views/obligations.py",
    "views/search.py",
    "views/sources.py",
    "views/rules.py",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    return build_demo_archive(tmp_path_factory.mktemp("demo"))


def _table(at: AppTest, column: str) -> Any:
    return next(d.value for d in [*at.dataframe, *at.table] if column in d.value.columns)


def _accident(demo: DashboardArchive) -> str:
    with open_archive(demo.db, readonly=True) as archive:
        graded = [e for e in archive.list_events(limit=100) if e.severity == "重大"]
    assert graded, "the demo's elevator accident should grade 重大"
    return graded[0].id


def test_every_page_renders_the_demo_archive(demo: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(demo, monkeypatch)
    for page in PAGES:
        at.switch_page(page).run()
        assert_no_html(at)
        assert at.title, page
    with open_archive(demo.db, readonly=True) as archive:
        active = archive.ledger.list_obligations(["open", "acknowledged"])
    at.switch_page("views/overview.py").run()
    values = {m.label: m.value for m in at.metric}
    assert values["待处置事项"] == str(len(active))


def test_the_demo_accident_on_the_hotspot_and_event_pages(
    demo: DashboardArchive, monkeypatch: Any
) -> None:
    accident = _accident(demo)
    at = app_test(demo, monkeypatch, "views/hotspots.py")
    at.radio(key="hotspots_range").set_value("近30天（按天）").run()
    ranking = _table(at, "走势")
    row = ranking[ranking["严重程度"] == "重大"].iloc[0]
    assert "电梯" in row["事件"] and sum(row["走势"]) > 0

    at.query_params["id"] = accident
    at.switch_page("views/event.py").run()
    assert_no_html(at)
    basis = _table(at, "依据（数字与原文）")
    assert len(basis) >= 1 and basis.iloc[0]["出处"]  # the figure and the post it came from
    duties = set(_table(at, "剩余")["事项"])
    assert {"发布权威信息", "召开新闻发布会"} <= duties
    assert len(_table(at, "首次触发")) >= 1  # the alerts the default rules raised


def test_demo_sources_and_default_rules(demo: DashboardArchive, monkeypatch: Any) -> None:
    at = app_test(demo, monkeypatch, "views/sources.py")
    # The crawl is not part of this archive: every configured source is "not yet collected".
    states = set(_table(at, "信息源")["状态"])
    assert states == {"○ 尚未采集"}
    at.switch_page("views/rules.py").run()
    rules = _table(at, "条件")
    assert len(rules) >= 5 and int(rules["近期告警"].sum()) >= 1
