"""`yuqing backtest`: archived mentions through a rule file in simulated time, beside what the
current rules did, with the archive left unchanged."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from alerts.stage import evaluate
from archive import open_archive
from core.clock import SimulatedClock, local
from core.config import load_config
from tests.support.loopback import LoopbackSite
from tests.test_alerts_stage import T0, mention
from yuqing.backtest import SCAN, _window
from yuqing.cli import main

CONFIG = """\
archive:
  path: a.db
rules:
  - name: penalty-decision
    type: penalty
    opens: [penalty_disclosure]
"""

TESTED = """\
- name: penalty-decision
  type: penalty
  opens: [penalty_disclosure]
- name: elevator-watch
  type: watch_list
  terms: [电梯]
  opens: [response]
"""


def build_archive(tmp_path: Path) -> Path:
    config = tmp_path / "yuqing.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    posts = [
        mention(
            f"w{n}",
            f"杭州某小区电梯突然坠落，事故造成3人死亡，市场监管部门已介入调查 #{n}",
            T0 + timedelta(minutes=20 + 7 * n),
        )
        for n in range(6)
    ]
    chatter = [mention("old", "上周的电梯维保检查顺利完成", T0 - timedelta(days=2))]
    notice = mention(
        "p1",
        "行政处罚决定书 杭市监罚〔2026〕8号：某维保公司未按规定维护保养起重机械",
        T0 + timedelta(hours=2),
        platform="official",
        kind="official",
        title="行政处罚信息公示",
        extra={"doc_type": "penalty"},
        source="bureau-penalties",
    )
    settings = load_config(config)
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_mentions([*chatter, *posts, notice])
        # What "the current rules" did in production: the penalty rule ran at T0 + 3 h.
        evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=3)))
    return config


def test_backtest_reports_what_the_rules_would_have_raised_and_when(tmp_path: Path) -> None:
    config = build_archive(tmp_path)
    rules = tmp_path / "tested.yaml"
    rules.write_text(TESTED, encoding="utf-8")
    with open_archive(tmp_path / "a.db", readonly=True) as archive:
        before = (
            archive.stats(),
            archive.ledger.list_alerts(),
            len(archive.ledger.list_audit(limit=10_000)),
        )
    since, until = local(T0).isoformat(), local(T0 + timedelta(hours=4)).isoformat()
    args = ["-c", str(config), "backtest", "--rules", str(rules), "--since", since]
    result = CliRunner().invoke(main, [*args, "--until", until, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["mentions"] == 7 and report["steps"] == 24
    raised = {(r["what"], r["rule"]): r for r in report["raised"]}
    # The first post is fetched at 09:22; the 09:30 evaluation raises the watch alert.
    watch = raised[("alert", "elevator-watch")]
    assert watch["at"] == local(T0 + timedelta(minutes=30)).isoformat()
    response = raised[("obligation", "response")]
    assert response["due_at"].startswith("2026-07-22T09:2")  # 48 h from detection
    # The penalty notice is fetched at 11:02 and raised at the 11:10 evaluation.
    penalty = raised[("alert", "penalty-decision")]
    assert penalty["at"] == local(T0 + timedelta(hours=2, minutes=10)).isoformat()
    disclosure = raised[("obligation", "penalty_disclosure")]
    assert disclosure["due_at"] == "2026-08-17T23:59:59+08:00"  # 20 working days
    # Beside it: what the current rules did, from the archive's audit log.
    actual = {(r["what"], r["rule"]): r for r in report["actual"]}
    assert set(actual) == {("alert", "penalty-decision"), ("obligation", "penalty_disclosure")}
    assert actual[("alert", "penalty-decision")]["at"] == local(T0 + timedelta(hours=3)).isoformat()
    with open_archive(tmp_path / "a.db", readonly=True) as archive:
        after = (
            archive.stats(),
            archive.ledger.list_alerts(),
            len(archive.ledger.list_audit(limit=10_000)),
        )
    assert after == before  # the archive was only read

    table = CliRunner().invoke(main, [*args, "--until", until])
    assert table.exit_code == 0, table.output
    assert "回测规则将产生：预警 2 条，义务 2 项" in table.output
    assert "当前规则实际产生：预警 1 条，义务 1 项" in table.output
    assert "elevator-watch: 1 / 0" in table.output


def test_a_bad_rule_file_is_refused_with_rule_and_key(tmp_path: Path) -> None:
    config = build_archive(tmp_path)
    rules = tmp_path / "tested.yaml"
    rules.write_text("- name: w\n  type: watch_list\n  terms: 电梯\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "-c",
            str(config),
            "backtest",
            "--rules",
            str(rules),
            "--since",
            "2026-07-20T09:00",
            "--until",
            "2026-07-20T10:00",
        ],
    )
    assert result.exit_code != 0
    assert f"{rules}:3: rule 'w': terms: Input should be a valid list" in result.output


class _CountingArchive:
    """Reads through to an archive, counting the change-log rows read."""

    def __init__(self, archive: Any) -> None:
        self.archive = archive
        self.rows_read = 0

    def latest_position(self) -> int:
        return int(self.archive.latest_position())

    def mentions_since(self, position: int, limit: int) -> list[Any]:
        rows = self.archive.mentions_since(position, limit)
        self.rows_read += len(rows)
        return list(rows)


def test_the_window_is_read_from_its_place_in_the_change_log(tmp_path: Path) -> None:
    # Sixty days of mentions, one every ten minutes, written as they are fetched; one of them
    # is re-crawled on day 30 (written again at a new position, with its new fetch time).
    times = [T0 + timedelta(minutes=10 * n) for n in range(60 * 144)]
    writes = [
        replace(mention(f"m{n}", f"电梯维保第{n}条", at), fetched_at=at)
        for n, at in enumerate(times)
    ]
    late = T0 + timedelta(days=30, hours=3, minutes=5)
    recrawl = replace(mention("m5", "电梯维保第5条（更新）", T0), fetched_at=late)
    writes.insert(30 * 144 + 19, recrawl)
    with open_archive(tmp_path / "w.db") as archive:
        for start in range(0, len(writes), 500):
            archive.upsert_mentions(writes[start : start + 500])
        since, until = T0 + timedelta(days=30), T0 + timedelta(days=31)
        counting = _CountingArchive(archive)
        window = _window(counting, since, until)  # type: ignore[arg-type]
        every = [m for _, m in archive.mentions_since(0, 10**6)]
        expected = sorted(
            (m for m in every if since <= m.fetched_at < until), key=lambda m: (m.fetched_at, m.id)
        )
        assert [m.id for m in window] == [m.id for m in expected]
        assert len(window) == 145 and "m5" in {m.id for m in window}
        # One batch from a day before the window, and the bisection: not sixty days of rows.
        assert counting.rows_read <= SCAN + 20 < len(times) // 4


def test_the_backtest_ticks_only_analysis_and_rules(tmp_path: Path) -> None:
    """The runner drives the backtest without its crawl and delivery stages: a configured
    source is not fetched and a queued message is counted, not sent."""
    site = LoopbackSite({})
    try:
        config = build_archive(tmp_path)
        config.write_text(
            CONFIG
            + f"sources:\n  - name: feed\n    type: rss\n    start_urls: [{site.base}/feed.xml]\n"
            + "notifiers:\n  - name: file\n    type: file\n    path: sent.jsonl\n"
            + "recipients:\n  - name: duty\n    role: duty\n    notifiers: [file]\n",
            encoding="utf-8",
        )
        rules = tmp_path / "tested.yaml"
        rules.write_text(TESTED.replace("  opens: [response]\n", "  recipients: [duty]\n"))
        since, until = local(T0).isoformat(), local(T0 + timedelta(hours=4)).isoformat()
        args = ["-c", str(config), "backtest", "--rules", str(rules), "--since", since]
        result = CliRunner().invoke(main, [*args, "--until", until, "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["errors"] == []
        assert [r["rule"] for r in report["raised"] if r["what"] == "alert"] == [
            "elevator-watch",
            "penalty-decision",
        ]
        assert report["messages"] >= 1  # queued for the duty officer in the scratch archive
        assert not (tmp_path / "sent.jsonl").exists()
        assert site.hits_of("/") == 0
    finally:
        site.close()
