"""The archive on Elasticsearch 8: for more mentions than one machine holds, and for Kibana.

What lives where, and why:

- Mentions (with their analyses as ``analysis.*`` fields) and events are in Elasticsearch
  (``archive.es.mappings``): they are the volume, and they are what is searched.
- The response ledger (alerts, obligations, the notification outbox, the audit log, crawl
  state, rejects, stage cursors and the pipeline time) stays in a SQLite file beside it
  (``archive.path``, the same ``archive.sqlite.ledger.Ledger`` the embedded backend has, see
  there why). A rejected document is kept aside there too: the place to record that
  Elasticsearch said no cannot be Elasticsearch.
- Mentions written while Elasticsearch is unreachable wait in a spool (``archive.es.spool``)
  at ``archive.path`` + ``.spool`` and are written on the next successful contact.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from elasticsearch import Elasticsearch

from archive.errors import ArchiveError
from archive.es.bulk import ArchiveUnavailable, BulkAction, bulk_write
from archive.es.client import calls, check_version, make_client, safe_hosts
from archive.es.docs import (
    analysis_doc,
    analysis_from,
    iso,
    mention_doc,
    mention_from,
    stored_first_fetch,
)
from archive.es.mappings import IndexNames
from archive.es.positions import PositionCounter
from archive.es.reads import MentionReads
from archive.es.setup import install
from archive.es.spool import Spool, count_at
from archive.es.versions import stored_versions
from archive.models import Analysis, Mention, Reject, UpsertResult
from archive.sqlite.ledger import Ledger
from core.text.segment import index_tokens

if TYPE_CHECKING:
    from core.settings import ArchiveSettings

logger = logging.getLogger(__name__)

SPOOL_BATCH = 1000
# After a failed contact, writes go straight to the spool for this long instead of waiting
# for the bulk retries again on every batch.
OUTAGE_BACKOFF_SECONDS = 5.0


def mention_tokens(mention: Mention) -> str:
    """The indexed token text: the same jieba search-mode tokens the SQLite FTS index holds."""
    return " ".join(index_tokens(f"{mention.title}\n{mention.text}"))


def first_fetch(mention: Mention, copies: list[dict[str, Any]]) -> datetime:
    """The first fetch to store: the earliest of the stored copies' (a re-crawl moves only
    fetched_at) and the written mention's (new, or a copy of an older archive)."""
    stored = [stored_first_fetch(c["_source"]) for c in copies]
    return min([mention.first_seen, *(t for t in stored if t is not None)])


