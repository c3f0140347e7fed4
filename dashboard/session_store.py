"""Server-side records of dashboard logins, so that a session can end before its cookie does.

A signed cookie alone (``dashboard.session_cookie``) cannot be taken back: a copy made before
logout logged in again from another browser until it expired. Each login now gets a random
session id, recorded here and carried in the signed token; a session is valid only while its
record is active. Logout revokes it, and so does finding that the user's password changed or
that the user was removed; admins see the active sessions and can end any of them.

The records live in a small SQLite file beside the archive (``<archive.path>.sessions``, mode
0600): dashboard hosts that share an archive folder share their sessions, and the archive's
own schema does not change for a dashboard concern.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    login_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    revoked_at REAL,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS sessions_user ON sessions (username);
CREATE TABLE IF NOT EXISTS handoffs (
    code TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    max_age INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
"""
# A login's token waits this long for the page to fetch it into its HttpOnly cookie.
HANDOFF_SECONDS = 120.0


@dataclass(frozen=True)
class SessionRecord:
    id: str
    username: str
    login_at: float
    expires_at: float


def store_file(archive_path: Path) -> Path:
    return archive_path.with_name(archive_path.name + ".sessions")


def _connect(path: Path) -> sqlite3.Connection:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))  # private from the start
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    conn.executescript(_SCHEMA)
    return conn


def start(path: Path, username: str, login_at: float, expires_at: float) -> str:
    """Record a new login; its id goes into the signed cookie."""
    session_id = secrets.token_urlsafe(18)
    with closing(_connect(path)) as conn:
        conn.execute(
            "INSERT INTO sessions (id, username, login_at, expires_at) VALUES (?, ?, ?, ?)",
            (session_id, username, login_at, expires_at),
        )
        # Expired records are kept a day for the admins' view, then dropped.
        conn.execute("DELETE FROM sessions WHERE expires_at < ?", (login_at - 86_400,))
    return session_id


def is_active(path: Path, session_id: str, username: str, now: float) -> bool:
    with closing(_connect(path)) as conn:
        row = conn.execute(
            "SELECT 1 FROM sessions WHERE id = ? AND username = ? AND revoked_at IS NULL "
            "AND expires_at > ?",
            (session_id, username, now),
        ).fetchone()
    return row is not None


def revoke(path: Path, session_id: str, reason: str, now: float) -> None:
    with closing(_connect(path)) as conn:
        conn.execute(
            "UPDATE sessions SET revoked_at = ?, revoked_reason = ? "
            "WHERE id = ? AND revoked_at IS NULL",
            (now, reason, session_id),
        )


def revoke_user(path: Path, username: str, reason: str, now: float) -> int:
    """End every active session of ``username``; how many were ended."""
    with closing(_connect(path)) as conn:
        cursor = conn.execute(
            "UPDATE sessions SET revoked_at = ?, revoked_reason = ? "
            "WHERE username = ? AND revoked_at IS NULL",
            (now, reason, username),
        )
        return cursor.rowcount


def active(path: Path, now: float) -> list[SessionRecord]:
    """Sessions that are neither revoked nor expired, the newest login first."""
    with closing(_connect(path)) as conn:
        rows = conn.execute(
            "SELECT id, username, login_at, expires_at FROM sessions "
            "WHERE revoked_at IS NULL AND expires_at > ? ORDER BY login_at DESC",
            (now,),
        ).fetchall()
    return [SessionRecord(*row) for row in rows]


def hand_off(path: Path, token: str, max_age: int, now: float) -> str:
    """Park a login's token under a one-time code the page exchanges for its cookie.

    The page's script cannot be allowed to hold the token (an HttpOnly cookie is out of its
    reach by design), so it gets a code that is good once, for two minutes, and the server's
    route (``dashboard/server.py``) answers it with the cookie.
    """
    code = secrets.token_urlsafe(24)
    with closing(_connect(path)) as conn:
        conn.execute("DELETE FROM handoffs WHERE expires_at < ?", (now,))
        conn.execute(
            "INSERT INTO handoffs (code, token, max_age, expires_at) VALUES (?, ?, ?, ?)",
            (code, token, max_age, now + HANDOFF_SECONDS),
        )
    return code


def redeem(path: Path, code: str, now: float) -> tuple[str, int] | None:
    """The token and cookie lifetime parked under ``code``, once; None if unknown or late."""
    with closing(_connect(path)) as conn:
        row = conn.execute(
            "DELETE FROM handoffs WHERE code = ? RETURNING token, max_age, expires_at", (code,)
        ).fetchone()
    if row is None or row[2] < now:
        return None
    return str(row[0]), int(row[1])
