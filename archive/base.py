"""The storage interface every stage, the CLI and the dashboard use.

An archive is a mention store (mentions, analyses, events, search) with one of two
backends — ``archive.sqlite.backend.SQLiteArchive`` (embedded default) or
``archive.es.backend.ElasticsearchArchive`` — and, at ``archive.ledger``, the ledger of the
response workflow (alerts, obligations, outbox, audit, crawl state, rejects, stage cursors,
pipeline time), which is always SQLite (``archive.sqlite.ledger.Ledger``).

Stages never call each other: each reads what it needs here and writes its results back.
Writes are idempotent (keyed upserts), and each stage keeps a durable cursor, so a stage that
crashes between writing results and advancing its cursor only redoes work whose results are
already stored under the same keys: nothing is lost and nothing is duplicated.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from archive.errors import ArchiveError, ArchiveLockedError, NotFoundError
from archive.models import Analysis, Event, Mention, UpsertResult
from archive.search import FacetCount, HistogramBucket, SearchRequest, SearchResult
from archive.sqlite.ledger import Ledger

__all__ = ["Archive", "ArchiveError", "ArchiveLockedError", "NotFoundError"]


class Archive(abc.ABC):
    """The mention store of one backend, with the workflow ledger at ``ledger``."""

    ledger: Ledger

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

    # ---- overview --------------------------------------------------------------------
    @abc.abstractmethod
    def stats(self) -> dict[str, Any]:
        """Counts per table (the ledger's too) and bytes on disk, for `yuqing stats` and the
        dashboard."""
