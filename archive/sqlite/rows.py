"""Conversions between archive records and SQLite rows."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from archive.models import (
    Alert,
    Analysis,
    AuditEntry,
    EntityCount,
    EntityRef,
    Event,
    Mention,
    Obligation,
    OutboxMessage,
    Reason,
    Reject,
    SourceState,
)


def to_us(value: datetime | None) -> int | None:
    """Microseconds since the epoch (exact round trip of Python datetimes)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no timezone")
    delta = value - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def rowid_floor(when: datetime) -> int:
    """The smallest rowid a mention published at ``when`` can have: mentions' rowids are
    their publication time in microseconds (``SQLiteArchive._rowid_for``)."""
    value = to_us(when)
    assert value is not None
    return value


def from_us(value: int | None) -> datetime | None:
    if value is None:
        return None
    seconds, micros = divmod(int(value), 1_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=micros)


def must_us(value: int) -> datetime:
    result = from_us(value)
    assert result is not None
    return result


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def reasons_json(reasons: list[Reason]) -> str:
    # The fields by hand, not ``asdict``: a Reason holds only strings and numbers, and
    # asdict's deep copy of each was most of the cost of writing a batch's analyses.
    return dumps(
        [
            {"kind": r.kind, "text": r.text, "weight": r.weight, "mention_id": r.mention_id}
            for r in reasons
        ]
    )


def reasons_from(text: str) -> list[Reason]:
    return [Reason(**item) for item in json.loads(text)]


def entities_json(entities: list[EntityRef]) -> str:
    return dumps([{"kind": e.kind, "name": e.name, "code": e.code} for e in entities])


def entities_from(text: str | None) -> list[EntityRef]:
    """NULL (an analysis stored before entities were kept) reads as none."""
    return [EntityRef(**item) for item in json.loads(text)] if text else []


def entity_counts_json(counts: list[EntityCount] | None) -> str | None:
    return None if counts is None else dumps([asdict(count) for count in counts])


def entity_counts_from(text: str | None) -> list[EntityCount] | None:
    """NULL (an event written before entities were kept) reads as None: not computed."""
    return None if text is None else [EntityCount(**item) for item in json.loads(text)]


def platforms_json(platforms: dict[str, int] | None) -> str | None:
    return None if platforms is None else dumps(platforms)


def platforms_from(text: str | None) -> dict[str, int] | None:
    """NULL (an event written before platforms were kept) reads as None: not computed."""
    return None if text is None else {str(k): int(v) for k, v in json.loads(text).items()}


def propagation_json(propagation: dict[str, Any] | None) -> str | None:
    return None if propagation is None else dumps(propagation)


def propagation_from(text: str | None) -> dict[str, Any] | None:
    """NULL (figures not computed yet, or an event written before schema 9) reads None."""
    return None if text is None else dict(json.loads(text))


MENTION_COLUMNS = (
    "id, source, platform, kind, url, title, text, author, region, parent_id, "
    "published_at, fetched_at, metrics, extra, first_fetched_at"
)


def mention_values(mention: Mention, first_fetched_us: int) -> tuple[Any, ...]:
    """The row of ``mention``; ``first_fetched_us`` is its first fetch as the store keeps it
    (``SQLiteArchive._upsert_one``: the earlier of the stored and the written one)."""
    return (
        mention.id,
        mention.source,
        mention.platform,
        mention.kind,
        mention.url,
        mention.title,
        mention.text,
        mention.author,
        mention.region,
        mention.parent_id,
        to_us(mention.published_at),
        to_us(mention.fetched_at),
        dumps(mention.metrics),
        dumps(mention.extra),
        first_fetched_us,
    )


def mention_from(row: sqlite3.Row) -> Mention:
    return Mention(
        id=row["id"],
        source=row["source"],
        platform=row["platform"],
        kind=row["kind"],
        url=row["url"],
        title=row["title"],
        text=row["text"],
        author=row["author"],
        region=row["region"],
        parent_id=row["parent_id"],
        published_at=must_us(row["published_at"]),
        fetched_at=must_us(row["fetched_at"]),
        metrics=json.loads(row["metrics"]),
        extra=json.loads(row["extra"]),
        # NULL only in a row a migration missed: its last fetch is the best known.
        first_fetched_at=must_us(_first(row["first_fetched_at"], row["fetched_at"])),
    )


def _first(stored: int | None, fallback: int) -> int:
    return fallback if stored is None else stored


