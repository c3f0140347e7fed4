"""``yuqing crawl-worker`` processes for the scale-out tests (tests/test_scale_crawl*.py):
start one with ``--until-idle``, wait for a set of them, kill what a failed test leaves, and
read back which article paths the archive holds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archive import open_archive

__all__ = ["WORKER_TIMEOUT", "archived_urls", "finish", "kill_leftovers", "start_worker"]

REPO = Path(__file__).resolve().parents[2]
# Generous: a worker process imports Scrapy and the NLP stack on two busy cores.
WORKER_TIMEOUT = 240


def start_worker(config: Path, log: Path, *sources: str) -> subprocess.Popen[bytes]:
    """A worker on ``sources`` (every enabled source of ``config`` when none are named)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = ["crawl-worker", *sources, "--until-idle"]
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "yuqing.cli", "-c", str(config), *command],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def finish(
    workers: list[subprocess.Popen[bytes]], logs: list[Path], timeout: float = WORKER_TIMEOUT
) -> None:
    for worker, log in zip(workers, logs, strict=True):
        try:
            code = worker.wait(timeout)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            pytest.fail(f"a worker did not finish:\n{log.read_text(errors='replace')[-3000:]}")
        assert code in (0, -signal.SIGKILL), log.read_text(errors="replace")[-3000:]


def kill_leftovers(workers: list[subprocess.Popen[bytes]]) -> None:
    """A failed or timed-out test must not leave workers behind (they would wait for its
    Redis forever: an outage pauses a worker, it does not end it)."""
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)


def archived_urls(tmp_path: Path) -> list[str]:
    with open_archive(tmp_path / "archive.db", readonly=True) as archive:
        mentions = [m for _, m in archive.mentions_since(0, 100_000)]
    return [m.url.split("127.0.0.1", 1)[1].split(":", 1)[1].split("/", 1)[1] for m in mentions]
