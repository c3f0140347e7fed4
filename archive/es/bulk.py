"""Bulk writes to Elasticsearch: bounded batches, retries with backoff, a result per document.

``elasticsearch.helpers.bulk`` raises on the first failed document or drops failures into a
list without telling a rejection from an overload; the archive needs both answers per
document: 2xx is stored, 429 and 5xx are retried with exponential backoff (the cluster is busy
or a shard is moving), anything else (400 mapping errors, 409 version conflicts) is rejected
with Elasticsearch's reason so the caller can keep it aside. A request that cannot reach the
cluster at all after the retries raises ``ArchiveUnavailable`` so the caller can spool.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout
from elasticsearch import ApiError, Elasticsearch

from archive.errors import ArchiveError

logger = logging.getLogger(__name__)

# Elastic's guidance is 5-15 MB per bulk request; 1,000 mentions of ~2 KB each is ~2 MB,
# and the byte bound (of the encoded request) keeps a batch of long articles below 8 MB.
MAX_BATCH_DOCS = 1000
MAX_BATCH_BYTES = 8 * 1024 * 1024
RETRIES = 6
BACKOFF_SECONDS = 0.25  # doubles per attempt: 0.25 .. 8 s, ~16 s in all
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Bulk requests in flight at once. Elastic's tuning guide recommends several concurrent bulk
# clients; two keep one request encoding while the cluster indexes the other (measured with
# benchmarks/es_bench.py: see docs/elasticsearch.md). More only queue on a small cluster.
IN_FLIGHT = 2


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


Encoded = tuple[BulkAction, bytes]  # an action and its NDJSON lines


def encoder(client: Elasticsearch) -> Callable[[Any], bytes]:
    """The client's own JSON serializer, the one ``helpers.bulk`` uses."""
    return client.transport.serializers.get_serializer("application/json").dumps


def batches(
    actions: Sequence[BulkAction], dumps: Callable[[Any], bytes]
) -> Iterator[list[Encoded]]:
    """Encode each action once and split them into batches bounded by count and bytes."""
    batch: list[Encoded] = []
    size = 0
    for action in actions:
        encoded = b"\n".join(dumps(line) for line in _lines(action))
        if batch and (len(batch) >= MAX_BATCH_DOCS or size + len(encoded) > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((action, encoded))
        size += len(encoded) + 1
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


def _send(client: Elasticsearch, batch: list[Encoded], where: str) -> list[dict[str, Any]]:
    operations = [encoded for _, encoded in batch]
    for attempt in range(RETRIES + 1):
        try:
            # Encoded lines pass through the client's NDJSON serializer as they are (as in
            # helpers.bulk); its annotation names only mappings.
            answer = client.bulk(operations=operations, refresh=False)  # type: ignore[arg-type]
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


def _write_batch(client: Elasticsearch, batch: list[Encoded], where: str) -> BulkOutcome:
    """One bounded batch: sent, and its 429/5xx documents resent with backoff."""
    outcome = BulkOutcome()
    pending = batch
    for attempt in range(RETRIES + 1):
        items = _send(client, pending, where)
        retry: list[Encoded] = []
        for (action, encoded), item in zip(pending, items, strict=True):
            status = int(item.get("status", 500))
            if 200 <= status < 300 or (action.op == "delete" and status == 404):
                outcome.done.append(action)
            elif status in RETRY_STATUSES and attempt < RETRIES:
                retry.append((action, encoded))
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


def bulk_write(client: Elasticsearch, actions: Sequence[BulkAction], where: str) -> BulkOutcome:
    """Write ``actions`` in bounded batches; see the module docstring for the outcomes.

    Up to ``IN_FLIGHT`` batches are sent at once, so the next batch is encoded while the
    cluster indexes the last one. The outcome lists documents in the order given."""
    outcome = BulkOutcome()

    def gather(part: BulkOutcome) -> None:
        outcome.done.extend(part.done)
        outcome.rejected.extend(part.rejected)

    with ThreadPoolExecutor(max_workers=IN_FLIGHT, thread_name_prefix="es-bulk") as pool:
        sent: deque[Future[BulkOutcome]] = deque()
        for chunk in batches(actions, encoder(client)):
            if len(sent) >= IN_FLIGHT:
                gather(sent.popleft().result())
            sent.append(pool.submit(_write_batch, client, chunk, where))
        while sent:
            gather(sent.popleft().result())
    return outcome
