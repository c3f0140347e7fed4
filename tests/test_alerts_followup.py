"""After an obligation opens: reminders at the configured points, escalation of what nobody
acknowledged, and fulfilment proposed when the agency's own notice is crawled."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts import obligations as ops
from alerts.stage import evaluate
from archive import Archive, open_archive
from core.clock import SimulatedClock
from core.settings import Settings
from tests.test_alerts_stage import T0, analysis, event, mention


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def settings_for(tmp_path: Path, rules: list[dict[str, Any]], **obligations: Any) -> Settings:
    return Settings.model_validate(
        {
            "rules": rules,
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [
                {"name": "duty", "notifiers": ["log"], "escalates_to": "leader"},
                {"name": "leader", "notifiers": ["log"], "escalates_to": "director"},
                {"name": "director", "notifiers": ["log"], "escalates_to": "duty"},
            ],
            "obligations": {"escalate_after": "30m", **obligations},
        }
    )


HOT = [
    {
        "name": "hot",
        "type": "threshold",
        "min_mentions": 3,
        "opens": ["response"],
        "recipients": ["duty"],
    }
]


def keys(archive: Archive, part: str) -> list[str]:
    return sorted(
        m.dedup_key for m in archive.ledger.list_messages(limit=1000) if f":{part}:" in m.dedup_key
    )


def test_escalation_climbs_the_chain_until_acknowledged(tmp_path: Path, archive: Archive) -> None:
    settings = settings_for(tmp_path, HOT)
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", count=5))
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert keys(archive, "escalate") == []
    clock.advance(29 * 60)
    evaluate(archive, settings, clock)
    assert keys(archive, "escalate") == []
    clock.advance(60)  # 30 minutes without acknowledgement
    evaluate(archive, settings, clock)
    assert keys(archive, "escalate") == [f"obligation:{ob.id}:escalate:1:duty:leader:log"]
    clock.advance(30 * 60)
    evaluate(archive, settings, clock)
    evaluate(archive, settings, clock)  # a repeat sends nothing twice
    assert keys(archive, "escalate") == [
        f"obligation:{ob.id}:escalate:1:duty:leader:log",
        f"obligation:{ob.id}:escalate:2:duty:director:log",
    ]
    audit = [
        a
        for a in archive.ledger.list_audit("obligation", str(ob.id))
        if a.action == "obligation.escalated"
    ]
    assert sorted(
        (a.details["to"], a.details["unacknowledged_minutes"], a.actor) for a in audit
    ) == [
        ("director", 60, "system"),
        ("leader", 30, "system"),
    ]
    clock.advance(30 * 60)  # the chain comes back to duty: cut, nothing more
    evaluate(archive, settings, clock)
    assert len(keys(archive, "escalate")) == 2

    ops.acknowledge(archive, ob.id or 0, "王科长", clock)
    clock.advance(10 * 3600)
    evaluate(archive, settings, clock)
    assert len(keys(archive, "escalate")) == 2


def test_reminders_at_half_time_two_hours_before_and_at_the_deadline(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT, escalate_after="0s")
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", count=5))
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert ob.due_at == T0 + timedelta(hours=48)
    expected: list[str] = []
    for hours, name in ((24, "50pct"), (46, "before-7200s"), (48, "due")):
        clock.set(T0 + timedelta(hours=hours) - timedelta(minutes=1))
        archive.upsert_event(replace(event("e1", count=5), last_seen=clock.now()))
        evaluate(archive, settings, clock)
        assert keys(archive, "remind") == expected
        clock.advance(60)
        evaluate(archive, settings, clock)
        evaluate(archive, settings, clock)
        expected = sorted([*expected, f"obligation:{ob.id}:remind:{name}:duty:log"])
        assert keys(archive, "remind") == expected
    [due] = [
        m for m in archive.ledger.list_messages() if m.dedup_key.endswith("remind:due:duty:log")
    ]
    assert due.subject.startswith("【已到截止时间·回应关切】")
    [half] = [m for m in archive.ledger.list_messages() if ":50pct:" in m.dedup_key]
    assert "剩余 1天0小时" in half.subject and "/obligations?id=" in half.body


def test_an_obligation_opened_late_gets_one_reminder_not_a_backlog(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT, escalate_after="0s")
    clock = SimulatedClock(T0 + timedelta(hours=47))  # first seen 47 h after detection
    archive.upsert_event(replace(event("e1", count=5), last_seen=clock.now()))
    evaluate(archive, settings, clock)
    assert keys(archive, "remind") == []  # every passed point passed before it was opened
    clock.advance(3600)
    evaluate(archive, settings, clock)
    [only] = keys(archive, "remind")
    assert only.endswith(":remind:due:duty:log")


def test_a_snoozed_obligation_is_reminded_when_the_snooze_ends(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, HOT, escalate_after="0s")
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", count=5))
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert ob.id is not None
    clock.set(T0 + timedelta(hours=23))
    ops.snooze(archive, ob.id, "王五", hours=3, clock=clock)  # until 26 h
    with pytest.raises(ops.ObligationError):
        ops.snooze(archive, ob.id, "王五", hours=200, clock=clock)
    clock.set(T0 + timedelta(hours=25))  # half time (24 h) passed during the snooze
    evaluate(archive, settings, clock)
    assert keys(archive, "remind") == []
    clock.set(T0 + timedelta(hours=26, minutes=1))
    evaluate(archive, settings, clock)
    assert keys(archive, "remind") == [f"obligation:{ob.id}:remind:50pct:duty:log"]
    [entry] = [
        e for e in archive.ledger.list_audit("obligation", str(ob.id)) if "snooze" in e.action
    ]
    assert (entry.actor, entry.details["hours"]) == ("王五", 3)


RUMOR = [
    {
        "name": "rumor",
        "type": "rumor",
        "min_probability": 0.5,
        "opens": ["clarification"],
        "recipients": ["duty"],
    }
]


def test_a_crawled_debunk_proposes_the_clarification_as_done(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, RUMOR, escalate_after="0s")
    # Two hours on: a claim no debunk answers yet is identified after an hour (CLAIM_GRACE).
    clock = SimulatedClock(T0 + timedelta(hours=2))
    archive.upsert_event(
        replace(
            event("e1", rumor=0.9, title="网传青禾镇自来水有毒"),
            keywords=["青禾镇", "自来水", "有毒", "中毒", "水质"],
        )
    )
    archive.upsert_mentions([mention("m1", "网传青禾镇自来水有毒，多人中毒", T0)])
    archive.upsert_analyses([analysis("m1", event_id="e1", rumor=0.9)])
    evaluate(archive, settings, clock)
    [ob] = archive.ledger.list_obligations()
    assert ob.kind == "clarification"

    official = {"platform": "official", "kind": "official", "source": "bureau-debunk"}
    unrelated = mention(
        "d0",
        "关于开展电梯安全专项检查的通知",
        clock.now(),
        title="电梯安全专项检查",
        extra={"doc_type": "debunk"},
        **official,
    )
    debunk = mention(
        "d1",
        "近日网传青禾镇自来水有毒、致多人中毒。经检测，青禾镇自来水水质合格，系谣言。",
        clock.now(),
        title="关于青禾镇自来水有毒传言的说明",
        extra={"doc_type": "debunk"},
        **official,
    )
    archive.upsert_mentions([unrelated])
    clock.advance(600)
    evaluate(archive, settings, clock)
    assert archive.ledger.get_obligation(ob.id or 0).note == ""  # type: ignore[union-attr]
    archive.upsert_mentions([debunk])
    clock.advance(600)
    evaluate(archive, settings, clock)
    evaluate(archive, settings, clock)
    stored = archive.ledger.get_obligation(ob.id or 0)
    assert stored is not None and stored.status == "open"  # proposed, not closed
    assert stored.note.startswith("建议办结：https://example.com/d1")
    entries = [
        a for a in archive.ledger.list_audit("obligation", str(ob.id)) if "proposed" in a.action
    ]
    assert [(a.action, a.actor) for a in entries] == [("obligation.fulfilment_proposed", "system")]
    [message] = [m for m in archive.ledger.list_messages() if ":proposed:" in m.dedup_key]
    assert f"yuqing obligations done {ob.id} --link https://example.com/d1" in message.body
    ops.complete(archive, ob.id or 0, "王科长", "https://example.com/d1", clock)


def test_a_crawled_penalty_notice_answers_a_decision_entered_by_hand(
    tmp_path: Path, archive: Archive
) -> None:
    settings = settings_for(tmp_path, [], recipients=["duty"], escalate_after="0s")
    clock = SimulatedClock(T0)
    ob = ops.add_manual(
        archive,
        settings,
        clock,
        kind="penalty_disclosure",
        subject="临市监罚〔2026〕12号",
        title="鑫达牌电动车充电器行政处罚",
        trigger=T0,
        level="county",
        actor="法规科",
    )
    notice = mention(
        "p1",
        "当事人销售不合格充电器，依据《产品质量法》，决定书文号：临市监罚〔2026〕12号。",
        T0 + timedelta(days=2),
        platform="official",
        kind="official",
        source="bureau-penalties",
        title="行政处罚信息公示",
        extra={"doc_type": "penalty"},
    )
    archive.upsert_mentions([notice])
    clock.set(T0 + timedelta(days=2, hours=1))
    evaluate(archive, settings, clock)
    stored = archive.ledger.get_obligation(ob.id or 0)
    assert stored is not None and stored.note.startswith("建议办结：https://example.com/p1")
    assert any(
        ":proposed:" in m.dedup_key and m.recipient == "duty"
        for m in archive.ledger.list_messages()
    )


def test_the_notice_that_opened_an_obligation_does_not_fulfil_it(
    tmp_path: Path, archive: Archive
) -> None:
    rules = [{"name": "penalty", "type": "penalty", "opens": ["penalty_disclosure"]}]
    settings = settings_for(tmp_path, rules, recipients=["duty"], escalate_after="0s")
    notice = mention(
        "p1",
        "行政处罚决定书 临市监罚〔2026〕12号：当事人销售不合格充电器",
        T0,
        platform="official",
        kind="official",
        source="bureau-penalties",
        title="行政处罚信息公示",
        extra={"doc_type": "penalty"},
    )
    sibling = replace(
        notice,
        id="p2",
        url="https://example.com/p2",
        text=notice.text.replace("12号", "13号"),
        title="行政处罚信息公示（临市监罚〔2026〕13号）",
    )
    notice = replace(notice, title="行政处罚信息公示（临市监罚〔2026〕12号）")
    archive.upsert_mentions([notice, sibling])
    report = evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1)))
    # Neither its own notice nor a sibling decision (another number) fulfils it.
    assert (report.obligations_opened, report.fulfilments_proposed) == (2, 0)
    assert [o.note for o in archive.ledger.list_obligations()] == ["", ""]
