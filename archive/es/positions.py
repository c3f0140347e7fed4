"""Change positions for ``mentions_since`` on Elasticsearch, exactly once.

Elasticsearch has no autoincrement and its ``_seq_no`` is per shard (monthly indices each count
from 0), so positions come from one counter document updated with optimistic concurrency
(``if_seq_no`` / ``if_primary_term``: a lost race is a 409 and is retried).

Positions alone are not enough: writer A may reserve 101-104, writer B 105-108, and B's
documents may become searchable first. A reader that saw 105 would move its cursor past
101-104 and never see them. So the counter holds two numbers: ``reserved`` (handed out) and
``committed`` (every position up to it is written *and refreshed*). Writers commit in the order
they reserved: a writer waits until ``committed`` reaches the start of its block. Readers only
read positions up to ``committed``. A writer that died holding a block is skipped after
``LEASE_SECONDS``; its documents, if any were written, have positions below the new
``committed`` and are read like any others, and a retried write of the same mentions finds
them unchanged by content hash.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ConflictError, Elasticsearch, NotFoundError

COUNTER_ID = "mention-positions"
LEASE_SECONDS = 30.0  # far above a bulk batch's write + refresh time (~0.1-2 s here)
_POLL_SECONDS = 0.02


class PositionCounter:
    def __init__(self, client: Elasticsearch, index: str, holder: str) -> None:
        self.client = client
        self.index = index
        self.holder = holder

    def ensure(self) -> None:
        with contextlib.suppress(ConflictError):  # already there
            self.client.create(
                index=self.index,
                id=COUNTER_ID,
                document={"reserved": 0, "committed": 0, "holder": "", "updated_at": _now()},
                refresh=True,
            )

    def _read(self) -> tuple[dict[str, Any], int, int]:
        found = self.client.get(index=self.index, id=COUNTER_ID, realtime=True)
        return dict(found["_source"]), int(found["_seq_no"]), int(found["_primary_term"])

    def _swap(self, values: dict[str, Any], seq_no: int, term: int) -> bool:
        try:
            self.client.index(
                index=self.index,
                id=COUNTER_ID,
                document={**values, "holder": self.holder, "updated_at": _now()},
                if_seq_no=seq_no,
                if_primary_term=term,
            )
            return True
        except ConflictError:
            return False

    def committed(self) -> int:
        try:
            source, _, _ = self._read()
        except NotFoundError:
            return 0
        return int(source["committed"])

    def reserve(self, count: int) -> int:
        """Reserve ``count`` positions; returns the last position before the block."""
        while True:
            source, seq_no, term = self._read()
            start = int(source["reserved"])
            if self._swap({**source, "reserved": start + count}, seq_no, term):
                return start

    def commit(self, start: int, end: int) -> None:
        """Publish positions ``start+1 .. end`` once every earlier block is published."""
        deadline = time.monotonic() + LEASE_SECONDS
        while True:
            source, seq_no, term = self._read()
            committed = int(source["committed"])
            if committed >= end:
                return
            if committed >= start or time.monotonic() > deadline:
                if self._swap({**source, "committed": end}, seq_no, term):
                    return
                continue
            time.sleep(_POLL_SECONDS)


def _now() -> str:
    return datetime.now(UTC).isoformat()
