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
from archive.models import Analysis, Event, Mention, UpsertResult, entity_keys, utc
from archive.sqlite.columns import DimsColumns
from archive.sqlite.dims import (
    DimCodes,
    VersionStamp,
    move_mention_dims,
    write_analysis_dims,
    write_mention_dims,
)
from archive.sqlite.queries import SearchQueries
from archive.sqlite.rows import (
    MENTION_COLUMNS,
    analysis_from,
    dumps,
    entities_json,
    event_from,
    event_values,
    from_us,
    mention_from,
    mention_values,
    reasons_json,
    to_us,
)
from archive.sqlite.schema import RoleLock, check_file, check_identity, migrate
from archive.sqlite.workflow import WorkflowTables
from core.text.segment import index_tokens


def rowid_floor(when: datetime) -> int:
    """The smallest rowid a mention published at ``when`` can have (see ``_rowid_for``)."""
    value = to_us(when)
    assert value is not None
    return value


class SQLiteArchive(SearchQueries, WorkflowTables, Archive):
    def __init__(self, path: Path, lock: str | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._mutex = threading.RLock()
        self._role_lock: RoleLock | None = None
        self._dims = DimCodes()
        self._columns = DimsColumns()
        check_file(self.path)
        if readonly and not self.path.exists():
            raise ArchiveError(f"{self.path} does not exist (run a crawl or the demo first)")
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # The file is opened (and checked) before its role is locked, so a file the archive
        # refuses never gets a lock file beside it.
        self._conn = self._connect()
        if lock is not None:
            try:
                self._role_lock = RoleLock(self.path, lock)
                self._role_lock.acquire(self.path)
            except BaseException:
                self._conn.close()
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
                # Codes cached during the transaction may not exist in the file.
                self._dims.forget()
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
            stamp = VersionStamp(conn)
            for mention in batch:
                self._upsert_one(conn, mention, tokens[mention.id], result, stamp)
        return result

    def _upsert_one(
        self,
        conn: sqlite3.Connection,
        mention: Mention,
        tokens: str,
        result: UpsertResult,
        stamp: VersionStamp,
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
            write_mention_dims(conn, self._dims, rowid, mention, stamp)
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
            for table in ("mention_topics", "mention_entities"):
                conn.execute(
                    f"UPDATE {table} SET mention_rowid = ? WHERE mention_rowid = ?",
                    (rowid, old_rowid),
                )
            move_mention_dims(conn, old_rowid, rowid, stamp)
        conn.execute("INSERT INTO mention_fts (rowid, tokens) VALUES (?, ?)", (rowid, tokens))
        write_mention_dims(conn, self._dims, rowid, mention, stamp)
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
            stamp = VersionStamp(conn)
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
                    "analyzed_at, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                        entities_json(item.entities),
                    ),
                )
                conn.execute("DELETE FROM mention_topics WHERE mention_rowid = ?", (rowid,))
                conn.executemany(
                    "INSERT OR IGNORE INTO mention_topics (topic, mention_rowid) VALUES (?, ?)",
                    [(topic, rowid) for topic in item.topics],
                )
                conn.execute("DELETE FROM mention_entities WHERE mention_rowid = ?", (rowid,))
                conn.executemany(
                    "INSERT OR IGNORE INTO mention_entities (value, mention_rowid) VALUES (?, ?)",
                    [(value, rowid) for value in entity_keys(item.entities)],
                )
                write_analysis_dims(conn, self._dims, rowid, item, stamp)
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
                "rumor_score, updated_at, entities, platforms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
