"""Search, facets and the date histogram of the SQLite archive (a mixin of ``SQLiteArchive``).

The SQL comes from ``archive.sqlite.search``; this module runs it and builds the results.
Facets and histograms list the matching rowids with SQL (FTS5 doclists, no mention rows) and
count them in the in-memory columns of ``mention_dims`` (``archive/sqlite/columns.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from archive.errors import ArchiveError
from archive.query import validate_request
from archive.search import (
    FACET_FIELDS,
    TOTAL_HITS_LIMIT,
    FacetCount,
    HistogramBucket,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from archive.sqlite.columns import ColumnsOutOfStep, DimsColumns, IntArray, parse_rowids
from archive.sqlite.dims import TOPIC_BITS, DimCodes, name_codes, top
from archive.sqlite.rows import MENTION_COLUMNS, analysis_from, mention_from, must_us
from archive.sqlite.search import (
    CompiledQuery,
    compile_request,
    decode_cursor,
    encode_cursor,
    from_clause,
)

_SHANGHAI_OFFSET_US = 8 * 3600 * 1_000_000  # China has had no DST since 1991.
_BUCKET_US = {"hour": 3600 * 1_000_000, "day": 86400 * 1_000_000}
_PAGE_COLUMNS = (
    ", ".join(f"m.{c.strip()}" for c in MENTION_COLUMNS.split(","))
    + ", a.mention_id AS a_mention_id, a.relevant, a.relevance, a.sentiment, "
    "a.rumor_score, a.event_id, a.severity, a.topics, a.reasons, a.analyzed_at, a.entities "
)


class SearchQueries:
    """Needs ``_read()`` (the guarded connection), ``_dims`` (the codes cache) and
    ``_columns`` (the in-memory dims columns)."""

    _dims: DimCodes
    _columns: DimsColumns

    _read: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def search(self, request: SearchRequest) -> SearchResult:
        # Pages and totals stay in SQL: newest first stops at the page and the count at
        # 10,001, which beat listing every match for the columns (measured at 1M mentions).
        validate_request(request)
        with self._read() as conn:
            compiled = compile_request(request, conn, self._dims)
            relevance = request.sort == "relevance" and compiled.match is not None
            key = compiled.key
            keyset = ""
            keyset_params: list[Any] = []
            if request.after:
                values = decode_cursor(request.after, "relevance" if relevance else "time")
                if relevance:
                    keyset = " AND (score > ? OR (score = ? AND r > ?))"
                    keyset_params = [values[0], values[0], values[1]]
                else:
                    keyset = f" AND {key} < ?"
                    keyset_params = [values[0]]
            narrow, params = from_clause(compiled)
            if relevance:
                # Rank with rowids only, then read the page's rows: sorting every match with
                # its full text costs seconds for a common word.
                query = (
                    f"SELECT k.r AS m_rowid, k.score AS score, {_PAGE_COLUMNS} FROM ("
                    f"SELECT r, score FROM (SELECT f.rowid AS r, f.rank AS score {narrow}) "
                    f"WHERE 1 {keyset} ORDER BY score, r LIMIT ?) k "
                    "JOIN mentions m ON m.rowid = k.r "
                    "LEFT JOIN analyses a ON a.mention_rowid = k.r ORDER BY k.score, k.r"
                )
            else:
                # Ordering by the driving table's rowid lets FTS5 (or the dims table) return
                # newest first and stop at the limit instead of sorting every match.
                score = "f.rank" if compiled.match is not None else "0.0"
                sql, _ = from_clause(compiled, mentions=True, analyses=True)
                where = sql + (keyset if " WHERE " in sql else keyset.replace(" AND", " WHERE", 1))
                query = (
                    f"SELECT {key} AS m_rowid, {score} AS score, {_PAGE_COLUMNS} {where} "
                    f"ORDER BY {key} DESC LIMIT ?"
                )
            rows = conn.execute(query, [*params, *keyset_params, request.limit + 1]).fetchall()
            count_row = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 {narrow} LIMIT ?)",
                [*params, TOTAL_HITS_LIMIT + 1],
            ).fetchone()
        cursor_of = (lambda row: [row["score"], row["m_rowid"]]) if relevance else None
        return _result(rows, int(count_row[0]), request.limit, compiled.terms, cursor_of)

    def facets(
        self, request: SearchRequest, fields: Sequence[str], size: int = 10
    ) -> dict[str, list[FacetCount]]:
        validate_request(request)
        unknown = [f for f in fields if f not in FACET_FIELDS]
        if unknown:
            raise ArchiveError(f"cannot count facets for {', '.join(unknown)}")
        with self._snapshot() as conn:
            compiled, positions = self._matches(conn, request)
            columns = self._columns
            out: dict[str, list[FacetCount]] = {}
            for name in fields:
                if name == "topic":
                    continue
                counts = columns.counts(positions, name)
                out[name] = name_codes(conn, self._dims, name, counts, size)
            if "topic" in fields:
                if self._dims.has_topic_overflow(conn):
                    # Some topic has no bit of its own: count from the exact topic table.
                    narrow, params = from_clause(compiled)
                    rows = conn.execute(
                        "SELECT t.topic, count(*) FROM mention_topics t WHERE t.mention_rowid "
                        f"IN (SELECT {compiled.key} {narrow}) GROUP BY t.topic",
                        params,
                    ).fetchall()
                    out["topic"] = top({r[0]: r[1] for r in rows}, size)
                else:
                    counts = columns.topic_counts(positions, TOPIC_BITS)
                    out["topic"] = name_codes(conn, self._dims, "topic", counts, size)
        return {name: out[name] for name in fields}

    def histogram(self, request: SearchRequest, interval: str = "day") -> list[HistogramBucket]:
        if interval not in _BUCKET_US:
            raise ArchiveError(f"histogram interval must be 'hour' or 'day', got {interval!r}")
        validate_request(request)
        width = _BUCKET_US[interval]
        with self._snapshot() as conn:
            _, positions = self._matches(conn, request)
            buckets = self._columns.buckets(positions, _SHANGHAI_OFFSET_US, width)
        return [
            HistogramBucket(start=must_us(bucket * width - _SHANGHAI_OFFSET_US), count=count)
            for bucket, count in buckets
        ]

    # ---- the matches of a request, as positions in the columns ------------------------
    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: the columns and the matches come from the same snapshot."""
        with self._read() as conn:
            began = not conn.in_transaction
            if began:
                conn.execute("BEGIN")
            try:
                self._columns.refresh(conn)
                yield conn
            finally:
                if began:
                    conn.execute("COMMIT")

    def _matches(
        self, conn: sqlite3.Connection, request: SearchRequest
    ) -> tuple[CompiledQuery, IntArray]:
        """Positions in the columns of every mention the request matches.

        Words, events, authors and phrases are answered by SQL (FTS5 and the tables), which
        lists the candidate rowids; the dims filters are then applied to the columns.
        """
        compiled = compile_request(request, conn, self._dims)
        columns = self._columns
        if compiled.match is None and not compiled.conditions:
            candidates = None
        else:
            narrow, params = from_clause(compiled, with_dim_filters=False)
            text = conn.execute(f"SELECT group_concat({compiled.key}) {narrow}", params).fetchone()
            candidates = parse_rowids(text[0])
        try:
            positions = columns.positions(candidates, compiled.lower, compiled.upper)
        except ColumnsOutOfStep as exc:
            # Cannot happen within one snapshot unless a dims row is missing: read the
            # columns afresh once, and say so clearly if that does not mend it.
            self._columns = columns = DimsColumns()
            columns.refresh(conn)
            try:
                positions = columns.positions(candidates, compiled.lower, compiled.upper)
            except ColumnsOutOfStep:
                raise ArchiveError(
                    f"the dims table is out of step with the mentions ({exc})"
                ) from None
        return compiled, columns.apply(positions, compiled.dim_filters)


