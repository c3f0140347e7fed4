"""Rule files (validation, reload, rejection keeps the previous rules), silences, the agency
level of crawled penalty notices from configuration, and what a message says."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from alerts.rulebook import RuleFileError, parse_rules
from alerts.stage import evaluate
from archive import Archive, open_archive
from core.clock import SHANGHAI, SimulatedClock, local
from core.settings import Settings
from tests.test_alerts_stage import T0, analysis, event, mention

GOOD = """\
rules:
  - name: hot-event
    type: threshold
    min_mentions: 3
    opens: [response]
    recipients: [duty]
"""

BAD = """\
rules:
  - name: hot-event
    type: threshold
    min_mentions: lots
    recipients: [duty]
  - name: rumours
    type: rumor
    min_probability: 1.5
    opens: [clarify]
  - name: watch
    type: watch_list
    recipients: [nobody]
"""


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "rules_file": str(tmp_path / "rules.yaml"),
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [{"name": "duty", "notifiers": ["log"]}],
            "dashboard": {"url": "https://yuqing.example.gov.cn/"},
            **extra,
        }
    )


def test_every_problem_names_the_file_line_rule_key_and_reason(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    with pytest.raises(RuleFileError) as caught:
        parse_rules(BAD, "rules.yaml", settings)
    problems = caught.value.problems
    assert (
        "rules.yaml:4: rule 'hot-event': min_mentions: Input should be a valid integer"
        in (problems[0])
    )
    text = "\n".join(problems)
    assert "rules.yaml:8: rule 'rumours': min_probability:" in text
    assert "rules.yaml:9: rule 'rumours': opens[0]:" in text
    assert "rules.yaml:10: rule 'watch': (rule): a watch_list rule needs 'terms'" in text
    assert len(problems) == 4
    with pytest.raises(RuleFileError, match="unknown recipient 'nobody'"):
        parse_rules(
            BAD.split("  - name: rumours")[0].replace("lots", "3")
            + (
                "  - name: watch\n    type: watch_list\n    terms: [电梯]\n"
                "    recipients: [nobody]\n"
            ),
            "rules.yaml",
            settings,
        )
    with pytest.raises(RuleFileError, match="already used in this file"):
        parse_rules(GOOD + GOOD.removeprefix("rules:\n"), "rules.yaml", settings)


def test_a_bad_reload_keeps_the_previous_rules_running(tmp_path: Path, archive: Archive) -> None:
    rules_path = tmp_path / "rules.yaml"
    settings = settings_for(tmp_path)
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", count=5))
    rules_path.write_text(GOOD, encoding="utf-8")
    report = evaluate(archive, settings, clock)
    assert (report.alerts_new, report.obligations_opened, report.errors) == (1, 1, [])

    # A broken edit: rejected with its problems, the previous rule still fires on new events.
    rules_path.write_text(BAD, encoding="utf-8")
    os.utime(rules_path, (1, 1))
    archive.upsert_event(event("e2", count=5, title="另一小区电梯困人"))
    report = evaluate(archive, settings, clock)
    assert report.alerts_new == 1
    assert any("min_mentions" in e for e in report.errors)
    actions = [a.action for a in archive.ledger.list_audit(object_type="rules")]
    assert actions.count("rules.loaded") == 1 and actions.count("rules.rejected") == 1
    assert evaluate(archive, settings, clock).alerts_new == 0  # no re-audit when nothing changed
    assert len(archive.ledger.list_audit(object_type="rules")) == 2

    # A fixed file is taken up: the threshold is now higher, so a third small event is quiet.
    rules_path.write_text(GOOD.replace("min_mentions: 3", "min_mentions: 50"), encoding="utf-8")
    archive.upsert_event(event("e3", count=5, title="第三起"))
    report = evaluate(archive, settings, clock)
    assert (report.alerts_new, report.errors) == (0, [])


def test_a_silence_mutes_messages_until_it_ends_and_the_obligation_stays(
    tmp_path: Path, archive: Archive
) -> None:
    (tmp_path / "rules.yaml").write_text(GOOD, encoding="utf-8")
    ends = T0 + timedelta(hours=3)
    settings = settings_for(
        tmp_path,
        silences=[
            {
                "rule": "hot-event",
                "subject": "event:*",
                "ends_at": ends.isoformat(),
                "created_by": "王科长",
                "comment": "演练，不需回应",
            }
        ],
    )
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", count=5))
    evaluate(archive, settings, clock)
    [alert] = archive.ledger.list_alerts()
    assert alert.status == "silenced"
    assert [o.kind for o in archive.ledger.list_obligations()] == ["response"]
    assert archive.ledger.list_messages() == []
    [entry] = archive.ledger.list_audit(object_type="alert", object_id=str(alert.id))[:1]
    audit = {a.action: a for a in archive.ledger.list_audit(object_type="alert")}
    assert audit["alert.silenced"].details["silenced_by"] == "王科长"
    assert audit["alert.silenced"].details["comment"] == "演练，不需回应"
    assert entry is not None

    clock.advance(3 * 3600)  # the silence is over and the event still fires
    archive.upsert_event(replace(event("e1", count=6), last_seen=clock.now()))
    evaluate(archive, settings, clock)
    assert archive.ledger.list_alerts()[0].status == "firing"
    keys = sorted(m.dedup_key.split(":")[0] for m in archive.ledger.list_messages())
    assert keys == ["alert"]  # the obligation folded into the alert's message
    assert "alert.unsilenced" in {a.action for a in archive.ledger.list_audit(object_type="alert")}


def test_silence_matchers_and_their_validation() -> None:
    from alerts.silences import active_silence
    from archive.models import Alert
    from core.settings import SilenceSettings

    alert = Alert("rumor", "event:e9", "warning", "青禾镇自来水有毒谣言", T0, T0)
    make = SilenceSettings.model_validate
    base = {"ends_at": (T0 + timedelta(hours=1)).isoformat(), "created_by": "a", "comment": "b"}
    assert active_silence([make({**base, "title_contains": "青禾镇"})], alert, T0)
    assert not active_silence([make({**base, "title_contains": "青禾镇", "rule": "x"})], alert, T0)
    assert not active_silence([make({**base, "level": "critical"})], alert, T0)
    assert not active_silence([make({**base, "rule": "rumor"})], alert, T0 + timedelta(hours=2))
    with pytest.raises(ValueError, match="needs a matcher"):
        make(base)
    with pytest.raises(ValueError, match="created_by"):
        make({"rule": "rumor", "ends_at": base["ends_at"], "comment": "b"})


PENALTY_RULE = [{"name": "penalty", "type": "penalty", "opens": ["penalty_disclosure"]}]


@pytest.mark.parametrize(
    ("source_level", "region_levels", "expected_days"),
    [
        (None, {}, 20),
        ("county", {}, 7),
        (None, {"临川区": "county"}, 7),
    ],
)
def test_penalties_of_a_county_bureau_use_seven_working_days(
    tmp_path: Path,
    archive: Archive,
    source_level: str | None,
    region_levels: dict[str, str],
    expected_days: int,
) -> None:
    settings = Settings.model_validate(
        {
            "rules": PENALTY_RULE,
            "sources": [
                {
                    "name": "linchuan-penalties",
                    "type": "official",
                    "start_urls": ["http://127.0.0.1:9/"],
                    "doc_type": "penalty",
                    **({"level": source_level} if source_level else {}),
                }
            ],
            "obligations": {"region_levels": region_levels},
        }
    )
    # Monday 2026-07-20: 7 working days → Wednesday 29 July; 20 → Monday 17 August.
    notice = mention(
        "p1",
        "抚州市临川区市场监督管理局行政处罚决定书 临市监罚〔2026〕12号",
        T0,
        platform="official",
        kind="official",
        title="临川区市场监督管理局行政处罚信息公示",
        region="江西省抚州市临川区",
        extra={"doc_type": "penalty"},
        source="linchuan-penalties",
    )
    archive.upsert_mentions([notice])
    evaluate(archive, settings, SimulatedClock(T0 + timedelta(hours=1)))
    [ob] = archive.ledger.list_obligations()
    due = {7: "2026-07-29", 20: "2026-08-17"}[expected_days]
    assert local(ob.due_at).date().isoformat() == due
    assert ob.level == ("county" if expected_days == 7 else "province")


def test_messages_say_what_why_by_when_and_where(tmp_path: Path, archive: Archive) -> None:
    (tmp_path / "rules.yaml").write_text(
        GOOD.replace("threshold\n    min_mentions: 3", "rumor\n    min_probability: 0.5").replace(
            "[response]", "[clarification]"
        ),
        encoding="utf-8",
    )
    settings = settings_for(tmp_path)
    post = mention("m1", "网传青禾镇自来水有毒，已致多人中毒", T0)
    archive.upsert_mentions([post])
    archive.upsert_analyses([analysis("m1", rumor=0.92)])
    clock = SimulatedClock(T0 + timedelta(hours=1))
    evaluate(archive, settings, clock)
    bodies = {m.dedup_key.split(":")[0]: m for m in archive.ledger.list_messages()}
    alert_text = bodies["alert"].body
    assert "规则：热点舆情" in alert_text and "hot-event" not in alert_text
    assert "https://example.com/m1" in alert_text  # the evidence, with its link
    assert "谣言概率 0.92" in alert_text
    assert "剩余 23小时" in alert_text  # due 24 h after detection (T0 + 2 min), sent at T0 + 1 h
    assert "https://yuqing.example.gov.cn/obligations" in alert_text
    assert "obligation" not in bodies  # folded into the alert's message
    due = local(archive.ledger.list_obligations()[0].due_at)
    assert f"截止时间：{due:%Y-%m-%d %H:%M}（北京时间），剩余 23小时2分钟" in alert_text
    assert "https://yuqing.example.gov.cn/obligations?id=" in alert_text
    assert due.tzinfo == SHANGHAI or due.utcoffset() == timedelta(hours=8)


def test_a_silence_from_the_dashboard_holds_until_it_ends_or_is_lifted(
    tmp_path: Path,
) -> None:
    """The dashboard's silence button (dashboard.actions.silence) records the silence in the
    audit log; the stage keeps the alert silenced on its next matches, until it is lifted."""
    from datetime import UTC, datetime

    from dashboard import actions
    from dashboard.roles import Principal

    (tmp_path / "rules.yaml").write_text(GOOD, encoding="utf-8")
    config = tmp_path / "yuqing.yaml"
    config.write_text(
        "archive:\n  path: a.db\nrules_file: rules.yaml\n"
        "notifiers:\n  - name: log\n    type: file\n    path: sent.jsonl\n"
        "recipients:\n  - name: duty\n    notifiers: [log]\n",
        encoding="utf-8",
    )
    from core.config import load_config

    settings = load_config(config)
    now = datetime.now(UTC)
    clock = SimulatedClock(now)
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_event(replace(event("e1", count=5), first_seen=now, last_seen=now))
        evaluate(archive, settings, clock)
        [alert] = archive.ledger.list_alerts()
        assert alert.status == "firing"
    spokesperson = Principal("wang", "spokesperson", authenticated=True)
    actions.silence(str(config), alert.id or 0, spokesperson, "演练", hours=2)
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_event(replace(event("e1", count=9), first_seen=now, last_seen=now))
        before = len(archive.ledger.list_messages())
        evaluate(archive, settings, clock)  # the rule matches again: still silenced
        assert archive.ledger.list_alerts()[0].status == "silenced"
        assert len(archive.ledger.list_messages()) == before
    actions.silence(str(config), alert.id or 0, spokesperson, "", on=False)
    with open_archive(tmp_path / "a.db") as archive:
        evaluate(archive, settings, clock)
        assert archive.ledger.list_alerts()[0].status == "firing"


def test_check_config_validates_the_rule_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from yuqing.cli import main

    (tmp_path / "rules.yaml").write_text(BAD, encoding="utf-8")
    config = tmp_path / "yuqing.yaml"
    config.write_text("rules_file: rules.yaml\nrecipients:\n  - name: duty\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(config), "check-config"])
    assert result.exit_code != 0
    assert "rules.yaml:4: rule 'hot-event': min_mentions:" in result.output
    (tmp_path / "rules.yaml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["-c", str(config), "check-config"])
    assert result.exit_code == 0, result.output
