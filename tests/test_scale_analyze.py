"""Analysis workers (issue 20): two ``yuqing analyze-worker`` processes over a replay of the
demo corpus (news, notices, Weibo posts and comments) give the same analyses and events as
the one-process stage; a helper's prepared texts are used by the leaseholder; a lease left
by a dead worker is taken over from the durable cursor."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive import open_archive
from archive.base import Archive
from archive.models import Mention
from core.clock import SimulatedClock
from core.config import load_config
from nlp.stage import CURSOR, analyze_new, forget
from tests.support.demo_mentions import demo_mentions
from tests.support.redis_server import RedisServer, redis_server_fixture
from yuqing.analyze_worker import AnalyzeWorker

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
redis_server = pytest.fixture(redis_server_fixture)


@pytest.fixture(scope="module")
def replay() -> list[Mention]:
    return demo_mentions()


def config(tmp_path: Path, server: RedisServer, name: str, batch: int = 20) -> Path:
    data = {
        "archive": {"path": str(tmp_path / f"{name}.db")},
        "redis": {"url": server.url, "prefix": name},
        "nlp": {"batch_size": batch},
    }
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def snapshot(archive: Archive) -> tuple[dict[str, Any], dict[str, Any]]:
    ids = [m.id for _, m in archive.mentions_since(0, 100_000)]
    analyses = {k: asdict(v) for k, v in archive.get_analyses(ids).items()}
    events = {e.id: asdict(e) for e in archive.list_events(limit=10_000)}
    return analyses, events


def one_process(tmp_path: Path, server: RedisServer, replay: list[Mention]) -> tuple[Any, Any]:
    settings = load_config(config(tmp_path, server, "single"))
    with open_archive(settings.archive) as archive:
        archive.upsert_mentions(replay)
        analyze_new(archive, settings, SimulatedClock(AS_OF))
        return snapshot(archive)


def test_two_worker_processes_equal_one(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    expected = one_process(tmp_path, redis_server, replay)
    path = config(tmp_path, redis_server, "pair")
    with open_archive(tmp_path / "pair.db") as archive:
        archive.upsert_mentions(replay)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "yuqing.cli", "-c", str(path), "analyze-worker"]
    command += ["--until-idle", "--as-of", AS_OF.strftime("%Y-%m-%dT%H:%M:%S%z")]
    workers = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=600)[0].decode(errors="replace") for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    with open_archive(tmp_path / "pair.db", readonly=True) as archive:
        assert archive.ledger.get_cursor(CURSOR) > 0
        got = snapshot(archive)
    assert len(got[0]) == len(replay) and got[1]
    assert got == expected


def test_prepared_texts_are_used_and_change_nothing(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    expected = one_process(tmp_path, redis_server, replay)
    settings = load_config(config(tmp_path, redis_server, "helped"))
    clock = SimulatedClock(AS_OF)
    with open_archive(settings.archive) as leader_archive, open_archive(settings.archive) as other:
        leader_archive.upsert_mentions(replay)
        leader = AnalyzeWorker(settings, leader_archive, clock)
        helper = AnalyzeWorker(settings, other, clock)
        assert leader.holds_lease() and not helper.holds_lease()
        # The helper prepares the batches after the leaseholder's, one claim each.
        prepared = sum(helper.help() for _ in range(3))
        assert prepared == 3 * settings.nlp.batch_size
        taken: list[int] = []
        original = leader._take_prepared

        def counting(analyzer: Any, mentions: Any) -> None:
            before = len(analyzer._texts)
            original(analyzer, mentions)
            taken.append(len(analyzer._texts) - before)

        leader._take_prepared = counting  # type: ignore[method-assign]
        while leader.lead():
            pass
        # The texts of the prepared batches came from Redis, not from the leader's own work.
        assert sum(taken) > 0
        got = snapshot(leader_archive)
    assert got == expected


def test_a_dead_leaseholders_work_is_taken_over(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    expected = one_process(tmp_path, redis_server, replay)
    settings = load_config(config(tmp_path, redis_server, "takeover"))
    clock = SimulatedClock(AS_OF)
    with open_archive(settings.archive) as first_archive, open_archive(settings.archive) as second:
        first_archive.upsert_mentions(replay)
        first = AnalyzeWorker(settings, first_archive, clock, lease_seconds=1.5)
        second_worker = AnalyzeWorker(settings, second, clock, lease_seconds=1.5)
        assert first.step() > 0  # the first worker leads two batches, then "dies"
        assert first.step() > 0
        assert not second_worker.holds_lease()
        forget(first_archive)
        deadline = time.monotonic() + 30
        while not second_worker.holds_lease() and time.monotonic() < deadline:
            time.sleep(0.2)
        second_worker.run(until_idle=True)
        assert second_worker.report.analysed > 0
        got = snapshot(second)
    assert got == expected
