"""SQLite archive file: identity checks, the role lock, and versioned schema migrations.

A file that is not ours is never written: we check the SQLite header, then the
``application_id`` and ``user_version`` pragmas before any change. Migrations run in one
transaction each and bump ``user_version``; an archive newer than this code is refused.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from archive.errors import ArchiveError, ArchiveLockedError

# 'YQ' + format 1, stored in the SQLite header so a foreign SQLite file is recognised.
APPLICATION_ID = 0x59510001
SQLITE_MAGIC = b"SQLite format 3\x00"

MIGRATIONS: list[str] = [
    # 1: everything the stages store.
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta (key, value) VALUES ('position', '0');

    CREATE TABLE mentions (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        platform TEXT NOT NULL,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        region TEXT NOT NULL,
        parent_id TEXT,
        published_at INTEGER NOT NULL,   -- microseconds since the epoch, UTC
        fetched_at INTEGER NOT NULL,
        metrics TEXT NOT NULL,           -- JSON
        extra TEXT NOT NULL,             -- JSON
        content_hash TEXT NOT NULL,
        position INTEGER NOT NULL        -- grows on every insert or real change
    );
    CREATE INDEX mentions_position ON mentions (position);
    CREATE INDEX mentions_published ON mentions (published_at);
    CREATE INDEX mentions_source ON mentions (source, published_at);
    CREATE INDEX mentions_platform ON mentions (platform, published_at);
    CREATE INDEX mentions_parent ON mentions (parent_id) WHERE parent_id IS NOT NULL;

    -- Full-text index over jieba tokens (SQLite's tokenizers do not split Chinese words).
    -- rowid = mentions.rowid.
    CREATE VIRTUAL TABLE mention_fts USING fts5 (
        tokens, tokenize = 'unicode61 remove_diacritics 0'
    );

    CREATE TABLE analyses (
        mention_rowid INTEGER PRIMARY KEY,  -- = mentions.rowid
        mention_id TEXT NOT NULL UNIQUE,
        relevant INTEGER NOT NULL,
        relevance REAL NOT NULL,
        sentiment TEXT NOT NULL,
        rumor_score REAL,
        event_id TEXT,
        severity TEXT,
        topics TEXT NOT NULL,               -- JSON list
        reasons TEXT NOT NULL,              -- JSON list of Reason
        analyzed_at INTEGER
    );
    CREATE INDEX analyses_event ON analyses (event_id) WHERE event_id IS NOT NULL;
    CREATE TABLE mention_topics (
        topic TEXT NOT NULL,
        mention_rowid INTEGER NOT NULL,
        PRIMARY KEY (topic, mention_rowid)
    ) WITHOUT ROWID;

    CREATE TABLE events (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        mention_count INTEGER NOT NULL,
        heat REAL NOT NULL,
        burst REAL NOT NULL,
        status TEXT NOT NULL,
        topics TEXT NOT NULL,
        keywords TEXT NOT NULL,
        region TEXT NOT NULL,
        severity TEXT,
        severity_basis TEXT NOT NULL,
        rumor_score REAL,
        updated_at INTEGER
    );
    CREATE INDEX events_heat ON events (heat DESC);

    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        rule TEXT NOT NULL,
        subject TEXT NOT NULL,
        level TEXT NOT NULL,
        title TEXT NOT NULL,
        first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL,
        event_id TEXT,
        evidence TEXT NOT NULL,
        status TEXT NOT NULL,
        UNIQUE (rule, subject)
    );

    CREATE TABLE obligations (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        title TEXT NOT NULL,
        opened_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        provisional INTEGER NOT NULL,
        status TEXT NOT NULL,
        event_id TEXT,
        alert_id INTEGER,
        level TEXT NOT NULL,
        assignee TEXT NOT NULL,
        link TEXT NOT NULL,
        note TEXT NOT NULL,
        updated_at INTEGER,
        UNIQUE (kind, subject)
    );
    CREATE INDEX obligations_due ON obligations (status, due_at);

    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        dedup_key TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        status TEXT NOT NULL,
        last_error TEXT NOT NULL,
        sent_at INTEGER
    );
    CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        object_type TEXT NOT NULL,
        object_id TEXT NOT NULL,
        details TEXT NOT NULL
    );
    CREATE INDEX audit_object ON audit (object_type, object_id);

    CREATE TABLE source_state (
        source TEXT PRIMARY KEY,
        last_run_at INTEGER,
        last_success_at INTEGER,
        last_error TEXT NOT NULL,
        last_error_at INTEGER,
        items_last_run INTEGER NOT NULL,
        runs INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        state TEXT NOT NULL
    );

    CREATE TABLE cursors (
        stage TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE rejects (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        source TEXT NOT NULL,
        record TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 2: upsert_analyses deletes a mention's topics by mention_rowid; without this index
    # that is a scan of mention_topics per analysis (quadratic in the archive's size).
    """
    CREATE INDEX mention_topics_rowid ON mention_topics (mention_rowid);
    """,
    # 3: a narrow row of integer codes per mention for filters and facets (see
    # archive/sqlite/dims.py), filled from what is already stored.
    """
    CREATE TABLE dim_values (
        dim TEXT NOT NULL,
        code INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (dim, value),
        UNIQUE (dim, code)
    ) WITHOUT ROWID;
    CREATE TABLE mention_dims (
        rowid INTEGER PRIMARY KEY,          -- = mentions.rowid
        source INTEGER NOT NULL,
        platform INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        region INTEGER NOT NULL,
        sentiment INTEGER,                  -- NULL until analysed
        relevant INTEGER,
        rumor REAL,
        topics INTEGER NOT NULL DEFAULT 0   -- bit mask of topic codes
    );
    INSERT INTO dim_values (dim, code, value)
        SELECT 'source', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT source AS v FROM mentions);
    INSERT INTO dim_values (dim, code, value)
        SELECT 'platform', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT platform AS v FROM mentions);
    INSERT INTO dim_values (dim, code, value)
        SELECT 'kind', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT kind AS v FROM mentions);
    INSERT INTO dim_values (dim, code, value)
        SELECT 'region', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT region AS v FROM mentions);
    INSERT INTO dim_values (dim, code, value)
        SELECT 'sentiment', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT sentiment AS v FROM analyses);
    INSERT INTO dim_values (dim, code, value)
        SELECT 'topic', row_number() OVER (ORDER BY v) - 1, v
        FROM (SELECT DISTINCT topic AS v FROM mention_topics);
    INSERT INTO mention_dims (rowid, source, platform, kind, region, sentiment, relevant, rumor)
        SELECT m.rowid, s.code, p.code, k.code, r.code, se.code, a.relevant, a.rumor_score
        FROM mentions m
        JOIN dim_values s ON s.dim = 'source' AND s.value = m.source
        JOIN dim_values p ON p.dim = 'platform' AND p.value = m.platform
        JOIN dim_values k ON k.dim = 'kind' AND k.value = m.kind
        JOIN dim_values r ON r.dim = 'region' AND r.value = m.region
        LEFT JOIN analyses a ON a.mention_rowid = m.rowid
        LEFT JOIN dim_values se ON se.dim = 'sentiment' AND se.value = a.sentiment;
    UPDATE mention_dims SET topics = (
        SELECT coalesce(sum(bit), 0) FROM (
            SELECT DISTINCT CASE WHEN v.code < 62 THEN 1 << v.code ELSE 1 << 62 END AS bit
            FROM mention_topics t JOIN dim_values v ON v.dim = 'topic' AND v.value = t.topic
            WHERE t.mention_rowid = mention_dims.rowid
        )
    ) WHERE rowid IN (SELECT mention_rowid FROM mention_topics);
    """,
    # 4: change tracking for the in-memory columns of mention_dims (archive/sqlite/columns.py):
    # every write transaction that touches dims stamps its rows with a new dims_version, and
    # a dims row that moved away (its mention's time changed) leaves a tombstone.
    """
    ALTER TABLE mention_dims ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX mention_dims_version ON mention_dims (version);
    CREATE TABLE dims_tombstones (rowid INTEGER PRIMARY KEY, version INTEGER NOT NULL);
    CREATE INDEX dims_tombstones_version ON dims_tombstones (version);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('dims_version', '0');
    """,
    # 5: the entities the NLP finds (archive.models.EntityRef / EntityCount), as JSON; NULL in
    # rows written before (read as [] for an analysis, None = "not computed" for an event).
    # mention_entities holds archive.models.entity_keys of each analysis, for ``entity:``
    # filters, as mention_topics does for topics; old analyses have no rows there until the
    # analyser writes them again.
    """
    ALTER TABLE analyses ADD COLUMN entities TEXT;
    ALTER TABLE events ADD COLUMN entities TEXT;
    CREATE TABLE mention_entities (
        value TEXT NOT NULL,
        mention_rowid INTEGER NOT NULL,
        PRIMARY KEY (value, mention_rowid)
    ) WITHOUT ROWID;
    CREATE INDEX mention_entities_rowid ON mention_entities (mention_rowid);
    """,
    # 6: events' member mentions per platform (archive.models.Event.platforms) as a JSON
    # object; NULL in events written before reads None ("not computed").
    """
    ALTER TABLE events ADD COLUMN platforms TEXT;
    """,
    # 7: dim_values keyed by (dim, code) with (dim, value) unique: the same rows in a shape
    # SQLite 3.40's PRAGMA integrity_check reads correctly. Keyed by (dim, value) it reported
    # "NULL value in dim_values.code" on every archive, clean ones included (an SQLite bug with
    # a NOT NULL column outside the key of a WITHOUT ROWID table that also has a UNIQUE
    # constraint), so a crash check cried wolf.
    """
    CREATE TABLE dim_values_keyed (
        dim TEXT NOT NULL,
        code INTEGER NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (dim, code),
        UNIQUE (dim, value)
    ) WITHOUT ROWID;
    INSERT INTO dim_values_keyed (dim, code, value) SELECT dim, code, value FROM dim_values;
    DROP TABLE dim_values;
    ALTER TABLE dim_values_keyed RENAME TO dim_values;
    """,
    # 8: obligations that close on evidence (alerts/fulfilment.py): when one was done, the
    # mentions behind it and the publication that fulfilled it, why it was opened late (补登),
    # and the publications a person rejected as its fulfilment. Rows already done get the
    # time of their completion from the audit log (else their last change).
    """
    ALTER TABLE obligations ADD COLUMN done_at INTEGER;
    ALTER TABLE obligations ADD COLUMN evidence TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE obligations ADD COLUMN fulfilled_by TEXT NOT NULL DEFAULT '';
    ALTER TABLE obligations ADD COLUMN late_reason TEXT NOT NULL DEFAULT '';
    ALTER TABLE obligations ADD COLUMN rejected TEXT NOT NULL DEFAULT '[]';
    UPDATE obligations SET done_at = coalesce(
        (SELECT max(a.at) FROM audit a
         WHERE a.object_type = 'obligation' AND a.object_id = CAST(obligations.id AS TEXT)
           AND a.action = 'obligation.completed'),
        updated_at
    ) WHERE status = 'done';
    """,
    # 9: events' propagation figures (archive.models.Event.propagation, computed by the
    # analysis: nlp.propagation_stage) as a JSON object; NULL reads None ("not computed").
    """
    ALTER TABLE events ADD COLUMN propagation TEXT;
    """,
    # 10: a mention's first fetch (archive.models.Mention.first_fetched_at), kept through
    # re-crawls that move fetched_at (its last fetch). Rows stored before have only their
    # last fetch, the best known: first_fetched_at = fetched_at. NULL reads as fetched_at.
    """
    ALTER TABLE mentions ADD COLUMN first_fetched_at INTEGER;
    UPDATE mentions SET first_fetched_at = fetched_at;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def check_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database, before SQLite touches it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise ArchiveError(
            f"{path} is not a Yuqing archive (not an SQLite database); "
            "it was left untouched — check archive.path in the configuration"
        )


