"""Elasticsearch goes away during ingestion and comes back: every mention is there exactly once.

Its own node (the session node must stay up for the other tests): stopped with SIGTERM while a
writer thread keeps upserting batches, started again on the same data folder and ports.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive import elasticsearch as es_archive_module
from archive import es_bulk
from archive.elasticsearch import ElasticsearchArchive
from archive.es_client import make_client
from archive.search import SearchRequest
from tests.conftest import make_mention
from tests.es_node import EsNode

pytestmark = pytest.mark.slow

PER_BATCH = 25
AFTER_RECOVERY = 3  # batches written once the node is back


@pytest.fixture
def own_node(es_spare_node: EsNode) -> Iterator[EsNode]:
    """The spare node, restarted by the test; it must be running again afterwards."""
    yield es_spare_node
    if es_spare_node.process is None:
        es_spare_node.start()


def test_outage_spools_and_every_mention_arrives_once(
    own_node: EsNode, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Give up on a down cluster quickly: the production values wait ~16 s per batch.
    monkeypatch.setattr(es_bulk, "RETRIES", 1)
    monkeypatch.setattr(es_bulk, "BACKOFF_SECONDS", 0.05)
    monkeypatch.setattr(es_archive_module, "OUTAGE_BACKOFF_SECONDS", 0.5)
    store = ElasticsearchArchive(
        make_client([own_node.url], request_timeout=5),
        [own_node.url],
        tmp_path / "ledger.db",
        index_prefix=f"outage{uuid.uuid4().hex[:8]}",
        replicas=0,
    )
    written = threading.Event()
    back = threading.Event()
    errors: list[BaseException] = []
    max_spooled = 0
    sent = 0

    def ingest() -> None:
        # Batches before, during and after the outage; the ones after drain the spool.
        nonlocal max_spooled, sent
        try:
            batch = after = 0
            while after < AFTER_RECOVERY:
                store.upsert_mentions(
                    make_mention(i, f"电梯故障 第{i}条")
                    for i in range(batch * PER_BATCH, (batch + 1) * PER_BATCH)
                )
                sent += PER_BATCH
                batch += 1
                if batch == 5:
                    written.set()
                after += back.is_set()
                max_spooled = max(max_spooled, store.spooled())
                time.sleep(0.2)
        except BaseException as exc:
            errors.append(exc)

    writer = threading.Thread(target=ingest)
    writer.start()
    assert written.wait(60)
    own_node.stop()
    time.sleep(2)  # batches keep coming while the cluster is away
    own_node.start()
    back.set()
    writer.join(300)
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
