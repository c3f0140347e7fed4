"""`yuqing deadline` for every kind across the 2026 Spring Festival and National Day and into
2027, and `yuqing obligations add / import / list / ack / done` over a real archive."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from archive import open_archive
from tests.conftest import run_cli as run

CONFIG = """\
archive:
  path: a.db
recipients:
  - name: duty
obligations:
  recipients: [duty]
"""

HOLIDAYS_2027 = """\
  holidays:
    2027:
      holidays: [2027-01-01, 2027-01-04]
      workdays: [2027-01-09]
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "yuqing.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("kind", "start", "level", "due", "provisional"),
    [
        # Calendar hours run through the holiday nights.
        ("authoritative_release", "2026-02-16T22:00", None, "2026-02-17T03:00:00+08:00", False),
        ("press_conference", "2026-10-01T09:30", None, "2026-10-02T09:30:00+08:00", False),
        ("clarification", "2026-02-17T12:00", None, "2026-02-18T12:00:00+08:00", False),
        ("response", "2026-09-30T18:00", None, "2026-10-02T18:00:00+08:00", False),
        # Friday 13 Feb: Saturday 14 Feb is a moved working day (1), 15–23 Feb are the Spring
        # Festival, 24 Feb (2), 25 Feb (3).
        ("policy_interpretation", "2026-02-13T16:00", None, "2026-02-25T23:59:59+08:00", False),
        # Wednesday 30 Sep: 1–7 Oct National Day, 8 Oct (1), 9 Oct (2), Saturday 10 Oct (3).
        ("policy_interpretation", "2026-09-30T10:00", None, "2026-10-10T23:59:59+08:00", False),
        # Thursday 24 Sep, county: 25 Sep Mid-Autumn, 28–30 Sep (1–3), 8–10 Oct (4–6), 12 Oct (7).
        ("penalty_disclosure", "2026-09-24T10:00", "county", "2026-10-12T23:59:59+08:00", False),
        # 20 working days from 10 Dec 2026 cross into 2027, which has no published schedule:
        # Monday–Friday less 1 Jan gives 8 Jan 2027, provisional.
        ("penalty_disclosure", "2026-12-10T10:00", None, "2027-01-08T23:59:59+08:00", True),
        ("implementation_report", "2026-12-01T10:00", None, "2027-07-10T23:59:59+08:00", False),
    ],
)
def test_deadline_prints_iso_due_time_and_provisional_flag(
    config: Path, kind: str, start: str, level: str | None, due: str, provisional: bool
) -> None:
    args = ["deadline", kind, "--from", start] + (["--level", level] if level else [])
    code, out = run(config, *args)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == due
    assert lines[1].startswith(f"provisional: {'yes' if provisional else 'no'}")
    code, out = run(config, *args, "--json")
    record = json.loads(out)
    assert (record["due_at"], record["provisional"]) == (due, provisional)


def test_a_configured_2027_schedule_makes_the_deadline_exact(config: Path) -> None:
    config.write_text(CONFIG + HOLIDAYS_2027, encoding="utf-8")
    code, out = run(config, "deadline", "penalty_disclosure", "--from", "2026-12-10T10:00")
    assert code == 0, out
    # 11 Dec (1), 14–18 (2–6), 21–25 (7–11), 28–31 (12–15); 1 and 4 Jan off; 5–8 Jan (16–19);
    # Saturday 9 Jan configured as a working day (20).
    assert out.splitlines()[:2] == ["2027-01-09T23:59:59+08:00", "provisional: no"]