def _result(
    rows: Sequence[Any],
    total: int,
    limit: int,
    terms: list[str],
    cursor_of: Any,
) -> SearchResult:
    """Hits of one page; ``rows`` holds one more than ``limit`` when there is a next page."""
    hits = [_hit(row, terms) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor(cursor_of(last) if cursor_of else [last["m_rowid"]])
    return SearchResult(
        hits=hits,
        total=min(total, TOTAL_HITS_LIMIT),
        total_exact=total <= TOTAL_HITS_LIMIT,
        next_cursor=next_cursor,
    )


def _hit(row: Any, terms: list[str]) -> SearchHit:
    analysis = None
    if row["a_mention_id"] is not None:
        analysis = analysis_from(_Renamed(row, {"mention_id": "a_mention_id"}))  # type: ignore[arg-type]
    return SearchHit(
        mention=mention_from(row),
        analysis=analysis,
        score=-float(row["score"] or 0.0),
        matched_terms=terms,
    )


class _Renamed:
    """A row view that reads some keys under other names (joined columns are prefixed)."""

    def __init__(self, row: sqlite3.Row, renames: dict[str, str]) -> None:
        self._row = row
        self._renames = renames

    def __getitem__(self, key: str) -> Any:
        return self._row[self._renames.get(key, key)]
