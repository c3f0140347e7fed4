"""A briefing's moment: the events and duties as they stood at the end of its period.

A 日报 on a past day describes that day, not the moment it is generated. Walking the
wangjiang_canteen drill, the 11-17 日报 generated after the replay said of the kindergarten
poisoning 热度0.0，处于平息阶段 on the story's peak day (today's decayed heat), and missed the
release and press-conference duties recorded that day (counted by their backdated
``opened_at``). Here:

- the moment is the period's end, or the generation time when the period is not over;
- an event's figures are those of its mentions published by then, its heat and stage computed
  at that moment by the analysis's own formula (``nlp.heat.status_at``);
- a duty belongs to the day it was recorded (its ``obligation.opened`` audit entry,
  as ``alerts.reminders`` reads it), a 补登 duty (opened after its deadline, backdated) too,
  marked as such; its state is the one it had at the moment (done by then or not).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from alerts.reminders import OPENED_ACTIONS
from archive.base import Archive
from archive.models import Mention, Obligation
from core.clock import local
from nlp.heat import Activity, mention_weight, status_at
from reports.periods import Period

AUDIT_LIMIT = 1000  # entries of one duty read (as alerts.reminders.created_at)


def moment(period: Period, now: datetime) -> datetime:
    """When the briefing's figures stand: the period's end, or now while it runs."""
    return min(now, period.end)


def moment_text(period: Period, now: datetime) -> str:
    """``目前`` while the period runs; ``截至11月17日24时`` for a period that is over."""
    if now < period.end:
        return "目前"
    end = local(period.end)
    last = local(period.end - timedelta(microseconds=1))
    if (end.hour, end.minute) == (0, 0):
        return f"截至{last.month}月{last.day}日24时"
    return f"截至{end.month}月{end.day}日{end:%H:%M}"


def event_state(
    members: Sequence[Mention], at: datetime, window: timedelta
) -> tuple[int, float, str]:
    """(mentions published by ``at``, heat at ``at``, stage at ``at``) of an event whose
    members are ``members``."""
    seen = [m for m in members if m.published_at <= at]
    if not seen:
        return 0, 0.0, "emerging"
    activities = [
        Activity(m.published_at, mention_weight(m.platform, m.metrics or {}), m.platform)
        for m in seen
    ]
    last = max(m.published_at for m in seen)
    status, heat = status_at(activities, at, last, window)
    return len(seen), heat, status


def recorded_at(archive: Archive, ob: Obligation) -> datetime:
    """When the duty entered the archive (its opening audit entry, as the reminders read it),
    not its backdated trigger; its trigger when no opening was recorded (a duty stored
    without the ledger's audited opening)."""
    entries = archive.ledger.list_audit("obligation", str(ob.id), limit=AUDIT_LIMIT)
    opened = [e.at for e in entries if e.action in OPENED_ACTIONS]
    return min(opened) if opened else ob.opened_at


def state_at(ob: Obligation, at: datetime) -> str:
    """on_time / late / waived / overdue / open as the duty stood at ``at``."""
    done_at = ob.done_at or (ob.updated_at if ob.status == "done" else None)
    if ob.status == "done" and done_at is not None and done_at <= at:
        return "on_time" if done_at <= ob.due_at else "late"
    if ob.status == "waived" and (ob.updated_at is None or ob.updated_at <= at):
        return "waived"
    return "overdue" if ob.due_at < at else "open"