def check_identity(conn: sqlite3.Connection, path: Path) -> int:
    """Refuse foreign, damaged or newer databases before anything writes; returns the version.

    Runs before the switch to WAL, which would itself rewrite the file header.
    """
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(
            f"{path} is damaged or not a database ({exc}); it was left untouched"
        ) from None
    if app_id != APPLICATION_ID and (app_id != 0 or tables > 0):
        raise ArchiveError(
            f"{path} is an SQLite database of another application "
            f"(application_id {app_id:#x}); it was left untouched"
        )
    if version > SCHEMA_VERSION:
        raise ArchiveError(
            f"{path} was written by a newer Yuqing (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); upgrade Yuqing"
        )
    return int(version)


def migrate(conn: sqlite3.Connection, path: Path, readonly: bool, version: int) -> None:
    """Bring the schema up to date, one transaction per migration."""
    if version == SCHEMA_VERSION:
        return
    if readonly and version == 0:
        # No migration has run: an empty file, or one a writer created a moment ago.
        raise ArchiveError(
            f"{path} holds no Yuqing archive yet (an empty database); a command that writes "
            "(yuqing crawl, yuqing run) creates it — or check archive.path in the configuration"
        )
    if readonly:
        raise ArchiveError(f"{path} needs a schema upgrade; open it once for writing")
    for number in range(version, SCHEMA_VERSION):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(MIGRATIONS[number]):
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _split(script: str) -> list[str]:
    """Split a migration into statements (``executescript`` would commit mid-way)."""
    statements, current = [], ""
    for line in script.splitlines():
        stripped = line.split("--", 1)[0]
        current += stripped + "\n"
        if stripped.rstrip().endswith(";") and sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


