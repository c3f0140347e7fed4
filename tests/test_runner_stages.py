"""The runner ticks the stages it is given (the backtest ticks analysis and rules only), in the
order of ``STAGES``, and refuses a stage it does not know."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive import open_archive
from core.clock import SimulatedClock
from core.config import load_config
from tests.support.reload_config import ADDED_SOURCE, BASE, NOW, write
from yuqing.runner import STAGES, Runner


def test_an_unknown_stage_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    write(config, BASE, 0)
    settings = load_config(config)
    with open_archive(settings.archive) as archive, pytest.raises(ValueError) as caught:
        Runner(settings, archive, SimulatedClock(NOW), stages=("analyze", "crawel"))
    assert "unknown runner stages ['crawel']" in str(caught.value)


def test_a_stage_left_out_does_not_run(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    write(config, BASE, 0)
    settings = load_config(config)
    without_config = [s for s in STAGES if s != "config"]
    with open_archive(settings.archive) as archive:
        runner = Runner(settings, archive, SimulatedClock(NOW), stages=without_config)
        write(config, BASE + ADDED_SOURCE, 1)
        assert runner.tick().reloaded == []
        assert [s.name for s in runner.settings.sources] == ["feed-a"]
        runner.stages = frozenset(STAGES)
        assert runner.tick().reloaded == ["sources"]
