"""Reminders and escalations reach the unit the obligation routes to (属地化, issue 23), end to
end: the alert stage queues them, the outbox delivers them through a real SMTP server on
127.0.0.1, and each unit's duty officer finds them in the inbox — the parent unit's too for
重大 and above, the sibling district never."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from archive import Archive
from core.settings import Settings
from tests.support.smtp_inbox import smtp_inbox
from tests.support.unit_events import T0, add_event, units
from tests.support.unit_mail import evaluate_and_deliver, mail_settings

NAMES = ["duty", "city-duty", "linchuan-duty", "baisha-duty", "baisha-chief"]


def settings_for(port: int) -> Settings:
    rules = [
        {
            "name": "accident",
            "type": "severity",
            "min_grade": "较大",
            # 重大: the release and the press conference; 较大: a response.
            "opens": ["authoritative_release", "press_conference", "response"],
            "recipients": ["duty"],
        }
    ]
    return mail_settings(port, NAMES, rules, units(), chains={"baisha-duty": "baisha-chief"})


run = evaluate_and_deliver


def to_whom(mails: list[dict[str, Any]], head: str) -> set[str]:
    return {m["to"] for m in mails if head in m["subject"]}


def test_a_major_cases_reminders_reach_its_district_and_the_city_and_escalate(
    archive: Archive,
) -> None:
    add_event(
        archive,
        "gas",
        "重大",
        ["江州市白沙区人民路餐馆燃气爆炸 已致10人死亡", "白沙区消防赶到", "江州市通报白沙爆炸"],
    )
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port)
        first = run(archive, settings, inbox, T0 + timedelta(minutes=10))
        assert {m["to"] for m in first} == {"duty", "baisha-duty", "city-duty"}

        # 30 minutes unacknowledged: the district's duty officer's chain is climbed too.
        escalated = run(archive, settings, inbox, T0 + timedelta(minutes=45))
        assert to_whom(escalated, "升级提醒") == {"baisha-chief"}
        assert all("原接收人：baisha-duty" in m["body"] for m in escalated)

        # Half of the 5 hours of the authoritative release gone: a reminder to the rule's
        # recipient, the district and (重大) the city, naming the unit.
        reminded = run(archive, settings, inbox, T0 + timedelta(hours=2, minutes=40))
    release = [m for m in reminded if "办理提醒" in m["subject"] and "权威" in m["subject"]]
    assert {m["to"] for m in release} == {"duty", "baisha-duty", "city-duty"}
    assert all("属地单位：江州市白沙区市场监督管理局" in m["body"] for m in release)
    assert "linchuan-duty" not in {m["to"] for m in [*first, *escalated, *reminded]}


def test_a_lesser_cases_reminder_reaches_its_district_only(archive: Archive) -> None:
    add_event(archive, "lift", "较大", ["临川区一小区电梯故障致3人受伤", "临川区市场监管局回应"])
    with smtp_inbox() as (inbox, port):
        settings = settings_for(port)
        run(archive, settings, inbox, T0 + timedelta(minutes=10))
        # Half of the response's 48 hours gone.
        reminded = run(archive, settings, inbox, T0 + timedelta(hours=25))
    assert to_whom(reminded, "办理提醒") == {"duty", "linchuan-duty"}
