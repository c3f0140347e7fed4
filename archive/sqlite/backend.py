"""The embedded default archive: one SQLite file in WAL mode with an FTS5 index over jieba tokens.

This is the mention store (mentions, analyses, events, search); the ledger
(``archive.sqlite.ledger``) lives in the same file and shares its connection
(``archive.sqlite.connection``), so ``yuqing stats`` and backups see one file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.base import Archive
from archive.errors import ArchiveError
from archive.models import Analysis, Event, Mention, UpsertResult, entity_keys, utc
from archive.sqlite.columns import DimsColumns
from archive.sqlite.connection import SQLiteFile
from archive.sqlite.dims import (
    DimCodes,
    VersionStamp,
    move_mention_dims,
    write_analysis_dims,
    write_mention_dims,
)
from archive.sqlite.ledger import Ledger
from archive.sqlite.queries import SearchQueries
from archive.sqlite.rows import (
    MENTION_COLUMNS,
    analysis_from,
    dumps,
    entities_json,
    event_from,
    event_values,
    mention_from,
    mention_values,
    reasons_json,
    rowid_floor,
    to_us,
)
from core.text.segment import index_tokens


class SQLiteArchive(SearchQueries, Archive):
    def __init__(self, path: Path, lock: str | None = None, readonly: bool = False) -> None:
        self._file = SQLiteFile(path, lock=lock, readonly=readonly)
        self.path = self._file.path
        self.readonly = readonly
        self._read = self._file.read
        self._write = self._file.write
        self._dims = DimCodes()
        # Codes cached during a rolled-back transaction may not exist in the file.
        self._file.on_rollback.append(self._dims.forget)
        self._columns = DimsColumns()
        self.ledger = Ledger(self._file)

    def close(self) -> None:
        self._file.close()

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
        marks = ", ".join("?" * (len(values) + 1))
        conn.execute(
            f"INSERT INTO mentions (rowid, {MENTION_COLUMNS}, content_hash, position) "
            f"VALUES ({marks})",
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
            "SELECT rowid, content_hash, published_at, fetched_at, first_fetched_at "
            "FROM mentions WHERE id = ?",
            (mention.id,),
        ).fetchone()
        if row is not None and row["content_hash"] == digest:
            result.unchanged += 1
            return
        position = self._next_position(conn)
        values = (*mention_values(mention, _first_fetch(row, mention)), digest, position)
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
                "rumor_score, updated_at, entities, platforms, propagation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    # ---- overview ----------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        counts: dict[str, Any] = {}
        with self._read() as conn:
            for table in ("mentions", "analyses", "events"):
                counts[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        counts.update(self.ledger.stats())  # the same file: its bytes are the archive's
        return counts


def _first_fetch(row: sqlite3.Row | None, mention: Mention) -> int:
    """The first fetch to store: the stored one (a re-crawl moves only fetched_at), or the
    written mention's when it is earlier (a copy of an older archive) or new."""
    first = to_us(mention.first_seen)
    assert first is not None
    if row is None:
        return first
    stored = row["first_fetched_at"] if row["first_fetched_at"] is not None else row["fetched_at"]
    return min(int(stored), first)
