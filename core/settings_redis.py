"""Schema of ``redis:`` in yuqing.yaml: the shared frontier of the scale-out mode.

    redis:
      url: redis://redis.internal:6379/0      # rediss:// for TLS
      password: ${YUQING_REDIS_PASSWORD}       # never written into the URL, never logged
      prefix: yuqing                           # every key starts with "<prefix>:"

Without ``redis:`` nothing changes: ``yuqing run`` is one process on SQLite and never touches
Redis. With it, ``yuqing crawl-worker`` and ``yuqing analyze-worker`` share their work
through this server (docs/scale-out.md).
"""

from __future__ import annotations

import urllib.parse

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["RedisSettings"]


class RedisSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)

    url: str
    password: SecretStr | None = None
    prefix: str = Field(default="yuqing", pattern=r"^[A-Za-z0-9_.-]+$")
    # A worker that has not renewed its heartbeat for this long is dead: what it held goes
    # back to the queue. Five missed beats (one a second) with room for a GC pause.
    worker_timeout: float = Field(default=10.0, gt=1.0, le=600.0)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urllib.parse.urlsplit(value)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("expected redis://host:port/db, rediss://… or unix:///path.sock")
        if parts.scheme != "unix" and not parts.hostname:
            raise ValueError("expected redis://host:port/db: the host is missing")
        if parts.password:
            raise ValueError(
                "put the password in 'password' (from ${ENV_VAR}), not in the URL, "
                "so it never appears where the URL is shown"
            )
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            raise ValueError("the port must be a number, e.g. redis://host:6379/0") from None
        return value

    def where(self) -> str:
        """The server, safe to log: scheme, host and port only."""
        parts = urllib.parse.urlsplit(self.url)
        if parts.scheme == "unix":
            return f"unix:{parts.path}"
        return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}"
