"""Reminders before a deadline and escalation of what nobody acknowledged.

Run at the end of every alert evaluation, over the obligations still open or acknowledged:

- **Reminders** at the points of ``obligations.reminders``: a share of the time allowed
  (``0.5`` or ``"50%"``: half the time gone), a span before the deadline (``"2h before"``) or
  the deadline itself (``"due"``). Only the latest point passed is sent, and only points that
  passed after the obligation was opened: an obligation opened late (a document found two days
  after publication) gets one reminder, not a backlog of them. They go to the recipients of the
  rule that opened it (``obligations.recipients`` for obligations entered by hand) and, with
  ``units:``, to the recipients of the unit its alert routes to — the parent unit's too for
  重大 and above (``alerts.unit_routing.ObligationUnits``), the message naming the unit.
- **Escalation follows urgency** (up the ``escalates_to`` chain of every recipient reminded,
  the unit's included): an obligation on a calendar-hour clock still ``open`` (not
  acknowledged) ``obligations.escalate_after`` after it was opened goes to each recipient's
  ``escalates_to``; after twice that time to the next one along the chain, and so on until
  the chain ends (cycles are cut). One on working days (a penalty disclosure, a policy
  interpretation: weeks, not hours) climbs one hop at each share of its time gone
  (``obligations.escalate_shares``, 50 % and 80 % by default) and never in its first day.
- **Up the unit tree** on the same hops (``alerts.unit_escalation``): with ``units:``, an
  obligation its unit leaves unacknowledged is told to the parent unit's recipients at the
  first hop, the grandparent's at the second. Per hop the ``escalates_to`` chains go first,
  then the unit tree; nobody already reminded, or reached by the other path at that hop or
  earlier, is told again.

Every message is keyed (``obligation:<id>:remind:<point>:…``, ``obligation:<id>:escalate:<hop>:…``)
so an evaluation repeated or interrupted sends nothing twice, and every escalation is written to
the audit log (actor ``system``, to whom, after how long). Obligations of a silenced alert are
not reminded while the silence runs, nor snoozed ones while the snooze runs
(``alerts.obligations.snooze``); a point passed meanwhile is sent when it ends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.deadlines import kind_label, kind_rule
from alerts.messages import dashboard_url, obligation_link, show_due, show_left, show_span
from alerts.obligations import snoozed_until
from alerts.outbox import queue_for
from alerts.unit_escalation import UnitStep, escalate_up_units, first_unit_hop, unit_steps
from alerts.unit_routing import ObligationUnits
from archive.base import Archive
from archive.models import Alert, AuditEntry, Obligation
from core.settings import RecipientSettings, RuleSettings, Settings
from core.vocabulary import shown_name

ACTOR = "system"
OPENED_ACTIONS = ("obligation.opened", "obligation.added")
STATE_LABELS = {"open": "待确认", "acknowledged": "已确认，办理中"}

_created_cache: dict[tuple[str, int], datetime] = {}


@dataclass
class ReminderReport:
    reminders: int = 0
    escalations: int = 0


def point_time(point: float | timedelta, ob: Obligation) -> datetime:
    if isinstance(point, timedelta):
        return ob.due_at - point
    return ob.opened_at + (ob.due_at - ob.opened_at) * point


def point_name(point: float | timedelta) -> str:
    if isinstance(point, timedelta):
        return f"before-{int(point.total_seconds())}s"
    return "due" if point >= 1 else f"{round(point * 100)}pct"


def created_at(archive: Archive, ob: Obligation) -> datetime:
    """When the obligation entered the archive (its opening audit entry)."""
    assert ob.id is not None
    key = (archive.describe(), ob.id)
    if key not in _created_cache:
        entries = archive.ledger.list_audit("obligation", str(ob.id), limit=1000)
        opened = [e.at for e in entries if e.action in OPENED_ACTIONS]
        _created_cache[key] = min(opened) if opened else (ob.updated_at or ob.opened_at)
    return _created_cache[key]


def remind_and_escalate(
    archive: Archive,
    settings: Settings,
    rules: Mapping[str, RuleSettings],
    now: datetime,
    alerts: Mapping[int, Alert] | None = None,
    known: Mapping[int, tuple[str | None, str | None]] | None = None,
) -> ReminderReport:
    """Queue the reminders and escalations due at ``now``. ``known``: the units (and grades)
    of this evaluation's fired alerts (``alerts.unit_routing.fired_units``)."""
    report = ReminderReport()
    recipients = {r.name: r for r in settings.recipients}
    if alerts is None:
        alerts = {a.id: a for a in archive.ledger.list_alerts(limit=1_000_000) if a.id is not None}
    link = dashboard_url(settings)
    units = ObligationUnits(archive, settings, known)
    for ob in archive.ledger.list_obligations(["open", "acknowledged"], limit=1_000_000):
        alert = alerts.get(ob.alert_id) if ob.alert_id is not None else None
        if alert is not None and alert.status == "silenced":
            continue
        created = created_at(archive, ob)
        point = _latest_point(settings.obligations.reminders, ob, created, now)
        if point is not None and _snoozed(archive, ob, now):
            point = None
        escalating = ob.status == "open" and escalation_hops(ob, created, now, settings)[0] > 0
        if point is None and not escalating:
            continue  # nothing due: the unit is not routed
        targets = _targets(ob, alert, rules, settings)
        told, unit_line = units.recipients(ob, alert)
        targets = [
            *targets,
            *(name for name in told if name not in targets and name in recipients),
        ]
        if point is not None:
            subject, body = reminder_text(ob, point, now, link)
            body = f"{body}\n{unit_line}" if unit_line else body
            key = f"obligation:{ob.id}:remind:{point_name(point)}"
            queued = queue_for(archive, recipients, targets, key, subject, body, now)
            report.reminders += int(queued > 0)  # one reminder, however many channels
        if escalating:
            hops, due_at = escalation_hops(ob, created, now, settings)
            steps = _unit_steps(units, recipients, ob, alert, targets, hops)
            report.escalations += _escalate(
                archive, settings, recipients, ob, targets, created, now, link, steps
            )
            unit_id = units.unit(ob, alert)[0]
            if steps and units.tree is not None and unit_id is not None:
                report.escalations += escalate_up_units(
                    archive, units.tree, recipients, ob, unit_id, steps, due_at, created, now, link
                )
    return report


