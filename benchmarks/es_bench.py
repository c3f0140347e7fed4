"""Elasticsearch archive benchmark: bulk ingest through the backend against plain
``elasticsearch.helpers.bulk``, and search / facet latency beside the SQLite backend.

    python benchmarks/es_bench.py [--mentions 200000] [--es-url URL] [--repeats 5] [--rounds 2]

Data: the archive benchmark's generator (``benchmarks.archive_corpus``, same seed), so mention
``i`` is the same as in ``archive_bench.py``; about 60 % of mentions carry an analysis.

Ingest: every mention is segmented with jieba once (timed on its own); then the same
documents are written (a) by ``helpers.bulk`` (chunks of 1,000, no per-document handling)
and (b) by the backend's ``write_prepared`` in calls of 5,000 (bulk requests of 1,000, two in
flight; lookup of stored versions, change positions, per-document results and a position
commit per call), each into fresh indices of the project's template, after an untimed
warm-up load of each, ``--rounds`` times alternating which goes first; printed: the best
round of each compared, each round's ratio and their median. The backend's full
``upsert_mentions`` (with jieba) and ``upsert_analyses`` rates are printed beside it.

Search: the thirty queries of ``benchmarks.archive_queries`` on the same mentions, through
``search`` (20 hits) and ``facets`` (every facet field), median
of ``--repeats`` runs each after a warm-up, on Elasticsearch and on a SQLite archive filled
with the same mentions and analyses; p50 / p95 are over the thirty query medians.

Starts its own node (heap ``YUQING_ES_HEAP``, default 1g here) unless ``--es-url`` is given.
Prints a table, then one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from elasticsearch import helpers

from archive import open_archive
from archive.es.backend import ElasticsearchArchive, mention_tokens
from archive.es.client import make_client
from archive.es.docs import mention_doc
from archive.es.mappings import IndexNames
from archive.es.setup import drop_all, install
from archive.models import Analysis, Mention
from archive.search import FACET_FIELDS
from benchmarks.archive_corpus import DEFAULT_CORPUS, DEFAULT_SEED, MentionGenerator, load_corpus
from benchmarks.archive_queries import percentile, query_specs
from core.text.segment import ensure_loaded

# The node helper lives with the tests (tests/support/es_node.py); a script run does not have the
# repository root on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.es_node import ES_VERSION, EsNode

BATCH = 1000  # helpers.bulk chunk size, and the bulk request size inside the backend
# Mentions per backend call: each call is split into bulk requests of 1,000 and ends with one
# refresh and one position commit (see ElasticsearchArchive.write_prepared), so a bulk loader
# (`yuqing archive copy --batch`) passes several thousand at a time.
BACKEND_CALL = 5000
GENERATOR_BATCH = 2000
WARMUP = 20_000  # mentions loaded untimed by each side before the rounds


def generate(count: int) -> tuple[list[Mention], list[Analysis]]:
    corpus = load_corpus(DEFAULT_CORPUS) if DEFAULT_CORPUS.exists() else None
    generator = MentionGenerator(DEFAULT_SEED, corpus)
    mentions: list[Mention] = []
    analyses: list[Analysis] = []
    for index, start in enumerate(range(0, count, GENERATOR_BATCH)):
        batch = generator.batch(index, start, min(count, start + GENERATOR_BATCH))
        mentions.extend(batch.mentions)
        analyses.extend(a for a in batch.analyses if a is not None)
    return mentions, analyses


def _open(url: str, ledger: Path, prefix: str) -> ElasticsearchArchive:
    return ElasticsearchArchive(
        make_client([url], request_timeout=120), [url], ledger, index_prefix=prefix, replicas=0
    )


def plain_bulk(url: str, mentions: list[Mention], tokens: dict[str, str], prefix: str) -> float:
    """Seconds for helpers.bulk of the documents the backend would write."""
    client = make_client([url], request_timeout=120)
    names = IndexNames(prefix)
    drop_all(client, names)
    install(client, names, 0)
    actions = (
        {
            "_index": names.mention_index(m.published_at),
            "_id": m.id,
            "_source": mention_doc(m, tokens[m.id], position, m.content_hash()),
        }
        for position, m in enumerate(mentions, 1)
    )
    started = time.perf_counter()
    helpers.bulk(client, actions, chunk_size=BATCH, max_chunk_bytes=8 * 1024 * 1024)
    client.indices.refresh(index=names.mentions)
    seconds = time.perf_counter() - started
    assert client.count(index=names.mentions)["count"] == len(mentions)
    drop_all(client, names)
    client.close()
    return seconds


def backend_bulk(
    url: str, mentions: list[Mention], tokens: dict[str, str], prefix: str, work: Path
) -> tuple[float, ElasticsearchArchive]:
    """Seconds for the backend's write path (tokens given); returns the filled archive."""
    cleanup = make_client([url])
    drop_all(cleanup, IndexNames(prefix))
    cleanup.close()
    ledger = work / f"{prefix}.db"
    for stale in work.glob(f"{prefix}.db*"):
        stale.unlink()
    store = _open(url, ledger, prefix)
    started = time.perf_counter()
    for start in range(0, len(mentions), BACKEND_CALL):
        batch = mentions[start : start + BACKEND_CALL]
        result = store.write_prepared(batch, tokens)
        assert result.inserted == len(batch), result
    seconds = time.perf_counter() - started
    assert store.count_mentions() == len(mentions)
    return seconds, store


