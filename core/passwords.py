"""Password hashes for dashboard users: scrypt from the standard library, never plain text.

A hash reads ``scrypt$<log2 N>$<r>$<p>$<salt>$<key>`` (salt and key in URL-safe base64), so
the cost travels with the hash and can be raised later without breaking existing users. The
default cost follows OWASP's password storage cheat sheet for scrypt (N=2^17, r=8, p=1:
128 MiB, and 0.3–1 s per check on the 2-core development machine, measured with
``hash_password``), which also makes guessing slow. Free of Streamlit, so
``yuqing hash-password`` and the tests can use it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
DEFAULT_LOG_N = 17
DEFAULT_R = 8
DEFAULT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
MIN_PASSWORD = 8
# Refuse hashes whose cost would exhaust the server (a typo in the YAML, or a hostile file).
MAX_LOG_N = 20


class PasswordHashError(ValueError):
    """A stored hash that cannot be read; ``str()`` says what is wrong with it."""


@dataclass(frozen=True)
class _Parsed:
    log_n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, log_n: int, r: int, p: int, size: int) -> bytes:
    n = 1 << log_n
    # scrypt needs 128·N·r bytes; hashlib refuses more than ``maxmem`` (32 MiB by default).
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=129 * n * r + (1 << 20),
        dklen=size,
    )


def hash_password(
    password: str, log_n: int = DEFAULT_LOG_N, r: int = DEFAULT_R, p: int = DEFAULT_P
) -> str:
    """A new salted hash of ``password`` for the ``password_hash`` key of a user."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, log_n, r, p, KEY_BYTES)
    return f"{SCHEME}${log_n}${r}${p}${_b64(salt)}${_b64(key)}"


def parse_hash(encoded: str) -> _Parsed:
    """Check the form of a stored hash (done when a user logs in, and by ``check_hash``)."""
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise PasswordHashError(
            "expected a hash made by `yuqing hash-password` (scrypt$N$r$p$salt$key)"
        )
    try:
        log_n, r, p = (int(x) for x in parts[1:4])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise PasswordHashError("the cost, salt or key of the hash is not readable") from None
    if not (10 <= log_n <= MAX_LOG_N and 1 <= r <= 32 and 1 <= p <= 16):
        raise PasswordHashError(f"scrypt cost out of range (log2 N {log_n}, r {r}, p {p})")
    if len(salt) < 8 or len(key) < 16:
        raise PasswordHashError("the salt or key of the hash is too short")
    return _Parsed(log_n, r, p, salt, key)


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``, compared in constant time."""
    parsed = parse_hash(encoded)
    candidate = _derive(password, parsed.salt, parsed.log_n, parsed.r, parsed.p, len(parsed.key))
    return hmac.compare_digest(candidate, parsed.key)


# Checked against when the user name is unknown, so that a wrong name takes as long as a
# wrong password and the login form does not tell which names exist.
_DUMMY = "$".join(
    [SCHEME, str(DEFAULT_LOG_N), str(DEFAULT_R), str(DEFAULT_P), _b64(b"0" * 16), _b64(b"0" * 32)]
)


def burn_time(password: str) -> None:
    verify_password(password, _DUMMY)
