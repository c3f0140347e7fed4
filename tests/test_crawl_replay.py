"""The replay spider on a real slice of the CED data set, through the real Scrapy engine and
pipelines into a real archive, under a simulated clock."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import stable_id
from core.clock import SimulatedClock
from core.settings import Settings
from crawlers.dates import parse_datetime
from crawlers.engine import CrawlEngine
from crawlers.replay import load_timeline
from tests.conftest import require_dataset
from yuqing.runner import Runner

START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
POSTS = 3


@pytest.fixture(scope="module")
def ced_slice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first posts of the real file, written to a temporary file (never into the repo)."""
    source = require_dataset("ced/ced_dev.jsonl.gz")
    target = tmp_path_factory.mktemp("ced") / "slice.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as lines, target.open("w") as out:
        for _, line in zip(range(POSTS), lines, strict=False):
            out.write(line)
    return target


def expected_records(path: Path) -> list[dict[str, Any]]:
    """Every record of the slice with its original time, read independently of the spider."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        mid = post["id"].split("_")[1]
        at = parse_datetime(post["time"], START)
        records.append({"mid": mid, "at": at, "parent": None, "text": post["text"]})
        for response in post["responses"]:
            when = parse_datetime(response["date"], at + timedelta(days=365))
            parent = response["parent"] or mid
            records.append(
                {"mid": response["mid"], "at": when, "parent": parent, "text": response["text"]}
            )
    return records


class Replay:
    def __init__(self, tmp_path: Path, path: Path, speed: float) -> None:
        self.clock = SimulatedClock(START)
        self.archive: Archive = open_archive(tmp_path / "replay.db")
        self.settings = Settings.model_validate(
            {
                "sources": [
                    {"name": "ced", "type": "replay", "path": str(path), "speed": speed,
                     "interval": "1m"}
                ]
            }
        )  # fmt: skip
        self.engine = CrawlEngine(self.settings, self.archive, self.clock)

    def run(self) -> None:
        (report,) = self.engine.crawl(self.settings.sources)
        assert not report.errors, report.errors

    def stored(self) -> dict[str, Any]:
        return {m.id: m for _, m in self.archive.mentions_since(0, 1_000_000)}

    def close(self) -> None:
        self.engine.close()
        self.archive.close()


@pytest.fixture
def replay(tmp_path: Path, ced_slice: Path) -> Iterator[Replay]:
    rig = Replay(tmp_path, ced_slice, speed=3600.0)
    yield rig
    rig.close()


def test_records_arrive_at_their_scaled_original_time(replay: Replay, ced_slice: Path) -> None:
    records = expected_records(ced_slice)
    first = min(r["at"] for r in records)
    span = max(r["at"] for r in records) - first
    # Five stops across the scaled span (an hour of recording is a second of replay).
    steps = [span / 3600 * f for f in (0, 0.001, 0.01, 0.2, 1.0)] + [span]
    for step in steps:
        replay.clock.set(START + step)
        replay.run()
        reached = first + (replay.clock.now() - START) * 3600
        want = {stable_id("weibo", r["mid"]) for r in records if r["at"] <= reached}
        stored = replay.stored()
        assert set(stored) == want
    for record in records:
        mention = replay.stored()[stable_id("weibo", record["mid"])]
        assert mention.published_at == START + (record["at"] - first) / 3600
        assert mention.extra["original_published_at"] == record["at"].isoformat()
        assert mention.text == (record["text"].strip() or "转发微博") or record["text"] != ""
        if record["parent"] is None:
            assert mention.kind == "post" and mention.parent_id is None
            assert mention.extra["label"] in ("rumor", "non-rumor")
        else:
            assert mention.kind == "repost"
            assert mention.parent_id == stable_id("weibo", record["parent"])


def test_a_run_adds_only_what_is_new_and_the_end_is_stable(replay: Replay) -> None:
    replay.run()  # the first run starts the play: only the first record is due
    assert len(replay.stored()) == 1
    replay.clock.set(START + timedelta(days=30))
    replay.run()
    total = len(replay.stored())
    state = replay.archive.ledger.get_source_state("ced").state["replay"]
    assert state["position"] == state["total"]
    # The recording holds a few records twice (same mid); the archive holds each once.
    assert total == len({r.mid for r in load_timeline(Path(state["path"])).records})
    replay.clock.advance(3600)
    (report,) = replay.engine.crawl(replay.settings.sources)
    assert report.items == 0 and not report.errors
    assert len(replay.stored()) == total


def test_runner_plays_a_replay_source(tmp_path: Path, ced_slice: Path) -> None:
    """The runner schedules replay sources like any other; the NLP stage reads them."""
    rig = Replay(tmp_path, ced_slice, speed=86400.0)
    try:
        runner = Runner(rig.settings, rig.archive, rig.clock)
        first = runner.tick()
        assert first.crawled == ["ced"] and first.new_mentions >= 1
        rig.clock.advance(3600)
        runner.tick()
        timeline = load_timeline(ced_slice)
        assert len(rig.stored()) == len({r.mid for r in timeline.records})
        assert rig.archive.ledger.get_source_state("ced").last_success_at is not None
    finally:
        runner.close()
        rig.close()


def test_bad_lines_and_undated_records_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = {
        "id": "0_abcDEF123_1001", "label": "rumor", "text": "某地自来水有毒，大家不要喝！",
        "time": 1347334462, "responses": [
            {"uid": "1", "text": "真的吗", "date": "2012-09-11 12:00:00", "mid": "r1",
             "parent": ""},
            {"uid": "2", "text": "谣言吧", "date": "上古时期", "mid": "r2", "parent": "r1"},
        ],
    }  # fmt: skip
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    rig = Replay(tmp_path, path, speed=60.0)
    try:
        (first,) = rig.engine.crawl(rig.settings.sources)
        rig.clock.set(START + timedelta(days=1))
        (report,) = rig.engine.crawl(rig.settings.sources)
        assert not first.errors and not report.errors
        assert first.new + report.new == 2
        assert first.rejected + report.rejected == 2
        rejects = {r.reason: r for r in rig.archive.ledger.list_rejects("ced")}
        assert any("上古时期" in reason for reason in rejects)
        (bad_line,) = [r for r in rejects.values() if r.record == "bad.jsonl:2"]
        assert "Expecting property name" in bad_line.reason
        # Kept aside once, not again every run.
        (third,) = rig.engine.crawl(rig.settings.sources)
        assert third.rejected == 0 and len(rig.archive.ledger.list_rejects("ced")) == 2
    finally:
        rig.close()


def test_yuqing_replay_plays_the_whole_pipeline(tmp_path: Path, ced_slice: Path) -> None:
    """`yuqing replay` under a simulated clock: every record stored and analysed."""
    import yaml
    from click.testing import CliRunner

    from yuqing.cli import main

    one_post = tmp_path / "one.jsonl"
    one_post.write_text(ced_slice.read_text(encoding="utf-8").splitlines()[0] + "\n")
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "archive": {"path": "replay.db"},
                "sources": [
                    {"name": "ced", "type": "replay", "path": str(one_post), "speed": 86400,
                     "interval": "10m"},
                ],
            }
        )
    )  # fmt: skip
    result = CliRunner().invoke(
        main, ["-c", str(config), "replay", "--start", "2026-11-16T08:00", "--step", "10m"]
    )
    assert result.exit_code == 0, result.output
    distinct = len({r.mid for r in load_timeline(one_post).records})
    assert f"new mentions {distinct};" in result.output
    assert f"analysed {distinct};" in result.output
    with open_archive(tmp_path / "replay.db") as archive:
        first = min(m.published_at for _, m in archive.mentions_since(0, 10_000))
        assert first == datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
