"""Scheduled briefings: built when due, queued once per period and recipient, held back from
recipients outside the press office until 签发, and sent once across a ``kill -9`` of
``yuqing run``."""

from __future__ import annotations

import json
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from archive import open_archive
from archive.models import OutboxMessage
from core.clock import SimulatedClock
from core.config import load_config
from core.settings_reports import ReportSchedule
from reports.docx_render import render_docx
from reports.markdown import render_markdown
from reports.schedule import due_day, run_schedules, send_signed
from reports.store import WorkflowError, advance, load, reports_dir, save
from tests.support.dashboard_fixtures import build_archive
from tests.support.runner_process import start_runner

SCHEDULE = """\
notifiers:
  - {{name: sink, type: file, path: notes.jsonl}}
recipients:
  - {{name: duty, role: duty, notifiers: [sink]}}
  - {{name: director, role: leader, notifiers: [sink]}}
reports:
  - {{kind: daily, at: "{at}", recipients: [duty, director]}}
"""


def _config(folder: Path, at: str, tick: str = "") -> Path:
    made = build_archive(folder)
    text = made.config.read_text(encoding="utf-8") + SCHEDULE.format(at=at)
    if tick:
        text = text.replace("runner:\n  clock: pipeline\n", f"runner:\n  tick: {tick}\n")
    made.config.write_text(text, encoding="utf-8")
    return made.config


def _texts(path: Path) -> list[str]:
    doc = Document(str(path))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for c in t._cells]


def _report_messages(db: Path) -> list[str]:
    with open_archive(db) as archive:
        return sorted(
            m.dedup_key for m in archive.ledger.list_messages() if m.dedup_key.startswith("report:")
        )


def test_due_day_of_daily_and_weekly() -> None:
    settings = schedule_of({"kind": "daily", "at": "08:30"})
    at_8 = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 in Beijing
    assert due_day(settings, at_8) == datetime(2026, 11, 19).date()
    assert due_day(settings, at_8 + timedelta(hours=1)) == datetime(2026, 11, 20).date()
    weekly = schedule_of({"kind": "weekly", "at": "09:00", "weekday": 1})
    monday_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 Beijing
    assert due_day(weekly, monday_10) == datetime(2026, 11, 22).date()
    assert due_day(weekly, monday_10 - timedelta(hours=2)) == datetime(2026, 11, 15).date()


def schedule_of(entry: dict[str, object]) -> ReportSchedule:
    return ReportSchedule.model_validate(entry)


def test_queued_once_per_period_and_leaders_only_after_signing(tmp_path: Path) -> None:
    config = _config(tmp_path, "08:30")
    settings = load_config(config)
    db = settings.archive.path
    clock = SimulatedClock(datetime(2026, 11, 21, 0, 0, tzinfo=UTC))  # 08:00 Beijing
    with open_archive(db) as archive:
        run_schedules(archive, settings, clock)  # the 20th's is not due yet: the 19th's is
        first = _report_messages(db)
        assert first == ["report:daily-20261119:duty:sink"]
        clock.advance(3600)  # 09:00: the 20th's daily is due
        assert run_schedules(archive, settings, clock) == 1
        assert run_schedules(archive, settings, clock) == 0  # once per period
        stored = load(reports_dir(settings), "daily-20261120")
        assert stored is not None and stored.file("docx").exists()
        # What was sent is reproduced exactly from the stored data pack.
        assert render_markdown(stored.pack()) == stored.file("md").read_text(encoding="utf-8")
        again = render_docx(stored.pack(), tmp_path / "again.docx")
        assert _texts(again) == _texts(stored.file("docx"))
        with pytest.raises(WorkflowError, match="已发送"):  # a sent draft is not replaced
            save(reports_dir(settings), stored.pack(), ("docx",))
        assert send_signed(archive, settings, stored) == 0  # a draft stays in the office
        advance(archive, stored, "review", "李科长", clock.now())
        advance(archive, stored, "sign", "王局长", clock.now())
        assert send_signed(archive, settings, stored) == 1  # now the director gets it
        assert send_signed(archive, settings, stored) == 0
    assert "report:daily-20261120:director:sink" in _report_messages(db)
    body = next(m.body for m in _messages(db) if m.dedup_key == "report:daily-20261120:duty:sink")
    assert "共监测到相关舆情信息6条" in body and "/reports?key=daily-20261120" in body


def _messages(db: Path) -> list[OutboxMessage]:
    with open_archive(db) as archive:
        return archive.ledger.list_messages()


