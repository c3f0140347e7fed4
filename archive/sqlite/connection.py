"""One SQLite archive file: its checked, migrated connection and its transactions.

Durability: WAL with ``synchronous=NORMAL`` survives a killed process (every committed
transaction is in the WAL); only a power cut can lose the last few commits. Concurrency: one
connection per file object, guarded by a lock so crawler threads can share it; other
processes coordinate through SQLite's own locks (``busy_timeout``) and, for pipeline roles,
through ``RoleLock``. The SQLite mention store and the ledger share one ``SQLiteFile`` when
the archive is embedded; beside Elasticsearch the ledger has a file of its own.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.errors import ArchiveError
from archive.sqlite.schema import RoleLock, check_file, check_identity, migrate


class SQLiteFile:
    def __init__(self, path: Path, lock: str | None = None, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._mutex = threading.RLock()
        self._role_lock: RoleLock | None = None
        # Called when a write transaction rolls back (caches that may hold rolled-back rows).
        self.on_rollback: list[Callable[[], None]] = []
        check_file(self.path)
        if readonly and not self.path.exists():
            raise ArchiveError(f"{self.path} does not exist (run a crawl or the demo first)")
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        # The file is opened (and checked) before its role is locked, so a file the archive
        # refuses never gets a lock file beside it.
        self._conn: sqlite3.Connection | None = self._connect()
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

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ArchiveError(f"{self.path} was closed")
        return self._conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._mutex:
            try:
                yield self.conn
            except sqlite3.DatabaseError as exc:
                raise self._wrap(exc) from None

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: the write lock is taken up front, never mid-way."""
        if self.readonly:
            raise ArchiveError(f"{self.path} was opened read-only")
        with self._mutex:
            conn = self.conn
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._wrap(exc) from None
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                conn.execute("ROLLBACK")
                for forget in self.on_rollback:
                    forget()
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
        """Close the connection and release the role lock; closing twice is harmless."""
        with self._mutex:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            if self._role_lock is not None:
                self._role_lock.release()
                self._role_lock = None

    def size(self) -> int:
        """Bytes on disk: the file with its WAL and shared-memory files."""
        return sum(
            _file_size(self.path.with_name(self.path.name + s)) for s in ("", "-wal", "-shm")
        )


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0