def timed_queries(store: Any, repeats: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for spec in query_specs():
        request = replace(spec.request, limit=20)
        search_ms, facet_ms, total = [], [], 0
        store.search(request)  # warm-up
        store.facets(request, FACET_FIELDS)
        for _ in range(repeats):
            started = time.perf_counter()
            total = store.search(request).total
            search_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            store.facets(request, FACET_FIELDS)
            facet_ms.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "query": spec.name,
                "total": total,
                "search_ms": statistics.median(search_ms),
                "facets_ms": statistics.median(facet_ms),
            }
        )
    searches = [float(r["search_ms"]) for r in rows]
    facets = [float(r["facets_ms"]) for r in rows]
    return {
        "rows": rows,
        "search_p50_ms": round(percentile(searches, 0.5), 1),
        "search_p95_ms": round(percentile(searches, 0.95), 1),
        "facets_p50_ms": round(percentile(facets, 0.5), 1),
        "facets_p95_ms": round(percentile(facets, 0.95), 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=200_000)
    parser.add_argument("--es-url", default=os.environ.get("YUQING_ES_URL"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--ingest-only", action="store_true", help="Skip the search part.")
    args = parser.parse_args(argv)
    log = sys.stderr
    node = None
    if args.es_url is None:
        node = EsNode(
            name="bench", cluster="yuqing-bench", heap=os.environ.get("YUQING_ES_HEAP", "1g")
        )
        print(f"starting Elasticsearch {ES_VERSION} (heap {node.heap}) ...", file=log, flush=True)
        node.start()
        args.es_url = node.url
    work = Path(tempfile.mkdtemp(prefix="es-bench-"))
    try:
        figures = run(args, work, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if node is not None:
            node.destroy()
    report(figures, sys.stdout)


def run(args: argparse.Namespace, work: Path, log: Any) -> dict[str, Any]:
    url = args.es_url
    ensure_loaded()
    started = time.perf_counter()
    mentions, analyses = generate(args.mentions)
    print(
        f"generated {len(mentions):,} mentions in {time.perf_counter() - started:.0f} s", file=log
    )
    started = time.perf_counter()
    tokens = {m.id: mention_tokens(m) for m in mentions}
    jieba_s = time.perf_counter() - started
    print(f"jieba: {jieba_s:.0f} s", file=log, flush=True)
    # A fresh node's first bulk load runs ~40 % slower than its next (JIT compilation, heap
    # sizing): an untimed load of each kind first, so neither side's round 1 pays it.
    warm = mentions[: min(WARMUP, len(mentions))]
    plain_bulk(url, warm, tokens, "bench-plain")
    backend_bulk(url, warm, tokens, "bench-backend", work)[1].close()
    print(f"warm-up: {len(warm):,} mentions each way", file=log, flush=True)
    plain_runs: list[float] = []
    backend_runs: list[float] = []
    store: ElasticsearchArchive | None = None
    for number in range(args.rounds):
        # Alternate which side goes first, so a drift of the machine's speed within a round
        # does not always favour the same side.
        for side in ("plain", "backend") if number % 2 == 0 else ("backend", "plain"):
            if side == "plain":
                plain_runs.append(plain_bulk(url, mentions, tokens, "bench-plain"))
                seconds = plain_runs[-1]
            else:
                if store is not None:
                    store.close()
                seconds, store = backend_bulk(url, mentions, tokens, "bench-backend", work)
                backend_runs.append(seconds)
            print(f"round {number + 1}: {side} {seconds:.1f} s", file=log, flush=True)
    assert store is not None
    n = len(mentions)
    plain_best, backend_best = min(plain_runs), min(backend_runs)
    figures: dict[str, Any] = {
        "elasticsearch": ES_VERSION,
        "cpus": os.cpu_count(),
        "mentions": n,
        "analyses": len(analyses),
        "jieba_s": round(jieba_s, 1),
        "jieba_mentions_per_s": round(n / jieba_s),
        "plain_bulk_s": [round(s, 1) for s in plain_runs],
        "backend_s": [round(s, 1) for s in backend_runs],
        "plain_bulk_per_s": round(n / plain_best),
        "backend_per_s": round(n / backend_best),
        "ratio": round(plain_best / backend_best, 3),
        # Each round's plain and backend runs are neighbours in time: on a shared machine
        # their ratio is less exposed to load changes than the ratio of the best runs.
        "round_ratios": [round(p / b, 3) for p, b in zip(plain_runs, backend_runs, strict=True)],
    }
    figures["median_round_ratio"] = statistics.median(figures["round_ratios"])
    if args.ingest_only:
        drop_all(store.client, store.names)
        store.close()
        return figures
    started = time.perf_counter()
    for start in range(0, len(analyses), BATCH):
        store.upsert_analyses(analyses[start : start + BATCH])
    analyses_s = time.perf_counter() - started
    sample = mentions[: min(20_000, len(mentions))]
    full = _open(url, work / "full.db", "bench-full")
    started = time.perf_counter()
    for start in range(0, len(sample), BATCH):
        full.upsert_mentions(sample[start : start + BATCH])
    full_s = time.perf_counter() - started
    drop_all(full.client, full.names)
    full.close()
    n_search = len(mentions)
    store.client.indices.forcemerge(index=store.names.mentions, max_num_segments=1)
    print("timing Elasticsearch queries ...", file=log, flush=True)
    es_queries = timed_queries(store, args.repeats)
    drop_all(store.client, store.names)
    store.close()
    print(f"filling SQLite with {n_search:,} mentions ...", file=log, flush=True)
    db = work / "sqlite.db"
    with open_archive(db) as sqlite_store:
        started = time.perf_counter()
        for start in range(0, n_search, GENERATOR_BATCH):
            sqlite_store.upsert_mentions(mentions[start : min(n_search, start + GENERATOR_BATCH)])
        sqlite_fill_s = time.perf_counter() - started
        for start in range(0, len(analyses), GENERATOR_BATCH):
            sqlite_store.upsert_analyses(analyses[start : start + GENERATOR_BATCH])
        print("timing SQLite queries ...", file=log, flush=True)
        sqlite_queries = timed_queries(sqlite_store, args.repeats)
    figures.update(
        {
            "backend_upsert_with_jieba_per_s": round(len(sample) / full_s),
            "upsert_analyses_per_s": round(len(analyses) / analyses_s) if analyses_s else None,
            "sqlite_upsert_with_jieba_per_s": round(n_search / sqlite_fill_s),
            "search_mentions": n_search,
            "es": es_queries,
            "sqlite": sqlite_queries,
        }
    )
    return figures


def report(figures: dict[str, Any], out: Any) -> None:
    w = out.write
    n = figures["mentions"]
    w(f"\n=== Elasticsearch archive benchmark (Elasticsearch {figures['elasticsearch']}) ===\n")
    w(f"machine: {figures['cpus']} CPUs shared with the node; {n:,} mentions, ")
    w(f"{figures['analyses']:,} analyses\n\n-- ingest --\n")
    w(f"jieba segmentation         {figures['jieba_s']} s  ")
    w(f"({figures['jieba_mentions_per_s']:,}/s)\n")
    w(f"helpers.bulk (plain)       {figures['plain_bulk_s']} s  -> best ")
    w(f"{figures['plain_bulk_per_s']:,} mentions/s\n")
    w(f"backend write_prepared     {figures['backend_s']} s  -> best ")
    w(f"{figures['backend_per_s']:,} mentions/s\n")
    w(f"ratio backend / plain      {figures['ratio']} best/best (aim >= 0.9); per round ")
    w(f"{figures['round_ratios']}, median {figures['median_round_ratio']}\n")
    if "es" not in figures:
        w(json.dumps(figures, ensure_ascii=False) + "\n")
        return
    w(f"backend upsert_mentions with jieba   {figures['backend_upsert_with_jieba_per_s']:,}/s\n")
    w(f"backend upsert_analyses              {figures['upsert_analyses_per_s']:,}/s\n")
    w(f"SQLite upsert_mentions with jieba    {figures['sqlite_upsert_with_jieba_per_s']:,}/s\n")
    w(f"\n-- search and facets on {figures['search_mentions']:,} mentions (ms) --\n")
    w(f"{'query':<34}{'total ES':>9}{'total SQL':>10}{'ES srch':>9}{'SQL srch':>9}")
    w(f"{'ES fac':>8}{'SQL fac':>9}\n")
    for es_row, sql_row in zip(figures["es"]["rows"], figures["sqlite"]["rows"], strict=True):
        w(f"{es_row['query'][:33]:<34}{es_row['total']:>9}{sql_row['total']:>10}")
        w(f"{es_row['search_ms']:>9.1f}{sql_row['search_ms']:>9.1f}")
        w(f"{es_row['facets_ms']:>8.1f}{sql_row['facets_ms']:>9.1f}\n")
    for backend in ("es", "sqlite"):
        q = figures[backend]
        w(f"{backend:<7} search p50 {q['search_p50_ms']} / p95 {q['search_p95_ms']} ms;")
        w(f" facets p50 {q['facets_p50_ms']} / p95 {q['facets_p95_ms']} ms\n")
    w(json.dumps(figures, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