def _unit_steps(
    units: ObligationUnits,
    recipients: Mapping[str, RecipientSettings],
    ob: Obligation,
    alert: Alert | None,
    targets: Sequence[str],
    hops: int,
) -> list[UnitStep]:
    """The hops up the unit tree due for ``ob`` (none without a unit)."""
    unit_id = units.unit(ob, alert)[0]
    if units.tree is None or unit_id is None or not hops:
        return []
    chain_hop: dict[str, int] = {}
    for origin in targets:
        for hop, name in enumerate(_chain(recipients, origin), 1):
            chain_hop[name] = min(hop, chain_hop.get(name, hop))
    return unit_steps(units.tree, unit_id, hops, targets, chain_hop)


def _snoozed(archive: Archive, ob: Obligation, now: datetime) -> bool:
    until = snoozed_until(archive, ob)
    return until is not None and now < until


def _targets(
    ob: Obligation, alert: Alert | None, rules: Mapping[str, RuleSettings], settings: Settings
) -> list[str]:
    rule = rules.get(alert.rule) if alert is not None else None
    names = list(rule.recipients) if rule is not None else list(settings.obligations.recipients)
    if (
        ob.assignee
        and ob.assignee not in names
        and ob.assignee in {r.name for r in settings.recipients}
    ):
        names.append(ob.assignee)
    return names


def _latest_point(
    points: Sequence[float | timedelta], ob: Obligation, created: datetime, now: datetime
) -> float | timedelta | None:
    passed = [(point_time(p, ob), p) for p in points]
    passed = [(at, p) for at, p in passed if created < at <= now]
    return max(passed, key=lambda pair: pair[0])[1] if passed else None


