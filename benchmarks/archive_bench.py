"""Archive benchmark: insert rate, size and search/facet latency of the SQLite archive at scale.

    python benchmarks/archive_bench.py [--mentions N] [--db PATH] [--keep] [--queries 30]

Generates N varied mentions deterministically (seeded) from ``yuqing/demo/corpus.jsonl`` when it
exists, otherwise from a built-in list of sentences; inserts them (and analyses for a share of
them) through the public ``Archive`` interface; then times ``search``, ``facets`` and
``histogram`` over a fixed set of queries, with and without filters, against a naive
``LIKE '%word%'`` scan of the same file. Prints a table, then one JSON line with every figure.

Generation is resumable: progress is recorded beside the archive (``PATH.bench.json``) after
every batch, so ``--db PATH --keep`` keeps the archive, an interrupted run picks up where it
stopped, and a second run on the same path skips generation (a larger ``--mentions`` extends
the archive: mention ``i`` is the same whatever N is).
"""

from __future__ import annotations

import argparse
import json
import os
import platform as platform_module
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from archive import open_archive
from archive.search import TOTAL_HITS_LIMIT, SearchRequest
from benchmarks.archive_corpus import (
    BATCH_SIZE,
    DEFAULT_CORPUS,
    DEFAULT_SEED,
    GENERATOR_VERSION,
    TARGET_FACETS_MS,
    TARGET_SEARCH_P95_MS,
    MentionGenerator,
    load_corpus,
)
from benchmarks.archive_generate import Progress, archive_files, generate, sidecar_path
from benchmarks.archive_queries import (
    QueryResult,
    Timed,
    percentile,
    query_specs,
    run_like,
    run_queries,
    summary,
)
from core.text.segment import ensure_loaded

# ---------------------------------------------------------------------------------------------
# Size
# ---------------------------------------------------------------------------------------------


def measure_size(db: Path, mentions: int) -> dict[str, Any]:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    wal = db.with_name(db.name + "-wal")
    file_bytes = db.stat().st_size
    wal_bytes = wal.stat().st_size if wal.exists() else 0
    objects: dict[str, int] = {}
    try:
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            objects[name] = int(size)
    except sqlite3.OperationalError:  # SQLite built without dbstat
        pass
    conn.close()
    total = file_bytes + wal_bytes
    return {
        "file_bytes": file_bytes,
        "wal_bytes": wal_bytes,
        "bytes_per_mention": round(total / mentions, 1) if mentions else 0.0,
        "objects": dict(sorted(objects.items(), key=lambda item: -item[1])),
    }


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _ms(timed: Timed | None) -> str:
    if timed is None:
        return "-"
    return f"{timed.ms:,.1f}" if timed.ms < 1000 else f"{timed.ms:,.0f}"


def _verdict(value: float, target: float) -> str:
    return "PASS" if value < target else "FAIL"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    while _width(text) > width:
        text = text[:-1]
    return text + " " * (width - _width(text))