def test_sent_once_per_period_across_kill_minus_9(tmp_path: Path) -> None:
    config = _config(tmp_path, "00:00", tick="1s")
    settings = load_config(config)
    db, notes = settings.archive.path, tmp_path / "notes.jsonl"
    log = tmp_path / "runner.log"
    rng = random.Random(18)
    deadline = time.monotonic() + 240
    # First run: killed as soon as the briefing is stored (before or just after queueing).
    runner = start_runner(config, log)
    try:
        while not list(reports_dir(settings).glob("daily-*/meta.json")):
            assert runner.poll() is None, log.read_text(encoding="utf-8")[-2000:]
            assert time.monotonic() < deadline, "no briefing was generated"
            time.sleep(0.05)
        runner.send_signal(signal.SIGKILL)
        runner.wait(30)
        # Restarts killed at random moments, then one left to deliver.
        for _ in range(2):
            runner = start_runner(config, log)
            time.sleep(rng.uniform(0.5, 3.0))
            runner.send_signal(signal.SIGKILL)
            runner.wait(30)
        runner = start_runner(config, log)
        while not notes.exists() or "report:daily" not in notes.read_text(encoding="utf-8"):
            assert runner.poll() is None, log.read_text(encoding="utf-8")[-2000:]
            assert time.monotonic() < deadline, "the briefing was never delivered"
            time.sleep(0.2)
        time.sleep(3)  # a few more passes: nothing more may be queued or sent
    finally:
        if runner.poll() is None:
            runner.send_signal(signal.SIGTERM)
            runner.wait(60)
    keys = _report_messages(db)
    assert len(keys) == 1 and keys[0].endswith(":duty:sink")  # the director awaits 签发
    sent = [
        json.loads(line)["dedup_key"]
        for line in notes.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert [k for k in sent if k.startswith("report:")] == keys


def test_email_carries_the_briefing_as_attachment(tmp_path: Path) -> None:
    """Through a real SMTP server on 127.0.0.1: the 综述 in the text, the .docx attached."""
    import email
    from email.policy import default as default_policy

    from alerts.notify import deliver_due
    from tests.support.smtp_inbox import smtp_inbox

    made = build_archive(tmp_path)
    with smtp_inbox() as (inbox, port):
        mail = f"{{name: mail, type: email, host: 127.0.0.1, port: {port}, sender: y@example.cn}}"
        duty = "{name: duty, role: duty, email: duty@example.cn, notifiers: [mail]}"
        made.config.write_text(
            made.config.read_text(encoding="utf-8")
            + f"notifiers:\n  - {mail}\nrecipients:\n  - {duty}\n"
            + "reports:\n  - {kind: daily, at: '08:30', recipients: [duty]}\n",
            encoding="utf-8",
        )
        settings = load_config(made.config)
        clock = SimulatedClock(datetime(2026, 11, 21, 1, 0, tzinfo=UTC))  # 09:00 Beijing
        with open_archive(settings.archive.path) as archive:
            assert run_schedules(archive, settings, clock) == 1
            assert deliver_due(archive, settings, clock).sent == 1
    [received] = inbox.messages
    parsed = email.message_from_bytes(received["data"], policy=default_policy)
    assert parsed["Subject"] == "舆情日报（2026年11月20日）"
    text = parsed.get_body(("plain",))
    assert text is not None and "共监测到相关舆情信息6条" in text.get_content()
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "daily-20261120.docx"
    stored = load(reports_dir(settings), "daily-20261120")
    assert stored is not None
    assert attachment.get_content() == stored.file("docx").read_bytes()


def test_briefings_are_issued_by_the_configured_agencys_press_office() -> None:
    from core.settings import Settings

    base = {"archive": {"path": "x.db"}, "sources": []}
    agency = {"name": "江州市市场监督管理局", "level": "city"}
    daily = {"kind": "daily"}
    named = Settings.model_validate({**base, "agency": agency, "reports": [daily]})
    assert named.reports[0].unit == "江州市市场监督管理局新闻办公室"
    chosen = {**daily, "unit": "江州市市场监管局办公室"}
    kept = Settings.model_validate({**base, "agency": agency, "reports": [chosen]})
    assert kept.reports[0].unit == "江州市市场监管局办公室"
    generic = Settings.model_validate({**base, "reports": [daily]})
    assert generic.reports[0].unit == "市场监督管理局新闻办公室"