def analysis_from(row: sqlite3.Row) -> Analysis:
    return Analysis(
        mention_id=row["mention_id"],
        relevant=bool(row["relevant"]),
        relevance=row["relevance"],
        topics=json.loads(row["topics"]),
        sentiment=row["sentiment"],
        rumor_score=row["rumor_score"],
        event_id=row["event_id"],
        severity=row["severity"],
        reasons=reasons_from(row["reasons"]),
        analyzed_at=from_us(row["analyzed_at"]),
        entities=entities_from(row["entities"]),
    )


def event_values(event: Event) -> tuple[Any, ...]:
    return (
        event.id,
        event.title,
        to_us(event.first_seen),
        to_us(event.last_seen),
        event.mention_count,
        event.heat,
        event.burst,
        event.status,
        dumps(event.topics),
        dumps(event.keywords),
        event.region,
        event.severity,
        reasons_json(event.severity_basis),
        event.rumor_score,
        to_us(event.updated_at),
        entity_counts_json(event.entities),
        platforms_json(event.platforms),
        propagation_json(event.propagation),
    )


def event_from(row: sqlite3.Row) -> Event:
    return Event(
        id=row["id"],
        title=row["title"],
        first_seen=must_us(row["first_seen"]),
        last_seen=must_us(row["last_seen"]),
        mention_count=row["mention_count"],
        heat=row["heat"],
        burst=row["burst"],
        status=row["status"],
        topics=json.loads(row["topics"]),
        keywords=json.loads(row["keywords"]),
        region=row["region"],
        severity=row["severity"],
        severity_basis=reasons_from(row["severity_basis"]),
        rumor_score=row["rumor_score"],
        updated_at=from_us(row["updated_at"]),
        entities=entity_counts_from(row["entities"]),
        platforms=platforms_from(row["platforms"]),
        propagation=propagation_from(row["propagation"]),
    )


def alert_from(row: sqlite3.Row) -> Alert:
    return Alert(
        id=row["id"],
        rule=row["rule"],
        subject=row["subject"],
        level=row["level"],
        title=row["title"],
        first_at=must_us(row["first_at"]),
        last_at=must_us(row["last_at"]),
        event_id=row["event_id"],
        evidence=reasons_from(row["evidence"]),
        status=row["status"],
    )


def obligation_values(ob: Obligation) -> tuple[Any, ...]:
    return (
        ob.kind,
        ob.subject,
        ob.title,
        to_us(ob.opened_at),
        to_us(ob.due_at),
        int(ob.provisional),
        ob.status,
        ob.event_id,
        ob.alert_id,
        ob.level,
        ob.assignee,
        ob.link,
        ob.note,
        to_us(ob.updated_at),
        to_us(ob.done_at),
        json.dumps(ob.evidence, ensure_ascii=False),
        ob.fulfilled_by,
        ob.late_reason,
        json.dumps(ob.rejected, ensure_ascii=False),
    )


def obligation_from(row: sqlite3.Row) -> Obligation:
    return Obligation(
        id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        title=row["title"],
        opened_at=must_us(row["opened_at"]),
        due_at=must_us(row["due_at"]),
        provisional=bool(row["provisional"]),
        status=row["status"],
        event_id=row["event_id"],
        alert_id=row["alert_id"],
        level=row["level"],
        assignee=row["assignee"],
        link=row["link"],
        note=row["note"],
        updated_at=from_us(row["updated_at"]),
        done_at=from_us(row["done_at"]),
        evidence=list(json.loads(row["evidence"])),
        fulfilled_by=row["fulfilled_by"],
        late_reason=row["late_reason"],
        rejected=list(json.loads(row["rejected"])),
    )


def message_from(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        dedup_key=row["dedup_key"],
        channel=row["channel"],
        recipient=row["recipient"],
        subject=row["subject"],
        body=row["body"],
        created_at=must_us(row["created_at"]),
        next_attempt_at=must_us(row["next_attempt_at"]),
        attempts=row["attempts"],
        status=row["status"],
        last_error=row["last_error"],
        sent_at=from_us(row["sent_at"]),
    )


def audit_from(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=must_us(row["at"]),
        actor=row["actor"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        details=json.loads(row["details"]),
    )


def source_state_from(row: sqlite3.Row) -> SourceState:
    return SourceState(
        source=row["source"],
        last_run_at=from_us(row["last_run_at"]),
        last_success_at=from_us(row["last_success_at"]),
        last_error=row["last_error"],
        last_error_at=from_us(row["last_error_at"]),
        items_last_run=row["items_last_run"],
        runs=row["runs"],
        errors=row["errors"],
        state=json.loads(row["state"]),
    )


def reject_from(row: sqlite3.Row) -> Reject:
    return Reject(
        id=row["id"],
        at=must_us(row["at"]),
        source=row["source"],
        record=row["record"],
        reason=row["reason"],
    )