class ElasticsearchArchive(MentionReads):
    def __init__(
        self,
        client: Elasticsearch,
        hosts: list[str],
        ledger_path: Path,
        *,
        index_prefix: str = "yuqing",
        lock: str | None = None,
        readonly: bool = False,
        replicas: int | None = None,
    ) -> None:
        self.client = client
        self.where = safe_hosts(hosts)
        self.names = IndexNames(index_prefix)
        self.readonly = readonly
        self.replicas = replicas
        self._write_lock = threading.Lock()
        self._down_until = 0.0
        self._pending: list[tuple[int, int]] = []
        # Writes do not refresh (a refresh per batch cost a third of the ingest time and
        # fragments segments); this process refreshes before its next read instead, and
        # mentions_since refreshes whenever the committed position moved (any writer).
        self._dirty = False
        self._seen_committed = 0
        self.versions = check_version(client, self.where)
        self.ledger = Ledger.open(Path(ledger_path), lock=lock, readonly=readonly)
        self.spool: Spool | None = None
        self.spool_path = Path(str(ledger_path) + ".spool")
        holder = f"{socket.gethostname()}:{os.getpid()}"
        self.positions = PositionCounter(client, self.names.meta, holder)
        try:
            if not readonly:
                with calls(self.where):
                    install(client, self.names, replicas)
                    self.positions.ensure()
                self.spool = Spool(self.spool_path)
        except BaseException:
            self.ledger.close()
            raise

    # ---- lifecycle -----------------------------------------------------------------------
    def close(self) -> None:
        if self.spool is not None:
            if self.spool.count():
                try:
                    self.flush_spool()
                except ArchiveError as exc:
                    logger.warning("%d mentions stay in the spool: %s", self.spool.count(), exc)
            self.spool.close()
            self.spool = None
        if self._dirty:
            # What a finished command wrote is searchable for the next one, as after a
            # SQLite commit (other readers otherwise see it within the refresh interval).
            try:
                self._refresh()
            except ArchiveError as exc:
                logger.warning("could not refresh %s on close: %s", self.describe(), exc)
        self.ledger.close()
        self.client.close()

    def describe(self) -> str:
        return f"elasticsearch:{self.where} (prefix {self.names.prefix})"

    # ---- mentions ------------------------------------------------------------------------
    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        batch = list(mentions)
        if not batch:
            return UpsertResult()
        if self.readonly or self.spool is None:
            raise ArchiveError(f"{self.describe()} was opened read-only")
        tokens = {m.id: mention_tokens(m) for m in batch}
        if time.monotonic() < self._down_until:
            return self._to_spool(batch, "Elasticsearch was unreachable moments ago")
        try:
            if self.spool.count():
                self.flush_spool()
            return self.write_prepared(batch, tokens)
        except ArchiveUnavailable as exc:
            self._down_until = time.monotonic() + OUTAGE_BACKOFF_SECONDS
            return self._to_spool(batch, str(exc))

    def _to_spool(self, batch: list[Mention], why: str) -> UpsertResult:
        assert self.spool is not None
        self.spool.add(batch)
        logger.warning(
            "%s; %d mentions wait in the spool %s (%d in all)",
            why,
            len(batch),
            self.spool.path,
            self.spool.count(),
        )
        return UpsertResult()

    def flush_spool(self) -> int:
        """Write what the spool holds; returns how many mentions were written."""
        if self.spool is None:
            return 0
        written = 0
        while rows := self.spool.peek(SPOOL_BATCH):
            mentions = [m for _, m in rows]
            self.write_prepared(mentions, {m.id: mention_tokens(m) for m in mentions})
            self.spool.remove([seq for seq, _ in rows])
            written += len(rows)
        if written:
            logger.info("wrote %d spooled mentions to %s", written, self.where)
        self._down_until = 0.0
        return written

    def spooled(self) -> int:
        """Mentions waiting in the spool; read-only, the spool of the process that writes."""
        if self.spool is not None:
            return self.spool.count()
        return count_at(self.spool_path) if self.readonly else 0

    def _lookup(
        self, ids: Sequence[str], fields: list[str] | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Stored hits by mention id (a list: a half-finished move may leave two copies).

        ``fields`` limits the source read; None reads the whole mention.
        """
        self._fresh()
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(ids), 1000):
            chunk = list(ids[start : start + 1000])
            with calls(self.where):
                answer = self.client.search(
                    index=self.names.mentions,
                    query={"ids": {"values": chunk}},
                    size=len(chunk) * 2,
                    source_includes=fields or None,
                    source_excludes=None if fields else ["tokens"],
                    ignore_unavailable=True,
                    allow_no_indices=True,
                )
            for hit in answer["hits"]["hits"]:
                found.setdefault(hit["_id"], []).append(hit)
        return found

    def write_prepared(self, batch: list[Mention], tokens: dict[str, str]) -> UpsertResult:
        """Write mentions whose token text is already known (bulk loads, the spool)."""
        latest = {m.id: m for m in batch}  # a mention twice in one batch: the last one wins
        result = UpsertResult(unchanged=len(batch) - len(latest))
        with self._write_lock:
            self._commit_pending()
            home_of = {m.id: self.names.mention_index(m.published_at) for m in latest.values()}
            stored = stored_versions(self.client, self.names.mentions, self.where, home_of)
            changed: list[tuple[Mention, str]] = []
            strays: list[BulkAction] = []
            for mention in latest.values():
                digest = mention.content_hash()
                copies = stored.get(mention.id, [])
                home = home_of[mention.id]
                if any(c["_source"].get("content_hash") == digest for c in copies):
                    result.unchanged += 1
                    # A copy left in another month by an interrupted move goes now.
                    strays.extend(
                        BulkAction("delete", c["_index"], mention.id)
                        for c in copies
                        if c["_index"] != home
                    )
                else:
                    changed.append((mention, digest))
            if strays:
                bulk_write(self.client, strays, self.where)
                self._dirty = True
            if not changed:
                return result
            with calls(self.where):
                start = self.positions.reserve(len(changed))
            # Until it is committed the block is pending: if the cluster goes away mid-write,
            # the next write commits it first instead of making every later writer wait for
            # the lease (its documents were written or not; either way positions stay unique).
            self._pending.append((start, start + len(changed)))
            actions: list[BulkAction] = []
            for offset, (mention, digest) in enumerate(changed):
                index = home_of[mention.id]
                doc = mention_doc(mention, tokens[mention.id], start + offset + 1, digest)
                copies = stored.get(mention.id, [])
                for copy in copies:
                    if "analysis" in copy["_source"]:
                        doc["analysis"] = copy["_source"]["analysis"]
                doc["first_fetched_at"] = iso(first_fetch(mention, copies))
                actions.append(BulkAction("index", index, mention.id, doc, tag=(mention, copies)))
            outcome = bulk_write(self.client, actions, self.where)
            self._dirty = True
            moved = [
                BulkAction("delete", copy["_index"], action.doc_id)
                for action in outcome.done
                for copy in action.tag[1]
                if copy["_index"] != action.index
            ]
            if moved:
                bulk_write(self.client, moved, self.where)
            for action, reason in outcome.rejected:
                self._reject(action.tag[0], reason)
            for action in outcome.done:
                if action.tag[1]:
                    result.updated += 1
                else:
                    result.inserted += 1
            with calls(self.where):
                self._commit_pending()
        return result

    def _commit_pending(self) -> None:
        """Publish this process's reserved blocks in order (see es_positions).

        Every document of a block was acknowledged before its block is committed; readers
        refresh after reading the committed position, so they see all of them."""
        if not self._pending:
            return
        with calls(self.where):
            while self._pending:
                start, end = self._pending[0]
                self.positions.commit(start, end)
                self._pending.pop(0)

    def _reject(self, mention: Mention, reason: str) -> None:
        record = json.dumps(asdict(mention), ensure_ascii=False, default=str)
        self.ledger.keep_aside(
            Reject(
                at=datetime.now(UTC),
                source=mention.source,
                record=record,
                reason=f"Elasticsearch rejected mention {mention.id}: {reason}",
            )
        )
        logger.error("source %s: mention %s kept aside: %s", mention.source, mention.id, reason)

    def get_mention(self, mention_id: str) -> Mention | None:
        found = self.get_mentions([mention_id])
        return found[0] if found else None

    def get_mentions(self, mention_ids: Sequence[str]) -> list[Mention]:
        stored = self._lookup(list(mention_ids))
        return [mention_from(stored[i][0]["_source"]) for i in mention_ids if i in stored]

    def count_mentions(self) -> int:
        self._fresh()
        with calls(self.where):
            answer = self.client.count(
                index=self.names.mentions, ignore_unavailable=True, allow_no_indices=True
            )
        return int(answer["count"])

    def mentions_since(self, position: int, limit: int) -> list[tuple[int, Mention]]:
        with calls(self.where):
            committed = self.positions.committed()
            if committed <= position:
                return []
            if self._dirty or committed > self._seen_committed:
                self._refresh()
                self._seen_committed = committed
            answer = self.client.search(
                index=self.names.mentions,
                query={"range": {"position": {"gt": position, "lte": committed}}},
                sort=[{"position": "asc"}],
                size=limit,
                source_excludes=["tokens"],
                ignore_unavailable=True,
                allow_no_indices=True,
            )
        return [
            (int(hit["_source"]["position"]), mention_from(hit["_source"]))
            for hit in answer["hits"]["hits"]
        ]

    def latest_position(self) -> int:
        with calls(self.where):
            return self.positions.committed()

    # ---- analyses ------------------------------------------------------------------------
    def upsert_analyses(self, analyses: Iterable[Analysis]) -> int:
        items = list(analyses)
        if not items:
            return 0
        with self._write_lock:
            stored = self._lookup([a.mention_id for a in items], ["id"])
            missing = [a.mention_id for a in items if a.mention_id not in stored]
            if missing:
                raise ArchiveError(f"analysis for unknown mention {missing[0]!r}")
            actions = [
                BulkAction(
                    "update", copy["_index"], item.mention_id, {"analysis": analysis_doc(item)}
                )
                for item in items
                for copy in stored[item.mention_id]
            ]
            outcome = bulk_write(self.client, actions, self.where)
            if outcome.rejected:
                action, reason = outcome.rejected[0]
                raise ArchiveError(
                    f"Elasticsearch rejected the analysis of mention {action.doc_id}: {reason}"
                )
            self._dirty = True
        return len(items)

    def get_analyses(self, mention_ids: Sequence[str]) -> dict[str, Analysis]:
        stored = self._lookup(list(mention_ids), ["analysis"])
        out: dict[str, Analysis] = {}
        for mention_id, copies in stored.items():
            doc = copies[0]["_source"].get("analysis")
            if doc:
                out[mention_id] = analysis_from(mention_id, doc)
        return out


def open_elasticsearch(
    settings: ArchiveSettings, *, lock: str | None = None, readonly: bool = False
) -> ElasticsearchArchive:
    """The archive named by ``archive: {backend: elasticsearch, hosts: [...], ...}``."""
    client = make_client(
        list(settings.hosts),
        api_key=settings.api_key.get_secret_value() if settings.api_key else None,
        username=settings.username,
        password=settings.password.get_secret_value() if settings.password else None,
        ca_certs=str(settings.ca_certs) if settings.ca_certs else None,
        verify_certs=settings.verify_certs,
    )
    try:
        return ElasticsearchArchive(
            client,
            list(settings.hosts),
            Path(settings.path),
            index_prefix=settings.index_prefix,
            lock=lock,
            readonly=readonly,
            replicas=settings.replicas,
        )
    except BaseException:
        client.close()
        raise
