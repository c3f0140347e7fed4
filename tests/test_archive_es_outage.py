"""Elasticsearch goes away during ingestion and comes back: every mention is there exactly once.

Its own node (the session node must stay up for the other tests): stopped with SIGTERM while a
writer thread keeps upserting batches, started again on the same data folder and ports.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from archive.es import backend as es_archive_module
from archive.es import bulk as es_bulk
from archive.es.backend import ElasticsearchArchive
from archive.es.client import make_client
from archive.search import SearchRequest
from tests.conftest import make_mention
from tests.support.es_node import EsNode

pytestmark = pytest.mark.slow

PER_BATCH = 25
AFTER_RECOVERY = 3  # batches written once the node is back, at least
# Batches after recovery, at most, while the spool does not drain (each one tries again).
MAX_AFTER_RECOVERY = 200


def test_outage_spools_and_every_mention_arrives_once(
    es_own_node: EsNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Give up on a down cluster quickly: the production values wait ~16 s per batch.
    monkeypatch.setattr(es_bulk, "RETRIES", 1)
    monkeypatch.setattr(es_bulk, "BACKOFF_SECONDS", 0.05)
    monkeypatch.setattr(es_archive_module, "OUTAGE_BACKOFF_SECONDS", 0.5)
    store = ElasticsearchArchive(
        make_client([es_own_node.url], request_timeout=5),
        [es_own_node.url],
        tmp_path / "ledger.db",
        index_prefix=f"outage{uuid.uuid4().hex[:8]}",
        replicas=0,
    )
    written = threading.Event()
    spooled = threading.Event()
    back = threading.Event()
    stop = threading.Event()  # the test failed: the writer gives up
    errors: list[BaseException] = []
    max_spooled = 0
    sent = 0

    def ingest() -> None:
        # Batches before, during and after the outage; the ones after drain the spool. A
        # write just after the restart can still time out on a loaded machine and go to the
        # spool, so the writer goes on until the spool is empty, not for a fixed count.
        nonlocal max_spooled, sent
        try:
            batch = after = 0
            while after < MAX_AFTER_RECOVERY and not stop.is_set():
                store.upsert_mentions(
                    make_mention(i, f"电梯故障 第{i}条")
                    for i in range(batch * PER_BATCH, (batch + 1) * PER_BATCH)
                )
                sent += PER_BATCH
                batch += 1
                if batch == 5:
                    written.set()
                waiting = store.spooled()
                max_spooled = max(max_spooled, waiting)
                if waiting:
                    spooled.set()
                if back.is_set():
                    after += 1
                    if after >= AFTER_RECOVERY and waiting == 0:
                        return
                time.sleep(0.2)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=ingest)
    writer.start()
    try:
        assert written.wait(60)
        es_own_node.stop()
        # The cluster stays away until a batch went to the spool: the outage met writes.
        assert spooled.wait(120), "no batch went to the spool while the node was down"
        es_own_node.start()
        back.set()
        writer.join(300)
    finally:
        stop.set()
        writer.join(60)
    assert not errors, errors
    assert max_spooled > 0, "no batch went to the spool: the outage was not exercised"
    # The writes after the recovery emptied the spool: nothing waits, nothing was doubled.
    assert store.spooled() == 0
    total = sent
    assert store.count_mentions() == total
    ids = [hit.mention.id for hit in store.iter_hits(SearchRequest(), page=500)]
    assert len(ids) == total and Counter(ids).most_common(1)[0][1] == 1
    # A stage reading by position sees each mention exactly once.
    seen: list[str] = []
    position = 0
    while batch := store.mentions_since(position, 300):
        seen.extend(m.id for _, m in batch)
        position = batch[-1][0]
    assert len(seen) == len(set(seen)) == total
    store.close()
