"""A private Redis server on 127.0.0.1 for tests and benchmarks, like ``es_node`` for ES.

``redis-server`` comes from Debian (``scripts/system-deps.sh`` installs it when missing). Each
instance runs on a free loopback port in a fresh temp folder, with append-only persistence
fsynced on every write, so ``stop()`` then ``start()`` on the same folder is a real outage and
restart that keeps the data (the scale-out tests stop Redis mid-crawl). The instance refuses
outside connections (bind 127.0.0.1, protected mode) and takes no configuration file.

Run ``python -m tests.support.redis_server`` to start one by hand (Ctrl-C stops it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 20.0


class RedisServerError(RuntimeError):
    """redis-server is missing or did not start; the message says why (with its log tail)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RedisServer:
    """One redis-server process; ``url`` is what ``redis:`` in the YAML takes."""

    port: int = field(default_factory=free_port)
    workdir: Path | None = None
    process: subprocess.Popen[bytes] | None = None

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
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RedisServerError(
                    f"redis-server exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            if self.ping():
                return self
            time.sleep(0.1)
        raise RedisServerError(
            f"redis-server on port {self.port} did not answer:\n{self.log_tail()}"
        )

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

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process (SIGTERM: Redis fsyncs and exits); the folder stays for a restart."""
        if self.process is None or self.process.poll() is not None:
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        self.process = None

    def destroy(self) -> None:
        self.stop()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None


def unavailable(reason: str) -> None:
    """Fail under CI (a missing Redis is a broken build), skip loudly elsewhere."""
    import pytest

    message = f"Redis could not be started: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    print(f"\nSKIPPING REDIS TESTS: {message}", file=sys.stderr)
    pytest.skip(message)


def redis_server_fixture() -> Iterator[RedisServer]:
    """A started server (its port retried once if taken meanwhile), removed afterwards."""
    server = RedisServer()
    for attempt in (1, 2):
        try:
            server.start()
            break
        except (RedisServerError, OSError) as exc:
            server.destroy()
            if attempt == 2 or "Address already in use" not in str(exc):
                unavailable(str(exc))
            server = RedisServer()
    try:
        yield server
    finally:
        server.destroy()


def main() -> None:
    server = RedisServer().start()
    print(f"Redis ready at {server.url}; Ctrl-C stops it", flush=True)
    try:
        while server.process is not None and server.process.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.destroy()


if __name__ == "__main__":
    main()
