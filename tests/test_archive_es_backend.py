"""What the Elasticsearch backend adds to the shared contract: layout, rejects, exports,
exactly-once positions under concurrent writers, and clear errors for bad clusters."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from archive.base import ArchiveError
from archive.es import bulk as es_bulk
from archive.es.backend import ElasticsearchArchive, open_elasticsearch
from archive.es.bulk import BulkAction, batches, encoder
from archive.es.client import make_client
from archive.es.mappings import MAPPING_VERSION
from archive.es.setup import drop_all
from archive.models import Analysis
from archive.search import SearchFilters, SearchRequest
from core.settings import ArchiveSettings
from tests.conftest import T0, make_mention
from tests.support.es_node import EsNode, free_port


def test_monthly_indices_behind_one_alias_with_strict_mappings(
    es_archive: ElasticsearchArchive,
) -> None:
    november = make_mention(1, "电梯困人")
    december = make_mention(2, "电梯维保", published_at=T0 + timedelta(days=20))
    es_archive.upsert_mentions([november, december])
    client = es_archive.client
    names = es_archive.names
    aliases = client.indices.get_alias(name=names.mentions)
    assert sorted(aliases) == [
        f"{names.prefix}-mentions-v{MAPPING_VERSION}-2026.11",
        f"{names.prefix}-mentions-v{MAPPING_VERSION}-2026.12",
    ]
    for body in client.indices.get_mapping(index=names.mentions).values():
        assert body["mappings"]["dynamic"] == "strict"
        assert body["mappings"]["_meta"]["yuqing_mapping_version"] == MAPPING_VERSION
    # A month moves when the publication time does: one copy, in the new month's index.
    # (The other months are searched, not read in real time: a copy written less than a
    # refresh interval earlier is removed by the next write of that mention instead.)
    assert es_archive.count_mentions() == 2
    moved = es_archive.upsert_mentions([make_mention(2, "电梯维保")])
    assert moved.updated == 1 and es_archive.count_mentions() == 2
    hits = client.search(index=names.mentions, query={"ids": {"values": ["m0002"]}})
    assert [h["_index"][-7:] for h in hits["hits"]["hits"]] == ["2026.11"]


def test_a_month_move_keeps_the_analysis_and_leaves_no_copy_behind(
    es_archive: ElasticsearchArchive,
) -> None:
    es_archive.upsert_mentions([make_mention(1, "锅炉爆炸", published_at=T0 + timedelta(days=20))])
    es_archive.upsert_analyses(
        [Analysis(mention_id="m0001", relevant=True, relevance=0.9, rumor_score=0.7)]
    )
    es_archive.count_mentions()  # refreshes: the December copy is searchable, as an old one is
    moved = es_archive.upsert_mentions([make_mention(1, "锅炉爆炸")])
    assert (moved.inserted, moved.updated) == (0, 1)
    again = es_archive.upsert_mentions([make_mention(1, "锅炉爆炸")])
    assert (again.unchanged, again.updated) == (1, 0)
    assert es_archive.get_analyses(["m0001"])["m0001"].rumor_score == 0.7
    hits = es_archive.client.search(
        index=es_archive.names.mentions, query={"ids": {"values": ["m0001"]}}
    )
    assert [h["_index"][-7:] for h in hits["hits"]["hits"]] == ["2026.11"]


def test_bulk_batches_are_bounded_by_count_and_by_encoded_bytes(
    es_archive: ElasticsearchArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    dumps = encoder(es_archive.client)
    actions = [
        BulkAction("index", "i", f"d{n}", {"text": "电梯" * (50 if n % 3 else 400)})
        for n in range(10)
    ]
    monkeypatch.setattr(es_bulk, "MAX_BATCH_BYTES", 3000)
    monkeypatch.setattr(es_bulk, "MAX_BATCH_DOCS", 4)
    chunks = list(batches(actions, dumps))
    assert [a.doc_id for chunk in chunks for a, _ in chunk] == [a.doc_id for a in actions]
    for chunk in chunks:
        assert len(chunk) <= 4
        assert len(chunk) == 1 or sum(len(e) + 1 for _, e in chunk) <= 3000
    # Each action is encoded once, as the NDJSON lines the bulk API reads.
    first = chunks[0][0][1].split(b"\n")
    assert json.loads(first[0]) == {"index": {"_index": "i", "_id": "d0"}}
    assert json.loads(first[1])["text"].startswith("电梯")
    assert len(chunks) > 3  # the 2.4 KB documents forced batches below the count bound


def test_rejected_document_is_kept_aside_with_the_reason(es_archive: ElasticsearchArchive) -> None:
    # date_nanos cannot hold times before 1970: Elasticsearch rejects this one document.
    old = make_mention(1, "旧闻", published_at=datetime(1960, 1, 1, tzinfo=UTC))
    result = es_archive.upsert_mentions([old, make_mention(2, "新闻")])
    assert (result.inserted, es_archive.count_mentions()) == (1, 1)
    [reject] = es_archive.ledger.list_rejects(old.source)
    assert "m0001" in reject.reason and "1960" in reject.record


def test_highlight_names_the_indexed_words(es_archive: ElasticsearchArchive) -> None:
    es_archive.upsert_mentions([make_mention(1, "江州市一小区电梯坠落"), make_mention(2, "天气")])
    [hit] = es_archive.search(SearchRequest(query="电梯")).hits
    assert hit.matched_terms[0] == "电梯" and "电梯" in hit.matched_terms


def test_point_in_time_export_sees_every_hit_once(es_archive: ElasticsearchArchive) -> None:
    es_archive.upsert_mentions(make_mention(i, f"电梯 第{i}条") for i in range(45))
    exported = [h.mention.id for h in es_archive.iter_hits(SearchRequest(query="电梯"), page=10)]
    assert exported == [f"m{i:04d}" for i in range(44, -1, -1)]
    window = SearchFilters(since=T0, until=T0 + timedelta(hours=5))
    assert len(list(es_archive.iter_hits(SearchRequest(filters=window), page=2))) == 5


def test_positions_are_exactly_once_under_concurrent_writers(
    es_node: EsNode, es_archive: ElasticsearchArchive, tmp_path: Path
) -> None:
    second = ElasticsearchArchive(
        make_client([es_node.url]),
        [es_node.url],
        tmp_path / "second.db",
        index_prefix=es_archive.names.prefix,
        replicas=0,
    )
    seen: list[str] = []
    done = threading.Event()

    def write(store: ElasticsearchArchive, offset: int) -> None:
        for batch in range(8):
            store.upsert_mentions(
                make_mention(offset + batch * 5 + k, f"电梯 {offset} {batch} {k}") for k in range(5)
            )

    def read() -> None:
        position = 0
        while True:
            finished = done.is_set()
            batch = es_archive.mentions_since(position, 7)
            seen.extend(mention.id for _, mention in batch)
            position = batch[-1][0] if batch else position
            if finished and not es_archive.mentions_since(position, 1):
                return

    writers = [
        threading.Thread(target=write, args=(es_archive, 0)),
        threading.Thread(target=write, args=(second, 1000)),
    ]
    reader = threading.Thread(target=read)
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join(60)
    second.close()
    assert len(seen) == len(set(seen)) == 80


# ---- clear errors ------------------------------------------------------------------------
class _FakeCluster(BaseHTTPRequestHandler):
    """A real HTTP server that answers like some other server would."""

    status = 200
    version = "7.17.0"
    product = True
    authorizations: ClassVar[list[str]] = []  # each subclass gets its own list

    def do_GET(self) -> None:
        self.authorizations.append(self.headers.get("Authorization", ""))
        body = json.dumps({"nodes": {"n1": {"version": self.version}}}).encode()
        self.send_response(self.status)
        self.send_header("content-type", "application/json")
        if self.product:
            self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_cluster() -> Iterator[tuple[str, type[_FakeCluster]]]:
    handler = type("Handler", (_FakeCluster,), {"authorizations": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def _open(tmp_path: Path, hosts: list[str], **extra: Any) -> ElasticsearchArchive:
    settings = ArchiveSettings(
        backend="elasticsearch", hosts=hosts, path=tmp_path / "ledger.db", **extra
    )
    return open_elasticsearch(settings)


def test_unreachable_cluster_is_named(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ArchiveError, match=r"unreachable") as caught:
        _open(tmp_path, [url])
    assert url in str(caught.value)


def test_unsupported_version_is_refused(
    tmp_path: Path, fake_cluster: tuple[str, type[_FakeCluster]]
) -> None:
    url, handler = fake_cluster
    with pytest.raises(ArchiveError, match=r"Elasticsearch 7\.17\.0 .* not supported.*8\.x"):
        _open(tmp_path, [url])
    handler.version = "9.1.0"
    with pytest.raises(ArchiveError, match=r"9\.1\.0 .* not supported"):
        _open(tmp_path, [url])


def test_refused_credentials_and_foreign_servers_are_named(
    tmp_path: Path, fake_cluster: tuple[str, type[_FakeCluster]]
) -> None:
    url, handler = fake_cluster
    handler.status = 401
    secret = "c2VjcmV0LWtleQ=="
    with pytest.raises(ArchiveError, match=r"refused the credentials.*api_key") as caught:
        _open(tmp_path, [url], api_key=secret)
    assert secret not in str(caught.value)
    # The key went as Elasticsearch expects it (a real node cannot issue keys: see
    # tests/test_archive_es_secure.py).
    assert handler.authorizations and set(handler.authorizations) == {f"ApiKey {secret}"}
    handler.status, handler.product = 200, False
    with pytest.raises(ArchiveError, match=r"not Elasticsearch"):
        _open(tmp_path, [url])


def test_credentials_in_urls_never_reach_messages(tmp_path: Path) -> None:
    url = f"http://admin:hunter2@127.0.0.1:{free_port()}"
    with pytest.raises(ArchiveError) as caught:
        _open(tmp_path, [url])
    assert "hunter2" not in str(caught.value) and "admin" not in str(caught.value)


def test_open_archive_dispatches_on_backend(es_node: EsNode, tmp_path: Path) -> None:
    from archive import open_archive

    settings = ArchiveSettings(
        backend="elasticsearch",
        hosts=[es_node.url],
        path=tmp_path / "ledger.db",
        index_prefix="dispatch",
        replicas=0,
    )
    with open_archive(settings) as store:
        assert isinstance(store, ElasticsearchArchive)
        store.upsert_mentions([make_mention(1, "电梯")])
        assert store.stats()["mentions"] == 1
        drop_all(store.client, store.names)


def test_a_read_only_archive_counts_the_writers_spool(
    es_node: EsNode, es_archive: ElasticsearchArchive, tmp_path: Path
) -> None:
    # `yuqing stats` (or a test watching `yuqing run`) opens the archive read-only: it has no
    # spool of its own, and must not report 0 while the writer's spool holds mentions.
    ledger = tmp_path / "ledger.db"
    reader = ElasticsearchArchive(
        make_client([es_node.url]),
        [es_node.url],
        ledger,
        index_prefix=es_archive.names.prefix,
        readonly=True,
    )
    try:
        assert reader.spooled() == 0 and reader.stats()["spooled"] == 0
        assert es_archive.spool is not None
        es_archive.spool.add([make_mention(1, "电梯"), make_mention(2, "锅炉")])
        assert reader.spooled() == 2 and reader.stats()["spooled"] == 2
        assert es_archive.flush_spool() == 2
        assert reader.spooled() == 0
    finally:
        reader.close()
