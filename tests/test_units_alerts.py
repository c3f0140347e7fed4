"""Units on the alert path (issue 23): an alert routes to the unit of its region, that unit's
recipients are told (its parent's too for 重大 and above) and its obligations run at its level."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.defaults import default_rules
from alerts.stage import evaluate
from archive import Archive
from core.clock import SHANGHAI, SimulatedClock
from core.settings import AgencySettings, Settings
from tests.support.unit_events import T0, add_event, mention, units


def make_settings(tmp_path: Path, tree: dict[str, Any] | None = None) -> Settings:
    names = ["duty", "city-duty", "linchuan-duty", "baisha-duty"]
    return Settings.model_validate(
        {
            "rules": [dict(rule, recipients=["duty"]) for rule in default_rules()],
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [{"name": n, "role": "duty", "notifiers": ["log"]} for n in names],
            "obligations": {"level": "city"},
            "units": tree or units(),
        }
    )


def recipients_of(archive: Archive) -> set[str]:
    return {m.recipient for m in archive.ledger.list_messages(limit=1000)}


def test_a_major_accident_tells_its_district_and_the_parent_at_once(
    tmp_path: Path, archive: Archive
) -> None:
    add_event(
        archive,
        "gas",
        "重大",
        ["江州市白沙区人民路餐馆燃气爆炸 已致10人死亡", "白沙区消防赶到", "江州市通报白沙爆炸"],
    )
    evaluate(archive, make_settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    assert recipients_of(archive) == {"duty", "baisha-duty", "city-duty"}
    [message, *_] = archive.ledger.list_messages(limit=1000)
    assert (
        "属地单位：江州市白沙区市场监督管理局（重大，同时报送上级单位：江州市市场监督管理局）"
        in message.body
    )
    # Baisha inherits the city's 4 h for 重大, from first detection (T0).
    assert "重大事件处置时限：11-17 14:00前" in message.body


def test_a_lesser_accident_tells_only_its_district(tmp_path: Path, archive: Archive) -> None:
    add_event(archive, "lift", "较大", ["临川区一小区电梯故障致3人受伤", "临川区市场监管局回应"])
    evaluate(archive, make_settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    # The sibling district and the city are not told of a 较大 case.
    assert recipients_of(archive) == {"duty", "linchuan-duty"}


def test_one_post_naming_a_district_leaves_the_story_with_the_city(
    tmp_path: Path, archive: Archive
) -> None:
    # baisha_gas's formula rumour: one early post named a 临川区 shop; the story is the city's.
    texts = ["江州网传奶粉配方有毒致3名婴儿住院", "临川区一母婴店已下架", "江州宝妈群热传"]
    add_event(archive, "formula", "较大", texts)
    evaluate(archive, make_settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    assert recipients_of(archive) == {"duty", "city-duty"}


def test_a_district_is_not_handed_what_its_scheme_does_not_watch(
    tmp_path: Path, archive: Archive
) -> None:
    tree = units()
    tree["children"][1]["scheme"] = {"expression": "燃气 & !演练"}  # 白沙 watches gas only
    add_event(archive, "lift", "较大", ["白沙区一小区电梯故障致3人受伤", "白沙区市场监管局回应"])
    evaluate(archive, make_settings(tmp_path, tree), SimulatedClock(T0 + timedelta(hours=1)))
    # The lift accident stays with the city, whose scheme (everything) watches it.
    assert recipients_of(archive) == {"duty", "city-duty"}
    [message, *_] = archive.ledger.list_messages(limit=1000)
    assert "属地单位：江州市市场监督管理局" in message.body


def test_a_penalty_in_a_district_is_due_on_the_county_deadline(
    tmp_path: Path, archive: Archive
) -> None:
    published = datetime(2026, 12, 28, 10, tzinfo=SHANGHAI)  # Monday
    archive.upsert_mentions(
        [
            mention(
                "x1",
                "江州市临川区某商行销售不合格电热水壶，被处罚款……",
                published,
                platform="official",
                kind="official",
                title="行政处罚决定书 临市监罚〔2026〕12号",
                extra={"doc_type": "penalty", "decided_at": "2026-12-21T16:00:00+08:00"},
                source="official-penalty",
            ),
            mention(
                "x2",
                "江州市某公司虚假宣传被处罚款……",
                published,
                platform="official",
                kind="official",
                title="行政处罚决定书 江市监罚〔2026〕30号",
                extra={"doc_type": "penalty", "decided_at": "2026-12-21T16:00:00+08:00"},
                source="official-penalty",
            ),
        ]
    )
    evaluate(archive, make_settings(tmp_path), SimulatedClock(published + timedelta(hours=1)))
    obs = {o.subject: o for o in archive.ledger.list_obligations()}
    county, city = obs["doc:x1"], obs["doc:x2"]
    assert (county.kind, county.level) == ("penalty_disclosure", "county")
    # Decided Mon 21 December: 7 working days → Wed 30 December (the county rule).
    assert county.due_at == datetime(2026, 12, 30, 23, 59, 59, tzinfo=SHANGHAI)
    # The city's own decision keeps the 20 working days of its level.
    assert city.level == "city"
    assert city.due_at > datetime(2027, 1, 15, tzinfo=SHANGHAI)


def test_the_agencys_own_decision_keeps_its_level_when_the_party_lives_in_a_district(
    tmp_path: Path, archive: Archive
) -> None:
    # cuihu_ebike's city decision on a toy seller whose address is in 临川区: the text names the
    # district, so the alert routes there, but the city decided and has its 20 working days.
    settings = make_settings(tmp_path).model_copy(
        update={
            "agency": AgencySettings(
                name="江州市市场监督管理局",
                level="city",
                region="江州市",
                districts=["临川区", "白沙区"],
                accounts=["江州市场监管"],
            )
        }
    )
    settings.obligations.region_levels.update({"临川区": "county", "白沙区": "county"})
    published = datetime(2026, 11, 17, 10, 30, tzinfo=SHANGHAI)
    text = (
        "江市监处罚〔2026〕281号\n\n当事人：江州乐童贸易有限公司\n住所：江州市临川区建设路66号\n\n"
        "违法事实：当事人通过网店销售的塑胶仿真玩具邻苯二甲酸酯类增塑剂含量超标……\n\n"
        "处罚结果：罚款人民币6.39万元。\n\n江州市市场监督管理局\n2026年11月12日"
    )
    archive.upsert_mentions(
        [
            mention(
                "toy",
                text,
                published,
                platform="official",
                kind="official",
                author="江州市市场监督管理局",
                region="江州",
                title="江州市市场监督管理局行政处罚决定书（江市监处罚〔2026〕281号）",
                extra={"doc_type": "penalty"},
                source="official-penalty",
            )
        ]
    )
    evaluate(archive, settings, SimulatedClock(published + timedelta(hours=1)))
    [ob] = [o for o in archive.ledger.list_obligations() if o.kind == "penalty_disclosure"]
    assert ob.level == "city"
    # Decided Thu 11-12: 20 working days → Thu 12-10, not the county's Mon 11-23.
    assert ob.due_at == datetime(2026, 12, 10, 23, 59, 59, tzinfo=SHANGHAI)
