"""Obligation lifecycle: transitions, errors, audit entries, manual entry, overdue."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts import obligations as ops
from archive import Archive, open_archive
from archive.models import Obligation
from core.clock import SHANGHAI, SimulatedClock
from core.settings import Settings

T0 = datetime(2026, 7, 20, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with open_archive(tmp_path / "a.db") as opened:
        yield opened


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


def opened(archive: Archive, kind: str = "response", subject: str = "event:e1") -> int:
    ob, created = archive.ledger.open_obligation(
        Obligation(
            kind=kind,
            subject=subject,
            title="回应关切：某事件",
            opened_at=T0,
            due_at=T0 + timedelta(hours=48),
        )
    )
    assert created and ob.id is not None
    return ob.id


def test_acknowledge_then_complete_with_audit(archive: Archive, clock: SimulatedClock) -> None:
    oid = opened(archive)
    ob = ops.acknowledge(archive, oid, "zhang", clock)
    assert (ob.status, ob.assignee) == ("acknowledged", "zhang")
    clock.advance(3600)
    ops.complete(archive, oid, "zhang", "https://example.gov.cn/hy/1", clock)
    stored = archive.ledger.get_obligation(oid)
    assert stored is not None
    assert (stored.status, stored.link) == ("done", "https://example.gov.cn/hy/1")
    assert stored.updated_at == (T0 + timedelta(hours=1)).astimezone(UTC)
    trail = archive.ledger.list_audit(object_type="obligation", object_id=str(oid))
    assert [(a.action, a.actor) for a in reversed(trail)] == [
        ("obligation.acknowledged", "zhang"),
        ("obligation.completed", "zhang"),
    ]
    assert trail[0].details["from"] == "acknowledged" and trail[0].details["to"] == "done"


def test_invalid_transitions_raise_clear_errors(archive: Archive, clock: SimulatedClock) -> None:
    oid = opened(archive)
    ops.complete(archive, oid, "li", "https://example.gov.cn/x", clock)
    with pytest.raises(ops.InvalidTransition, match=r"is done; it cannot be acknowledged"):
        ops.acknowledge(archive, oid, "li", clock)
    with pytest.raises(ops.InvalidTransition, match="cannot be waived"):
        ops.waive(archive, oid, "li", "不需要", clock)
    with pytest.raises(ops.InvalidTransition, match="cannot be assigned"):
        ops.assign(archive, oid, "li", "wang", clock)
    with pytest.raises(ops.ObligationNotFound, match="no obligation #999"):
        ops.acknowledge(archive, 999, "li", clock)
    other = opened(archive, subject="event:e2")
    with pytest.raises(ops.ObligationError, match="link"):
        ops.complete(archive, other, "li", "  ", clock)
    with pytest.raises(ops.ObligationError, match="reason"):
        ops.waive(archive, other, "li", "", clock)
    with pytest.raises(ops.ObligationError, match="actor"):
        ops.acknowledge(archive, other, "", clock)
    # Failed attempts leave no audit entries behind.
    assert archive.ledger.list_audit(object_type="obligation", object_id=str(other)) == []


def test_waive_assign_and_reopen(archive: Archive, clock: SimulatedClock) -> None:
    oid = opened(archive)
    ops.assign(archive, oid, "lead", "wang", clock)
    assert ops.acknowledge(archive, oid, "wang", clock).assignee == "wang"
    ops.waive(archive, oid, "lead", "与本部门职责无关", clock)
    stored = archive.ledger.get_obligation(oid)
    assert stored is not None and (stored.status, stored.note) == ("waived", "与本部门职责无关")
    ops.reopen(archive, oid, "lead", "误操作", clock)
    stored = archive.ledger.get_obligation(oid)
    assert stored is not None and stored.status == "open"
    actions = [a.action for a in archive.ledger.list_audit(object_type="obligation")]
    assert actions == [
        "obligation.reopened",
        "obligation.waived",
        "obligation.acknowledged",
        "obligation.assigned",
    ]


def test_overdue_and_time_left(archive: Archive) -> None:
    oid = opened(archive)
    ob = archive.ledger.get_obligation(oid)
    assert ob is not None
    due = ob.due_at
    assert not ops.is_overdue(ob, due)  # met up to and including the deadline
    assert ops.is_overdue(ob, due + timedelta(seconds=1))
    assert ops.time_left(ob, due - timedelta(hours=2)) == timedelta(hours=2)
    ob.status = "done"
    assert not ops.is_overdue(ob, due + timedelta(days=1))


def test_add_manual_penalty_decision(archive: Archive, clock: SimulatedClock) -> None:
    settings = Settings()
    decided = datetime(2026, 11, 23, 15, tzinfo=SHANGHAI)
    ob = ops.add_manual(
        archive,
        settings,
        clock,
        "penalty_disclosure",
        "杭市监罚〔2026〕12号",
        "公开行政处罚：某公司销售不合格电热水壶",
        decided,
        "county",
        "zhao",
    )
    assert ob.id is not None and ob.level == "county"
    assert ob.due_at == datetime(2026, 12, 2, 23, 59, 59, tzinfo=SHANGHAI)
    again = ops.add_manual(
        archive,
        settings,
        clock,
        "penalty_disclosure",
        "杭市监罚〔2026〕12号",
        "",
        decided,
        "county",
        "zhao",
    )
    assert again.id == ob.id
    trail = archive.ledger.list_audit(object_type="obligation", object_id=str(ob.id))
    assert [(a.action, a.actor) for a in trail] == [("obligation.added", "zhao")]
    with pytest.raises(ops.ObligationError, match="unknown obligation kind"):
        ops.add_manual(archive, settings, clock, "memo", "x", "", decided, None, "zhao")
    with pytest.raises(ops.ObligationError, match="timezone"):
        ops.add_manual(
            archive, settings, clock, "response", "x", "", datetime(2026, 1, 1), None, "zhao"
        )
