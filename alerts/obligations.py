"""Obligation lifecycle: the operations the CLI and the dashboard both call.

States and the moves between them::

    open ──acknowledge──► acknowledged
    open / acknowledged ──complete (with a link to what was published)──► done
    open / acknowledged ──waive (with a reason)──► waived
    done / waived ──reopen (with a reason)──► open        (a mistaken close)
    done by the system ──undo──► open  (the publication it used is never used again)
    assign: open or acknowledged, any number of times

Any other move raises ``InvalidTransition`` with a message for the user. Every change goes
through ``Ledger.update_obligation`` (and an obligation entered by hand through
``Ledger.open_obligation_audited``), which writes the audit entry (who, what, from, to) in
the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from alerts.deadlines import due, kind_label
from archive.base import Archive
from archive.models import AuditEntry, Obligation
from core.clock import Clock
from core.settings import ObligationSettings, Settings

ACTIVE = ("open", "acknowledged")
STATE_LABELS = {"open": "待办", "acknowledged": "已确认", "done": "已完成", "waived": "已豁免"}
# action → (states it may start from, state it leads to); None keeps the state.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "acknowledge": (("open",), "acknowledged"),
    "complete": (ACTIVE, "done"),
    "waive": (ACTIVE, "waived"),
    "reopen": (("done", "waived"), "open"),
    "undo": (("done",), "open"),
    "assign": (ACTIVE, None),
}
_PAST = {
    "acknowledge": "acknowledged",
    "complete": "completed",
    "waive": "waived",
    "reopen": "reopened",
    "undo": "fulfilment_undone",
    "assign": "assigned",
}


class ObligationError(ValueError):
    """An obligation operation that cannot be done; ``str()`` is the message for the user."""


class ObligationNotFound(ObligationError, LookupError):
    pass


class InvalidTransition(ObligationError):
    pass


def _load(archive: Archive, obligation_id: int) -> Obligation:
    ob = archive.ledger.get_obligation(obligation_id)
    if ob is None:
        raise ObligationNotFound(f"no obligation #{obligation_id}")
    return ob


def _need(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ObligationError(f"{what} must not be empty")
    return value


def _apply(
    archive: Archive, obligation_id: int, action: str, actor: str, clock: Clock, **changes: Any
) -> Obligation:
    actor = _need(actor, "actor")
    ob = _load(archive, obligation_id)
    allowed, target = TRANSITIONS[action]
    if ob.status not in allowed:
        froms = " or ".join(allowed)
        raise InvalidTransition(
            f"obligation #{ob.id} is {ob.status}; it cannot be {_PAST[action]} (only from {froms})"
        )
    updated = replace(ob, **changes, updated_at=clock.now())
    if target is not None:
        updated.status = target
    archive.ledger.update_obligation(updated, actor, f"obligation.{_PAST[action]}")
    return updated


def _undone(ob: Obligation) -> dict[str, Any]:
    """What a reopened obligation forgets: when and by what it was done."""
    return {"done_at": None, "link": "", "fulfilled_by": ""}


def acknowledge(archive: Archive, obligation_id: int, actor: str, clock: Clock) -> Obligation:
    """The spokesperson has seen it; it becomes theirs unless someone is already assigned."""
    ob = _load(archive, obligation_id)
    return _apply(
        archive, obligation_id, "acknowledge", actor, clock, assignee=ob.assignee or actor.strip()
    )


def complete(
    archive: Archive,
    obligation_id: int,
    actor: str,
    link: str,
    clock: Clock,
    at: datetime | None = None,
) -> Obligation:
    """Done, with a link to what was published (release, interpretation, disclosure).

    ``done_at`` is ``at`` when given, else the publication time of the proposed publication
    when ``link`` is its address (confirming a 建议办结), else now."""
    link = _need(link, "the link to what was published")
    ob = _load(archive, obligation_id)
    if at is not None and at.tzinfo is None:
        raise ObligationError(f"the completion time {at.isoformat()} needs a timezone")
    proposed = archive.get_mention(ob.fulfilled_by) if ob.fulfilled_by else None
    if at is None and proposed is not None and proposed.url == link:
        at = proposed.published_at
    kept = ob.fulfilled_by if proposed is not None and proposed.url == link else ""
    return _apply(
        archive,
        obligation_id,
        "complete",
        actor,
        clock,
        link=link,
        done_at=at or clock.now(),
        fulfilled_by=kept,
    )


def accept(archive: Archive, obligation_id: int, actor: str, clock: Clock) -> Obligation:
    """Confirm the proposed fulfilment (建议办结): done at that publication's time."""
    ob = _load(archive, obligation_id)
    proposed = archive.get_mention(ob.fulfilled_by) if ob.fulfilled_by else None
    if proposed is None or ob.status not in ACTIVE:
        raise ObligationError(f"obligation #{ob.id} has no proposed fulfilment to accept")
    return complete(archive, obligation_id, actor, proposed.url, clock)


