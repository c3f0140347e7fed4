"""Copy detection while the Elasticsearch archive is away: the crawl goes on (its writes wait
in the spool) instead of every article failing on the "is it stored?" lookup, and a mention
keeps the decision it got before the outage."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from archive.es.backend import ElasticsearchArchive
from archive.es.client import make_client
from crawlers.copies import CopyDetector
from tests.conftest import make_mention
from tests.support.es_node import EsNode
from tests.support.neardup_texts import EDITED, OTHER, STORY

pytestmark = pytest.mark.slow


def test_copies_are_decided_from_memory_while_the_archive_is_away(
    es_own_node: EsNode, tmp_path: Path
) -> None:
    store = ElasticsearchArchive(
        make_client([es_own_node.url], request_timeout=5),
        [es_own_node.url],
        tmp_path / "ledger.db",
        index_prefix=f"copies{uuid.uuid4().hex[:8]}",
        replicas=0,
    )
    try:
        original = make_mention(1, STORY, kind="article")
        store.upsert_mentions([original])
        detector = CopyDetector()
        assert detector.original_of(store, original) is None  # stored, in memory now
        copy = make_mention(5, EDITED, kind="article")
        before = detector.original_of(store, copy)
        assert before is not None and before.original == original.id

        es_own_node.stop()
        # Seen before: the same decisions, without the archive.
        assert detector.original_of(store, original) is None
        assert detector.original_of(store, copy) == before
        # New: matched against memory (a reprint of the story is a copy of its original).
        reprint = make_mention(7, EDITED + "转自临川新闻网。", kind="article")
        match = detector.original_of(store, reprint)
        assert match is not None and match.original == original.id
        assert detector.original_of(store, make_mention(9, OTHER, kind="article")) is None
        # The crawl's writes go to the spool meanwhile.
        reprint.extra.update(duplicate_of=match.original, similarity=match.similarity)
        store.upsert_mentions([reprint])
        assert store.spooled() == 1

        es_own_node.start()
        store.upsert_mentions([make_mention(11, "电梯困人", kind="post")])
        assert store.spooled() == 0
        stored = store.get_mention(reprint.id)
        assert stored is not None and stored.extra["duplicate_of"] == original.id
    finally:
        store.close()