def reminder_text(
    ob: Obligation, point: float | timedelta, now: datetime, link: str
) -> tuple[str, str]:
    label = kind_label(ob.kind)
    overdue = now >= ob.due_at
    head = "已到截止时间" if overdue else "办理提醒"
    subject = f"【{head}·{label}】{ob.title}（{show_left(ob.due_at, now)}）"
    lines = [
        f"义务：{label}（#{ob.id}）",
        f"事项：{ob.title}",
        f"状态：{STATE_LABELS.get(ob.status, ob.status)}"
        + (f"，承办人：{ob.assignee}" if ob.assignee else ""),
        f"截止时间：{show_due(ob.due_at, ob.provisional)}（{show_left(ob.due_at, now)}）",
        f"办理：{obligation_link(link, ob)}",
    ]
    return subject, "\n".join(lines)


def _recipient_name(recipients: Mapping[str, RecipientSettings], name: str) -> str:
    """Who a message names: the recipient's display name (新闻发言人), not its id."""
    recipient = recipients.get(name)
    return shown_name(name, recipient.display_name if recipient is not None else "")


def _chain(recipients: Mapping[str, RecipientSettings], start: str) -> list[str]:
    """``start``'s escalation chain, without ``start``, cycles cut."""
    chain: list[str] = []
    seen = {start}
    current = recipients.get(start)
    while current is not None and current.escalates_to and current.escalates_to not in seen:
        seen.add(current.escalates_to)
        chain.append(current.escalates_to)
        current = recipients.get(current.escalates_to)
    return chain


FIRST_DAY = timedelta(days=1)


def escalation_hops(
    ob: Obligation, created: datetime, now: datetime, settings: Settings
) -> tuple[int, list[datetime]]:
    """How many hops up the chain are due now, and when each one fell due."""
    if kind_rule(ob.kind).clock == "hours":
        step = settings.obligations.escalate_after
        if step <= timedelta(0) or now < created + step:
            return 0, []
        hops = int((now - created) / step)
        return hops, [created + step * hop for hop in range(1, hops + 1)]
    if now < created + FIRST_DAY:
        return 0, []
    points = [
        ob.opened_at + (ob.due_at - ob.opened_at) * share
        for share in sorted(settings.obligations.escalate_shares)
    ]
    passed = [max(at, created + FIRST_DAY) for at in points if at <= now]
    return len(passed), passed


def _escalate(
    archive: Archive,
    settings: Settings,
    recipients: Mapping[str, RecipientSettings],
    ob: Obligation,
    targets: Sequence[str],
    created: datetime,
    now: datetime,
    link: str,
    steps: Sequence[UnitStep] = (),
) -> int:
    hops, due_at = escalation_hops(ob, created, now, settings)
    if not hops:
        return 0
    queued = 0
    # Someone the unit tree told at an earlier hop is not told again by a chain.
    by_unit = first_unit_hop(list(steps))
    for origin in targets:
        for hop, target in enumerate(_chain(recipients, origin)[:hops], 1):
            if by_unit.get(target, hop) < hop:
                continue
            waited = int((due_at[hop - 1] - created).total_seconds() // 60)
            shown = show_span(timedelta(minutes=waited))
            subject = f"【升级提醒·{kind_label(ob.kind)}】{ob.title}（{shown}未确认）"
            body = "\n".join(
                [
                    f"义务 #{ob.id}「{ob.title}」已 {shown} 无人确认，现转交您处理。",
                    f"原接收人：{_recipient_name(recipients, origin)}",
                    f"截止时间：{show_due(ob.due_at, ob.provisional)}"
                    f"（{show_left(ob.due_at, now)}）",
                    f"确认与办结：{obligation_link(link, ob)}",
                ]
            )
            key = f"obligation:{ob.id}:escalate:{hop}:{origin}"
            sent = queue_for(archive, recipients, [target], key, subject, body, now)
            if sent:
                queued += 1
                archive.ledger.audit(
                    AuditEntry(
                        now,
                        ACTOR,
                        "obligation.escalated",
                        "obligation",
                        str(ob.id),
                        {
                            "to": target,
                            "from": origin,
                            "hop": hop,
                            "unacknowledged_minutes": waited,
                        },
                    )
                )
    return queued
