"""The benchmark's thirty queries, their timing, and the naive LIKE baseline."""

from __future__ import annotations

import copy
import functools
import math
import sqlite3
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

import archive.sqlite.backend as archive_sqlite
from archive.base import Archive
from archive.query import parse_query
from archive.search import FACET_FIELDS, SearchFilters, SearchRequest
from benchmarks.archive_corpus import DAY_US, END, SHANGHAI_US
from benchmarks.archive_vocabulary import RARE_BRAND, RARE_PLACE, RARE_PRODUCT

# ---------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------


@dataclass
class QuerySpec:
    name: str
    request: SearchRequest

    @property
    def has_text(self) -> bool:
        return parse_query(self.request.query).has_text

    def describe(self) -> str:
        parts = [self.request.query] if self.request.query else []
        f = self.request.filters
        if f.since is not None:
            parts.append(f"since -{(END - f.since).days}d")
        if f.until is not None:
            parts.append(f"until -{(END - f.until).days}d")
        for label, values in (
            ("source", f.sources), ("platform", f.platforms), ("kind", f.kinds),
            ("topic", f.topics), ("event", f.events), ("sentiment", f.sentiments),
            ("region", f.regions), ("author", f.authors),
        ):  # fmt: skip
            if values:
                parts.append(f"{label}={'|'.join(values)}")
        if f.rumor_min is not None:
            parts.append(f"rumor>={f.rumor_min}")
        if f.rumor_max is not None:
            parts.append(f"rumor<={f.rumor_max}")
        return " ".join(parts) or "(everything)"


def query_specs() -> list[QuerySpec]:
    """Thirty searches: common, rare and absent words, phrases, OR, exclusion; with filters."""
    d7, d30, d90 = END - timedelta(days=7), END - timedelta(days=30), END - timedelta(days=90)

    def q(name: str, query: str = "", **filters: Any) -> QuerySpec:
        return QuerySpec(name, SearchRequest(query=query, filters=SearchFilters(**filters)))

    return [
        q("common word", "电梯"),
        q("two common words", "电梯 被困"),
        q("phrase", '"电梯突发故障"'),
        q("common compound", "食品安全"),
        q("OR", "召回 OR 缺陷"),
        q("exclusion", "投诉 -健身房"),
        q("two words, co-occurring", "燃气 爆炸"),
        q("rare brand (jieba splits 鑫达牌)", RARE_BRAND),
        q("rare place", RARE_PLACE),
        q("rare product", RARE_PRODUCT),
        q("absent word", "量子纠缠"),
        q("chatter word", "外卖"),
        q("filter only: platform", platforms=["weibo"]),
        q("filter only: last 7 days", since=d7),
        q("word + last 30 days", "电梯", since=d30),
        q("word + platform", "食品", platforms=["weibo"]),
        q("words + source", "抽检 不合格", sources=["samr-notices"]),
        q("word + topic", "召回", topics=["产品召回"]),
        q("word + sentiment", "投诉", sentiments=["negative"]),
        q("word + region", "电梯", regions=["江州市"]),
        q("OR + rumour score", "谣言 OR 辟谣", rumor_min=0.6),
        q("word + platform + 90 days", "质量", platforms=["official"], since=d90),
        q("field syntax in query", "锅炉 platform:news"),
        q("excluded field", "电梯 -platform:weibo"),
        q("OR + sentiment + 30 days", "价格 OR 涨价", sentiments=["negative"], since=d30),
        q("rare word + platform", f"{RARE_PLACE} platform:weibo"),
        q("phrase, official text", '"特种设备安全"'),
        q("filter only: topic + 30 days", topics=["食品安全"], since=d30),
        q("filter only: region + sentiment", regions=["临川区"], sentiments=["negative"]),
        q("filter only: event", events=["evt-0007"]),
    ]


_FILTER_LISTS = {
    "source": "sources", "platform": "platforms", "kind": "kinds", "topic": "topics",
    "event": "events", "sentiment": "sentiments", "region": "regions", "author": "authors",
}  # fmt: skip
_LIKE_COLUMNS = {
    "sources": "m.source", "platforms": "m.platform", "kinds": "m.kind", "regions": "m.region",
    "authors": "m.author", "events": "a.event_id", "sentiments": "a.sentiment",
}  # fmt: skip


def like_where(request: SearchRequest) -> tuple[str, list[Any]]:
    """The naive equivalent of ``request``: substring LIKE on title and text, same filters."""
    parsed = parse_query(request.query)
    conditions: list[str] = []
    params: list[Any] = []

    def contains(term: str) -> str:
        if any(ch in term for ch in "%_\\"):
            raise ValueError(f"benchmark words must not contain LIKE wildcards: {term!r}")
        params.extend([f"%{term}%", f"%{term}%"])
        return "(m.title LIKE ? OR m.text LIKE ?)"

    for group in parsed.groups:
        conditions.append("(" + " OR ".join(contains(term.text) for term in group) + ")")
    for term in parsed.excluded:
        conditions.append("NOT " + contains(term.text))
    filters = copy.deepcopy(request.filters)
    for item in parsed.filters:
        getattr(filters, _FILTER_LISTS[item.field]).append(item.value)
    if filters.since is not None:
        conditions.append("m.published_at >= ?")
        params.append(archive_sqlite.rowid_floor(filters.since))
    if filters.until is not None:
        conditions.append("m.published_at < ?")
        params.append(archive_sqlite.rowid_floor(filters.until))
    for name, column in _LIKE_COLUMNS.items():
        values = getattr(filters, name)
        if values:
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if filters.topics:
        marks = ", ".join("?" for _ in filters.topics)
        conditions.append(
            f"m.rowid IN (SELECT mention_rowid FROM mention_topics WHERE topic IN ({marks}))"
        )
        params.extend(filters.topics)
    if filters.rumor_min is not None:
        conditions.append("a.rumor_score >= ?")
        params.append(filters.rumor_min)
    if filters.rumor_max is not None:
        conditions.append("a.rumor_score <= ?")
        params.append(filters.rumor_max)
    for item in parsed.excluded_filters:
        if item.field == "topic":
            conditions.append(
                "m.rowid NOT IN (SELECT mention_rowid FROM mention_topics WHERE topic = ?)"
            )
        else:
            column = _LIKE_COLUMNS[_FILTER_LISTS[item.field]]
            conditions.append(f"coalesce({column}, '') != ?")
        params.append(item.value)
    sql = "FROM mentions m LEFT JOIN analyses a ON a.mention_rowid = m.rowid"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql, params


