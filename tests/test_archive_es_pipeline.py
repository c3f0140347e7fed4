"""``yuqing run`` on the Elasticsearch archive, unchanged, through an outage of the cluster.

A real ``yuqing run`` subprocess crawls the real demo sites over HTTP into its own node; the
node is stopped mid-run and started again. The run must go on (crawled mentions wait in the
spool), and once it settles: every item a crawl of the same sites into SQLite stores is there
once, every mention is analysed, both stages' cursors are at the end, every alert opened its
obligations once and queued its notifications once, and the spool is empty.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from archive import open_archive
from archive.base import ArchiveError
from archive.es.backend import ElasticsearchArchive
from archive.es.spool import count_at
from archive.models import Mention
from archive.search import SearchRequest
from core.config import load_config
from tests.support.es_node import EsNode
from tests.support.runner_process import check_obligations_and_outbox, start_runner
from tests.support.settle import wait_until_settled
from yuqing.demo.records import load_corpus
from yuqing.demo.run import demo_config
from yuqing.demo.sites import DemoSites

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
FAR_FUTURE = datetime(2026, 11, 30, tzinfo=UTC)  # every demo item is visible
# Seconds without any change in the runner's archive before the test gives up on it; a change
# (a crawl stored, a pass analysed) starts the count again, so load slows the test, not fails it.
STALL_SECONDS = 120.0


def _config(folder: Path, base_url: str, archive: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = demo_config(base_url, folder)
    for source in config["sources"]:
        source["interval"] = "2s"
    config["runner"] = {"tick": "1s"}
    # Analyses (and the cursor) are written per batch: 500 mentions took over three minutes
    # to analyse on a loaded machine with nothing to see meanwhile; batches of 50 show the
    # runner's progress, which is what the waits below watch.
    config.setdefault("nlp", {})["batch_size"] = 50
    config["archive"] = archive
    path = folder / "yuqing.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _snapshot(config: Path) -> tuple[int, ...] | None:
    try:
        with open_archive(load_config(config).archive, readonly=True) as archive:
            stats = archive.stats()
            if "outage" in stats:
                return None
            return (
                stats["mentions"],
                stats["analyses"],
                stats["obligations"],
                stats["outbox"],
                archive.latest_position(),
                archive.ledger.get_cursor("analyze"),
                archive.ledger.get_cursor("alerts"),
                stats.get("spooled", 0),
            )
    except ArchiveError:
        return None  # not created yet, or the cluster is away


def _caught_up(expected: int) -> Callable[[tuple[int, ...]], bool]:
    """Every item the reference crawl stored is stored (a count reached, not a quiet time: a
    runner that has not yet crawled again after the outage looks quiet too), both stages have
    read up to the last position (an alert pass can take seconds) and nothing waits in the
    spool any more (a read-only archive counts the runner's spool)."""

    def check(snapshot: tuple[int, ...]) -> bool:
        stored, latest, analysed, alerted, spooled = (snapshot[i] for i in (0, 4, 5, 6, 7))
        return stored >= expected and latest == analysed == alerted and spooled == 0

    return check


def _run_until_quiet(
    config: Path, process: subprocess.Popen[bytes], log: Path, expected: int
) -> None:
    try:
        wait_until_settled(lambda: _snapshot(config), _caught_up(expected), stall=STALL_SECONDS)
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0, log.read_text(errors="replace")[-3000:]


def _wait_for(
    condition: Callable[[], bool], what: str, log: Path, limit: float = STALL_SECONDS
) -> None:
    """Poll ``condition``; fail naming ``what`` and the runner's log tail after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"{what}:\n{log.read_text(errors='replace')[-3000:]}"
        time.sleep(0.3)


def _facts(config: Path) -> dict[str, Any]:
    with open_archive(load_config(config).archive, readonly=True) as archive:
        request = SearchRequest(limit=1000)
        mentions: list[Mention] = []
        while True:
            result = archive.search(request)
            mentions.extend(hit.mention for hit in result.hits)
            if result.next_cursor is None:
                break
            request.after = result.next_cursor
        analyses = archive.get_analyses([m.id for m in mentions])
        obligations = archive.ledger.list_obligations()
        return {
            "ids": {m.id for m in mentions},
            "urls": [m.url for m in mentions],
            "count": archive.count_mentions(),
            "analysed": set(analyses),
            "cursor_at_end": archive.ledger.get_cursor("analyze") == archive.latest_position(),
            "obligations": [(o.kind, o.subject) for o in obligations],
            "is_es": isinstance(archive, ElasticsearchArchive),
        }


def test_yuqing_run_on_elasticsearch_rides_out_an_outage(
    es_own_node: EsNode, tmp_path: Path
) -> None:
    # The sites' clock: every item for the reference crawl; then the runner first sees the
    # older half, and the newer half appears while the cluster is away, so that the outage
    # always meets writes (with every item served at once, one pass could store them all
    # before the node stopped, and no outage was seen).
    visible = {"until": FAR_FUTURE}
    with DemoSites(load_corpus(), lambda: visible["until"]) as sites:
        # The reference: one crawl of the same sites into SQLite gives the items to expect.
        reference = _config(tmp_path / "sqlite", sites.base_url, {"path": "yuqing.db"})
        done = subprocess.run(
            [sys.executable, "-m", "yuqing.cli", "-c", str(reference), "crawl"],
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        expected = _facts(reference)

        es_archive = {
            "backend": "elasticsearch",
            "hosts": [es_own_node.url],
            "path": "ledger.db",
            "index_prefix": f"pipeline{uuid.uuid4().hex[:8]}",
            "replicas": 0,
        }
        config = _config(tmp_path / "es", sites.base_url, es_archive)
        log = tmp_path / "es.log"
        visible["until"] = sites.records[len(sites.records) // 2].published
        spool_file = tmp_path / "es" / "ledger.db.spool"
        process = start_runner(config, log)
        try:
            _wait_for(lambda: (_snapshot(config) or (0,))[0] > 0, "the runner stored nothing", log)
            es_own_node.stop()
            visible["until"] = FAR_FUTURE  # the runner keeps crawling while the node is away
            _wait_for(
                lambda: count_at(spool_file) > 0,
                "the runner stored nothing in the spool",
                log,
                limit=60,
            )
            es_own_node.start()
        except BaseException:
            process.kill()
            process.wait(timeout=60)
            raise
        _run_until_quiet(config, process, log, len(expected["ids"]))

    output = log.read_text(errors="replace")
    assert "wait in the spool" in output, "no mention went to the spool: no outage was seen"
    got = _facts(config)
    assert got["is_es"] and not expected["is_es"]
    assert got["ids"] == expected["ids"], (
        f"lost {len(expected['ids'] - got['ids'])}, extra {len(got['ids'] - expected['ids'])}"
    )
    assert got["count"] == len(got["ids"]) == len(got["urls"]) == len(set(got["urls"]))
    assert got["analysed"] == got["ids"] and got["cursor_at_end"]
    assert len(got["obligations"]) == len(set(got["obligations"]))
    with open_archive(load_config(config).archive, readonly=True) as archive:
        check_obligations_and_outbox(archive, yaml.safe_load(config.read_text(encoding="utf-8")))
    spool = sqlite3.connect(tmp_path / "es" / "ledger.db.spool")
    assert spool.execute("SELECT count(*) FROM spool").fetchone()[0] == 0
    spool.close()
