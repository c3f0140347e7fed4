"""Records and settings for the alert-stage tests (tests/test_alerts_*.py, test_backtest):
mentions, analyses and events around ``T0`` on a real archive, and settings whose notifiers
write to a file in the test's folder."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alerts.defaults import default_rules
from archive.models import Analysis, Event, Mention, Reason
from core.clock import SHANGHAI
from core.settings import Settings

T0 = datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)
# A threshold rule whose events open a response obligation for the duty officer.
HOT: list[dict[str, Any]] = [
    {
        "name": "hot",
        "type": "threshold",
        "min_mentions": 3,
        "opens": ["response"],
        "recipients": ["duty"],
    }
]


def mention(
    mid: str,
    text: str,
    at: datetime,
    *,
    platform: str = "weibo",
    kind: str = "post",
    title: str = "",
    region: str = "浙江省杭州市",
    extra: dict[str, Any] | None = None,
    source: str = "weibo-test",
) -> Mention:
    return Mention(
        id=mid,
        source=source,
        platform=platform,
        kind=kind,
        url=f"https://example.com/{mid}",
        text=text,
        title=title,
        region=region,
        published_at=at,
        fetched_at=at + timedelta(minutes=2),
        extra=extra or {},
    )


def analysis(
    mid: str,
    *,
    event_id: str | None = None,
    rumor: float | None = None,
    reasons: list[Reason] | None = None,
) -> Analysis:
    return Analysis(
        mention_id=mid,
        relevant=True,
        relevance=0.9,
        topics=["特种设备"],
        sentiment="negative",
        rumor_score=rumor,
        event_id=event_id,
        reasons=reasons or [],
        analyzed_at=T0,
    )


def event(
    eid: str,
    *,
    severity: str | None = None,
    count: int = 5,
    heat: float = 5.0,
    rumor: float | None = None,
    title: str = "杭州某小区电梯坠落事故",
) -> Event:
    return Event(
        id=eid,
        title=title,
        first_seen=T0,
        last_seen=T0 + timedelta(minutes=50),
        mention_count=count,
        heat=heat,
        topics=["特种设备"],
        region="浙江省杭州市",
        severity=severity,
        severity_basis=[Reason("figure", "死亡 3 人（据“杭州发布”通报）", 3.0, "m1")]
        if severity
        else [],
        rumor_score=rumor,
    )


def make_settings(tmp_path: Path, rules: list[dict[str, Any]] | None = None) -> Settings:
    return Settings.model_validate(
        {
            "rules": [dict(rule, recipients=["duty"]) for rule in (rules or default_rules())],
            "notifiers": [
                {"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")},
                {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/hook"},
            ],
            "recipients": [{"name": "duty", "role": "duty", "notifiers": ["log", "hook"]}],
        }
    )


def escalation_settings(
    tmp_path: Path,
    rules: list[dict[str, Any]],
    obligations: dict[str, Any],
    *,
    back_to_duty: bool = False,
    **more: Any,
) -> Settings:
    """``rules`` notifying duty, who escalates to leader, who escalates to director (and he
    back to duty when ``back_to_duty``), all through a file; obligations escalate after 30
    minutes unless ``obligations`` says otherwise; ``more`` at the top level."""
    director: dict[str, Any] = {"name": "director", "notifiers": ["log"]}
    if back_to_duty:
        director["escalates_to"] = "duty"
    return Settings.model_validate(
        {
            "rules": rules,
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [
                {"name": "duty", "notifiers": ["log"], "escalates_to": "leader"},
                {"name": "leader", "notifiers": ["log"], "escalates_to": "director"},
                director,
            ],
            "obligations": {"escalate_after": "30m", **obligations},
            **more,
        }
    )
