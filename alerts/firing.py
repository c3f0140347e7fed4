"""Alerts from rule matches: one alert per (rule, subject), updated by later evidence.

``merge_matches`` folds a rule's matches into one per subject (earliest detection, latest
activity, highest level and grade, all evidence); ``store_alert`` writes it — new, or an update
of the stored alert whose level only rises — and says what happened in a ``Fired``, the record
the later stages (mute, obligations, notices) of one evaluation pass along. The alert and its
``alert.fired`` / ``alert.raised`` audit entry are written together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from alerts.deadlines import Deadline
from alerts.rules import ALERT_LEVELS, Match, RuleType, grade_rank
from archive.base import Archive
from archive.models import Alert, AuditEntry, Obligation, Reason

ACTOR = "system"
EVIDENCE_LIMIT = 20


@dataclass
class Fired:
    """One (rule, subject) of this evaluation and what it led to."""

    rule: RuleType
    match: Match
    alert: Alert
    raised_from: str | None = None
    created: bool = False  # the alert is new
    changed: bool = False  # a stored alert was updated
    obligations: list[tuple[Obligation, Deadline]] = field(default_factory=list)
    # The id of the newest obligation this alert ever opened (any state): a new one is news,
    # so it keys the alert's message (alerts.notices).
    newest_obligation: int | None = None
    # Every obligation it led to was fulfilled as it opened (a penalty decision published on
    # the agency's own site): an information alert with nothing to do is not pushed.
    all_fulfilled: bool = False


def system_entry(now: datetime, action: str, object_type: str, **details: object) -> AuditEntry:
    """An audit entry by the stage; the archive fills in the object's id as it writes."""
    return AuditEntry(now, ACTOR, action, object_type, "", dict(details))


def merge_matches(matches: Sequence[Match]) -> list[Match]:
    """One match per subject: earliest detection, latest activity, highest level, all evidence."""
    merged: dict[str, Match] = {}
    for match in matches:
        seen = merged.get(match.subject)
        if seen is None:
            merged[match.subject] = replace(match, evidence=list(match.evidence))
            continue
        seen.detected_at = min(seen.detected_at, match.detected_at)
        seen.last_at = max(seen.last_at, match.last_at)
        seen.level = higher(seen.level, match.level)
        seen.evidence = merge_evidence(seen.evidence, match.evidence)
        if grade_rank(match.grade) > grade_rank(seen.grade):
            seen.grade = match.grade
        seen.event_id = seen.event_id or match.event_id
        if seen.published_at is None:
            seen.published_at = match.published_at
        seen.obligation_level = seen.obligation_level or match.obligation_level
    return list(merged.values())


def higher(a: str, b: str) -> str:
    rank = {level: i for i, level in enumerate(ALERT_LEVELS)}
    return a if rank.get(a, -1) >= rank.get(b, -1) else b


def _key(reason: Reason) -> tuple[str, str, str | None]:
    return (reason.kind, reason.text, reason.mention_id)


def merge_evidence(first: Sequence[Reason], then: Sequence[Reason]) -> list[Reason]:
    """``first`` (the current evidence) then whatever of ``then`` is new, capped."""
    out = list(first)
    keys = {_key(r) for r in out}
    for reason in then:
        if _key(reason) not in keys:
            keys.add(_key(reason))
            out.append(reason)
    return out[:EVIDENCE_LIMIT]


def store_alert(
    archive: Archive, rule: RuleType, match: Match, old: Alert | None, now: datetime
) -> Fired:
    """Write ``match`` as a new alert or as an update of ``old``; unchanged alerts are not
    written."""
    if old is None:
        alert = Alert(
            rule=rule.name,
            subject=match.subject,
            level=match.level,
            title=match.title,
            first_at=match.detected_at,
            last_at=match.last_at,
            event_id=match.event_id,
            evidence=match.evidence[:EVIDENCE_LIMIT],
        )
        entry = system_entry(
            now, "alert.fired", "alert", rule=rule.name, subject=match.subject, level=alert.level
        )
        stored, _ = archive.ledger.upsert_alert_audited(alert, entry)
        return Fired(rule, match, stored, created=True)
    candidate = _updated(old, match)
    if candidate == old:
        return Fired(rule, match, old)
    raised = old.level if candidate.level != old.level else None
    raise_entry = None
    if raised:
        raise_entry = system_entry(
            now,
            "alert.raised",
            "alert",
            rule=rule.name,
            subject=match.subject,
            level=candidate.level,
            previous=raised,
        )
    stored, _ = archive.ledger.upsert_alert_audited(candidate, raise_entry)
    return Fired(rule, match, stored, raised_from=raised, changed=True)


def _without_stale_spread(evidence: Sequence[Reason], match: Match) -> list[Reason]:
    """The stored evidence less its spread lines when the match brings current ones (the top
    spreader changes as a story grows; only the latest is evidence)."""
    if not any(r.kind == "spread" for r in match.evidence):
        return list(evidence)
    return [r for r in evidence if r.kind != "spread"]


def _updated(old: Alert, match: Match) -> Alert:
    """``old`` with ``match``'s news: level only rises, evidence newest first, a resolved alert
    with later activity fires again."""
    status = old.status
    if status == "resolved" and match.last_at > old.last_at:
        status = "firing"  # it came back
    return replace(
        old,
        level=higher(old.level, match.level),
        title=match.title or old.title,
        last_at=max(old.last_at, match.last_at),
        event_id=old.event_id or match.event_id,
        evidence=merge_evidence(match.evidence, _without_stale_spread(old.evidence, match)),
        status=status,
    )
