"""``kill -9`` of ``yuqing run`` at any moment, then a restart: nothing lost, nothing doubled.

A real subprocess crawls the real demo sites over HTTP while the test kills it at random
points (seeded), restarts it, and finally lets it finish and stops it with SIGTERM. Invariants
checked on the archive afterwards:
- every item the sites serve is stored exactly once (ids and URLs unique);
- every stored mention was analysed (no mention skipped by a cursor);
- every alert's rule opened each of its obligations, and every notification (an alert's,
  its obligations folded in) was queued exactly once per recipient and channel.
"""

from __future__ import annotations

import random
import signal
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive import open_archive
from archive.base import Archive, ArchiveError
from archive.models import Mention
from archive.search import SearchRequest
from tests.support.runner_process import check_obligations_and_outbox, start_runner
from tests.support.settle import wait_until_settled
from yuqing.demo.records import load_corpus
from yuqing.demo.run import demo_config
from yuqing.demo.sites import DemoSites

pytestmark = pytest.mark.slow

FAR_FUTURE = datetime(2026, 11, 30, tzinfo=UTC)  # every demo item is visible


def _snapshot(path: Path) -> tuple[int, ...]:
    with open_archive(path, readonly=True) as archive:
        stats = archive.stats()
        return (
            stats["mentions"],
            stats["analyses"],
            stats["obligations"],
            stats["outbox"],
            archive.latest_position(),
            archive.ledger.get_cursor("analyze"),
            archive.ledger.get_cursor("alerts"),
        )


def wait_until_quiet(config: Path, settle: float = 6.0, timeout: float = 240.0) -> None:
    """Wait until the runner's archive has stopped changing and every stage has caught up."""
    path = config.parent / "yuqing.db"

    def snapshot() -> tuple[int, ...] | None:
        if not path.exists():
            return None
        try:
            return _snapshot(path)
        except ArchiveError:
            # The runner has created the file but not yet its schema (a reader opening it in
            # between sees version 0): look again on the next poll.
            return None

    def caught_up(found: tuple[int, ...]) -> bool:
        return found[0] > 0 and found[4] == found[5] == found[6]

    wait_until_settled(snapshot, caught_up, settle, timeout)


def write_config(base_url: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    folder.mkdir(parents=True, exist_ok=True)
    config = demo_config(base_url, folder)
    for source in config["sources"]:
        source["interval"] = "2s"
    config["runner"] = {"tick": "1s"}
    path = folder / "yuqing.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path, config


def run_to_quiet(config: Path, log: Path) -> None:
    process = start_runner(config, log)
    try:
        wait_until_quiet(config)
    finally:
        process.send_signal(signal.SIGTERM)  # a clean stop, as an operator would
        code = process.wait(timeout=60)
    assert code == 0, log.read_text(errors="replace")[-3000:]


def all_mentions(archive: Archive) -> list[Mention]:
    request = SearchRequest(limit=1000)
    mentions: list[Mention] = []
    while True:
        result = archive.search(request)
        mentions.extend(hit.mention for hit in result.hits)
        if result.next_cursor is None:
            return mentions
        request.after = result.next_cursor


def test_kill_dash_nine_then_restart_loses_and_doubles_nothing(tmp_path: Path) -> None:
    corpus = load_corpus()
    rng = random.Random(20261123)
    with DemoSites(corpus, lambda: FAR_FUTURE) as sites:
        reference_config, _ = write_config(sites.base_url, tmp_path / "reference")
        run_to_quiet(reference_config, tmp_path / "reference.log")

        path, config = write_config(sites.base_url, tmp_path / "killed")
        log = tmp_path / "runner.log"
        for _ in range(5):
            process = start_runner(path, log)
            time.sleep(rng.uniform(1.5, 6.0))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        run_to_quiet(path, log)

    with open_archive(tmp_path / "reference" / "yuqing.db", readonly=True) as reference:
        expected = {m.id for m in all_mentions(reference)}
        expected_obligations = {o.kind for o in reference.ledger.list_obligations()}
    with open_archive(path.parent / "yuqing.db", readonly=True) as archive:
        mentions = all_mentions(archive)
        stored = {m.id for m in mentions}
        assert stored == expected, (
            f"lost {len(expected - stored)}, extra {len(stored - expected)} mentions"
        )
        urls = [m.url for m in mentions]
        assert len(urls) == len(set(urls)), "an item was stored twice"
        assert len(mentions) == archive.count_mentions()
        analyses = archive.get_analyses([m.id for m in mentions])
        assert set(analyses) == stored, "a mention was never analysed"
        assert archive.ledger.get_cursor("analyze") == archive.latest_position()
        check_obligations_and_outbox(archive, config)
        kinds = {o.kind for o in archive.ledger.list_obligations()}
        assert kinds == expected_obligations, "a kind of obligation was lost"
