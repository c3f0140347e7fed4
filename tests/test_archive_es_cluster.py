"""A two-node cluster on 127.0.0.1 (two processes, one replica): stop one node, searches still
answer and no mention whose write was acknowledged is lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.es.backend import ElasticsearchArchive
from archive.es.client import make_client
from archive.search import SearchRequest
from tests.conftest import make_mention
from tests.support.es_node import EsNode, NodeError, start_cluster, unavailable

pytestmark = pytest.mark.slow


@pytest.fixture
def pair() -> Iterator[list[EsNode]]:
    try:
        nodes = start_cluster(2)
    except NodeError as exc:
        unavailable(str(exc))
    try:
        yield nodes
    finally:
        for node in nodes:
            node.destroy()


def _wait_green(store: ElasticsearchArchive) -> None:
    health = store.client.cluster.health(wait_for_status="green", timeout="60s")
    assert health["status"] == "green", health


def test_one_node_down_searches_answer_and_acknowledged_writes_survive(
    pair: list[EsNode], tmp_path: Path
) -> None:
    first, second = pair
    hosts = [first.url, second.url]
    store = ElasticsearchArchive(
        make_client(hosts, request_timeout=10),
        hosts,
        tmp_path / "ledger.db",
        index_prefix="pair",
        replicas=1,
    )
    # The month's primary starts on the node that will be stopped, so stopping it exercises
    # the promotion of the replica, not only the loss of a copy.
    month = store.names.mention_index(make_mention(0, "").published_at)
    store.client.indices.create(
        index=month,
        settings={"number_of_replicas": 0, "index.routing.allocation.require._name": "node-2"},
    )
    acknowledged: list[str] = []
    for batch in range(4):
        mentions = [make_mention(batch * 50 + k, f"电梯事故 {batch} {k}") for k in range(50)]
        result = store.upsert_mentions(mentions)
        assert result.inserted == 50 and store.spooled() == 0
        acknowledged.extend(m.id for m in mentions)
    store.client.indices.put_settings(
        index=month,
        settings={"number_of_replicas": 1, "index.routing.allocation.require._name": None},
    )
    _wait_green(store)  # the replica is on the other node now
    shards: list[Any] = list(store.client.cat.shards(index=month, format="json").body)
    assert sorted((row["prirep"], row["node"]) for row in shards) == [
        ("p", "node-2"),
        ("r", "node-1"),
    ]

    second.stop()
    deadline = time.monotonic() + 60
    while len(store.client.cat.nodes(format="json")) != 1 and time.monotonic() < deadline:
        time.sleep(0.5)
    answer = store.search(SearchRequest(query="电梯", limit=10))
    assert answer.total == len(acknowledged)
    # Writes go on against the surviving copy, and are acknowledged and searchable too.
    more = [make_mention(1000 + k, f"电梯维保 {k}") for k in range(30)]
    assert store.upsert_mentions(more).inserted == 30 and store.spooled() == 0
    acknowledged.extend(m.id for m in more)
    found = {hit.mention.id for hit in store.iter_hits(SearchRequest(), page=100)}
    assert found == set(acknowledged)
    assert store.count_mentions() == len(acknowledged)
    store.close()
