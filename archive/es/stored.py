"""Events in Elasticsearch, and the response ledger that stays in SQLite beside it.

Mixed into ``ElasticsearchArchive``; see its module docstring for why the ledger (alerts,
obligations, outbox, audit, crawl state, rejects, cursors, pipeline time) is a SQLite file.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from archive.base import Archive
from archive.es.bulk import ArchiveUnavailable
from archive.es.client import calls
from archive.es.docs import event_doc, event_from, iso
from archive.es.mappings import IndexNames
from archive.models import (
    Alert,
    AuditEntry,
    Event,
    Obligation,
    OutboxMessage,
    Reject,
    SourceState,
    utc,
)
from archive.sqlite.backend import SQLiteArchive


class EventsAndLedger(Archive):
    client: Elasticsearch
    names: IndexNames
    where: str
    ledger: SQLiteArchive

    _dirty: bool

    def spooled(self) -> int:
        raise NotImplementedError

    def _refresh(self) -> None:
        with calls(self.where):
            self.client.indices.refresh(
                index=self.names.mentions, ignore_unavailable=True, allow_no_indices=True
            )
        self._dirty = False

    def _fresh(self) -> None:
        """Make this process's own writes visible to its next search (read your writes)."""
        if self._dirty:
            self._refresh()

    # ---- events (Elasticsearch) ----------------------------------------------------------
    def upsert_event(self, event: Event) -> None:
        with calls(self.where):
            self.client.index(
                index=self.names.events, id=event.id, document=event_doc(event), refresh=True
            )

    def get_event(self, event_id: str) -> Event | None:
        with calls(self.where):
            answer = self.client.search(
                index=self.names.events, query={"ids": {"values": [event_id]}}, size=1
            )
        hits = answer["hits"]["hits"]
        return event_from(hits[0]["_source"]) if hits else None

    def list_events(self, active_since: datetime | None = None, limit: int = 100) -> list[Event]:
        query: dict[str, Any] = {"match_all": {}}
        if active_since is not None:
            query = {"range": {"last_seen": {"gte": iso(utc(active_since))}}}
        with calls(self.where):
            answer = self.client.search(
                index=self.names.events,
                query=query,
                sort=[{"heat": "desc"}, {"id": "asc"}],
                size=min(limit, 10_000),
            )
        return [event_from(hit["_source"]) for hit in answer["hits"]["hits"]]

    # ---- the ledger (SQLite) -------------------------------------------------------------
    def get_cursor(self, stage: str) -> int:
        return self.ledger.get_cursor(stage)

    def set_cursor(self, stage: str, position: int) -> None:
        self.ledger.set_cursor(stage, position)

    def upsert_alert(self, alert: Alert) -> tuple[Alert, bool]:
        return self.ledger.upsert_alert(alert)

    def list_alerts(self, status: str | None = None, limit: int = 200) -> list[Alert]:
        return self.ledger.list_alerts(status, limit)

    def upsert_alert_audited(self, alert: Alert, entry: AuditEntry | None) -> tuple[Alert, bool]:
        return self.ledger.upsert_alert_audited(alert, entry)  # one ledger transaction

    def open_obligation(self, obligation: Obligation) -> tuple[Obligation, bool]:
        return self.ledger.open_obligation(obligation)

    def open_obligation_audited(
        self, obligation: Obligation, entry: AuditEntry
    ) -> tuple[Obligation, bool]:
        return self.ledger.open_obligation_audited(obligation, entry)

    def get_obligation(self, obligation_id: int) -> Obligation | None:
        return self.ledger.get_obligation(obligation_id)

    def list_obligations(
        self, statuses: Sequence[str] | None = None, limit: int = 500
    ) -> list[Obligation]:
        return self.ledger.list_obligations(statuses, limit)

    def update_obligation(self, obligation: Obligation, actor: str, action: str) -> None:
        self.ledger.update_obligation(obligation, actor, action)

    def enqueue(self, message: OutboxMessage) -> bool:
        return self.ledger.enqueue(message)

    def due_messages(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        return self.ledger.due_messages(now, limit)

    def mark_sent(self, message_id: int, at: datetime) -> None:
        self.ledger.mark_sent(message_id, at)

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        self.ledger.mark_failed(message_id, error, retry_at)

    def list_messages(self, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        return self.ledger.list_messages(status, limit)

    def audit(self, entry: AuditEntry) -> None:
        self.ledger.audit(entry)

    def list_audit(
        self, object_type: str | None = None, object_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        return self.ledger.list_audit(object_type, object_id, limit)

    def get_source_state(self, source: str) -> SourceState:
        return self.ledger.get_source_state(source)

    def save_source_state(self, state: SourceState) -> None:
        self.ledger.save_source_state(state)

    def list_source_states(self) -> list[SourceState]:
        return self.ledger.list_source_states()

    def keep_aside(self, reject: Reject) -> None:
        self.ledger.keep_aside(reject)

    def list_rejects(self, source: str | None = None, limit: int = 200) -> list[Reject]:
        return self.ledger.list_rejects(source, limit)

    def record_pipeline_time(self, when: datetime) -> None:
        self.ledger.record_pipeline_time(when)

    def pipeline_time(self) -> datetime | None:
        return self.ledger.pipeline_time()

    # ---- overview ------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts for `yuqing stats`, the runner's status line and the dashboard.

        During an outage the ledger's counts are current and the Elasticsearch ones are the
        last known, with ``outage`` saying why: a status line must not stop ``yuqing run``.
        """
        counts = self.ledger.stats()
        ledger_bytes = int(counts.pop("bytes", 0))
        try:
            counts.update(self._cluster_counts())
        except ArchiveUnavailable as exc:
            counts.update(getattr(self, "_last_cluster_counts", {}), outage=str(exc))
        counts["bytes"] = int(counts.pop("es_bytes", 0)) + ledger_bytes
        counts.update(spooled=self.spooled(), ledger_bytes=ledger_bytes)
        return counts

    def _cluster_counts(self) -> dict[str, Any]:
        self._fresh()
        with calls(self.where):
            mentions = self.client.count(
                index=self.names.mentions, ignore_unavailable=True, allow_no_indices=True
            )["count"]
            analyses = self.client.count(
                index=self.names.mentions,
                query={"exists": {"field": "analysis.relevant"}},
                ignore_unavailable=True,
                allow_no_indices=True,
            )["count"]
            events = self.client.count(index=self.names.events)["count"]
            store = self.client.indices.stats(index=self.names.all_patterns(), metric="store")
        total = store.get("_all", {}).get("total", {})
        found = {
            "mentions": int(mentions),
            "analyses": int(analyses),
            "events": int(events),
            "es_bytes": int(total.get("store", {}).get("size_in_bytes", 0)),
        }
        self._last_cluster_counts = found
        return dict(found)
