"""A unit's briefing (issue 23): ``--unit`` restricts the 日报 / 专报 to the unit's subtree and
names the unit in its title; the city's covers everything. On the dashboard's known archive
(the 临川 milk rumour is 临川区's, the lift incident and the toy recall the city's)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from archive import open_archive
from core.config import load_config
from reports.build import ReportError, build_report
from reports.citations import check
from reports.tables import queries
from tests.conftest import run_cli
from tests.support.dashboard_fixtures import NOW, DashboardArchive, build_archive, write_config
from tests.support.unit_tree import units_yaml

DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> DashboardArchive:
    folder = tmp_path_factory.mktemp("unit-reports")
    built = build_archive(folder)
    write_config(folder, built.db, extra=units_yaml())
    return built


def _build(made: DashboardArchive, kind: str, **kw: Any) -> dict[str, Any]:
    with open_archive(made.db) as archive:
        pack = build_report(archive, kind, NOW, load_config(made.config), **kw)
        assert check(archive, pack).ok
    return pack


def test_a_countys_daily_covers_its_subtree_only(made: DashboardArchive) -> None:
    pack = _build(made, "daily", day=DAY, unit_id="linchuan")
    assert pack["title"] == "临川区市场监督管理局舆情日报"
    assert pack["unit"] == "临川区市场监督管理局" and pack["key"] == "daily-20261120-linchuan"
    figures = pack["figures"]
    # m05 and m06 (the milk rumour and its debunk) of the city's six on the 20th.
    assert figures["volume"]["value"] == 2
    assert set(pack["mentions"]) <= {"m05", "m06"}
    assert [r["id"] for r in figures["events"]["rows"]] == ["ev-milk"]
    cited = {ref for refs in figures["obligations"]["groups"].values() for ref in refs}
    assert {pack["obligations"][ref[2:]]["event_id"] for ref in cited} == {"ev-milk"}
    assert figures["volume"]["query"]["filters"]["scope"]["events"] == ["ev-milk"]
    # 数据说明 names the unit as the briefing does, never by its id.
    notes = dict(queries(pack)[1:])
    assert "限临川区市场监督管理局及其下级单位的辖区" in notes["重点事件"]
    assert "linchuan" not in "".join(notes.values())


def test_the_citys_daily_is_everything_in_its_name(made: DashboardArchive) -> None:
    whole = _build(made, "daily", day=DAY)
    city = _build(made, "daily", day=DAY, unit_id="jiangzhou")
    assert city["title"] == "江州市市场监督管理局舆情日报"
    assert city["figures"]["volume"]["value"] == whole["figures"]["volume"]["value"] == 6
    rows = [r["id"] for r in city["figures"]["events"]["rows"]]
    assert rows == [r["id"] for r in whole["figures"]["events"]["rows"]]


def test_a_special_report_on_another_units_event_is_refused(made: DashboardArchive) -> None:
    with pytest.raises(ReportError, match="not routed to unit 'baisha'"):
        _build(made, "event", event_id="ev-milk", unit_id="baisha")
    pack = _build(made, "event", event_id="ev-milk", unit_id="linchuan")
    assert pack["title"].startswith("临川区市场监督管理局舆情专报：")
    with pytest.raises(ReportError, match="unknown unit 'qingshan'"):
        _build(made, "daily", day=DAY, unit_id="qingshan")


def test_cli_report_unit(made: DashboardArchive) -> None:
    code, output = run_cli(
        made.config,
        "report",
        "daily",
        "--date",
        "2026-11-20",
        "--unit",
        "linchuan",
        "--format",
        "json",
    )
    assert code == 0, output
    pack = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert pack["title"] == "临川区市场监督管理局舆情日报" and pack["area"] == "linchuan"
    code, output = run_cli(made.config, "report", "daily", "--date", "2026-11-20", "--unit", "x")
    assert code != 0 and "unknown unit 'x'" in output
