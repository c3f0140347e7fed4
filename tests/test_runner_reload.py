"""`yuqing run` picks up edits of yuqing.yaml between ticks: new sources and silences apply at
once, a broken edit is reported once with file and key while the old settings keep running,
and an archive change waits for a restart."""

from __future__ import annotations

from pathlib import Path

from archive import open_archive
from core.clock import SimulatedClock
from core.config import load_config
from tests.support.reload_config import ADDED_SOURCE, BASE, NOW, write
from yuqing.runner import Runner

SILENCE = """\
silences:
  - rule: rumor
    title_contains: 演练
    ends_at: 2026-11-16T18:00:00+08:00
    created_by: 王科长
    comment: 应急演练，不需回应
"""


def test_edits_apply_from_the_next_tick(tmp_path: Path) -> None:
    config = tmp_path / "yuqing.yaml"
    write(config, BASE, 0)
    settings = load_config(config)
    with open_archive(settings.archive) as archive:
        runner = Runner(settings, archive, SimulatedClock(NOW))
        assert runner.tick().reloaded == []

        write(config, BASE + ADDED_SOURCE + SILENCE, 1)
        report = runner.tick()
        assert report.reloaded == ["sources", "silences"] and report.crawl_errors == []
        assert [s.name for s in runner.settings.sources] == ["feed-a", "feed-b"]
        assert runner.settings.silences[0].created_by == "王科长"
        (entry,) = [e for e in archive.ledger.list_audit() if e.action == "config.reloaded"]
        assert entry.details["changed"] == ["sources", "silences"]
        assert entry.actor == "runner" and entry.object_id == str(config.resolve())
        assert runner.tick().reloaded == []  # unchanged file: nothing read again

        # A broken edit: reported once, naming the file and the key; the settings stay.
        write(config, BASE + ADDED_SOURCE + "silences: yes\n", 2)
        broken = runner.tick()
        assert broken.reloaded == []
        assert any(
            str(config) in e and "silences" in e and "stay in force" in e
            for e in broken.crawl_errors
        ), broken.crawl_errors
        assert runner.settings.silences[0].created_by == "王科长"
        assert runner.tick().crawl_errors == []

        # The archive is held open: its change waits for a restart, the rest applies.
        moved = BASE.replace("path: r.db", "path: elsewhere.db")
        write(config, moved, 3)
        report = runner.tick()
        assert report.reloaded == ["sources", "silences"]
        assert any("archive" in e and "restart" in e for e in report.crawl_errors)
        assert runner.settings.archive.path == tmp_path / "r.db"
        assert [s.name for s in runner.settings.sources] == ["feed-a"]
        runner.close()