# The pipeline's stages: each takes its own lock, so `yuqing alert` started beside a running
# `yuqing run` is refused instead of sending the same messages a second time. The runner drives
# every stage, so it holds all of them (and a second runner is refused on the first).
STAGE_ROLES = ("crawl", "analyze", "alert")
ROLE_GROUPS = {"runner": STAGE_ROLES}


class RoleLock:
    """Exclusive advisory locks (``flock``) for one pipeline role on one archive.

    The kernel drops them when the process dies, even by ``kill -9``, so a restart never finds
    a stale lock. Each lock file records who holds it, for the error the next one gets. The
    files sit beside the archive's real path (symlinks resolved), so two names for one file
    share their locks.
    """

    def __init__(self, archive_path: Path, role: str) -> None:
        real = archive_path.resolve()
        self.role = role
        self.paths = [
            real.with_name(f"{real.name}.{stage}.lock") for stage in ROLE_GROUPS.get(role, (role,))
        ]
        self._handles: list[IO[str]] = []

    def acquire(self, archive_path: Path) -> None:
        try:
            for path in self.paths:
                self._handles.append(self._take(path, archive_path))
        except BaseException:
            self.release()
            raise

    def _take(self, path: Path, archive_path: Path) -> IO[str]:
        stage = path.name.removeprefix(archive_path.resolve().name + ".").removesuffix(".lock")
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ArchiveLockedError(
                f"archive {archive_path} is already in use for {stage!r} by {holder}; "
                f"stop that process first (only one may write as {stage!r})"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()} ({self.role}) since {started}")
        handle.flush()
        return handle

    def release(self) -> None:
        for handle in self._handles:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()
        self._handles = []
