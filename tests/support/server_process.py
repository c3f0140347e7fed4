"""What the private servers of the tests (``es_node``, ``redis_server``) share: a free loopback
port, a child process in its own session, the wait until it answers, stopping it (SIGTERM,
then SIGKILL), starting again on other ports when a port found free was taken meanwhile,
failing under CI or skipping elsewhere when it cannot start, and running one by hand."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, ClassVar, TypeVar

__all__ = ["ServerProcess", "free_port", "serve_by_hand", "started", "unavailable"]

# A port found free can be taken by another process before the server binds it (tens of
# seconds later for a JVM on a loaded machine shared with other test runs): it then exits
# saying so, and is started again on other ports.
PORT_TAKEN = ("BindException", "Address already in use")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def unavailable(what: str, reason: str) -> None:
    """Fail under CI (a server that cannot start is a broken build), skip loudly elsewhere."""
    import pytest

    message = f"{what} could not be started: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    print(f"\nSKIPPING {what.split()[0].upper()} TESTS: {message}", file=sys.stderr)
    pytest.skip(message)


class ServerProcess:
    """A server run as a child process. A subclass names its ``service`` (for a skipped
    test) and ``error`` (what a failed start raises), gives its ``log_tail`` and ``destroy``
    (stop, then remove its folder), and declares ``process`` (a dataclass field, None)."""

    service: ClassVar[str] = "server"
    error: ClassVar[type[RuntimeError]] = RuntimeError
    stop_timeout: ClassVar[float] = 10.0
    process: subprocess.Popen[bytes] | None

    @property
    def what(self) -> str:
        """This server in a message (a subclass adds its name or port)."""
        return self.service

    def log_tail(self, lines: int = 40) -> str:
        raise NotImplementedError

    def start(self) -> ServerProcess:
        raise NotImplementedError

    def destroy(self) -> None:
        self.stop()

    def spawn(
        self,
        command: Sequence[str],
        stdout: int | IO[bytes],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        """Start ``command`` in a session of its own, so ``stop`` signals all it started."""
        self.process = subprocess.Popen(
            list(command),
            env=env,
            cwd=cwd,
            stdout=stdout,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(
        self, answer: Callable[[], str | None], timeout: float, interval: float, goal: str
    ) -> None:
        """Until ``answer()`` returns None (ready; otherwise it says what is missing), raising
        ``error`` with the log tail when the process exits or ``timeout`` passes first."""
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise self.error(
                    f"{self.what} exited with code {self.process.returncode}"
                    f" before it was ready:\n{self.log_tail()}"
                )
            missing = answer()
            if missing is None:
                return
            last = missing
            time.sleep(interval)
        raise self.error(
            f"{self.what} was not {goal} within {timeout:.0f} s ({last}):\n{self.log_tail()}"
        )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float | None = None) -> None:
        """Stop the process (SIGTERM, then SIGKILL); its data folder stays for a restart."""
        if self.process is None or not self.running():
            self.process = None
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(self.stop_timeout if timeout is None else timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None


S = TypeVar("S", bound=ServerProcess)


def started(server: S, again: Callable[[S], S], attempts: int = 3) -> S:
    """``server`` started, or the test failed (CI) / skipped; its process and folder are
    removed whatever stops the start (an interrupt too). A server whose port was taken
    meanwhile is replaced by ``again(server)`` (other free ports) and started again."""
    for attempt in range(1, attempts + 1):
        try:
            server.start()
            return server
        except (server.error, OSError, subprocess.SubprocessError) as exc:
            server.destroy()
            if attempt < attempts and any(word in str(exc) for word in PORT_TAKEN):
                server = again(server)
                continue
            unavailable(server.service, str(exc))
        except BaseException:
            server.destroy()
            raise
    raise AssertionError("unreachable")


def serve_by_hand(server: ServerProcess) -> None:
    """``python -m tests.support.X``: keep a started server up until Ctrl-C or ``kill PID``,
    then stop it and remove its data."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        while server.running():
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.destroy()