def test_add_import_list_ack_done_from_the_shell(config: Path, tmp_path: Path) -> None:
    code, out = run(
        config,
        "obligations",
        "add",
        "penalty_disclosure",
        "--title",
        "鑫达牌充电器行政处罚",
        "--subject",
        "临市监罚〔2026〕12号",
        "--from",
        "2026-09-24T10:00",
        "--level",
        "county",
        "--actor",
        "法规科",
    )
    assert code == 0 and "due 2026-10-12 23:59" in out, out
    sheet = tmp_path / "decisions.csv"
    sheet.write_text(
        "类型,标题,起算时间,编号,层级\n"
        "penalty_disclosure,某超市销售过期食品处罚,2026-11-23T10:00,临市监罚〔2026〕31号,县级\n"
        "policy_interpretation,《关于加强电梯安全监管的通知》,2026-09-30T10:00,,\n"
        "penalty_disclosure,重复导入,2026-09-24T10:00,临市监罚〔2026〕12号,county\n"
        "penalty,类型写错,2026-11-23T10:00,X1,\n"
        "penalty_disclosure,日期写错,下周一,X2,\n",
        encoding="utf-8",
    )
    code, out = run(config, "obligations", "import", str(sheet), "--actor", "法规科")
    assert code == 1
    assert "imported 2, already known 1, rejected 2" in out
    assert f"{sheet}:5: kind: 'penalty' is not one of" in out
    assert f"{sheet}:6: from: '下周一' is not an ISO 8601 time" in out

    code, out = run(config, "obligations", "list", "--json")
    items = [json.loads(line) for line in out.splitlines()]
    by_title = {item["title"]: item for item in items}
    assert by_title["某超市销售过期食品处罚"]["due_at"] == "2026-12-02T23:59:59+08:00"
    assert by_title["《关于加强电梯安全监管的通知》"]["due_at"] == "2026-10-10T23:59:59+08:00"
    assert len(items) == 3
    first = by_title["鑫达牌充电器行政处罚"]["id"]
    assert run(config, "obligations", "ack", str(first), "--actor", "王科长")[0] == 0
    code, out = run(
        config,
        "obligations",
        "done",
        str(first),
        "--link",
        "https://x.gov.cn/1",
        "--at",
        "2026-10-09T10:00",
    )
    assert code == 0 and "已完成（按时办结）" in out, out
    code, out = run(config, "obligations", "list", "--all", "--json")
    record = {item["id"]: item for item in map(json.loads, out.splitlines())}[first]
    assert {
        "opened_at",
        "done_at",
        "on_time",
        "event_id",
        "subject",
        "level",
        "evidence",
        "late_reason",
        "fulfilled_by",
    } <= set(record)
    assert (record["done_at"], record["on_time"], record["status"]) == (
        "2026-10-09T10:00:00+08:00",
        True,
        "done",
    )
    assert (record["level"], record["event_id"], record["evidence"]) == ("county", None, [])
    code, out = run(config, "obligations", "list", "--all")
    assert "已完成（按时办结）" in out
    with open_archive(tmp_path / "a.db", readonly=True) as archive:
        audit = archive.ledger.list_audit("obligation", str(first))
        assert {(a.action, a.actor) for a in audit} >= {
            ("obligation.added", "法规科"),
            ("obligation.acknowledged", "王科长"),
        }
        imported = [
            a for a in archive.ledger.list_audit("obligation") if a.action == "obligation.added"
        ]
        assert len(imported) == 3 and {a.actor for a in imported} == {"法规科"}


def test_silence_add_list_expire_from_the_shell(config: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from alerts.stage import evaluate
    from core.clock import SimulatedClock
    from core.config import load_config
    from tests.test_alerts_stage import event

    config.write_text(
        CONFIG.replace("  - name: duty\n", "  - name: duty\n    notifiers: [log]\n")
        + "notifiers:\n  - name: log\n    type: file\n    path: sent.jsonl\n"
        + "rules:\n  - name: hot\n    type: threshold\n    min_mentions: 3\n"
        + "    opens: [response]\n    recipients: [duty]\n",
        encoding="utf-8",
    )
    code, out = run(
        config,
        "silence",
        "add",
        "--rule",
        "hot",
        "--for",
        "2h",
        "--comment",
        "演练",
        "--actor",
        "王科长",
    )
    assert code == 0 and out.startswith("silence "), out
    silence_id = out.split()[1]
    code, out = run(config, "silence", "list")
    assert f"{silence_id} until" in out and "rule=hot (王科长: 演练)" in out

    settings = load_config(config)
    now = datetime.now(UTC)
    with open_archive(tmp_path / "a.db") as archive:
        archive.upsert_event(replace(event("e1", count=5), first_seen=now, last_seen=now))
        evaluate(archive, settings, SimulatedClock(now))
        assert archive.ledger.list_alerts()[0].status == "silenced"
        assert archive.ledger.list_messages() == []
    code, out = run(config, "silence", "expire", silence_id, "--reason", "演练结束")
    assert code == 0, out
    assert run(config, "silence", "expire", silence_id, "--reason", "again")[0] != 0
    with open_archive(tmp_path / "a.db") as archive:
        evaluate(archive, settings, SimulatedClock(now))
        assert archive.ledger.list_alerts()[0].status == "firing"
        assert archive.ledger.list_messages()  # the alert and the obligation go out now
        actions = [(a.action, a.actor) for a in archive.ledger.list_audit(object_type="silence")]
        assert sorted(a for a, _ in actions) == ["silence.created", "silence.expired"]
        assert ("silence.created", "王科长") in actions


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "  deadlines:\n    implementation_report_dates: ['13-40']\n",
            "implementation_report_dates: expected 'MM-DD' such as '07-10', got '13-40'",
        ),
        (
            "  holidays:\n    2027:\n      holidays: [2028-01-01]\n",
            "holidays.2027: 2028-01-01 is not in 2027",
        ),
        ("  reminders: ['soon']\n", "expected a reminder point such as 0.5, '50%', '2h before'"),
    ],
)
def test_obligation_settings_are_checked_when_the_config_loads(
    config: Path, section: str, message: str
) -> None:
    config.write_text(CONFIG + section, encoding="utf-8")
    code, out = run(config, "check-config")
    assert code != 0 and message in out, out
