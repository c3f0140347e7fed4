"""An inspection notice listing producers in two districts raises one alert per district
(属地化, issue 23): each district is told of its own producers' failed samples and its
obligation's reminders, the sibling's never, and their common parent (the city) is not handed
the notice in their place. Through the real alert stage on a real archive."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.inspection_units import district_records, subject_unit
from alerts.stage import evaluate
from alerts.units import tree_of
from archive import Archive
from archive.models import Mention
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings
from core.settings_units import UnitSettings
from tests.support.unit_tree import RECIPIENTS, units

T0 = datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)  # a Tuesday
LINCHUAN_MILK = {
    "product": "婴幼儿配方奶粉",
    "brand": "佳佳",
    "producer": "江州市美味乳业有限公司",
    "producer_address": "江州市临川区工业园8号",
    "sampled_unit": "江州市白沙区惠民超市",  # sampled in 白沙区: still 临川区's producer
    "failed_item": "蛋白质",
}
BAISHA_NOODLES = {
    "product": "挂面",
    "brand": "白沙香",
    "producer": "江州市白沙区香满园食品厂",
    "producer_address": "江州市白沙区人民路12号",
    "failed_item": "菌落总数",
}
BAISHA_TOFU = {
    "product": "豆腐干",
    "producer": "江州白沙豆制品有限公司",
    "producer_address": "白沙区工业南路3号",
    "failed_item": "苯甲酸",
}
ELSEWHERE = {
    "product": "保温杯",
    "producer": "浙江省永康市恒温杯业有限公司",
    "failed_item": "保温性能",
}


def settings(tmp_path: Path) -> Settings:
    return Settings.model_validate(
        {
            "rules": [
                {
                    "name": "inspection",
                    "type": "inspection",
                    "level": "warning",
                    "recipients": ["duty"],
                    "opens": ["response"],
                }
            ],
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [
                {"name": n, "role": "duty", "notifiers": ["log"]} for n in ["duty", *RECIPIENTS]
            ],
            "units": units(),
        }
    )


def notice(records: list[dict[str, Any]]) -> Mention:
    return Mention(
        id="notice1",
        source="jz-notices",
        platform="official",
        kind="official",
        url="http://127.0.0.1/notices/art_51.html",
        title=f"江州市市场监督管理局关于{len(records)}批次食品抽检不合格情况的通告",
        text="江州市市场监督管理局组织抽检食品，检出不合格样品，现将抽检结果公布如下。",
        published_at=T0,
        fetched_at=T0 + timedelta(minutes=5),
        extra={"doc_type": "inspection", "records": records, "record_count": len(records)},
    )


def told(archive: Archive) -> dict[str, set[str]]:
    """Recipient → the subjects of the messages queued for them."""
    out: dict[str, set[str]] = {}
    for message in archive.ledger.list_messages(limit=1000):
        out.setdefault(message.recipient, set()).add(message.subject)
    return out


def test_producers_in_two_districts_raise_one_alert_per_district(
    archive: Archive, tmp_path: Path
) -> None:
    archive.upsert_mentions([notice([LINCHUAN_MILK, BAISHA_NOODLES, BAISHA_TOFU, ELSEWHERE])])
    evaluate(archive, settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    alerts = {a.subject: a for a in archive.ledger.list_alerts(limit=100)}
    assert set(alerts) == {"doc:notice1@linchuan", "doc:notice1@baisha"}
    assert alerts["doc:notice1@linchuan"].title.startswith("1 批次产品抽检不合格（临川区")
    assert alerts["doc:notice1@baisha"].title.startswith("2 批次产品抽检不合格（白沙区")
    baisha_lines = {r.text for r in alerts["doc:notice1@baisha"].evidence}
    assert any("挂面" in line for line in baisha_lines)
    assert not any("奶粉" in line for line in baisha_lines)

    messages = told(archive)
    # Each district hears of its own producers only; the city is not handed the notice.
    assert set(messages) == {"duty", "linchuan-duty", "baisha-duty"}
    [lin] = messages["linchuan-duty"]
    [bai] = messages["baisha-duty"]
    assert "临川区" in lin and "奶粉" not in bai and "白沙区" in bai

    # Each district's obligation is reminded to that district (half of 48 hours gone).
    obligations = {ob.subject for ob in archive.ledger.list_obligations(["open"], limit=10)}
    assert obligations == {"doc:notice1@linchuan", "doc:notice1@baisha"}
    before = {m.dedup_key for m in archive.ledger.list_messages(limit=1000)}
    evaluate(archive, settings(tmp_path), SimulatedClock(T0 + timedelta(hours=25)))
    reminders = [
        m
        for m in archive.ledger.list_messages(limit=1000)
        if m.dedup_key not in before and "办理提醒" in m.subject
    ]
    by_district = {(m.recipient, "临川区" in m.body, "白沙区" in m.body) for m in reminders}
    assert ("linchuan-duty", True, False) in by_district
    assert ("baisha-duty", False, True) in by_district
    assert not {m.recipient for m in reminders} & {"city-duty"}


def test_a_notice_of_one_districts_producers_stays_one_alert(
    archive: Archive, tmp_path: Path
) -> None:
    archive.upsert_mentions([notice([BAISHA_NOODLES, BAISHA_TOFU, ELSEWHERE])])
    evaluate(archive, settings(tmp_path), SimulatedClock(T0 + timedelta(hours=1)))
    [alert] = archive.ledger.list_alerts(limit=100)
    assert alert.subject == "doc:notice1"
    assert set(told(archive)) == {"duty", "baisha-duty"}


def test_records_are_grouped_by_their_producers_unit() -> None:
    tree = tree_of(UnitSettings.model_validate(units()))
    assert tree is not None
    groups = district_records(tree, [LINCHUAN_MILK, BAISHA_NOODLES, ELSEWHERE, BAISHA_TOFU])
    assert {unit: [r["product"] for r in rows] for unit, rows in groups.items()} == {
        "linchuan": ["婴幼儿配方奶粉"],
        "baisha": ["挂面", "豆腐干"],
    }
    assert subject_unit(tree, "doc:notice1@baisha") == "baisha"
    assert subject_unit(tree, "doc:notice1@nowhere") is None
    assert subject_unit(tree, "ev-1@baisha") is None
