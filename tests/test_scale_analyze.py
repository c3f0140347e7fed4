"""Analysis workers (issue 20): two ``yuqing analyze-worker`` processes over a replay of the
demo corpus (news, notices, Weibo posts and comments) give the same analyses and events as
the one-process stage; a helper's prepared texts are used by the leaseholder; a lease left
by a dead worker is taken over from the durable cursor."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
from nlp.stage import CURSOR, analyze_new, analyzer_for, forget
from tests.support.demo_mentions import demo_mentions
from tests.support.redis_server import RedisServer
from yuqing import analyze_worker
from yuqing.analyze_worker import CHUNKS, LOOKAHEAD, AnalyzeWorker, _chunks

REPO = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


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


@contextmanager
def two_workers(
    tmp_path: Path, server: RedisServer, replay: list[Mention], name: str, **options: Any
) -> Iterator[tuple[AnalyzeWorker, AnalyzeWorker]]:
    """Two workers of one configuration, each on its own connection to the archive that
    holds the replay."""
    settings = load_config(config(tmp_path, server, name))
    clock = SimulatedClock(AS_OF)
    with open_archive(settings.archive) as one, open_archive(settings.archive) as other:
        one.upsert_mentions(replay)
        yield (
            AnalyzeWorker(settings, one, clock, **options),
            AnalyzeWorker(settings, other, clock, **options),
        )


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
    with two_workers(tmp_path, redis_server, replay, "helped") as (leader, helper):
        assert leader.holds_lease() and not helper.holds_lease()
        # The helper prepares the LOOKAHEAD batches after the leaseholder's, chunk by chunk;
        # asked again, it finds every chunk claimed.
        prepared = helper.help()
        assert prepared == LOOKAHEAD * leader.settings.nlp.batch_size
        assert helper.help() == 0
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
        got = snapshot(leader.archive)
    assert got == expected


def test_a_dead_leaseholders_work_is_taken_over(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    expected = one_process(tmp_path, redis_server, replay)
    workers = two_workers(tmp_path, redis_server, replay, "takeover", lease_seconds=1.5)
    with workers as (first, second_worker):
        assert first.step() > 0  # the first worker leads two batches, then "dies"
        assert first.step() > 0
        assert not second_worker.holds_lease()
        forget(first.archive)
        deadline = time.monotonic() + 30
        while not second_worker.holds_lease() and time.monotonic() < deadline:
            time.sleep(0.2)
        second_worker.run(until_idle=True)
        assert second_worker.report.analysed > 0
        got = snapshot(second_worker.archive)
    assert got == expected


def test_helpers_share_the_batches_by_chunks_without_overlap(
    tmp_path: Path,
    redis_server: RedisServer,
    replay: list[Mention],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two helpers at once claim each chunk of the window once between them, and every
    prepared text reaches the leaseholder: all but its own first batch's."""
    # Claims that outlive a slow run here, so that each chunk is claimed once, not again
    # after its claim ends (which only finds the texts present).
    monkeypatch.setattr(analyze_worker, "CLAIM_MS", 600_000)
    expected = one_process(tmp_path, redis_server, replay)
    with two_workers(tmp_path, redis_server, replay, "chunks") as (leader, helper):
        assert leader.holds_lease()
        with open_archive(leader.settings.archive) as third:
            other = AnalyzeWorker(leader.settings, third, leader.clock)
            done: list[int] = []
            threads = [
                threading.Thread(target=lambda w=w: done.append(w.help())) for w in (helper, other)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            batch = leader.settings.nlp.batch_size
            assert sum(done) == LOOKAHEAD * batch
            claims = list(leader.server.scan_iter(f"{leader.prefix}:prep:*"))
            assert len(claims) == LOOKAHEAD * CHUNKS
            owners = {leader.server.get(key) for key in claims}
            assert owners <= {helper.worker.encode(), other.worker.encode()}
            for _ in range(LOOKAHEAD + 1):
                leader.lead()
        # Its first batch the leaseholder prepared itself (but for texts repeated in the
        # window, already in Redis); the next LOOKAHEAD batches' texts all came from Redis.
        report = leader.report
        stored = [m for _, m in leader.archive.mentions_since(0, (LOOKAHEAD + 1) * batch)]
        first = {(m.title, m.text) for m in stored[:batch]}
        window = {(m.title, m.text) for m in stored[batch:]}
        assert report.texts_taken == len(window) and report.texts_wanted == len(first | window)
        while leader.lead():
            pass
        got = snapshot(leader.archive)
    assert got == expected


def test_the_leaseholder_computes_no_part_of_a_prepared_text(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    """A helper computes the parts of a text the leaseholder will read (parts_needed): of the
    texts it prepared, the leaseholder computes nothing more, except for a mention not
    relevant by its words that joined an event by a link (what the text cannot tell)."""
    with two_workers(tmp_path, redis_server, replay, "parts") as (leader, helper):
        assert leader.holds_lease()
        helper.help()
        taken: dict[tuple[str, str], set[str]] = {}
        original = leader._take_prepared

        def noting(analyzer: Any, mentions: Any) -> None:
            before = set(analyzer._texts)
            original(analyzer, mentions)
            for key in set(analyzer._texts) - before:
                taken[key] = set(vars(analyzer._texts[key]))

        leader._take_prepared = noting  # type: ignore[method-assign]
        for _ in range(LOOKAHEAD + 1):
            leader.lead()
        assert taken
        texts = analyzer_for(leader.archive, leader.settings)._texts
        analyses = leader.archive.get_analyses([m.id for m in replay])
        threshold = leader.settings.nlp.relevance_threshold
        batch = leader.settings.nlp.batch_size
        checked = 0
        for _, mention in leader.archive.mentions_since(0, (LOOKAHEAD + 1) * batch)[batch:]:
            key = (mention.title, mention.text)
            if key not in taken:
                continue
            more = set(vars(texts[key])) - taken[key]
            linked = analyses[mention.id].relevant and (texts[key].relevance.score < threshold)
            assert not more or linked, (mention.id, more)
            checked += 1
        assert checked > batch


@pytest.mark.parametrize("helper_lives", [True, False])
def test_the_leaseholder_waits_for_a_chunk_a_helper_is_on(
    tmp_path: Path,
    redis_server: RedisServer,
    replay: list[Mention],
    monkeypatch: pytest.MonkeyPatch,
    helper_lives: bool,
) -> None:
    """A chunk of the leaseholder's batch claimed by a helper still computing it: the
    leaseholder takes it from Redis once the helper is done rather than computing it too; a
    helper that dies holding the claim costs the claim's time, and the leaseholder computes
    the chunk itself. The analyses and events are the same either way."""
    monkeypatch.setattr(analyze_worker, "CLAIM_MS", 1_500)
    expected = one_process(tmp_path, redis_server, replay)
    name = f"wait{int(helper_lives)}"
    with two_workers(tmp_path, redis_server, replay, name, lease_seconds=60) as (leader, helper):
        assert leader.holds_lease()
        batch = leader.settings.nlp.batch_size
        rows = leader.archive.mentions_since(0, batch)
        chunk = _chunks(rows, CHUNKS)[1]
        assert helper._claim(f"{leader.prefix}:prep:{chunk[0][0]}:{chunk[-1][0]}")
        texts = {(m.title, m.text) for _, m in chunk} - {
            (m.title, m.text) for _, m in rows[: len(_chunks(rows, CHUNKS)[0])]
        }
        late = threading.Timer(
            0.3,
            helper._prepare,
            args=(analyzer_for(helper.archive, helper.settings), [m for _, m in chunk]),
        )
        if helper_lives:
            late.start()
        assert leader.lead() == batch
        if helper_lives:
            late.join()
        taken = leader.report.texts_taken
        assert taken == (len(texts) if helper_lives else 0)
        while leader.lead():
            pass
        got = snapshot(leader.archive)
    assert got == expected


def test_the_leaseholder_computes_its_own_chunks_before_waiting(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    """While a helper is on a chunk of the leaseholder's batch, the leaseholder claims and
    computes the batch's other chunks first and only then waits for the helper's (waiting
    first, it idled while the helper went on to claim the next chunk too)."""
    with two_workers(tmp_path, redis_server, replay, "own", lease_seconds=60) as (leader, helper):
        assert leader.holds_lease()
        rows = leader.archive.mentions_since(0, leader.settings.nlp.batch_size)
        chunks = _chunks(rows, CHUNKS)
        theirs = chunks[1]
        assert helper._claim(f"{leader.prefix}:prep:{theirs[0][0]}:{theirs[-1][0]}")
        mine = {(m.title, m.text) for chunk in chunks if chunk is not theirs for _, m in chunk}
        waiting = {(m.title, m.text) for _, m in theirs} - mine
        cache = analyzer_for(leader.archive, leader.settings)._texts
        seen: list[bool] = []  # per look for the helper's chunk: were all of mine computed?
        original = leader._take

        def noting(into: Any, wanted: dict[str, Mention]) -> None:
            if {(m.title, m.text) for m in wanted.values()} & waiting:
                seen.append(mine <= set(cache))
            original(into, wanted)

        leader._take = noting  # type: ignore[method-assign]
        late = threading.Timer(
            0.5,
            helper._prepare,
            args=(analyzer_for(helper.archive, helper.settings), [m for _, m in theirs]),
        )
        late.start()
        leader.lead()
        late.join()
        # Looked for once while claiming (not there), then only with its own chunks done.
        assert len(seen) >= 2 and seen[0] is False and all(seen[1:])
        assert leader.report.texts_taken == len(waiting)


def test_the_leaseholder_works_ahead_while_a_helper_finishes_a_chunk(
    tmp_path: Path, redis_server: RedisServer, replay: list[Mention]
) -> None:
    """With nothing of its batch left but a chunk a helper is on, the leaseholder claims the
    next batch's chunks and computes their texts into its own cache rather than idle; the
    helper then leaves those chunks, and the results are one process's."""
    expected = one_process(tmp_path, redis_server, replay)
    with two_workers(tmp_path, redis_server, replay, "ahead", lease_seconds=60) as (
        leader,
        helper,
    ):
        assert leader.holds_lease()
        batch = leader.settings.nlp.batch_size
        rows = leader.archive.mentions_since(0, 2 * batch)
        chunks = _chunks(rows[:batch], CHUNKS)
        for chunk in chunks[:-1]:  # the leaseholder's batch is all prepared but one chunk
            helper._prepare(analyzer_for(helper.archive, helper.settings), [m for _, m in chunk])
        theirs = chunks[-1]
        assert helper._claim(f"{leader.prefix}:prep:{theirs[0][0]}:{theirs[-1][0]}")
        late = threading.Timer(
            1.0,
            helper._prepare,
            args=(analyzer_for(helper.archive, helper.settings), [m for _, m in theirs]),
        )
        late.start()
        assert leader.lead() == batch
        late.join()
        cache = analyzer_for(leader.archive, leader.settings)._texts
        following = _chunks(rows[batch:], CHUNKS)
        for chunk in following:
            claim = f"{leader.prefix}:prep:{chunk[0][0]}:{chunk[-1][0]}"
            assert leader.server.get(claim) == leader.worker.encode()
            assert all((m.title, m.text) in cache for _, m in chunk)
            assert not helper._claim(claim)  # a helper goes past it
        while leader.lead():
            pass
        got = snapshot(leader.archive)
    assert got == expected


def test_a_helper_reads_only_the_rows_new_to_its_window(
    tmp_path: Path,
    redis_server: RedisServer,
    replay: list[Mention],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A helper keeps its window between looks: after the leaseholder's batch it reads the one
    batch that entered the window, prepares it, and looks at no chunk twice."""
    with two_workers(tmp_path, redis_server, replay, "window", lease_seconds=60) as (
        leader,
        helper,
    ):
        assert leader.holds_lease()
        batch = leader.settings.nlp.batch_size
        assert helper.help() == LOOKAHEAD * batch
        read: list[int] = []
        original = helper.archive.mentions_since

        def counting(position: int, limit: int) -> list[tuple[int, Mention]]:
            rows = original(position, limit)
            read.append(len(rows))
            return rows

        monkeypatch.setattr(helper.archive, "mentions_since", counting)
        claims: list[str] = []
        monkeypatch.setattr(helper, "_claim", lambda key: claims.append(key) or True)
        assert helper.help() == 0 and not claims and read == []
        assert leader.lead() == batch
        assert helper.help() == batch
        assert read == [batch] and len(claims) == CHUNKS
