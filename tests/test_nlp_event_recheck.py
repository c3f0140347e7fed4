"""Posts published before their event forms are judged again when it does (issue 16): a
witness naming the road before any report, and a repost of it, join the accident's event once
two reports name the road; a post naming another road, or the road half a day earlier, does
not; and a restarted pipeline, or one fed in other batches, decides the same."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from archive import open_archive
from archive.base import Archive
from archive.models import stable_id
from core.settings import NlpSettings, Settings
from nlp import stage
from nlp.stage import analyze_new
from tests.support.nlp_stage_run import mention, run

# Everyday words only (nothing the domain lexicon holds): judged alone, relevant to nothing.
WITNESS = mention(
    "w1", "我的天，滨河路那边“轰”一下，我们店里玻璃都震碎了，整条街的人都跑出来了", 0.0
)
REPOST = mention(
    "w2", "我就在隔壁，吓死了//@路人甲:我的天，滨河路那边“轰”一下", 0.1, kind="repost", parent="w1"
)
ELSEWHERE = mention("w3", "青年路今天早上堵得一塌糊涂，公交二十分钟没挪窝", 0.2)
EARLIER = mention("w4", "滨河路那家新开的面馆味道不错，排队的人好多", -12.0)
# The reports, an hour later: both name the road, and the second makes it the event's place.
REPORTS = [
    mention(
        "r1",
        "【快讯】今天10时许，滨河路一餐馆液化气钢瓶发生爆炸，消防、急救力量已到场，有人员受伤。",
        1.0,
    ),
    mention(
        "r2",
        "【警情通报】10时05分，江州市消防救援支队接警，滨河路一餐馆发生液化气钢瓶爆炸，"
        "现场3人受伤送医，事故原因正在调查。",
        1.2,
    ),
]
ITEMS = [EARLIER, WITNESS, REPOST, ELSEWHERE, *REPORTS]


def test_a_witness_before_the_reports_joins_once_they_name_its_road(archive: Archive) -> None:
    run(archive, ITEMS)
    analyses = archive.get_analyses([m.id for m in ITEMS])
    story = stable_id("event", "r1")
    assert analyses["r2"].event_id == story
    assert analyses["w1"].relevant and analyses["w1"].event_id == story
    assert "关联事件：进行中事件的同一地点“滨河路”" in [r.text for r in analyses["w1"].reasons]
    assert analyses["w2"].event_id == story
    assert analyses["w3"].event_id is None
    assert analyses["w4"].event_id is None


@pytest.mark.parametrize("batch_size", [1, 2])
def test_the_same_whatever_the_batches_and_restarts(tmp_path: Path, batch_size: int) -> None:
    ids = [m.id for m in ITEMS]

    def snapshot(archive: Archive) -> dict[str, Any]:
        return {k: asdict(v)["event_id"] for k, v in archive.get_analyses(ids).items()}

    with open_archive(tmp_path / "whole.db") as archive:
        run(archive, ITEMS)
        whole = snapshot(archive)
    with open_archive(tmp_path / "parts.db") as archive:
        archive.upsert_mentions(ITEMS)
        settings = Settings(nlp=NlpSettings(batch_size=batch_size))
        from datetime import timedelta

        from core.clock import SimulatedClock
        from tests.conftest import T0

        clock = SimulatedClock(T0 + timedelta(hours=10))
        while analyze_new(archive, settings, clock, limit=batch_size).processed:
            stage.forget(archive)  # as if the process restarted between runs
        assert snapshot(archive) == whole
