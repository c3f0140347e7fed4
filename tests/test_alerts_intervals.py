"""Group interval (issue 16 fatigue): a story's 已自动办结 / 建议办结 news waits an hour after a
message about that story reached the recipient, then goes, and so does a further alert below
critical about it (Alertmanager: new alerts joining a notified group wait for the group
interval); a story's first alert, critical alerts, reminders and escalations never wait, and
take the story's waiting news with them. On a real archive through the real
alert stage and delivery in simulated time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from alerts.notify import deliver_due
from alerts.stage import evaluate
from archive import Archive
from archive.models import OutboxMessage
from core.clock import SimulatedClock
from core.settings import Settings
from tests.support.alert_data import HOT, T0, analysis
from tests.support.fulfilment_data import REPORT, hot_event, post, settings_for


def hourly(tmp_path: Path) -> Settings:
    settings = settings_for(tmp_path, HOT)
    settings.outbox.group_interval = timedelta(hours=1)
    return settings


def alerted(tmp_path: Path, archive: Archive) -> tuple[Settings, SimulatedClock, int]:
    """The hot-event alert (its response duty folded in) sent to duty at T0 + 30 min."""
    settings = hourly(tmp_path)
    clock = SimulatedClock(T0 + timedelta(minutes=30))
    hot_event(archive)
    evaluate(archive, settings, clock)
    assert deliver_due(archive, settings, clock).sent == 1
    [ob] = archive.ledger.list_obligations()
    return settings, clock, ob.id or 0


def sent(archive: Archive) -> dict[str, datetime | None]:
    return {m.dedup_key.split(":duty:")[0]: m.sent_at for m in archive.ledger.list_messages()}


def test_the_fulfilled_notice_half_an_hour_after_the_alert_waits_for_the_hour(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = alerted(tmp_path, archive)
    archive.upsert_mentions([post("own1", REPORT, 45, "杭州市场监管")])
    archive.upsert_analyses([analysis("own1", event_id="e1")])
    clock.set(T0 + timedelta(minutes=60))
    assert evaluate(archive, settings, clock).fulfilments_closed == 1
    key = f"obligation:{ob_id}:fulfilled:own1"
    assert key in sent(archive)  # queued at once ...
    assert deliver_due(archive, settings, clock).sent == 0  # ... held
    clock.set(T0 + timedelta(minutes=89))
    assert deliver_due(archive, settings, clock).sent == 0
    clock.set(T0 + timedelta(minutes=90))  # an hour after the alert went
    assert deliver_due(archive, settings, clock).sent == 1
    assert sent(archive)[key] == clock.now()
    lines = (tmp_path / "sent.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["dedup_key"].split(":")[2] for line in lines] == [
        "warning",
        "fulfilled",
    ]


def test_a_reminder_is_never_held_and_takes_the_waiting_news_with_it(
    tmp_path: Path, archive: Archive
) -> None:
    settings, clock, ob_id = alerted(tmp_path, archive)

    def queue(key: str, minutes: int) -> None:
        at = T0 + timedelta(minutes=minutes)
        archive.ledger.enqueue(OutboxMessage(f"{key}:duty:log", "log", "duty", key, key, at, at))

    proposal = f"obligation:{ob_id}:proposed:x1"
    queue(proposal, 40)
    queue("alert:999:warning", 40)  # another story, never told: goes at once
    clock.set(T0 + timedelta(minutes=40))
    assert deliver_due(archive, settings, clock).sent == 1
    assert sent(archive)[proposal] is None and sent(archive)["alert:999:warning"] is not None
    reminder = f"obligation:{ob_id}:remind:due"
    queue(reminder, 50)
    clock.set(T0 + timedelta(minutes=50))
    assert deliver_due(archive, settings, clock).sent == 2  # the reminder, the proposal with it
    assert sent(archive)[reminder] == sent(archive)[proposal] == clock.now()


def test_a_second_alert_of_the_story_waits_unless_critical(
    tmp_path: Path, archive: Archive
) -> None:
    """A rumour rule's alert on the event told of 30 minutes ago (its clarification folded
    in) waits for the hour; a raise to critical goes at once and takes it along."""
    settings, clock, _ = alerted(tmp_path, archive)
    [alert] = archive.ledger.list_alerts()

    def queue(key: str, minutes: int) -> None:
        at = T0 + timedelta(minutes=minutes)
        archive.ledger.enqueue(OutboxMessage(f"{key}:duty:log", "log", "duty", key, key, at, at))

    second = f"alert:{alert.id}:warning:ob9"
    queue(second, 60)
    clock.set(T0 + timedelta(minutes=60))
    assert deliver_due(archive, settings, clock).sent == 0
    assert sent(archive)[second] is None
    raised = f"alert:{alert.id}:critical"
    queue(raised, 70)
    clock.set(T0 + timedelta(minutes=70))
    assert deliver_due(archive, settings, clock).sent == 2
    assert sent(archive)[second] == sent(archive)[raised] == clock.now()


def test_without_a_group_interval_nothing_waits(tmp_path: Path, archive: Archive) -> None:
    settings, clock, ob_id = alerted(tmp_path, archive)
    settings.outbox.group_interval = timedelta(0)
    at = T0 + timedelta(minutes=40)
    key = f"obligation:{ob_id}:proposed:x1"
    archive.ledger.enqueue(OutboxMessage(f"{key}:duty:log", "log", "duty", key, key, at, at))
    clock.set(at)
    assert deliver_due(archive, settings, clock).sent == 1