def like_search(conn: sqlite3.Connection, request: SearchRequest) -> int:
    sql, params = like_where(request)
    conn.execute(
        f"SELECT m.rowid, m.id, m.title, m.text, m.source, m.platform, m.published_at, "
        f"a.sentiment, a.rumor_score {sql} ORDER BY m.published_at DESC LIMIT 20",
        params,
    ).fetchall()
    return int(conn.execute(f"SELECT count(*) {sql}", params).fetchone()[0])


def like_facets_histogram(conn: sqlite3.Connection, request: SearchRequest) -> None:
    """The same four queries the archive runs for facets + histogram, over LIKE matches."""
    sql, params = like_where(request)
    conn.execute(
        f"SELECT m.source, m.platform, m.kind, m.region, count(*) {sql} GROUP BY 1, 2, 3, 4",
        params,
    ).fetchall()
    conn.execute(f"SELECT a.sentiment, count(*) {sql} GROUP BY 1", params).fetchall()
    conn.execute(
        "SELECT t.topic, count(*) FROM mention_topics t WHERE t.mention_rowid IN "
        f"(SELECT m.rowid {sql}) GROUP BY 1",
        params,
    ).fetchall()
    conn.execute(
        f"SELECT (m.published_at + {SHANGHAI_US}) / {DAY_US}, count(*) {sql} GROUP BY 1",
        params,
    ).fetchall()


# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------


@dataclass
class Timed:
    ms: float  # median of the timed runs
    runs: int
    value: Any = None


def measure(action: Callable[[], Any], repeats: int, warmup: bool = True) -> Timed:
    """One warm-up, then ``repeats`` runs; a warm-up slower than 2 s is the only run."""
    value: Any = None
    samples: list[float] = []
    if warmup:
        started = time.perf_counter()
        value = action()
        first = time.perf_counter() - started
        if first > 2.0:
            return Timed(first * 1000, 1, value)
    for _ in range(repeats):
        started = time.perf_counter()
        value = action()
        samples.append(time.perf_counter() - started)
    return Timed(statistics.median(samples) * 1000, len(samples), value)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.5), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2) if values else float("nan"),
    }


@dataclass
class QueryResult:
    spec: QuerySpec
    total: int = 0
    total_exact: bool = True
    search: Timed | None = None
    relevance: Timed | None = None
    facets: Timed | None = None
    histogram: Timed | None = None
    like_total: int | None = None
    like_search: Timed | None = None
    like_facets: Timed | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def facets_histogram_ms(self) -> float:
        assert self.facets is not None and self.histogram is not None
        return self.facets.ms + self.histogram.ms


def run_queries(
    store: Archive, specs: list[QuerySpec], repeats: int, log: TextIO
) -> list[QueryResult]:
    results: list[QueryResult] = []
    for number, spec in enumerate(specs, 1):
        result = QueryResult(spec)
        request = replace(spec.request, limit=20)
        result.search = measure(functools.partial(store.search, request), repeats)
        result.total = result.search.value.total
        result.total_exact = result.search.value.total_exact
        if spec.has_text:
            by_rank = replace(request, sort="relevance")
            result.relevance = measure(functools.partial(store.search, by_rank), repeats)
        result.facets = measure(functools.partial(store.facets, request, FACET_FIELDS), repeats)
        result.histogram = measure(functools.partial(store.histogram, request, "day"), repeats)
        results.append(result)
        print(
            f"[fts] {number:>2}/{len(specs)} {spec.name}: search {result.search.ms:.1f} ms, "
            f"facets+histogram {result.facets_histogram_ms:.1f} ms",
            file=log,
            flush=True,
        )
    return results


def run_like(
    db: Path, results: list[QueryResult], count: int, repeats: int, log: TextIO
) -> list[QueryResult]:
    """Time the LIKE baseline on the first ``count`` queries (spread over the list)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA mmap_size = 268435456")
    # Read the table once so the first timed query is not the one that warms the cache.
    conn.execute("SELECT count(*) FROM mentions WHERE text LIKE '%热身%'").fetchone()
    step = max(1, len(results) / max(1, count))
    chosen = sorted({int(i * step) for i in range(min(count, len(results)))})
    picked = [results[i] for i in chosen]
    for number, result in enumerate(picked, 1):
        request = replace(result.spec.request, limit=20)
        timed = measure(functools.partial(like_search, conn, request), repeats, repeats > 1)
        result.like_search = timed
        result.like_total = int(timed.value)
        result.like_facets = measure(
            functools.partial(like_facets_histogram, conn, request), repeats, repeats > 1
        )
        print(
            f"[like] {number:>2}/{len(picked)} {result.spec.name}: search "
            f"{result.like_search.ms:.0f} ms, facets+histogram {result.like_facets.ms:.0f} ms",
            file=log,
            flush=True,
        )
    conn.close()
    return picked
