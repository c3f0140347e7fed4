"""Bulk writes to Elasticsearch: bounded batches, retries with backoff, a result per document.

``elasticsearch.helpers.bulk`` raises on the first failed document or drops failures into a
list without telling a rejection from an overload; the archive needs both answers per
document: 2xx is stored, 429 and 5xx are retried with exponential backoff (the cluster is busy
or a shard is moving), anything else (400 mapping errors, 409 version conflicts) is rejected
with Elasticsearch's reason so the caller can keep it aside. A request that cannot reach the
cluster at all after the retries raises ``ArchiveUnavailable`` so the caller can spool.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from archive.base import ArchiveError

logger = logging.getLogger(__name__)

# Elastic's guidance is 5-15 MB per bulk request; 1,000 mentions of ~2 KB each is ~2 MB,
# and the byte bound keeps a batch of long articles below 8 MB.
MAX_BATCH_DOCS = 1000
MAX_BATCH_BYTES = 8 * 1024 * 1024
RETRIES = 6
BACKOFF_SECONDS = 0.25  # doubles per attempt: 0.25 .. 8 s, ~16 s in all
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ArchiveUnavailable(ArchiveError):
    """Elasticsearch cannot be reached (or keeps answering 5xx): the write may be spooled."""


@dataclass
class BulkAction:
    op: str  # "index", "update" or "delete"
    index: str
    doc_id: str
    body: dict[str, Any] | None = None
    tag: Any = None  # the caller's record, returned with the outcome


@dataclass
class BulkOutcome:
    done: list[BulkAction] = field(default_factory=list)
    rejected: list[tuple[BulkAction, str]] = field(default_factory=list)


def _lines(action: BulkAction) -> list[dict[str, Any]]:
    meta = {action.op: {"_index": action.index, "_id": action.doc_id}}
    if action.op == "delete":
        return [meta]
    if action.op == "update":
        return [meta, {"doc": action.body}]
    return [meta, action.body or {}]


def _weight(body: dict[str, Any] | None) -> int:
    """An upper estimate of the encoded size (3 bytes per character covers CJK in UTF-8):
    a bound for the batch, without encoding every document twice."""
    if not body:
        return 64
    return 512 + sum(
        3 * len(value) if isinstance(value, str) else len(json.dumps(value, default=str))
        for value in body.values()
        if value is not None and not isinstance(value, bool | int | float)
    )


def batches(actions: Sequence[BulkAction]) -> Iterator[list[BulkAction]]:
    """Split ``actions`` into batches bounded by count and by encoded size."""
    batch: list[BulkAction] = []
    size = 0
    for action in actions:
        weight = _weight(action.body)
        if batch and (len(batch) >= MAX_BATCH_DOCS or size + weight > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(action)
        size += weight
    if batch:
        yield batch


def _reason(item: dict[str, Any]) -> str:
    error = item.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type', 'error')}: {error.get('reason', '')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict) and cause.get("reason"):
            text += f" ({cause.get('reason')})"
        return text
    return str(error or f"HTTP {item.get('status')}")


def _send(client: Elasticsearch, batch: list[BulkAction], where: str) -> list[dict[str, Any]]:
    operations = [line for action in batch for line in _lines(action)]
    for attempt in range(RETRIES + 1):
        try:
            answer = client.bulk(operations=operations, refresh=False)
            return [next(iter(item.values())) for item in answer["items"]]
        except (TransportConnectionError, ConnectionTimeout) as exc:
            problem = f"cannot reach Elasticsearch at {where}: {exc}"
        except ApiError as exc:
            if exc.meta.status not in RETRY_STATUSES:
                raise ArchiveError(
                    f"Elasticsearch at {where} refused a bulk request: HTTP {exc.meta.status}"
                    f" {exc.message}"
                ) from None
            problem = f"Elasticsearch at {where} answered HTTP {exc.meta.status}"
        if attempt < RETRIES:
            time.sleep(BACKOFF_SECONDS * 2**attempt)
    raise ArchiveUnavailable(problem)


def bulk_write(client: Elasticsearch, actions: Sequence[BulkAction], where: str) -> BulkOutcome:
    """Write ``actions`` in bounded batches; see the module docstring for the outcomes."""
    outcome = BulkOutcome()
    for batch in batches(actions):
        pending = batch
        for attempt in range(RETRIES + 1):
            items = _send(client, pending, where)
            retry: list[BulkAction] = []
            for action, item in zip(pending, items, strict=True):
                status = int(item.get("status", 500))
                if 200 <= status < 300 or (action.op == "delete" and status == 404):
                    outcome.done.append(action)
                elif status in RETRY_STATUSES and attempt < RETRIES:
                    retry.append(action)
                elif status in RETRY_STATUSES:
                    raise ArchiveUnavailable(
                        f"Elasticsearch at {where} stayed overloaded ({_reason(item)})"
                    )
                else:
                    outcome.rejected.append((action, _reason(item)))
            if not retry:
                break
            logger.warning("%d documents answered 429/5xx; retrying", len(retry))
            time.sleep(BACKOFF_SECONDS * 2**attempt)
            pending = retry
    return outcome
