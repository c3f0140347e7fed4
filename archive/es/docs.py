"""Conversions between archive records and Elasticsearch documents (``_source``).

Times are written as ISO 8601 with microseconds in UTC and read back exactly, so a record
read from Elasticsearch equals the record written, as with the SQLite backend.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from archive.models import (
    Analysis,
    EntityCount,
    EntityRef,
    Event,
    Mention,
    Reason,
    entity_keys,
)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def must_iso(value: str) -> datetime:
    parsed = from_iso(value)
    assert parsed is not None
    return parsed


def from_nanos(value: int) -> datetime:
    """A ``date_nanos`` sort value or histogram key (nanoseconds) as a UTC datetime."""
    seconds, nanos = divmod(int(value), 1_000_000_000)
    return datetime.fromtimestamp(seconds, tz=UTC).replace(microsecond=nanos // 1000)


def mention_doc(mention: Mention, tokens: str, position: int, digest: str) -> dict[str, Any]:
    return {
        "id": mention.id,
        "source": mention.source,
        "platform": mention.platform,
        "kind": mention.kind,
        "url": mention.url,
        "title": mention.title,
        "text": mention.text,
        "tokens": tokens,
        "author": mention.author,
        "region": mention.region,
        "parent_id": mention.parent_id,
        "published_at": iso(mention.published_at),
        "fetched_at": iso(mention.fetched_at),
        "first_fetched_at": iso(mention.first_seen),
        "metrics": mention.metrics,
        "extra": mention.extra,
        "content_hash": digest,
        "position": position,
    }


def mention_from(source: dict[str, Any]) -> Mention:
    return Mention(
        id=source["id"],
        source=source["source"],
        platform=source["platform"],
        kind=source["kind"],
        url=source["url"],
        title=source.get("title", ""),
        text=source.get("text", ""),
        author=source.get("author", ""),
        region=source.get("region", ""),
        parent_id=source.get("parent_id"),
        published_at=must_iso(source["published_at"]),
        fetched_at=must_iso(source["fetched_at"]),
        metrics=source.get("metrics") or {},
        extra=source.get("extra") or {},
        # A document written before mapping revision 5 that the migration has not reached
        # (archive.es.setup) has only its last fetch, the best known.
        first_fetched_at=must_iso(source.get("first_fetched_at") or source["fetched_at"]),
    )


def stored_first_fetch(source: dict[str, Any]) -> datetime | None:
    """The first fetch a stored copy (its ``VERSION_FIELDS``) records, None without one."""
    return from_iso(source.get("first_fetched_at") or source.get("fetched_at"))


def reasons_doc(reasons: list[Reason]) -> list[dict[str, Any]]:
    return [asdict(reason) for reason in reasons]


def reasons_from(items: list[dict[str, Any]] | None) -> list[Reason]:
    return [Reason(**item) for item in items or []]


def analysis_doc(analysis: Analysis) -> dict[str, Any]:
    return {
        "relevant": analysis.relevant,
        "relevance": analysis.relevance,
        "topics": list(analysis.topics),
        "sentiment": analysis.sentiment,
        "rumor_score": analysis.rumor_score,
        "event_id": analysis.event_id,
        "severity": analysis.severity,
        "reasons": reasons_doc(analysis.reasons),
        "analyzed_at": iso(analysis.analyzed_at),
        "entities": [asdict(entity) for entity in analysis.entities],
        "entity_names": entity_keys(analysis.entities),
    }


def analysis_from(mention_id: str, doc: dict[str, Any]) -> Analysis:
    return Analysis(
        mention_id=mention_id,
        relevant=bool(doc["relevant"]),
        relevance=float(doc["relevance"]),
        topics=list(doc.get("topics") or []),
        sentiment=doc.get("sentiment") or "neutral",
        rumor_score=doc.get("rumor_score"),
        event_id=doc.get("event_id"),
        severity=doc.get("severity"),
        reasons=reasons_from(doc.get("reasons")),
        analyzed_at=from_iso(doc.get("analyzed_at")),
        # Absent from analyses written before entities were kept.
        entities=[EntityRef(**item) for item in doc.get("entities") or []],
    )


def event_doc(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "first_seen": iso(event.first_seen),
        "last_seen": iso(event.last_seen),
        "mention_count": event.mention_count,
        "heat": event.heat,
        "burst": event.burst,
        "status": event.status,
        "topics": list(event.topics),
        "keywords": list(event.keywords),
        "region": event.region,
        "severity": event.severity,
        "severity_basis": reasons_doc(event.severity_basis),
        "rumor_score": event.rumor_score,
        "updated_at": iso(event.updated_at),
        "entities": None if event.entities is None else [asdict(count) for count in event.entities],
        "platforms": None if event.platforms is None else dict(event.platforms),
        "propagation": event.propagation,
    }


def event_from(source: dict[str, Any]) -> Event:
    return Event(
        id=source["id"],
        title=source["title"],
        first_seen=must_iso(source["first_seen"]),
        last_seen=must_iso(source["last_seen"]),
        mention_count=int(source.get("mention_count") or 0),
        heat=float(source.get("heat") or 0.0),
        burst=float(source.get("burst") or 0.0),
        status=source.get("status") or "emerging",
        topics=list(source.get("topics") or []),
        keywords=list(source.get("keywords") or []),
        region=source.get("region") or "",
        severity=source.get("severity"),
        severity_basis=reasons_from(source.get("severity_basis")),
        rumor_score=source.get("rumor_score"),
        updated_at=from_iso(source.get("updated_at")),
        entities=_entity_counts(source.get("entities")),
        platforms=_platforms(source.get("platforms")),
        # Absent or null (not computed yet, or written before mapping revision 4): None.
        propagation=source.get("propagation"),
    )


def _entity_counts(items: list[dict[str, Any]] | None) -> list[EntityCount] | None:
    """Absent or null (an event written before entities were kept): None, not computed."""
    return None if items is None else [EntityCount(**item) for item in items]


def _platforms(value: dict[str, Any] | None) -> dict[str, int] | None:
    """Absent or null (an event written before platforms were kept): None, not computed."""
    return None if value is None else {str(k): int(v) for k, v in value.items()}
