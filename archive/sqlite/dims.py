"""The narrow dimension table that filters and facets read instead of the wide mention rows.

A mention row holds its whole text and JSON, so every filter or facet that reads a column
of it touches several pages per match: at a million mentions a facet over 100,000 matches
spent most of its second there. ``mention_dims`` keeps one row of small integers per
mention — source, platform, kind, region, sentiment, relevance, rumour score and a bit mask
of topics — under the same rowid, and ``dim_values`` maps each code to its string. Filters
read it instead of the mention rows, and ``archive/sqlite/columns.py`` holds it in memory as
columns for facets and histograms.

Codes are append-only, so a code read once stays right for the life of the file and the
in-memory cache never needs invalidating; a value another process added is found on a miss.
Topic codes below ``TOPIC_BITS`` get their own bit; later ones share ``OVERFLOW_BIT`` and
facets and filters on them fall back to the exact ``mention_topics`` table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from archive.models import Analysis, Mention
from archive.search import FacetCount

# Dimensions stored as integer codes in mention_dims, in column order.
MENTION_DIMS = ("source", "platform", "kind", "region")
TOPIC_BITS = 62  # bits 0..61 name one topic each; bit 62 says "some topic beyond those"
OVERFLOW_BIT = 1 << TOPIC_BITS
UNANALYSED = "未分析"  # the sentiment facet's label for mentions not analysed yet


class DimCodes:
    """Value ↔ code maps for one connection, filled lazily from ``dim_values``."""

    def __init__(self) -> None:
        self._codes: dict[tuple[str, str], int] = {}
        self._values: dict[tuple[str, int], str] = {}

    def lookup(self, conn: sqlite3.Connection, dim: str, value: str) -> int | None:
        """The code of ``value``, or None when no mention ever had it (a read never adds)."""
        key = (dim, value)
        code = self._codes.get(key)
        if code is None:
            row = conn.execute(
                "SELECT code FROM dim_values WHERE dim = ? AND value = ?", key
            ).fetchone()
            if row is None:
                return None
            code = self._remember(dim, value, int(row[0]))
        return code

    def code(self, conn: sqlite3.Connection, dim: str, value: str) -> int:
        """The code of ``value``, adding it inside the caller's write transaction."""
        found = self.lookup(conn, dim, value)
        if found is not None:
            return found
        row = conn.execute(
            "SELECT coalesce(max(code), -1) + 1 FROM dim_values WHERE dim = ?", (dim,)
        ).fetchone()
        code = int(row[0])
        conn.execute(
            "INSERT INTO dim_values (dim, code, value) VALUES (?, ?, ?)", (dim, code, value)
        )
        # Cached only after the transaction commits would be stricter; a rolled-back code is
        # harmless because the next writer reads max(code) again and a lookup re-reads a miss.
        return self._remember(dim, value, code)

    def value(self, conn: sqlite3.Connection, dim: str, code: int) -> str:
        key = (dim, code)
        value = self._values.get(key)
        if value is None:
            row = conn.execute(
                "SELECT value FROM dim_values WHERE dim = ? AND code = ?", key
            ).fetchone()
            value = "" if row is None else str(row[0])
            if row is not None:
                self._remember(dim, value, code)
        return value

    def has_topic_overflow(self, conn: sqlite3.Connection) -> bool:
        row = conn.execute(
            "SELECT 1 FROM dim_values WHERE dim = 'topic' AND code >= ? LIMIT 1", (TOPIC_BITS,)
        ).fetchone()
        return row is not None

    def forget(self) -> None:
        """Drop the cache (after a rolled-back write that may have cached new codes)."""
        self._codes.clear()
        self._values.clear()

    def _remember(self, dim: str, value: str, code: int) -> int:
        self._codes[(dim, value)] = code
        self._values[(dim, code)] = value
        return code


def topic_bit(code: int) -> int:
    return 1 << code if code < TOPIC_BITS else OVERFLOW_BIT


def topic_mask(conn: sqlite3.Connection, codes: DimCodes, topics: Iterable[str]) -> int:
    mask = 0
    for topic in topics:
        mask |= topic_bit(codes.code(conn, "topic", topic))
    return mask


class VersionStamp:
    """The change stamp of one write transaction, taken only if it changes a dims row, so
    that re-sending unchanged mentions leaves the file as it was."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._value: int | None = None

    @property
    def value(self) -> int:
        if self._value is None:
            row = self._conn.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'dims_version' "
                "RETURNING value"
            ).fetchone()
            self._value = int(row[0])
        return self._value


def write_mention_dims(
    conn: sqlite3.Connection, codes: DimCodes, rowid: int, mention: Mention, stamp: VersionStamp
) -> None:
    """Insert or refresh the mention's own dimensions; its analysis columns are kept."""
    values = [codes.code(conn, dim, str(getattr(mention, dim))) for dim in MENTION_DIMS]
    conn.execute(
        "INSERT INTO mention_dims (rowid, source, platform, kind, region, version) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (rowid) DO UPDATE SET source = excluded.source, "
        "platform = excluded.platform, kind = excluded.kind, region = excluded.region, "
        "version = excluded.version",
        (rowid, *values, stamp.value),
    )
    # A tombstone says "this rowid is gone"; it is not, any more.
    conn.execute("DELETE FROM dims_tombstones WHERE rowid = ?", (rowid,))


def move_mention_dims(conn: sqlite3.Connection, old: int, new: int, stamp: VersionStamp) -> None:
    """The mention's rowid changed (its publication time moved): move its dims row."""
    conn.execute("UPDATE mention_dims SET rowid = ? WHERE rowid = ?", (new, old))
    conn.execute(
        "INSERT OR REPLACE INTO dims_tombstones (rowid, version) VALUES (?, ?)", (old, stamp.value)
    )


def write_analysis_dims(
    conn: sqlite3.Connection, codes: DimCodes, rowid: int, analysis: Analysis, stamp: VersionStamp
) -> None:
    conn.execute(
        "UPDATE mention_dims SET sentiment = ?, relevant = ?, rumor = ?, topics = ?, "
        "version = ? WHERE rowid = ?",
        (
            codes.code(conn, "sentiment", analysis.sentiment),
            int(analysis.relevant),
            analysis.rumor_score,
            topic_mask(conn, codes, analysis.topics),
            stamp.value,
            rowid,
        ),
    )


def name_codes(
    conn: sqlite3.Connection, codes: DimCodes, dim: str, counts: dict[int, int], size: int
) -> list[FacetCount]:
    """Facet counts by code -> the ``size`` largest by value; code -1 is "not analysed"."""
    named: dict[str, int] = {}
    for code, count in counts.items():
        value = UNANALYSED if code < 0 else codes.value(conn, dim, code)
        named[value] = named.get(value, 0) + count
    return top(named, size)


def top(counts: dict[str, int], size: int) -> list[FacetCount]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
    return [FacetCount(value=value or "", count=count) for value, count in ranked[:size]]
