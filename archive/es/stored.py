"""Events in Elasticsearch, and the counts of the whole archive (cluster and ledger).

Mixed into ``ElasticsearchArchive``; the ledger beside it is ``archive.sqlite.ledger``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from elasticsearch import Elasticsearch

from archive.base import Archive
from archive.es.bulk import ArchiveUnavailable
from archive.es.client import calls
from archive.es.docs import event_doc, event_from, iso
from archive.es.mappings import IndexNames
from archive.models import Event, utc

# What the cluster counts before its first answer (an outage from the start).
_NO_CLUSTER_COUNTS = {"mentions": 0, "analyses": 0, "events": 0}


class EventsAndCounts(Archive):
    client: Elasticsearch
    names: IndexNames
    where: str

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

    # ---- overview ------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts for `yuqing stats`, the runner's status line and the dashboard.

        During an outage the ledger's counts are current and the Elasticsearch ones are the
        last known, with ``outage`` saying why: a status line must not stop ``yuqing run``.
        """
        counts: dict[str, Any] = dict(_NO_CLUSTER_COUNTS)
        outage: str | None = None
        try:
            counts.update(self._cluster_counts())
        except ArchiveUnavailable as exc:
            counts.update(getattr(self, "_last_cluster_counts", {}))
            outage = str(exc)
        es_bytes = int(counts.pop("es_bytes", 0))
        counts.update(self.ledger.stats())
        ledger_bytes = int(counts.pop("bytes"))
        if outage is not None:
            counts["outage"] = outage
        counts["bytes"] = es_bytes + ledger_bytes
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
