"""The hot-event (threshold) alert names where the event's volume is: its platform breakdown,
from the counts the analyser stores with the event, on a real SQLite archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alerts.messages import alert_message
from alerts.rules import Match, RuleInput, build_rule
from archive import Archive
from archive.models import Alert, Event, Reason
from core.settings import parse_rule

NOW = datetime(2026, 7, 20, 4, 0, tzinfo=UTC)
RULE = parse_rule({"name": "hot", "type": "threshold", "min_heat": 50})


def _event(event_id: str, platforms: dict[str, int] | None, heat: float = 80.0) -> Event:
    return Event(
        id=event_id,
        title=f"事件{event_id}",
        first_seen=NOW - timedelta(hours=2),
        last_seen=NOW,
        mention_count=sum(platforms.values()) if platforms else 128,
        heat=heat,
        platforms=platforms,
    )


def _matches(archive: Archive) -> dict[str, Match]:
    data = RuleInput(NOW, archive, archive.list_events(), [])
    return {m.subject: m for m in build_rule(RULE).find(data)}


def test_threshold_evidence_gives_the_platform_breakdown(archive: Archive) -> None:
    archive.upsert_event(_event("a", {"news": 8, "weibo": 120}))
    archive.upsert_event(_event("old", None))  # written before platforms were kept
    archive.upsert_event(_event("none", {}))
    archive.upsert_event(_event("cold", {"weibo": 3}, heat=2.0))
    matches = _matches(archive)
    assert sorted(matches) == ["event:a", "event:none", "event:old"]  # cold is not hot
    evidence = matches["event:a"].evidence
    assert evidence[0] == Reason("figure", "热度 80.0 ≥ 50", 80.0)
    # The most first, in the platforms' Chinese names, weighed by the members counted.
    assert evidence[1] == Reason("figure", "平台分布：微博 120、新闻网站 8", 128.0)
    # Nothing to say without counts: the heat alone, as before.
    # (Its members are not in this archive: the spread is the count alone.)
    spread = "传播范围：128 条提及"
    assert [r.text for r in matches["event:old"].evidence] == ["热度 80.0 ≥ 50", spread]
    assert [r.text for r in matches["event:none"].evidence] == ["热度 80.0 ≥ 50", spread]


def test_the_alert_message_carries_the_breakdown(archive: Archive) -> None:
    archive.upsert_event(_event("a", {"weibo": 120, "news": 8, "official": 1}))
    match = _matches(archive)["event:a"]
    alert = Alert(
        rule=RULE.name,
        subject=match.subject,
        level=match.level,
        title=match.title,
        first_at=match.detected_at,
        last_at=match.last_at,
        event_id=match.event_id,
        evidence=match.evidence,
        id=7,
    )
    _subject, body = alert_message(RULE, alert, match, [])
    assert "  · 平台分布：微博 120、新闻网站 8、官方网站 1" in body.splitlines()
