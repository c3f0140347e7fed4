"""The alert stage across crashes, and evaluate → deliver end to end, on real archives."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from alerts.defaults import default_rules
from alerts.notify import deliver_due
from alerts.stage import STAGE, evaluate
from archive import Archive, open_archive
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings
from tests.support.alert_data import T0, event, make_settings, mention
from tests.support.crashing_archive import CrashingArchive


@pytest.mark.parametrize(
    ("method", "after"),
    [
        ("upsert_alert_audited", 1),
        ("open_obligation_audited", 1),
        ("list_obligations", 1),  # the second read: reminders, after the messages are queued
        ("enqueue", 3),
        ("set_cursor", 0),
    ],
)
def test_a_crash_anywhere_is_repaired_without_duplicates(
    tmp_path: Path, method: str, after: int
) -> None:
    settings = make_settings(tmp_path)
    published = datetime(2026, 7, 20, 8, tzinfo=SHANGHAI)

    def load(target: Archive) -> None:
        target.upsert_event(event("e1", severity="重大", count=50))
        target.upsert_mentions(
            [
                mention(
                    "p1",
                    "全文",
                    published,
                    platform="official",
                    kind="official",
                    extra={"doc_type": "policy"},
                )
            ]
        )

    with open_archive(tmp_path / "clean.db") as clean:
        load(clean)
        evaluate(clean, settings, SimulatedClock(T0 + timedelta(hours=1)))
        expected = (
            sorted((a.rule, a.subject, a.level) for a in clean.ledger.list_alerts()),
            sorted((o.kind, o.subject, o.due_at) for o in clean.ledger.list_obligations()),
            len(clean.ledger.list_messages()),
        )

    with open_archive(tmp_path / "a.db") as real:
        load(real)
        clock = SimulatedClock(T0 + timedelta(hours=1))
        with pytest.raises(RuntimeError, match="simulated crash"):
            evaluate(cast(Archive, CrashingArchive(real, method, after)), settings, clock)
        evaluate(real, settings, clock)
        evaluate(real, settings, clock)
        got = (
            sorted((a.rule, a.subject, a.level) for a in real.ledger.list_alerts()),
            sorted((o.kind, o.subject, o.due_at) for o in real.ledger.list_obligations()),
            len(real.ledger.list_messages()),
        )
        assert got == expected
        assert real.ledger.get_cursor(STAGE) == real.latest_position()


def test_evaluate_then_deliver_end_to_end(tmp_path: Path, archive: Archive) -> None:
    settings = Settings.model_validate(
        {
            "rules": [dict(rule, recipients=["duty"]) for rule in default_rules()],
            "notifiers": [{"name": "log", "type": "file", "path": str(tmp_path / "sent.jsonl")}],
            "recipients": [{"name": "duty", "notifiers": ["log"]}],
        }
    )
    clock = SimulatedClock(T0 + timedelta(hours=1))
    archive.upsert_event(event("e1", severity="特别重大", count=80))
    evaluate(archive, settings, clock)
    first = deliver_due(archive, settings, clock)
    # 2 alerts, each with the obligation it opened folded in.
    assert first.sent == 2 and first.retrying == first.gave_up == 0
    evaluate(archive, settings, clock)
    assert deliver_due(archive, settings, clock).attempted == 0
    lines = (tmp_path / "sent.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 2
    sent = [json.loads(line) for line in lines]
    subjects = " ".join(item["subject"] for item in sent)
    assert "【舆情预警·严重】" in subjects and "召开新闻发布会，截止 " in subjects
    press = next(item for item in sent if "召开新闻发布会" in item["subject"])
    due_text = (T0 + timedelta(hours=24)).strftime("%Y-%m-%d %H:%M")
    assert f"截止时间：{due_text}（北京时间）" in press["body"]
    assert "事件等级：特别重大" in press["body"]


def test_an_obligation_and_its_audit_entry_are_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit entry cannot be written (the process dies there), the obligation is not
    opened either: SQLite writes both in one transaction."""
    from archive.models import AuditEntry, Obligation

    ob = Obligation("response", "event:e1", "回应关切：测试", T0, T0 + timedelta(hours=48))
    entry = AuditEntry(T0, "system", "obligation.opened", "obligation", "", {"kind": "response"})
    with open_archive(tmp_path / "a.db") as archive:

        def dies(*args: Any) -> None:
            raise RuntimeError("simulated crash while writing the audit entry")

        with monkeypatch.context() as patch:
            patch.setattr(archive.ledger, "_insert_audit", dies)
            with pytest.raises(RuntimeError, match="simulated crash"):
                archive.ledger.open_obligation_audited(ob, entry)
        assert archive.ledger.list_obligations() == [] and archive.ledger.list_audit() == []
        stored, created = archive.ledger.open_obligation_audited(ob, entry)
        assert created
        [written] = archive.ledger.list_audit()
        assert written.object_id == str(stored.id)
        assert archive.ledger.open_obligation_audited(ob, entry) == (stored, False)
        assert len(archive.ledger.list_audit()) == 1
