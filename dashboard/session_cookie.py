"""A login that survives a page reload: a signed session token in a browser cookie.

Streamlit keeps ``st.session_state`` per browser tab and connection, so a reload (F5, a
laptop waking up, a link opened again) used to mean logging in again: for duty staff who keep
the dashboard open through a shift, many times a day. After a login the server sets a token in
the cookie ``COOKIE`` (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS, expiring with
the session) from a route of its own (``dashboard/server.py``; the page only hands it a one-time
code); a new session that finds it restores the login without asking for the password.

The token is ``payload.signature``: the payload (base64url JSON) holds the user name, the
login and expiry times, a fingerprint of the user's password hash and the id of the session's
server-side record (``dashboard.session_store``: revoked on logout), signed with HMAC-SHA256 by
itsdangerous (no key derivation, so tokens issued before it signed them stay valid).
A token is refused when the signature does not match (forged or edited), when it expired,
when the user is no longer configured, or when the password was changed since (the
fingerprint differs): changing a password or removing a user ends their sessions everywhere.

The signing key is ``dashboard.session_secret`` when configured (several dashboard hosts
share it), else a random key made on first use and kept beside the archive in
``<archive.path>.session-key`` (mode 0600). Deleting that file ends every session.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from itsdangerous import BadSignature, Signer
from itsdangerous.encoding import base64_decode, base64_encode

logger = logging.getLogger(__name__)

COOKIE = "yuqing_session"
KEY_BYTES = 32
SCRIPT_PREFIX = "<script>"


@dataclass(frozen=True)
class Claims:
    username: str
    login_at: float
    expires_at: float
    fingerprint: str
    session_id: str = ""


def fingerprint(password_hash: str) -> str:
    """Changes whenever the password does; reveals nothing usable about it (the hash of a
    salted scrypt hash, shortened)."""
    return hashlib.sha256(password_hash.strip().encode("utf-8")).hexdigest()[:16]


def _signer(key: bytes) -> Signer:
    # The key is already 32 random bytes (or a SHA-256 of the configured secret): used as
    # is, which also keeps the tokens byte-identical to those of the hand-written HMAC.
    return Signer(key, sep=".", key_derivation="none", digest_method=hashlib.sha256)


def issue(key: bytes, claims: Claims) -> str:
    body = {
        "u": claims.username,
        "iat": round(claims.login_at, 3),
        "exp": round(claims.expires_at, 3),
        "fp": claims.fingerprint,
        "sid": claims.session_id,
    }
    payload = base64_encode(json.dumps(body, separators=(",", ":"), ensure_ascii=False))
    return _signer(key).sign(payload).decode("ascii")


def read(key: bytes, token: str, now: float) -> Claims | None:
    """The claims of a genuine, unexpired token; None for anything else."""
    try:
        payload = _signer(key).unsign(token.strip())
    except (BadSignature, UnicodeEncodeError):
        return None
    try:
        body = json.loads(base64_decode(payload))
        claims = Claims(
            username=str(body["u"]),
            login_at=float(body["iat"]),
            expires_at=float(body["exp"]),
            fingerprint=str(body["fp"]),
            # Tokens from before server-side sessions carry none: refused (one new login).
            session_id=str(body["sid"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    return claims if now < claims.expires_at else None


def key_file(archive_path: Path) -> Path:
    return archive_path.with_name(archive_path.name + ".session-key")


def signing_key(secret: str | None, archive_path: Path) -> bytes:
    """The configured secret, else the key file beside the archive (made on first use)."""
    if secret:
        return hashlib.sha256(secret.encode("utf-8")).digest()
    path = key_file(archive_path)
    try:
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            return key
    except FileNotFoundError:
        pass
    except OSError as exc:
        logger.warning(
            "cannot read the session key %s (%s); using one for this process", path, exc.strerror
        )
        return _process_key()
    fresh = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written to a temporary file and renamed: two dashboard sessions starting at once
        # must not read a half-written key; the later rename wins and the earlier token is
        # refused once (a new login), which is harmless.
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fresh)
        os.replace(temporary, path)
    except OSError as exc:
        # A read-only folder: logins still survive reloads, until this process restarts.
        logger.warning(
            "cannot keep the session key in %s (%s); using one for this process", path, exc.strerror
        )
        return _process_key()
    return fresh


@lru_cache(maxsize=1)
def _process_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# The routes of dashboard/server.py that set and clear the cookie from the server side.
SESSION_ROUTE = "/_yuqing/session"
LOGOUT_ROUTE = "/_yuqing/logout"


def set_script(code: str) -> str:
    """The page script that exchanges a login's one-time code for its HttpOnly cookie."""
    return (
        f"{SCRIPT_PREFIX}fetch({json.dumps(SESSION_ROUTE)}, {{method: 'POST', "
        f"credentials: 'same-origin', body: {json.dumps(code)}}});</script>"
    )


def clear_script() -> str:
    return (
        f"{SCRIPT_PREFIX}fetch({json.dumps(LOGOUT_ROUTE)}, "
        "{method: 'POST', credentials: 'same-origin'});</script>"
    )


def cookie_header(token: str, max_age: int, secure: bool) -> str:
    """Set-Cookie for a login: out of scripts' reach, never sent cross-site, HTTPS-only there."""
    return f"{COOKIE}={token}; Path=/; Max-Age={max(max_age, 0)}; HttpOnly; SameSite=Strict" + (
        "; Secure" if secure else ""
    )


def clearing_header(secure: bool) -> str:
    return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (
        "; Secure" if secure else ""
    )
