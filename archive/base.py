"""The storage interface every stage, the CLI and the dashboard use.

Stages never call each other: each reads what it needs here and writes its results back.
Writes are idempotent (keyed upserts), and each stage keeps a durable cursor, so a stage that
crashes between writing results and advancing its cursor only redoes work whose results are
already stored under the same keys: nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from types import TracebackType
from typing import Any

from archive.models import (
    Alert,
    Analysis,
    AuditEntry,
    Event,
    Mention,
    Obligation,
    OutboxMessage,
    Reject,
    SourceState,
    UpsertResult,
)
from archive.search import FacetCount, HistogramBucket, SearchRequest, SearchResult


class ArchiveError(Exception):
    """A storage problem that the user can act on; the message says what and where."""


class ArchiveLockedError(ArchiveError):
    """Another process holds the writer lock for this archive."""


class NotFoundError(ArchiveError):
    pass


class Archive(abc.ABC):
    """Abstract archive. Backends: ``archive.sqlite.backend.SQLiteArchive`` (embedded default)."""

    # ---- lifecycle -------------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @abc.abstractmethod
    def describe(self) -> str:
        """Where this archive lives, for messages (never includes credentials)."""

    # ---- mentions --------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        """Insert or update by id. Re-sending an unchanged mention changes nothing."""

    @abc.abstractmethod
    def get_mention(self, mention_id: str) -> Mention | None: ...

    @abc.abstractmethod
    def get_mentions(self, mention_ids: Sequence[str]) -> list[Mention]: ...

    @abc.abstractmethod
    def count_mentions(self) -> int: ...

    @abc.abstractmethod
    def mentions_since(self, position: int, limit: int) -> list[tuple[int, Mention]]:
        """Mentions inserted or changed after ``position``, in change order, with positions.

        Positions grow with every insert or real change, so a stage that stores the last
        position it handled sees each new or changed mention exactly once.
        """

    @abc.abstractmethod
    def latest_position(self) -> int: ...

    # ---- search ----------------------------------------------------------------------
    @abc.abstractmethod
    def search(self, request: SearchRequest) -> SearchResult: ...

    @abc.abstractmethod
    def facets(
        self, request: SearchRequest, fields: Sequence[str], size: int = 10
    ) -> dict[str, list[FacetCount]]: ...

    @abc.abstractmethod
    def histogram(self, request: SearchRequest, interval: str = "day") -> list[HistogramBucket]:
        """Counts per ``hour`` or ``day`` bucket (bucket starts in Asia/Shanghai time)."""

    # ---- stage cursors ---------------------------------------------------------------
    @abc.abstractmethod
    def get_cursor(self, stage: str) -> int: ...

    @abc.abstractmethod
    def set_cursor(self, stage: str, position: int) -> None: ...

    # ---- analyses and events ---------------------------------------------------------
    @abc.abstractmethod
    def upsert_analyses(self, analyses: Iterable[Analysis]) -> int: ...

    @abc.abstractmethod
    def get_analyses(self, mention_ids: Sequence[str]) -> dict[str, Analysis]: ...

    @abc.abstractmethod
    def upsert_event(self, event: Event) -> None: ...

    @abc.abstractmethod
    def get_event(self, event_id: str) -> Event | None: ...

    @abc.abstractmethod
    def list_events(self, active_since: datetime | None = None, limit: int = 100) -> list[Event]:
        """Events ordered by heat, hottest first; ``active_since`` filters on last_seen."""

    @abc.abstractmethod
    def event_mentions(self, event_id: str, limit: int = 1000) -> list[Mention]: ...

    # ---- alerts ----------------------------------------------------------------------
    @abc.abstractmethod
    def upsert_alert(self, alert: Alert) -> tuple[Alert, bool]:
        """Store by (rule, subject). Returns the stored alert and whether it is new."""

    @abc.abstractmethod
    def list_alerts(self, status: str | None = None, limit: int = 200) -> list[Alert]: ...

    def upsert_alert_audited(self, alert: Alert, entry: AuditEntry | None) -> tuple[Alert, bool]:
        """``upsert_alert`` and ``entry`` (its object_id set to the alert's id) together, so a
        crash cannot leave a change without its audit entry. Backends should override this with
        one transaction; the default writes one after the other."""
        stored, created = self.upsert_alert(alert)
        if entry is not None:
            self.audit(replace(entry, object_id=str(stored.id)))
        return stored, created

    # ---- obligations -----------------------------------------------------------------
    @abc.abstractmethod
    def open_obligation(self, obligation: Obligation) -> tuple[Obligation, bool]:
        """Open once per (kind, subject): a second call returns the stored one, False."""

    def open_obligation_audited(
        self, obligation: Obligation, entry: AuditEntry
    ) -> tuple[Obligation, bool]:
        """``open_obligation`` and, if it opened one, ``entry`` (object_id set) together; as
        ``upsert_alert_audited``, one transaction where the backend can."""
        stored, created = self.open_obligation(obligation)
        if created:
            self.audit(replace(entry, object_id=str(stored.id)))
        return stored, created

    @abc.abstractmethod
    def get_obligation(self, obligation_id: int) -> Obligation | None: ...

    @abc.abstractmethod
    def list_obligations(
        self, statuses: Sequence[str] | None = None, limit: int = 500
    ) -> list[Obligation]:
        """Obligations ordered by due time, earliest first."""

    @abc.abstractmethod
    def update_obligation(self, obligation: Obligation, actor: str, action: str) -> None:
        """Save a changed obligation and write the audit entry in the same transaction."""

    # ---- notification outbox ---------------------------------------------------------
    @abc.abstractmethod
    def enqueue(self, message: OutboxMessage) -> bool:
        """Queue a message once per dedup_key; returns False when it was already queued."""

    @abc.abstractmethod
    def due_messages(self, now: datetime, limit: int = 100) -> list[OutboxMessage]: ...

    @abc.abstractmethod
    def mark_sent(self, message_id: int, at: datetime) -> None: ...

    @abc.abstractmethod
    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; ``retry_at`` None means give up (status ``failed``)."""

    @abc.abstractmethod
    def list_messages(self, status: str | None = None, limit: int = 200) -> list[OutboxMessage]: ...

    # ---- audit log -------------------------------------------------------------------
    @abc.abstractmethod
    def audit(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def list_audit(
        self, object_type: str | None = None, object_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]: ...

    # ---- crawl state and rejects ----------------------------------------------------
    @abc.abstractmethod
    def get_source_state(self, source: str) -> SourceState: ...

    @abc.abstractmethod
    def save_source_state(self, state: SourceState) -> None: ...

    @abc.abstractmethod
    def list_source_states(self) -> list[SourceState]: ...

    @abc.abstractmethod
    def keep_aside(self, reject: Reject) -> None: ...

    @abc.abstractmethod
    def list_rejects(self, source: str | None = None, limit: int = 200) -> list[Reject]: ...

    # ---- pipeline time ---------------------------------------------------------------
    @abc.abstractmethod
    def record_pipeline_time(self, when: datetime) -> None:
        """The runner's clock at its last pass: under simulated time (demo, replay) the
        dashboard counts deadlines down from this instead of the wall clock."""

    @abc.abstractmethod
    def pipeline_time(self) -> datetime | None: ...

    # ---- overview --------------------------------------------------------------------
    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts per table and file size, for `yuqing stats` and the dashboard."""
