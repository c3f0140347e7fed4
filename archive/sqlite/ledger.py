"""The ledger: the response workflow's records, always in SQLite, whatever holds the mentions.

Alerts, obligations, the notification outbox, the audit log (silences are audit entries too),
crawl state, rejects, stage cursors and the pipeline time. These records need what a search
cluster does not give: integer ids handed out once, "open once per (kind, subject)" and
"queue once per dedup key" under concurrency, a change and its audit entry in one
transaction, and atomic ``attempts + 1``. Building those on Elasticsearch's optimistic
concurrency would be home-made transaction code (and its test distribution ships without the
Painless scripting module). They are thousands of rows, not millions.

The embedded archive keeps them in the file of its mentions (store and ledger share one
``SQLiteFile``); beside Elasticsearch the ledger is a SQLite file at ``archive.path``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError
from archive.models import (
    Alert,
    AuditEntry,
    Obligation,
    OutboxMessage,
    Reject,
    SourceState,
    utc,
)
from archive.sqlite.connection import SQLiteFile
from archive.sqlite.rows import (
    alert_from,
    audit_from,
    dumps,
    from_us,
    message_from,
    obligation_from,
    obligation_values,
    reasons_json,
    reject_from,
    source_state_from,
    to_us,
)

_OBLIGATION_COLUMNS = (
    "kind, subject, title, opened_at, due_at, provisional, status, event_id, alert_id, "
    "level, assignee, link, note, updated_at, done_at, evidence, fulfilled_by, late_reason, "
    "rejected"
)


class Ledger:
    """The workflow tables of one SQLite file (see the module docstring)."""

    def __init__(self, file: SQLiteFile) -> None:
        self.file = file
        self._read = file.read
        self._write = file.write

    @classmethod
    def open(cls, path: Path, lock: str | None = None, readonly: bool = False) -> Ledger:
        """A ledger in a file of its own (beside a mention store that is not SQLite)."""
        return cls(SQLiteFile(path, lock=lock, readonly=readonly))

    def close(self) -> None:
        self.file.close()

    # ---- stage cursors -----------------------------------------------------------------
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

    # ---- pipeline time -----------------------------------------------------------------
    def record_pipeline_time(self, when: datetime) -> None:
        """The runner's clock at its last pass: under simulated time (demo, replay) the
        dashboard counts deadlines down from this instead of the wall clock."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('pipeline_time', ?)",
                (str(to_us(utc(when))),),
            )

    def pipeline_time(self) -> datetime | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'pipeline_time'").fetchone()
        return from_us(int(row[0])) if row else None

    # ---- alerts ------------------------------------------------------------------------
    def upsert_alert(self, alert: Alert) -> tuple[Alert, bool]:
        """Store by (rule, subject). Returns the stored alert and whether it is new."""
        with self._write() as conn:
            return self._upsert_alert(conn, alert)

    def upsert_alert_audited(self, alert: Alert, entry: AuditEntry | None) -> tuple[Alert, bool]:
        """``upsert_alert`` and ``entry`` (its object_id set to the alert's id) in one
        transaction, so a crash cannot leave a change without its audit entry."""
        with self._write() as conn:
            stored, created = self._upsert_alert(conn, alert)
            if entry is not None:
                self._insert_audit(conn, replace(entry, object_id=str(stored.id)))
            return stored, created

    def _upsert_alert(self, conn: sqlite3.Connection, alert: Alert) -> tuple[Alert, bool]:
        row = conn.execute(
            "SELECT * FROM alerts WHERE rule = ? AND subject = ?", (alert.rule, alert.subject)
        ).fetchone()
        if row is None:
            cursor = conn.execute(
                "INSERT INTO alerts (rule, subject, level, title, first_at, last_at, "
                "event_id, evidence, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    alert.rule,
                    alert.subject,
                    alert.level,
                    alert.title,
                    to_us(alert.first_at),
                    to_us(alert.last_at),
                    alert.event_id,
                    reasons_json(alert.evidence),
                    alert.status,
                ),
            )
            return replace(alert, id=cursor.lastrowid), True
        stored = alert_from(row)
        conn.execute(
            "UPDATE alerts SET level = ?, title = ?, last_at = ?, event_id = ?, "
            "evidence = ?, status = ? WHERE id = ?",
            (
                alert.level,
                alert.title,
                to_us(max(alert.last_at, stored.last_at)),
                alert.event_id or stored.event_id,
                reasons_json(alert.evidence),
                alert.status,
                stored.id,
            ),
        )
        return (
            replace(
                alert,
                id=stored.id,
                first_at=stored.first_at,
                last_at=max(alert.last_at, stored.last_at),
            ),
            False,
        )

    def list_alerts(self, status: str | None = None, limit: int = 200) -> list[Alert]:
        with self._read() as conn:
            if status is None:
                rows = conn.execute(
                    "SELECT * FROM alerts ORDER BY last_at DESC, id DESC LIMIT ?", (limit,)
                )
            else:
                rows = conn.execute(
                    "SELECT * FROM alerts WHERE status = ? ORDER BY last_at DESC, id DESC LIMIT ?",
                    (status, limit),
                )
            return [alert_from(row) for row in rows]

    # ---- obligations -------------------------------------------------------------------
    def open_obligation(self, obligation: Obligation) -> tuple[Obligation, bool]:
        """Open once per (kind, subject): a second call returns the stored one, False."""
        with self._write() as conn:
            return self._open_obligation(conn, obligation)

    def open_obligation_audited(
        self, obligation: Obligation, entry: AuditEntry
    ) -> tuple[Obligation, bool]:
        """``open_obligation`` and, if it opened one, ``entry`` (object_id set) in one
        transaction."""
        with self._write() as conn:
            stored, created = self._open_obligation(conn, obligation)
            if created:
                self._insert_audit(conn, replace(entry, object_id=str(stored.id)))
            return stored, created

    def _open_obligation(
        self, conn: sqlite3.Connection, obligation: Obligation
    ) -> tuple[Obligation, bool]:
        row = conn.execute(
            "SELECT * FROM obligations WHERE kind = ? AND subject = ?",
            (obligation.kind, obligation.subject),
        ).fetchone()
        if row is not None:
            return obligation_from(row), False
        marks = ", ".join("?" for _ in _OBLIGATION_COLUMNS.split(","))
        cursor = conn.execute(
            f"INSERT INTO obligations ({_OBLIGATION_COLUMNS}) VALUES ({marks})",
            obligation_values(obligation),
        )
        return replace(obligation, id=cursor.lastrowid), True

    def get_obligation(self, obligation_id: int) -> Obligation | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT * FROM obligations WHERE id = ?", (obligation_id,)
            ).fetchone()
        return obligation_from(row) if row else None

    def list_obligations(
        self, statuses: Sequence[str] | None = None, limit: int = 500
    ) -> list[Obligation]:
        """Obligations ordered by due time, earliest first."""
        with self._read() as conn:
            if statuses:
                marks = ", ".join("?" for _ in statuses)
                rows = conn.execute(
                    f"SELECT * FROM obligations WHERE status IN ({marks}) "
                    "ORDER BY due_at, id LIMIT ?",
                    (*statuses, limit),
                )
            else:
                rows = conn.execute(
                    "SELECT * FROM obligations ORDER BY due_at, id LIMIT ?", (limit,)
                )
            return [obligation_from(row) for row in rows]

    def update_obligation(self, obligation: Obligation, actor: str, action: str) -> None:
        """Save a changed obligation and write the audit entry in the same transaction."""
        if obligation.id is None:
            raise ArchiveError("cannot update an obligation that was never stored")
        assignments = ", ".join(f"{c.strip()} = ?" for c in _OBLIGATION_COLUMNS.split(","))
        now = obligation.updated_at or datetime.now(UTC)
        with self._write() as conn:
            before = conn.execute(
                "SELECT status FROM obligations WHERE id = ?", (obligation.id,)
            ).fetchone()
            if before is None:
                raise ArchiveError(f"obligation {obligation.id} does not exist")
            conn.execute(
                f"UPDATE obligations SET {assignments} WHERE id = ?",
                (*obligation_values(replace(obligation, updated_at=now)), obligation.id),
            )
            self._insert_audit(
                conn,
                AuditEntry(
                    at=now,
                    actor=actor,
                    action=action,
                    object_type="obligation",
                    object_id=str(obligation.id),
                    details={
                        "from": before["status"],
                        "to": obligation.status,
                        "link": obligation.link,
                        "note": obligation.note,
                        "assignee": obligation.assignee,
                    },
                ),
            )

    # ---- outbox ------------------------------------------------------------------------
    def enqueue(self, message: OutboxMessage) -> bool:
        """Queue a message once per dedup_key; returns False when it was already queued."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO outbox (dedup_key, channel, recipient, subject, body, "
                "created_at, next_attempt_at, attempts, status, last_error, sent_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message.dedup_key,
                    message.channel,
                    message.recipient,
                    message.subject,
                    message.body,
                    to_us(message.created_at),
                    to_us(message.next_attempt_at),
                    message.attempts,
                    message.status,
                    message.last_error,
                    to_us(message.sent_at),
                ),
            )
            return cursor.rowcount == 1

    def due_messages(self, now: datetime, limit: int = 100) -> list[OutboxMessage]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? "
                "ORDER BY next_attempt_at, id LIMIT ?",
                (to_us(now), limit),
            )
            return [message_from(row) for row in rows]

    def mark_sent(self, message_id: int, at: datetime) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, attempts = attempts + 1 "
                "WHERE id = ?",
                (to_us(at), message_id),
            )

    def mark_failed(self, message_id: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed attempt; ``retry_at`` None means give up (status ``failed``)."""
        with self._write() as conn:
            if retry_at is None:
                conn.execute(
                    "UPDATE outbox SET status = 'failed', last_error = ?, "
                    "attempts = attempts + 1 WHERE id = ?",
                    (error, message_id),
                )
            else:
                conn.execute(
                    "UPDATE outbox SET next_attempt_at = ?, last_error = ?, "
                    "attempts = attempts + 1 WHERE id = ?",
                    (to_us(retry_at), error, message_id),
                )

    def list_messages(self, status: str | None = None, limit: int = 200) -> list[OutboxMessage]:
        with self._read() as conn:
            if status is None:
                rows = conn.execute("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", (limit,))
            else:
                rows = conn.execute(
                    "SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?",
                    (status, limit),
                )
            return [message_from(row) for row in rows]

    # ---- audit -------------------------------------------------------------------------
    @staticmethod
    def _insert_audit(conn: sqlite3.Connection, entry: AuditEntry) -> None:
        conn.execute(
            "INSERT INTO audit (at, actor, action, object_type, object_id, details) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                to_us(entry.at),
                entry.actor,
                entry.action,
                entry.object_type,
                entry.object_id,
                dumps(entry.details),
            ),
        )

    def audit(self, entry: AuditEntry) -> None:
        with self._write() as conn:
            self._insert_audit(conn, entry)

    def list_audit(
        self, object_type: str | None = None, object_id: str | None = None, limit: int = 200
    ) -> list[AuditEntry]:
        conditions, params = [], []
        if object_type is not None:
            conditions.append("object_type = ?")
            params.append(object_type)
        if object_id is not None:
            conditions.append("object_id = ?")
            params.append(object_id)
        where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT * FROM audit{where} ORDER BY id DESC LIMIT ?", (*params, limit)
            )
            return [audit_from(row) for row in rows]

    # ---- crawl state and rejects -------------------------------------------------------
    def get_source_state(self, source: str) -> SourceState:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM source_state WHERE source = ?", (source,)).fetchone()
        return source_state_from(row) if row else SourceState(source=source)

    def save_source_state(self, state: SourceState) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO source_state (source, last_run_at, last_success_at, "
                "last_error, last_error_at, items_last_run, runs, errors, state) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    state.source,
                    to_us(state.last_run_at),
                    to_us(state.last_success_at),
                    state.last_error,
                    to_us(state.last_error_at),
                    state.items_last_run,
                    state.runs,
                    state.errors,
                    dumps(state.state),
                ),
            )

    def list_source_states(self) -> list[SourceState]:
        with self._read() as conn:
            return [
                source_state_from(row)
                for row in conn.execute("SELECT * FROM source_state ORDER BY source")
            ]

    def keep_aside(self, reject: Reject) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO rejects (at, source, record, reason) VALUES (?, ?, ?, ?)",
                (to_us(reject.at), reject.source, reject.record[:20000], reject.reason),
            )

    def list_rejects(self, source: str | None = None, limit: int = 200) -> list[Reject]:
        with self._read() as conn:
            if source is None:
                rows = conn.execute("SELECT * FROM rejects ORDER BY id DESC LIMIT ?", (limit,))
            else:
                rows = conn.execute(
                    "SELECT * FROM rejects WHERE source = ? ORDER BY id DESC LIMIT ?",
                    (source, limit),
                )
            return [reject_from(row) for row in rows]

    # ---- overview ----------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts per workflow table and the file's size (``bytes``)."""
        counts: dict[str, Any] = {}
        with self._read() as conn:
            for table in ("alerts", "obligations", "outbox", "audit", "rejects"):
                counts[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            counts["open_obligations"] = int(
                conn.execute(
                    "SELECT count(*) FROM obligations WHERE status IN ('open', 'acknowledged')"
                ).fetchone()[0]
            )
            counts["pending_messages"] = int(
                conn.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
            )
        counts["bytes"] = self.file.size()
        return counts
