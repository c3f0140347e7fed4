"""An unacknowledged obligation climbs the unit tree (属地化, issue 23): the station's
obligation left unacknowledged is told to its county at the first escalation step and to the
city at the second, through a real SMTP server on 127.0.0.1; nobody is told twice, and an
acknowledgement stops the climb."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from alerts.obligations import acknowledge
from alerts.unit_escalation import unit_steps
from alerts.units import UnitTree
from archive import Archive
from archive.models import Analysis, Event, Mention, Reason
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings
from core.settings_units import UnitSettings
from tests.support.smtp_inbox import smtp_inbox
from tests.support.unit_mail import evaluate_and_deliver, mail_settings

T0 = datetime(2026, 11, 17, 10, 0, tzinfo=SHANGHAI)  # a Tuesday
NAMES = ["duty", "city-duty", "linchuan-duty", "luohu-duty", "baisha-duty"]


def tree() -> dict[str, Any]:
    """江州 city → 临川区 → its 罗湖市场监管所, and 白沙区 beside 临川区."""
    return {
        "id": "jiangzhou",
        "name": "江州市市场监督管理局",
        "level": "city",
        "region_names": ["江州市", "江州"],
        "recipients": ["city-duty"],
        "children": [
            {
                "id": "linchuan",
                "name": "临川区市场监督管理局",
                "level": "county",
                "region_names": ["临川区", "临川"],
                "recipients": ["linchuan-duty"],
                "children": [
                    {
                        "id": "luohu",
                        "name": "临川区罗湖市场监管所",
                        "level": "station",
                        "region_names": ["罗湖镇", "罗湖"],
                        "recipients": ["luohu-duty"],
                    }
                ],
            },
            {
                "id": "baisha",
                "name": "白沙区市场监督管理局",
                "level": "county",
                "region_names": ["白沙区", "白沙"],
                "recipients": ["baisha-duty"],
            },
        ],
    }


def settings_for(port: int, chains: dict[str, str] | None = None) -> Settings:
    # escalate_after: 30 minutes (the default)
    rules = [
        {
            "name": "accident",
            "type": "severity",
            "min_grade": "较大",
            "opens": ["response"],  # 48 calendar hours
            "recipients": ["duty"],
        }
    ]
    return mail_settings(port, NAMES, rules, tree(), chains)


def add_lift_accident(archive: Archive) -> None:
    """A 较大 lift accident in 罗湖镇 (two posts name it: above the routing floor)."""
    texts = [
        "临川区罗湖镇一小区电梯故障致3人受伤",
        "罗湖镇电梯事故伤者已送医",
        "江州市特种设备安全提醒",
    ]
    members = [
        Mention(
            id=f"lift-{i}",
            source="news",
            platform="news",
            kind="article",
            url=f"http://127.0.0.1/lift-{i}",
            text=text,
            published_at=T0,
            fetched_at=T0 + timedelta(minutes=2),
        )
        for i, text in enumerate(texts)
    ]
    archive.upsert_mentions(members)
    archive.upsert_analyses(
        Analysis(m.id, True, 0.9, topics=["特种设备"], event_id="lift", analyzed_at=T0)
        for m in members
    )
    archive.upsert_event(
        Event(
            id="lift",
            title=texts[0],
            first_seen=T0,
            last_seen=T0 + timedelta(minutes=5),
            mention_count=len(members),
            heat=50.0,
            topics=["特种设备"],
            region="江州",
            severity="较大",
            severity_basis=[Reason("figure", "受伤 3 人", 3.0, members[0].id)],
        )
    )


run = evaluate_and_deliver


def escalated_to(mails: list[dict[str, Any]]) -> list[str]:
    return sorted(m["to"] for m in mails if "升级提醒" in m["subject"])


def test_an_unacknowledged_obligation_climbs_from_the_station_to_the_county_then_the_city(
    archive: Archive,
) -> None:
    add_lift_accident(archive)
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port)
        first = run(archive, settings, inbox, T0 + timedelta(minutes=10))
        # 较大: the rule's recipient and the station, not its superiors yet.
        assert {m["to"] for m in first} == {"duty", "luohu-duty"}

        # 30 minutes unacknowledged: the station's county is told, naming the station.
        county = run(archive, settings, inbox, T0 + timedelta(minutes=45))
        assert escalated_to(county) == ["linchuan-duty"]
        [mail] = [m for m in county if "升级提醒" in m["subject"]]
        assert "属地单位：临川区罗湖市场监管所" in mail["body"]
        assert "上级单位 临川区市场监督管理局" in mail["body"]
        assert "30分钟" in mail["subject"] or "30 分钟" in mail["subject"]

        # The same evaluation again: nothing new.
        assert escalated_to(run(archive, settings, inbox, T0 + timedelta(minutes=50))) == []

        # 60 minutes: one step further up, the city; the county is not told again.
        city = run(archive, settings, inbox, T0 + timedelta(minutes=75))
        assert escalated_to(city) == ["city-duty"]
        # The sibling district never hears of it.
        assert "baisha-duty" not in {m["to"] for m in [*first, *county, *city]}

    audit = archive.ledger.list_audit("obligation", None, limit=100)
    climbs = [e.details for e in audit if e.action == "obligation.escalated"]
    assert {(d["to"], d["unit"], d["hop"]) for d in climbs} == {
        ("linchuan-duty", "linchuan", 1),
        ("city-duty", "jiangzhou", 2),
    }


def test_an_acknowledged_obligation_does_not_climb(archive: Archive) -> None:
    add_lift_accident(archive)
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port)
        run(archive, settings, inbox, T0 + timedelta(minutes=10))
        [ob] = archive.ledger.list_obligations(["open"], limit=10)
        assert ob.id is not None
        acknowledge(archive, ob.id, "luohu-duty", SimulatedClock(T0 + timedelta(minutes=20)))
        later = run(archive, settings, inbox, T0 + timedelta(minutes=75))
    assert escalated_to(later) == []


def test_a_chain_reaching_the_county_first_tells_it_once(archive: Archive) -> None:
    # The station's duty officer escalates to the county's: the chain tells the county at the
    # first step; the unit tree does not tell it again, then climbs on to the city.
    add_lift_accident(archive)
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port, {"luohu-duty": "linchuan-duty"})
        run(archive, settings, inbox, T0 + timedelta(minutes=10))
        county = run(archive, settings, inbox, T0 + timedelta(minutes=45))
        city = run(archive, settings, inbox, T0 + timedelta(minutes=75))
    assert escalated_to(county) == ["linchuan-duty"]
    [mail] = [m for m in county if "升级提醒" in m["subject"]]
    assert "原接收人：luohu-duty" in mail["body"]  # the chain's message, not the tree's
    assert escalated_to(city) == ["city-duty"]


def test_unit_steps_skip_who_is_told_already_and_who_a_chain_reaches_first() -> None:
    indexed = UnitTree(UnitSettings.model_validate(tree()))
    # Hop 1 the county, hop 2 the city, nothing above the root.
    assert [(s.hop, s.unit_id, s.names) for s in unit_steps(indexed, "luohu", 5, [], {})] == [
        (1, "linchuan", ("linchuan-duty",)),
        (2, "jiangzhou", ("city-duty",)),
    ]
    # The city reminded already (重大 and above): the second step tells nobody.
    steps = unit_steps(indexed, "luohu", 2, ["city-duty"], {})
    assert [s.names for s in steps] == [("linchuan-duty",), ()]
    # A chain reaching the city only at hop 3 leaves it to the tree at hop 2.
    steps = unit_steps(indexed, "luohu", 2, [], {"city-duty": 3})
    assert steps[1].names == ("city-duty",)
    assert unit_steps(indexed, "jiangzhou", 3, [], {}) == []


def test_an_escalation_names_the_first_recipient_by_display_name(archive: Archive) -> None:
    # The chain's message says who was told first as people call them, not by a config id.
    add_lift_accident(archive)
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port, {"luohu-duty": "linchuan-duty"})
        [first] = [r for r in settings.recipients if r.name == "luohu-duty"]
        first.display_name = "罗湖所值班员"
        run(archive, settings, inbox, T0 + timedelta(minutes=10))
        county = run(archive, settings, inbox, T0 + timedelta(minutes=45))
    [mail] = [m for m in county if "升级提醒" in m["subject"]]
    assert "原接收人：罗湖所值班员" in mail["body"]
    assert "luohu-duty" not in mail["body"]
