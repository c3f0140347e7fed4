"""A local durable spool for mentions written while Elasticsearch is unreachable.

One small SQLite file beside the ledger. A mention is kept by id (a newer version of the same
mention replaces the older one) and removed only after Elasticsearch acknowledged it, by the
row it was read from: a crash between the write and the removal replays the mention, which
the archive's content-hash check turns into "unchanged", so every spooled mention arrives
exactly once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path

from archive.es.docs import from_iso, iso, must_iso
from archive.models import Mention


def _encode(mention: Mention) -> str:
    values = asdict(mention)
    values["published_at"] = iso(mention.published_at)
    values["fetched_at"] = iso(mention.fetched_at)
    values["first_fetched_at"] = iso(mention.first_fetched_at)
    return json.dumps(values, ensure_ascii=False)


def _decode(text: str) -> Mention:
    values = json.loads(text)
    values["published_at"] = must_iso(values["published_at"])
    values["fetched_at"] = must_iso(values["fetched_at"])
    values["first_fetched_at"] = from_iso(values.get("first_fetched_at"))
    return Mention(**values)


def _keep_first(mention: Mention, queued: Mention | None) -> Mention:
    """``mention`` replacing the version ``queued`` before it, with the earlier first fetch
    (a re-crawl during an outage must not make the mention look first seen at its time)."""
    if queued is None or queued.first_seen >= mention.first_seen:
        return mention
    return replace(mention, first_fetched_at=queued.first_seen)


def count_at(path: Path) -> int:
    """How many mentions the spool at ``path`` holds, read without writing to it: for
    read-only archives (``yuqing stats``, a test watching a running ``yuqing run``), whose
    own process has no spool but must not report 0 while the writer's spool is full."""
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM spool").fetchone()[0])
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # created, its table not yet
            return 0
        raise
    finally:
        conn.close()


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode = WAL")
        # FULL: the spool exists for the bad day; a power cut must not lose what it holds.
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "id TEXT NOT NULL UNIQUE, mention TEXT NOT NULL, queued_at TEXT NOT NULL)"
        )

    def add(self, mentions: list[Mention]) -> None:
        now = datetime.now(UTC).isoformat()
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                queued = self._queued([m.id for m in mentions])
                self._conn.executemany(
                    "INSERT OR REPLACE INTO spool (id, mention, queued_at) VALUES (?, ?, ?)",
                    [(m.id, _encode(_keep_first(m, queued.get(m.id))), now) for m in mentions],
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def _queued(self, ids: list[str]) -> dict[str, Mention]:
        """The versions of these mentions already waiting (caller holds the lock)."""
        found: dict[str, Mention] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT id, mention FROM spool WHERE id IN ({marks})", chunk
            ).fetchall()
            found.update((str(i), _decode(text)) for i, text in rows)
        return found

    def peek(self, limit: int) -> list[tuple[int, Mention]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, mention FROM spool ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [(int(seq), _decode(text)) for seq, text in rows]

    def remove(self, seqs: list[int]) -> None:
        """Remove the rows read as ``seqs``; a newer version queued meanwhile stays."""
        with self._lock:
            self._conn.executemany("DELETE FROM spool WHERE seq = ?", [(s,) for s in seqs])

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM spool").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()