def report(
    args: argparse.Namespace,
    db: Path,
    progress: Progress,
    generated_now: bool,
    size: dict[str, Any],
    results: list[QueryResult],
    like_results: list[QueryResult],
    like_repeats: int,
    kept: bool,
    load: tuple[float, float],
    warmup: dict[str, float],
    out: TextIO,
) -> dict[str, Any]:
    n = progress.mentions_done
    busy = progress.upsert_mentions_s + progress.upsert_analyses_s
    sqlite_s = progress.upsert_mentions_s - progress.segment_s
    insert = {
        "mentions": n,
        "analyses": progress.analyses_done,
        "measured_in_this_run": generated_now,
        "resumed_sessions": progress.sessions,
        "text_mb": round(progress.text_bytes / 1e6, 1),
        "generate_s": round(progress.generate_s, 1),
        "upsert_mentions_s": round(progress.upsert_mentions_s, 1),
        "jieba_s": round(progress.segment_s, 1),
        "sqlite_and_python_s": round(sqlite_s, 1),
        "upsert_analyses_s": round(progress.upsert_analyses_s, 1),
        "mentions_per_s": round(n / progress.upsert_mentions_s, 1)
        if progress.upsert_mentions_s
        else None,
        "mentions_per_s_with_analyses": round(n / busy, 1) if busy else None,
        "sqlite_mentions_per_s": round(n / sqlite_s, 1) if sqlite_s > 0 else None,
        "jieba_mb_per_s": round(progress.text_bytes / 1e6 / progress.segment_s, 2)
        if progress.segment_s
        else None,
    }
    search_ms = [r.search.ms for r in results if r.search]
    relevance_ms = [r.relevance.ms for r in results if r.relevance]
    fh_ms = [r.facets_histogram_ms for r in results]
    facets_ms = [r.facets.ms for r in results if r.facets]
    hist_ms = [r.histogram.ms for r in results if r.histogram]
    search_ratio = [
        r.like_search.ms / r.search.ms for r in like_results if r.like_search and r.search
    ]
    fh_ratio = [r.like_facets.ms / r.facets_histogram_ms for r in like_results if r.like_facets]
    like_search_ms = [r.like_search.ms for r in like_results if r.like_search]
    like_fh_ms = [r.like_facets.ms for r in like_results if r.like_facets]

    w = out.write
    w("\n=== Yuqing archive benchmark ===\n")
    w(
        f"archive {db}  ({n:,} mentions, {progress.analyses_done:,} analyses; corpus: "
        f"{progress.corpus})\n"
        f"machine: {os.cpu_count()} CPUs, Python {platform_module.python_version()}, SQLite "
        f"{sqlite3.sqlite_version}; timings are warm page cache, one warm-up + "
        f"{args.repeats} runs per query (median), a warm-up slower than 2 s is the only run\n"
        f"1-minute load average {load[0]:.2f} before the queries, {load[1]:.2f} after "
        "(other work on the machine inflates every figure)\n"
    )
    for note in progress.workarounds:
        w(f"NOTE: {note}\n")
    w(f"\n-- insert (upsert_mentions in batches of {progress.batch_size:,}) --\n")
    if not generated_now:
        w("(archive reused: insert figures are those recorded when it was generated)\n")
    w(
        f"text segmented       {insert['text_mb']:,} MB ({progress.text_bytes / max(n, 1):.0f} "
        f"bytes of title+text per mention)\n"
        f"upsert_mentions      {insert['upsert_mentions_s']:,} s  -> "
        f"{insert['mentions_per_s'] or 0:,.0f} mentions/s\n"
        f"  of which jieba     {insert['jieba_s']:,} s  ({insert['jieba_mb_per_s']} MB/s)\n"
        f"  of which SQLite+py {insert['sqlite_and_python_s']:,} s  -> "
        f"{insert['sqlite_mentions_per_s'] or 0:,.0f} mentions/s without segmentation\n"
        f"upsert_analyses      {insert['upsert_analyses_s']:,} s for "
        f"{progress.analyses_done:,} analyses\n"
        f"overall              {insert['mentions_per_s_with_analyses'] or 0:,.0f} mentions/s "
        f"including analyses (generation {insert['generate_s']} s not counted)\n"
    )
    w("\n-- size (after PRAGMA wal_checkpoint(TRUNCATE)) --\n")
    w(
        f"file {size['file_bytes'] / 1e6:,.1f} MB + WAL {size['wal_bytes'] / 1e6:,.1f} MB = "
        f"{size['bytes_per_mention']:,} bytes per mention\n"
    )
    fts = sum(v for k, v in size["objects"].items() if k.startswith("mention_fts"))
    w(f"  {'mention_fts_* together':<36} {fts / 1e6:9,.1f} MB  {fts / max(n, 1):7,.0f} B/mention\n")
    for name, value in list(size["objects"].items())[:10]:
        w(f"  {name:<36} {value / 1e6:9,.1f} MB  {value / max(n, 1):7,.0f} B/mention\n")

    w(
        f"\n-- warm-up (once per process) --\nopen {warmup.get('open_s', 0)} s (schema upgrades "
        f"included); in-memory dims columns loaded in {warmup.get('columns_load_s', 0)} s\n"
    )
    w(f"\n-- per query (ms; totals above {TOTAL_HITS_LIMIT:,} are lower bounds) --\n")
    header = (
        f"{'#':>2} {_pad('query', 44)} {'total':>7} {'search':>8} {'relev.':>8} "
        f"{'facets':>8} {'hist':>7} {'LIKE n':>7} {'LIKE s':>8} {'LIKE f+h':>9}\n"
    )
    w(header)
    for number, r in enumerate(results, 1):
        total = f"{r.total:,}{'' if r.total_exact else '+'}"
        like_n = "-" if r.like_total is None else f"{r.like_total:,}"
        w(
            f"{number:>2} {_pad(r.spec.describe(), 44)} {total:>7} {_ms(r.search):>8} "
            f"{_ms(r.relevance):>8} {_ms(r.facets):>8} {_ms(r.histogram):>7} {like_n:>7} "
            f"{_ms(r.like_search):>8} {_ms(r.like_facets):>9}\n"
        )
    search_s, relevance_s, fh_s = summary(search_ms), summary(relevance_ms), summary(fh_ms)
    w(f"\n-- summary over {len(results)} queries --\n")
    w(f"{'':<32} {'p50':>9} {'p95':>9} {'max':>9}   target\n")

    def line(label: str, figures: dict[str, float], target: str = "") -> None:
        w(
            f"{label:<32} {figures['p50_ms']:>9,.1f} {figures['p95_ms']:>9,.1f} "
            f"{figures['max_ms']:>9,.1f}   {target}\n"
        )

    line(
        "search (time order, top 20)",
        search_s,
        f"p95 < {TARGET_SEARCH_P95_MS:.0f} ms: "
        + _verdict(search_s["p95_ms"], TARGET_SEARCH_P95_MS),
    )
    line(f"search sort=relevance ({len(relevance_ms)} q)", relevance_s)
    line("facets (6 fields)", summary(facets_ms))
    line("histogram (day)", summary(hist_ms))
    line(
        "facets + histogram",
        fh_s,
        f"p95 < {TARGET_FACETS_MS:.0f} ms: {_verdict(fh_s['p95_ms'], TARGET_FACETS_MS)}",
    )
    like_note = f"LIKE baseline on {len(like_results)} of {len(results)} queries, "
    like_note += f"{like_repeats} run(s) each"
    if len(like_results) < len(results):
        like_note += " (a subset: every LIKE query scans the whole table)"
    if like_results:
        line("LIKE search + count(*)", summary(like_search_ms))
        line("LIKE facets + histogram", summary(like_fh_ms))
        w(
            f"LIKE / FTS time ratio (p50)     search {percentile(search_ratio, 0.5):,.1f}x, "
            f"facets+histogram {percentile(fh_ratio, 0.5):,.1f}x   [{like_note}]\n"
        )
    slow = sorted(results, key=lambda r: -(r.search.ms if r.search else 0))[:3]
    w("slowest searches: " + "; ".join(
        f"{r.spec.describe()} {_ms(r.search)} ms" for r in slow) + "\n")  # fmt: skip
    slow = sorted(results, key=lambda r: -r.facets_histogram_ms)[:3]
    w("slowest facets+histogram: " + "; ".join(
        f"{r.spec.describe()} {r.facets_histogram_ms:,.0f} ms" for r in slow) + "\n")  # fmt: skip

    return {
        "benchmark": "archive",
        "mentions": n,
        "db": str(db),
        "kept": kept,
        "load_average_1m": {"before_queries": load[0], "after": load[1]},
        "warmup": warmup,
        "corpus": progress.corpus,
        "workarounds": progress.workarounds,
        "cpus": os.cpu_count(),
        "sqlite": sqlite3.sqlite_version,
        "insert": insert,
        "size": size,
        "queries": len(results),
        "search": search_s,
        "search_relevance": relevance_s,
        "facets": summary(facets_ms),
        "histogram": summary(hist_ms),
        "facets_histogram": fh_s,
        "like": {
            "queries": len(like_results),
            "runs_per_query": like_repeats,
            "search": summary(like_search_ms) if like_search_ms else None,
            "facets_histogram": summary(like_fh_ms) if like_fh_ms else None,
            "search_ratio_p50": round(percentile(search_ratio, 0.5), 1) if search_ratio else None,
            "facets_histogram_ratio_p50": round(percentile(fh_ratio, 0.5), 1) if fh_ratio else None,
        },
        "targets": {
            "search_p95_ms": TARGET_SEARCH_P95_MS,
            "search_p95_pass": search_s["p95_ms"] < TARGET_SEARCH_P95_MS,
            "facets_histogram_ms": TARGET_FACETS_MS,
            "facets_histogram_p95_pass": fh_s["p95_ms"] < TARGET_FACETS_MS,
        },
        "per_query": [
            {
                "query": r.spec.describe(),
                "shape": r.spec.name,
                "total": r.total,
                "total_exact": r.total_exact,
                "search_ms": round(r.search.ms, 2) if r.search else None,
                "relevance_ms": round(r.relevance.ms, 2) if r.relevance else None,
                "facets_ms": round(r.facets.ms, 2) if r.facets else None,
                "histogram_ms": round(r.histogram.ms, 2) if r.histogram else None,
                "like_total": r.like_total,
                "like_search_ms": round(r.like_search.ms, 1) if r.like_search else None,
                "like_facets_histogram_ms": round(r.like_facets.ms, 1) if r.like_facets else None,
            }
            for r in results
        ],
    }


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=1_000_000, help="how many (1,000,000)")
    parser.add_argument("--db", type=Path, help="archive to build or reuse (default: temporary)")
    parser.add_argument("--keep", action="store_true", help="keep the archive this run built")
    parser.add_argument("--queries", type=int, default=30, help="how many queries (up to 30)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per query (3)")
    parser.add_argument(
        "--like-queries",
        type=int,
        help="queries for the LIKE baseline (default: all up to 200k mentions, else 10)",
    )
    parser.add_argument(
        "--corpus",
        default=str(DEFAULT_CORPUS),
        help="JSON-lines corpus (default: yuqing/demo/corpus.jsonl when it exists); "
        "'builtin' for the built-in sentences",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--as-is",
        action="store_true",
        help="measure the archive exactly as shipped: no benchmark-side index on "
        "mention_topics(mention_rowid) (analyses then load in quadratic time)",
    )
    args = parser.parse_args(argv)
    if args.mentions < 1:
        parser.error("--mentions must be at least 1")
    if not 1 <= args.queries <= len(query_specs()):
        parser.error(f"--queries must be between 1 and {len(query_specs())}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    log = sys.stderr
    corpus_path = Path(args.corpus)
    use_corpus = args.corpus != "builtin" and corpus_path.exists()
    corpus = load_corpus(corpus_path) if use_corpus else []
    corpus_name = f"{corpus_path.name} ({len(corpus)} records)" if corpus else "built-in"
    temporary: Path | None = None
    if args.db is None:
        temporary = Path(tempfile.mkdtemp(prefix="yuqing-bench-"))
        db = temporary / "archive.db"
    else:
        db = args.db.resolve()
    sidecar = sidecar_path(db)
    progress = Progress.load(sidecar)
    created = progress is None
    if progress is None:
        if db.exists():
            print(f"error: {db} exists but is not a benchmark archive (no {sidecar.name}); "
                  "choose another --db", file=log)  # fmt: skip
            return 2
        db.parent.mkdir(parents=True, exist_ok=True)
        progress = Progress(GENERATOR_VERSION, args.seed, BATCH_SIZE, corpus_name)
        progress.as_is = args.as_is
    elif (progress.generator, progress.seed, progress.corpus) != (
        GENERATOR_VERSION, args.seed, corpus_name,
    ):  # fmt: skip
        print(
            f"error: {db} was generated with other settings ({progress.corpus}, seed "
            f"{progress.seed}, generator {progress.generator}); use another --db",
            file=log,
        )
        return 2
    elif progress.as_is != args.as_is:
        print(
            f"error: {db} was generated {'with' if progress.as_is else 'without'} --as-is; "
            "pass the same or use another --db",
            file=log,
        )
        return 2
    elif progress.mentions_done > args.mentions:
        print(f"error: {db} holds {progress.mentions_done:,} mentions, more than --mentions "
              f"{args.mentions:,}; pass --mentions {progress.mentions_done}", file=log)  # fmt: skip
        return 2
    try:
        generated_now = progress.mentions_done < args.mentions
        if generated_now:
            already = progress.mentions_done
            note = f" (resuming at {already:,})" if already else ""
            print(f"[generate] {args.mentions:,} mentions into {db}{note}; corpus: {corpus_name}",
                  file=log, flush=True)  # fmt: skip
            generator = MentionGenerator(args.seed, corpus)
            progress = generate(db, args.mentions, generator, progress, args.as_is, log)
        else:
            print(f"[generate] reusing {db} ({progress.mentions_done:,} mentions)", file=log)
        size = measure_size(db, progress.mentions_done)
        specs = query_specs()[: args.queries]
        ensure_loaded()
        load_before = os.getloadavg()[0]
        warmup: dict[str, float] = {}
        started = time.perf_counter()
        with open_archive(db) as store:
            warmup["open_s"] = round(time.perf_counter() - started, 2)
            # A running dashboard or CLI loads the in-memory dims columns once, on its first
            # facet or histogram; that cost is reported here, not hidden in a query's figure.
            started = time.perf_counter()
            store.histogram(SearchRequest(query="量子纠缠"))
            warmup["columns_load_s"] = round(time.perf_counter() - started, 2)
            print(f"[warm-up] open {warmup['open_s']} s, in-memory dims columns loaded in "
                  f"{warmup['columns_load_s']} s", file=log, flush=True)  # fmt: skip
            results = run_queries(store, specs, args.repeats, log)
        like_count = args.like_queries
        if like_count is None:
            like_count = len(specs) if progress.mentions_done <= 200_000 else 10
        like_repeats = args.repeats if progress.mentions_done <= 200_000 else 1
        like_results = run_like(db, results, like_count, like_repeats, log) if like_count else []
        kept = bool(args.keep) or not (created or temporary is not None)
        load = (round(load_before, 2), round(os.getloadavg()[0], 2))
        figures = report(
            args, db, progress, generated_now, size, results, like_results, like_repeats,
            kept, load, warmup, sys.stdout,
        )  # fmt: skip
        print(json.dumps(figures, ensure_ascii=False))
    finally:
        if not args.keep and (created or temporary is not None):
            for path in archive_files(db):
                path.unlink(missing_ok=True)
            if temporary is not None:
                shutil.rmtree(temporary, ignore_errors=True)
        elif args.keep:
            print(f"[keep] archive kept at {db}", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
