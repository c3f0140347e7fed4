"""A private Redis server on 127.0.0.1 for tests and benchmarks, like ``es_node`` for ES.

``redis-server`` comes from Debian (``scripts/system-deps.sh`` installs it when missing). Each
instance runs on a free loopback port in a fresh temp folder, with append-only persistence
fsynced on every write, so ``stop()`` then ``start()`` on the same folder is a real outage and
restart that keeps the data (the scale-out tests stop Redis mid-crawl). The instance refuses
outside connections (bind 127.0.0.1, protected mode) and takes no configuration file.

Run ``python -m tests.support.redis_server`` to start one by hand (Ctrl-C stops it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from tests.support.server_process import ServerProcess, free_port, serve_by_hand, started

START_TIMEOUT = 20.0


class RedisServerError(RuntimeError):
    """redis-server is missing or did not start; the message says why (with its log tail)."""


@dataclass
class RedisServer(ServerProcess):
    """One redis-server process; ``url`` is what ``redis:`` in the YAML takes."""

    service: ClassVar[str] = "Redis"
    error: ClassVar[type[RuntimeError]] = RedisServerError

    port: int = field(default_factory=free_port)
    workdir: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def what(self) -> str:
        return f"redis-server on port {self.port}"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = START_TIMEOUT) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisServerError(
                "redis-server is not installed: run scripts/system-deps.sh "
                "(apt-get install redis-server)"
            )
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="yuqing-redis-"))
        command = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.workdir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
            "--logfile",
            str(self.workdir / "redis.log"),
            "--daemonize",
            "no",
        ]
        self.spawn(command, stdout=subprocess.DEVNULL)
        self.wait_ready(lambda: None if self.ping() else "no PONG", timeout, 0.1, "answering")
        return self

    def ping(self) -> bool:
        """True when the server answers PING (a bare RESP exchange, no client library)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def log_tail(self, lines: int = 30) -> str:
        if self.workdir is None or not (self.workdir / "redis.log").exists():
            return "(no log)"
        text = (self.workdir / "redis.log").read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:]) or "(empty log)"

    def destroy(self) -> None:
        self.stop()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def redis_server_fixture() -> Iterator[RedisServer]:
    """A started server (its port retried once if taken meanwhile), removed afterwards."""
    server = started(RedisServer(), lambda _: RedisServer(), attempts=2)
    try:
        yield server
    finally:
        server.destroy()


def main() -> None:
    server = RedisServer().start()
    print(f"Redis ready at {server.url}; Ctrl-C stops it", flush=True)
    serve_by_hand(server)


if __name__ == "__main__":
    main()
