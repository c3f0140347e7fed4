"""Search, facets and the date histogram of the SQLite archive (a mixin of ``SQLiteArchive``).

The SQL comes from ``archive.sqlite_search``; this module runs it and builds the results.
Facets and histograms read only rowids, the FTS doclists and the narrow ``mention_dims``
table: never the wide mention rows, whose text made a facet over many matches cost seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from archive.base import ArchiveError
from archive.search import (
    TOTAL_HITS_LIMIT,
    FacetCount,
    HistogramBucket,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from archive.sqlite_dims import GROUP_COLUMNS, DimCodes, count_facets, top
from archive.sqlite_rows import MENTION_COLUMNS, analysis_from, mention_from, must_us
from archive.sqlite_search import (
    compile_request,
    decode_cursor,
    encode_cursor,
    from_clause,
    validate_request,
)

_SHANGHAI_OFFSET_US = 8 * 3600 * 1_000_000  # China has had no DST since 1991.
_BUCKET_US = {"hour": 3600 * 1_000_000, "day": 86400 * 1_000_000}
_PAGE_COLUMNS = (
    ", ".join(f"m.{c.strip()}" for c in MENTION_COLUMNS.split(","))
    + ", a.mention_id AS a_mention_id, a.relevant, a.relevance, a.sentiment, "
    "a.rumor_score, a.event_id, a.severity, a.topics, a.reasons, a.analyzed_at "
)


class SearchQueries:
    """Needs ``_read()`` (the guarded connection) and ``_dims`` (the codes cache)."""

    _dims: DimCodes

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def search(self, request: SearchRequest) -> SearchResult:
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
        total = int(count_row[0])
        hits = [_hit(row, compiled.terms) for row in rows[: request.limit]]
        next_cursor = None
        if len(rows) > request.limit:
            last = rows[request.limit - 1]
            next_cursor = encode_cursor(
                [last["score"], last["m_rowid"]] if relevance else [last["m_rowid"]]
            )
        return SearchResult(
            hits=hits,
            total=min(total, TOTAL_HITS_LIMIT),
            total_exact=total <= TOTAL_HITS_LIMIT,
            next_cursor=next_cursor,
        )

    def facets(
        self, request: SearchRequest, fields: Sequence[str], size: int = 10
    ) -> dict[str, list[FacetCount]]:
        validate_request(request)
        unknown = [f for f in fields if f not in _FACETS]
        if unknown:
            raise ArchiveError(f"cannot count facets for {', '.join(unknown)}")
        with self._read() as conn:
            compiled = compile_request(request, conn, self._dims)
            sql, params = from_clause(compiled, dims=True)
            # One pass over the matches: every facet is a sum over these few groups.
            groups = conn.execute(
                f"SELECT {GROUP_COLUMNS}, count(*) {sql} GROUP BY {GROUP_COLUMNS}", params
            ).fetchall()
            out = count_facets(conn, self._dims, groups, fields, size)
            if "topic" in fields and "topic" not in out:
                narrow, _ = from_clause(compiled)
                rows = conn.execute(
                    "SELECT t.topic, count(*) FROM mention_topics t WHERE t.mention_rowid IN "
                    f"(SELECT {compiled.key} {narrow}) GROUP BY t.topic",
                    params,
                ).fetchall()
                out["topic"] = top({r[0]: r[1] for r in rows}, size)
        return {name: out[name] for name in fields}

    def histogram(self, request: SearchRequest, interval: str = "day") -> list[HistogramBucket]:
        if interval not in _BUCKET_US:
            raise ArchiveError(f"histogram interval must be 'hour' or 'day', got {interval!r}")
        validate_request(request)
        width = _BUCKET_US[interval]
        with self._read() as conn:
            compiled = compile_request(request, conn, self._dims)
            sql, params = from_clause(compiled)
            rows = conn.execute(
                f"SELECT ({compiled.key} + {_SHANGHAI_OFFSET_US}) / {width} AS bucket, "
                f"count(*) {sql} GROUP BY bucket ORDER BY bucket",
                params,
            ).fetchall()
        return [
            HistogramBucket(start=must_us(row[0] * width - _SHANGHAI_OFFSET_US), count=row[1])
            for row in rows
        ]


_FACETS = ("source", "platform", "kind", "region", "sentiment", "topic")


def _hit(row: sqlite3.Row, terms: list[str]) -> SearchHit:
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