def undo(archive: Archive, obligation_id: int, actor: str, clock: Clock) -> Obligation:
    """Undo the system's automatic close in one action: open again, and the publication it
    used is never taken as this obligation's fulfilment again."""
    ob = _load(archive, obligation_id)
    if ob.status != "done" or not ob.fulfilled_by:
        raise InvalidTransition(
            f"obligation #{ob.id} was not closed by the system; use reopen with a reason"
        )
    return _apply(
        archive,
        obligation_id,
        "undo",
        actor,
        clock,
        rejected=[*ob.rejected, ob.fulfilled_by],
        note=f"已撤销系统自动办结（{ob.link}）",
        **_undone(ob),
    )


def waive(
    archive: Archive, obligation_id: int, actor: str, reason: str, clock: Clock
) -> Obligation:
    """Not needed after all (e.g. the rumour is not about the agency's field), with why."""
    return _apply(
        archive, obligation_id, "waive", actor, clock, note=_need(reason, "the reason for waiving")
    )


def reopen(
    archive: Archive, obligation_id: int, actor: str, reason: str, clock: Clock
) -> Obligation:
    return _apply(
        archive,
        obligation_id,
        "reopen",
        actor,
        clock,
        note=_need(reason, "the reason for reopening"),
        **_undone(_load(archive, obligation_id)),
    )


def assign(
    archive: Archive, obligation_id: int, actor: str, assignee: str, clock: Clock
) -> Obligation:
    return _apply(
        archive, obligation_id, "assign", actor, clock, assignee=_need(assignee, "the assignee")
    )


SNOOZE_ACTION = "obligation.reminder_snoozed"
MAX_SNOOZE = timedelta(days=7)


def snooze(
    archive: Archive, obligation_id: int, actor: str, hours: float, clock: Clock
) -> Obligation:
    """Hold this obligation's reminders for ``hours``: a reminder point that passes meanwhile
    is sent when the snooze ends. Escalation of an unacknowledged obligation goes on: a
    snooze is not an acknowledgement. The latest snooze wins; it is kept in the audit log."""
    actor = _need(actor, "actor")
    ob = _load(archive, obligation_id)
    if ob.status not in ACTIVE:
        raise InvalidTransition(f"obligation #{ob.id} is {ob.status}; there is nothing to remind")
    if not 0 < hours <= MAX_SNOOZE.total_seconds() / 3600:
        raise ObligationError(f"a snooze lasts more than 0 and at most 168 hours, not {hours}")
    now = clock.now()
    archive.ledger.audit(
        AuditEntry(
            at=now,
            actor=actor,
            action=SNOOZE_ACTION,
            object_type="obligation",
            object_id=str(ob.id),
            details={"until": (now + timedelta(hours=hours)).isoformat(), "hours": hours},
        )
    )
    return ob


def snoozed_until(archive: Archive, ob: Obligation) -> datetime | None:
    """The end of the obligation's latest snooze, if it was ever snoozed."""
    snoozes = [
        e
        for e in archive.ledger.list_audit("obligation", str(ob.id), limit=1000)
        if e.action == SNOOZE_ACTION and "until" in e.details
    ]
    if not snoozes:
        return None
    latest = max(snoozes, key=lambda e: e.at)
    return datetime.fromisoformat(str(latest.details["until"]))


def is_overdue(ob: Obligation, now: datetime) -> bool:
    """Still to do and past its deadline (a deadline is met up to and including ``due_at``)."""
    return ob.status in ACTIVE and now > ob.due_at


def time_left(ob: Obligation, now: datetime) -> timedelta:
    """Until the deadline; negative when overdue. For countdowns."""
    return ob.due_at - now


def add_manual(
    archive: Archive,
    settings: Settings | ObligationSettings,
    clock: Clock,
    kind: str,
    subject: str,
    title: str,
    trigger: datetime,
    level: str | None,
    actor: str,
) -> Obligation:
    """An obligation entered by hand: a penalty decision, a policy document, the year's plan.

    Keyed by (kind, subject) like every obligation: entering the same one twice returns the
    stored one unchanged (and writes no audit entry). ``trigger`` is when the clock starts
    (decision, publication).
    """
    actor = _need(actor, "actor")
    subject = _need(subject, "subject")
    obligation_settings = settings.obligations if isinstance(settings, Settings) else settings
    if trigger.tzinfo is None:
        raise ObligationError(f"the trigger time {trigger.isoformat()} needs a timezone")
    try:
        deadline = due(kind, trigger, obligation_settings, level)
    except ValueError as exc:
        raise ObligationError(str(exc)) from None
    agency_level = level or obligation_settings.level
    entry = AuditEntry(
        at=clock.now(),
        actor=actor,
        action="obligation.added",
        object_type="obligation",
        object_id="",  # filled in by the archive
        details={
            "kind": kind,
            "subject": subject,
            "trigger": trigger.isoformat(),
            "due_at": deadline.due_at.isoformat(),
            "provisional": deadline.provisional,
            "basis": deadline.rule_text,
        },
    )
    ob, _ = archive.ledger.open_obligation_audited(
        Obligation(
            kind=kind,
            subject=subject,
            title=title.strip() or f"{kind_label(kind)}：{subject}",
            opened_at=trigger,
            due_at=deadline.due_at,
            provisional=deadline.provisional,
            level=agency_level,
            updated_at=clock.now(),
        ),
        entry,
    )
    return ob
