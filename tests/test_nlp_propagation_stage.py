"""Propagation figures computed by the analysis stage and stored with the event (issue 19), on
a real SQLite archive: stored on the first batch, updated as a later batch brings reposts,
the same after a restart, kept through a refresh, and read back by the command, the alert's
evidence and the 专报 while current."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.spread import spread_reasons
from archive import Archive, open_archive
from archive.models import Event, Mention
from core.clock import SimulatedClock
from core.settings import Settings
from nlp import propagation_stage
from nlp.propagation import build_cascade
from nlp.propagation_figures import Figures, cascade_figures
from nlp.propagation_read import cascade_mentions, stored_figures
from nlp.stage import analyze_new, forget, refresh_events
from tests.support.propagation_posts import T0, weibo

TEXT = "江州市万达广场电梯突然停运，十余名顾客被困半小时，市场监管局已介入调查"
FIRST = [
    weibo("r", "江州发布", 0, text=TEXT, kind="post", metrics={"verified_type": 1}),
    weibo("a", "小李", 5, "r", text="转发//@江州发布:" + TEXT),
]
# 甲, 乙, 丙 repost 小李's repost (Weibo's form: the root as parent, 小李 in the chain).
LATER = [
    weibo("b", "甲", 9, "r", text="太吓人了//@小李:转发"),
    weibo("c", "乙", 11, "r", text="电梯要查//@小李:转发"),
    weibo("d", "丙", 13, "r", text="转//@小李:转发"),
]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "a.db"


@pytest.fixture
def archive(path: Path) -> Iterator[Archive]:
    with open_archive(path) as opened:
        yield opened


def _run(archive: Archive, mentions: list[Mention], minutes: int) -> None:
    archive.upsert_mentions(mentions)
    analyze_new(archive, Settings(), SimulatedClock(T0 + timedelta(minutes=minutes)))


def _event(archive: Archive) -> Event:
    [event] = archive.list_events()
    return event


def _from_scratch(archive: Archive, event_id: str) -> dict[str, Any]:
    """The figures ``yuqing propagation`` computes on demand from the archive."""
    _, mentions = cascade_mentions(archive, event_id)
    top = propagation_stage.STORED_TOP
    return cascade_figures(build_cascade(mentions), top=top).to_json()


def test_the_stage_stores_figures_and_updates_them_as_reposts_arrive(archive: Archive) -> None:
    _run(archive, FIRST, 6)
    event = _event(archive)
    assert event.mention_count == 2 and event.propagation is not None
    assert event.propagation["mention_count"] == 2
    assert event.propagation["computed_at"] == (T0 + timedelta(minutes=6)).isoformat()
    figures = event.propagation["figures"]
    assert (figures["nodes"], figures["edges"], figures["depth"]) == (2, 1, 1)
    assert figures["first_source"]["author"] == "江州发布"

    _run(archive, LATER, 20)
    event = _event(archive)
    assert event.mention_count == 5 and event.propagation is not None
    assert event.propagation["mention_count"] == 5
    figures = event.propagation["figures"]
    # 小李's three reposts hang under 小李: depth 2, and 小李 brought in three.
    assert (figures["nodes"], figures["edges"], figures["depth"]) == (5, 4, 2)
    by_author = {s["author"]: s for s in figures["spreaders"]}
    assert by_author["江州发布"]["brought_in"] == 4 and by_author["小李"]["brought_in"] == 3
    # Incremental figures equal those built from scratch from the archive.
    assert figures == _from_scratch(archive, event.id)


def test_a_restart_rebuilds_the_cascades_from_the_archive(path: Path) -> None:
    with open_archive(path) as archive:
        _run(archive, FIRST, 6)
    # A new process: a new archive object, nothing held in memory.
    with open_archive(path) as archive:
        assert not propagation_stage.tracker_for(archive).held
        _run(archive, LATER, 20)
        event = _event(archive)
        held = propagation_stage.tracker_for(archive).held[event.id]
        # The two members read back from the archive, the three of the batch added.
        assert len(held.builder.mentions) == 5 and len(held.members) == 5
        assert event.propagation is not None
        assert event.propagation["figures"] == _from_scratch(archive, event.id)
        # Dropping the state mid-run (a failed batch) rebuilds it as well.
        forget(archive)
        _run(archive, [weibo("e", "丁", 15, "r", text="转发//@甲:太吓人了//@小李:转发")], 30)
        event = _event(archive)
        assert event.propagation is not None and event.propagation["mention_count"] == 6
        assert event.propagation["figures"]["depth"] == 3
        assert event.propagation["figures"] == _from_scratch(archive, event.id)


def test_a_refresh_keeps_the_stored_figures(path: Path) -> None:
    with open_archive(path) as archive:
        _run(archive, [*FIRST, *LATER], 20)
        stored = _event(archive).propagation
        assert stored is not None
        [refreshed] = refresh_events(archive, Settings(), SimulatedClock(T0 + timedelta(hours=1)))
        assert refreshed.propagation == stored and _event(archive).propagation == stored
    # Also from a process that never analysed (the figures come from the archive).
    with open_archive(path) as archive:
        [refreshed] = refresh_events(archive, Settings(), SimulatedClock(T0 + timedelta(hours=2)))
        assert refreshed.propagation == stored and _event(archive).propagation == stored


def test_figures_read_back_from_json_are_the_figures() -> None:
    figures = cascade_figures(build_cascade([*FIRST, *LATER]))
    again = Figures.from_json(json.loads(json.dumps(figures.to_json())))
    assert again == figures


# ---- readers --------------------------------------------------------------------------------


def _marked(archive: Archive) -> Event:
    """The analysed event with its stored figures altered where nothing computes them so:
    a reader showing the mark read the stored figures."""
    event = _event(archive)
    assert event.propagation is not None
    figures = event.propagation["figures"]
    figures["first_source"]["author"] = "存储的首发"
    figures["spreaders"][0]["author"] = "存储的传播者"
    figures["depth"] = 7
    archive.upsert_event(event)
    return event


def test_stored_figures_are_read_while_the_event_has_not_grown(archive: Archive) -> None:
    _run(archive, [*FIRST, *LATER], 20)
    event = _marked(archive)
    figures = stored_figures(event)
    assert figures is not None and figures.depth == 7
    assert stored_figures(replace(event, mention_count=6)) is None
    assert stored_figures(replace(event, propagation=None)) is None
    broken = replace(event, propagation={"mention_count": 5, "figures": {"nodes": 1}})
    assert stored_figures(broken) is None


def test_the_alert_evidence_uses_stored_figures_while_current(archive: Archive) -> None:
    _run(archive, [*FIRST, *LATER], 20)
    event = _marked(archive)
    lines = [r.text for r in spread_reasons(archive, event.id)]
    assert lines[0].startswith("首发：存储的首发")
    assert lines[1].startswith("主要传播者：存储的传播者")
    # The event grew (a member the analysis has not yet figured in): computed on demand.
    archive.upsert_event(replace(event, mention_count=6))
    lines = [r.text for r in spread_reasons(archive, event.id)]
    assert lines[0].startswith("首发：江州发布") and lines[1].startswith("主要传播者：江州发布")


def test_the_command_uses_stored_figures_unless_asked_otherwise(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from yuqing.cli import main

    config = tmp_path / "yuqing.yaml"
    config.write_text("archive:\n  path: a.db\n", encoding="utf-8")
    with open_archive(tmp_path / "a.db") as archive:
        _run(archive, [*FIRST, *LATER], 20)
        event = _marked(archive)
    runner = CliRunner()
    result = runner.invoke(main, ["-c", str(config), "propagation", event.id, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["depth"] == 7
    # Another ranking depth, or a tree to write: computed from the cascade.
    result = runner.invoke(main, ["-c", str(config), "propagation", event.id, "--top", "3"])
    assert result.exit_code == 0 and "深度 2" in result.output
    assert "首发：江州发布" in result.output


def test_the_report_cites_the_stored_first_source_and_spreaders(archive: Archive) -> None:
    from reports.datapack import PackBuilder
    from reports.periods import Period
    from reports.propagation import FIGURE, SPREADERS, propagation

    _run(archive, [*FIRST, *LATER], 20)
    event = _marked(archive)
    day = T0 - timedelta(hours=8)
    period = Period("daily", day, day + timedelta(days=1), day - timedelta(days=1), day.date())
    pack = PackBuilder(archive, period, T0 + timedelta(hours=1), event.id)
    propagation(pack, event)
    figure = pack.figures[FIGURE]
    assert figure["depth"] == 7
    # The posts cited are read from the archive: the first source's own record.
    assert figure["first_cite"].endswith(FIRST[0].id) and FIRST[0].id in pack.mentions
    assert [s["author"] for s in figure["spreaders"]] == ["存储的传播者", "小李"]
    assert len(figure["spreaders"]) <= SPREADERS
