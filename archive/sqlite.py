"""The embedded default archive: one SQLite file in WAL mode with an FTS5 index over jieba tokens.

Durability: WAL with ``synchronous=NORMAL`` survives a killed process (every committed
transaction is in the WAL); only a power cut can lose the last few commits. Concurrency: one
connection per archive object, guarded by a lock so crawler threads can share it; other
processes coordinate through SQLite's own locks (``busy_timeout``) and, for pipeline roles,
through ``RoleLock``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.base import Archive, ArchiveError
from archive.models import Analysis, Event, Mention, UpsertResult, utc
from archive.search import (
    TOTAL_HITS_LIMIT,
    FacetCount,
    HistogramBucket,
    SearchHit,
    SearchRequest,
    SearchResult,
)
from archive.sqlite_rows import (
    MENTION_COLUMNS,
    analysis_from,
    dumps,
    event_from,
    event_values,
    from_us,
    mention_from,
    mention_values,
    must_us,
    reasons_json,
    to_us,
)
from archive.sqlite_schema import RoleLock, check_file, check_identity, migrate
from archive.sqlite_search import (
    compile_request,
    decode_cursor,
    encode_cursor,
    from_clause,
    row_key,
    validate_request,
)
from archive.sqlite_workflow import WorkflowTables
from nlp.segment import index_tokens

_SHANGHAI_OFFSET_US = 8 * 3600 * 1_000_000  # China has had no DST since 1991.
_BUCKET_US = {"hour": 3600 * 1_000_000, "day": 86400 * 1_000_000}


def rowid_floor(when: datetime) -> int:
    """The smallest rowid a mention published at ``when`` can have (see ``_rowid_for``)."""
    value = to_us(when)
    assert value is not None
    return value


class SQLiteArchive(WorkflowTables, Archive):
    def __init__(self, path: Path, lock: str | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._mutex = threading.RLock()
        self._role_lock: RoleLock | None = None
        check_file(self.path)
        if readonly and not self.path.exists():
            raise ArchiveError(f"{self.path} does not exist (run a crawl or the demo first)")
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if lock is not None:
            self._role_lock = RoleLock(self.path, lock)
            self._role_lock.acquire(self.path)
        try:
            self._conn = self._connect()
        except BaseException:
            if self._role_lock is not None:
                self._role_lock.release()
            raise

    def _connect(self) -> sqlite3.Connection:
        uri = f"file:{self.path}?mode=ro" if self.readonly else f"file:{self.path}"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=10.0
        )
        try:
            conn.row_factory = sqlite3.Row
            version = check_identity(conn, self.path)
            if not self.readonly:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise ArchiveError(f"{self.path}: cannot switch to WAL mode (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
            conn.execute("PRAGMA mmap_size = 268435456")
            migrate(conn, self.path, self.readonly, version)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise ArchiveError(
                f"{self.path} is damaged or not a database ({exc}); it was left untouched"
            ) from None
        except BaseException:
            conn.close()
            raise
        return conn

    # ---- plumbing ----------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            try:
                yield self._conn
            except sqlite3.DatabaseError as exc:
                raise self._wrap(exc) from None

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken up front, never mid-way."""
        if self.readonly:
            raise ArchiveError(f"{self.path} was opened read-only")
        with self._mutex:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._wrap(exc) from None
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    raise self._wrap(exc) from None
                raise

    def _wrap(self, exc: sqlite3.DatabaseError) -> ArchiveError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return ArchiveError(
                f"{self.path} stayed locked by another writer for 10 s ({text}); try again"
            )
        if isinstance(exc, sqlite3.OperationalError | sqlite3.IntegrityError):
            return ArchiveError(f"{self.path}: {text}")
        return ArchiveError(f"{self.path} is damaged ({text}); it was left untouched")

    def close(self) -> None:
        with self._mutex:
            if getattr(self, "_conn", None) is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]
            if self._role_lock is not None:
                self._role_lock.release()
                self._role_lock = None

    def describe(self) -> str:
        return f"sqlite:{self.path}"

    # ---- mentions ----------------------------------------------------------------------
    def _rowid_for(self, conn: sqlite3.Connection, published_at: datetime) -> int:
        """Rowid = publication time in microseconds, nudged forward past any taken one.

        Keeping rowids in time order lets FTS5 return newest-first hits without sorting.
        """
        candidate = rowid_floor(published_at)
        while conn.execute("SELECT 1 FROM mentions WHERE rowid = ?", (candidate,)).fetchone():
            candidate += 1
        return candidate

    def _next_position(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = 'position'").fetchone()
        position = int(row[0]) + 1
        conn.execute("UPDATE meta SET value = ? WHERE key = 'position'", (str(position),))
        return position

    @staticmethod
    def _insert_mention(conn: sqlite3.Connection, rowid: int, values: tuple[Any, ...]) -> None:
        conn.execute(
            f"INSERT INTO mentions (rowid, {MENTION_COLUMNS}, content_hash, position) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rowid, *values),
        )

    def upsert_mentions(self, mentions: Iterable[Mention]) -> UpsertResult:
        batch = list(mentions)
        result = UpsertResult()
        if not batch:
            return result
        # Segment outside the write transaction: jieba is the slow part, the lock is shared.
        tokens = {m.id: " ".join(index_tokens(f"{m.title}\n{m.text}")) for m in batch}
        with self._write() as conn:
            for mention in batch:
                self._upsert_one(conn, mention, tokens[mention.id], result)
        return result

    def _upsert_one(
        self, conn: sqlite3.Connection, mention: Mention, tokens: str, result: UpsertResult
    ) -> None:
        digest = mention.content_hash()
        row = conn.execute(
            "SELECT rowid, content_hash, published_at FROM mentions WHERE id = ?", (mention.id,)
        ).fetchone()
        if row is not None and row["content_hash"] == digest:
            result.unchanged += 1
            return
        position = self._next_position(conn)
        values = (*mention_values(mention), digest, position)
        if row is None:
            rowid = self._rowid_for(conn, mention.published_at)
            self._insert_mention(conn, rowid, values)
            conn.execute("INSERT INTO mention_fts (rowid, tokens) VALUES (?, ?)", (rowid, tokens))
            result.inserted += 1
            return
        old_rowid = row["rowid"]
        conn.execute("DELETE FROM mention_fts WHERE rowid = ?", (old_rowid,))
        if row["published_at"] == to_us(mention.published_at):
            rowid = old_rowid
            assignments = ", ".join(f"{c.strip()} = ?" for c in MENTION_COLUMNS.split(","))
            conn.execute(
                f"UPDATE mentions SET {assignments}, content_hash = ?, position = ? "
                "WHERE rowid = ?",
                (*values, rowid),
            )
        else:
            # The publication time moved: move the row so rowid order stays time order.
            conn.execute("DELETE FROM mentions WHERE rowid = ?", (old_rowid,))
            rowid = self._rowid_for(conn, mention.published_at)
            self._insert_mention(conn, rowid, values)
            conn.execute(
                "UPDATE analyses SET mention_rowid = ? WHERE mention_rowid = ?", (rowid, old_rowid)
            )
            conn.execute(
                "UPDATE mention_topics SET mention_rowid = ? WHERE mention_rowid = ?",
                (rowid, old_rowid),
            )
        conn.execute("INSERT INTO mention_fts (rowid, tokens) VALUES (?, ?)", (rowid, tokens))
        result.updated += 1

    def get_mention(self, mention_id: str) -> Mention | None:
        found = self.get_mentions([mention_id])
        return found[0] if found else None

    def get_mentions(self, mention_ids: Sequence[str]) -> list[Mention]:
        out: list[Mention] = []
        with self._read() as conn:
            for start in range(0, len(mention_ids), 500):
                chunk = list(mention_ids[start : start + 500])
                marks = ", ".join("?" for _ in chunk)
                rows = conn.execute(
                    f"SELECT {MENTION_COLUMNS} FROM mentions WHERE id IN ({marks})", chunk
                ).fetchall()
                by_id = {row["id"]: mention_from(row) for row in rows}
                out.extend(by_id[i] for i in chunk if i in by_id)
        return out

    def count_mentions(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM mentions").fetchone()[0])

    def mentions_since(self, position: int, limit: int) -> list[tuple[int, Mention]]:
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT position, {MENTION_COLUMNS} FROM mentions WHERE position > ? "
                "ORDER BY position LIMIT ?",
                (position, limit),
            ).fetchall()
        return [(row["position"], mention_from(row)) for row in rows]

    def latest_position(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT value FROM meta WHERE key='position'").fetchone()[0])

    # ---- search ------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        validate_request(request)
        compiled = compile_request(request)
        relevance = request.sort == "relevance" and compiled.match is not None
        key = row_key(compiled)
        sql, params = from_clause(compiled, with_rank=True)
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
        columns = (
            ", ".join(f"m.{c.strip()}" for c in MENTION_COLUMNS.split(","))
            + ", a.mention_id AS a_mention_id, a.relevant, a.relevance, a.sentiment, "
            "a.rumor_score, a.event_id, a.severity, a.topics, a.reasons, a.analyzed_at "
        )
        if relevance:
            # Rank with rowids only, then read the page's rows: sorting every match with its
            # full text costs seconds for a common word.
            narrow, _ = from_clause(compiled, mentions=False)
            query = (
                f"SELECT k.r AS m_rowid, k.score AS score, {columns} FROM ("
                f"SELECT r, score FROM (SELECT f.rowid AS r, f.rank AS score {narrow}) "
                f"WHERE 1 {keyset} ORDER BY score, r LIMIT ?) k "
                "JOIN mentions m ON m.rowid = k.r LEFT JOIN analyses a ON a.mention_rowid = k.r "
                "ORDER BY k.score, k.r"
            )
        else:
            # Ordering by f.rowid (not m.rowid) lets FTS5 return newest first and stop at
            # the limit instead of sorting every match.
            score = "f.rank" if compiled.match is not None else "0.0"
            where = sql + (keyset if " WHERE " in sql else keyset.replace(" AND", " WHERE", 1))
            query = (
                f"SELECT {key} AS m_rowid, {score} AS score, {columns} {where} "
                f"ORDER BY {key} DESC LIMIT ?"
            )
        count_sql, _ = from_clause(compiled, mentions=False)
        with self._read() as conn:
            rows = conn.execute(query, [*params, *keyset_params, request.limit + 1]).fetchall()
            count_row = conn.execute(
                f"SELECT count(*) FROM (SELECT 1 {count_sql} LIMIT ?)",
                [*params, TOTAL_HITS_LIMIT + 1],
            ).fetchone()
        total = int(count_row[0])
        hits = [self._hit(row, compiled.terms) for row in rows[: request.limit]]
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

    @staticmethod
    def _hit(row: sqlite3.Row, terms: list[str]) -> SearchHit:
        analysis = None
        if row["a_mention_id"] is not None:
            analysis = analysis_from(
                _Renamed(row, {"mention_id": "a_mention_id"})  # type: ignore[arg-type]
            )
        return SearchHit(
            mention=mention_from(row),
            analysis=analysis,
            score=-float(row["score"] or 0.0),
            matched_terms=terms,
        )

    def facets(
        self, request: SearchRequest, fields: Sequence[str], size: int = 10
    ) -> dict[str, list[FacetCount]]:
        validate_request(request)
        compiled = compile_request(request)
        key = row_key(compiled)
        sql, params = from_clause(compiled)
        out: dict[str, list[FacetCount]] = {}
        column_of = {
            "source": "m.source",
            "platform": "m.platform",
            "kind": "m.kind",
            "region": "m.region",
        }
        plain = [f for f in fields if f in column_of]
        with self._read() as conn:
            if plain:
                # One pass over the matches for every mention column, summed in Python.
                columns = ", ".join(column_of[f] for f in plain)
                rows = conn.execute(
                    f"SELECT {columns}, count(*) {sql} GROUP BY {columns}", params
                ).fetchall()
                for index, name in enumerate(plain):
                    counts: dict[str, int] = {}
                    for row in rows:
                        counts[row[index]] = counts.get(row[index], 0) + row[len(plain)]
                    out[name] = _top(counts, size)
            narrow, _ = from_clause(compiled, mentions=False)
            if "sentiment" in fields:
                sub, _ = from_clause(compiled, mentions=False, analyses=True)
                rows = conn.execute(
                    f"SELECT a.sentiment, count(*) {sub} GROUP BY a.sentiment", params
                ).fetchall()
                out["sentiment"] = _top({r[0] or "未分析": r[1] for r in rows}, size)
            if "topic" in fields:
                rows = conn.execute(
                    "SELECT t.topic, count(*) FROM mention_topics t WHERE t.mention_rowid IN "
                    f"(SELECT {key} {narrow}) GROUP BY t.topic",
                    params,
                ).fetchall()
                out["topic"] = _top({r[0]: r[1] for r in rows}, size)
        unknown = [f for f in fields if f not in out]
        if unknown:
            raise ArchiveError(f"cannot count facets for {', '.join(unknown)}")
        return {name: out[name] for name in fields}

    def histogram(self, request: SearchRequest, interval: str = "day") -> list[HistogramBucket]:
        if interval not in _BUCKET_US:
            raise ArchiveError(f"histogram interval must be 'hour' or 'day', got {interval!r}")
        validate_request(request)
        compiled = compile_request(request)
        sql, params = from_clause(compiled, mentions=False)
        key = row_key(compiled)
        width = _BUCKET_US[interval]
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT ({key} + {_SHANGHAI_OFFSET_US}) / {width} AS bucket, count(*) {sql} "
                "GROUP BY bucket ORDER BY bucket",
                params,
            ).fetchall()
        return [
            HistogramBucket(start=must_us(row[0] * width - _SHANGHAI_OFFSET_US), count=row[1])
            for row in rows
        ]

    # ---- pipeline time -----------------------------------------------------------------
    def record_pipeline_time(self, when: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('pipeline_time', ?)",
                (str(to_us(utc(when))),),
            )

    def pipeline_time(self) -> datetime | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'pipeline_time'").fetchone()
        return from_us(int(row[0])) if row else None

    # ---- cursors -----------------------------------------------------------------------
    def get_cursor(self, stage: str) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT position FROM cursors WHERE stage = ?", (stage,)).fetchone()
        return int(row[0]) if row else 0

    def set_cursor(self, stage: str, position: int) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO cursors (stage, position, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (stage) DO UPDATE SET position = excluded.position, "
                "updated_at = excluded.updated_at",
                (stage, position, to_us(datetime.now(UTC))),
            )

    # ---- analyses and events -----------------------------------------------------------
    def upsert_analyses(self, analyses: Iterable[Analysis]) -> int:
        count = 0
        with self._write() as conn:
            for item in analyses:
                row = conn.execute(
                    "SELECT rowid FROM mentions WHERE id = ?", (item.mention_id,)
                ).fetchone()
                if row is None:
                    raise ArchiveError(f"analysis for unknown mention {item.mention_id!r}")
                rowid = row[0]
                conn.execute(
                    "INSERT OR REPLACE INTO analyses (mention_rowid, mention_id, relevant, "
                    "relevance, sentiment, rumor_score, event_id, severity, topics, reasons, "
                    "analyzed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        rowid,
                        item.mention_id,
                        int(item.relevant),
                        item.relevance,
                        item.sentiment,
                        item.rumor_score,
                        item.event_id,
                        item.severity,
                        dumps(item.topics),
                        reasons_json(item.reasons),
                        to_us(item.analyzed_at),
                    ),
                )
                conn.execute("DELETE FROM mention_topics WHERE mention_rowid = ?", (rowid,))
                conn.executemany(
                    "INSERT OR IGNORE INTO mention_topics (topic, mention_rowid) VALUES (?, ?)",
                    [(topic, rowid) for topic in item.topics],
                )
                count += 1
        return count

    def get_analyses(self, mention_ids: Sequence[str]) -> dict[str, Analysis]:
        out: dict[str, Analysis] = {}
        with self._read() as conn:
            for start in range(0, len(mention_ids), 500):
                chunk = list(mention_ids[start : start + 500])
                marks = ", ".join("?" for _ in chunk)
                for row in conn.execute(
                    f"SELECT * FROM analyses WHERE mention_id IN ({marks})", chunk
                ):
                    out[row["mention_id"]] = analysis_from(row)
        return out

    def upsert_event(self, event: Event) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO events (id, title, first_seen, last_seen, mention_count, "
                "heat, burst, status, topics, keywords, region, severity, severity_basis, "
                "rumor_score, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                event_values(event),
            )

    def get_event(self, event_id: str) -> Event | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM events WHERE id = ?", (event_id,)).fetchone()
        return event_from(row) if row else None

    def list_events(self, active_since: datetime | None = None, limit: int = 100) -> list[Event]:
        with self._read() as conn:
            if active_since is None:
                rows = conn.execute(
                    "SELECT * FROM events ORDER BY heat DESC, id LIMIT ?", (limit,)
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM events WHERE last_seen >= ? ORDER BY heat DESC, id LIMIT ?",
                    (to_us(utc(active_since)), limit),
                ).fetchall()
        return [event_from(row) for row in rows]

    def event_mentions(self, event_id: str, limit: int = 1000) -> list[Mention]:
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {', '.join('m.' + c.strip() for c in MENTION_COLUMNS.split(','))} "
                "FROM analyses a JOIN mentions m ON m.rowid = a.mention_rowid "
                "WHERE a.event_id = ? ORDER BY m.rowid LIMIT ?",
                (event_id, limit),
            ).fetchall()
        return [mention_from(row) for row in rows]


def _top(counts: dict[str, int], size: int) -> list[FacetCount]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
    return [FacetCount(value=value or "", count=count) for value, count in ranked[:size]]


class _Renamed:
    """A row view that reads some keys under other names (joined columns are prefixed)."""

    def __init__(self, row: sqlite3.Row, renames: dict[str, str]) -> None:
        self._row = row
        self._renames = renames

    def __getitem__(self, key: str) -> Any:
        return self._row[self._renames.get(key, key)]
