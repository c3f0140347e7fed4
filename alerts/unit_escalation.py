"""An unacknowledged obligation climbs the unit tree (属地化: the superior watches and steps in).

An obligation routed to a unit (``alerts.unit_routing.ObligationUnits``) that nobody
acknowledges is escalated on the same timing as the recipients' ``escalates_to`` chains
(``alerts.reminders.escalation_hops``: calendar-hour obligations every
``obligations.escalate_after``, working-day ones at the shares of ``escalate_shares``): at hop
*k* the recipients of the unit's *k*-th ancestor are told — its parent at the first step, the
grandparent at the second, up to the root.

Nobody is told twice of one obligation's escalation. Per hop, the order is: the recipients
already reminded of the obligation (the rule's, the unit's, the parent's for 重大 and above)
are never escalated to; then the ``escalates_to`` chains (a person's own deputy or chief is
the nearer hand); then the unit tree, skipping anyone a chain reaches at that hop or earlier.
A chain hop reaching someone the unit tree told at an earlier hop is skipped in turn
(``alerts.reminders``). The plan is a pure function of the hops due, so an evaluation repeated
or interrupted queues the same keys (``obligation:<id>:unit-escalate:<hop>``) and nothing twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.deadlines import kind_label
from alerts.messages import obligation_link, show_due, show_left, show_span
from alerts.outbox import queue_for
from alerts.units import UnitTree
from archive.base import Archive
from archive.models import AuditEntry, Obligation
from core.settings import RecipientSettings

ACTOR = "system"


@dataclass(frozen=True)
class UnitStep:
    """One hop up the unit tree: the ancestor told and the recipients it tells."""

    hop: int
    unit_id: str
    names: tuple[str, ...]


def unit_steps(
    tree: UnitTree,
    unit_id: str,
    hops: int,
    reminded: Collection[str],
    chain_hop: Mapping[str, int],
) -> list[UnitStep]:
    """The ancestors of ``unit_id`` due at ``hops`` hops, each with the recipients to tell:
    not those ``reminded`` already, not those an ``escalates_to`` chain reaches at that hop
    or earlier (``chain_hop``: name → the first hop a chain reaches it), not those an earlier
    step told."""
    steps: list[UnitStep] = []
    told = set(reminded)
    for hop, ancestor in enumerate(tree.chain(unit_id)[1 : hops + 1], 1):
        names = tuple(
            name
            for name in dict.fromkeys(ancestor.recipients)
            if name not in told and chain_hop.get(name, hops + 1) > hop
        )
        told.update(names)
        steps.append(UnitStep(hop, ancestor.id, names))
    return steps


def first_unit_hop(steps: list[UnitStep]) -> dict[str, int]:
    """Name → the hop at which the unit tree tells it."""
    return {name: step.hop for step in steps for name in step.names}


def escalate_up_units(
    archive: Archive,
    tree: UnitTree,
    recipients: Mapping[str, RecipientSettings],
    ob: Obligation,
    unit_id: str,
    steps: list[UnitStep],
    due_at: list[datetime],
    created: datetime,
    now: datetime,
    link: str,
) -> int:
    """Queue each step's message (``due_at``: when each hop fell due); the number of
    recipients newly told."""
    queued = 0
    unit_name = tree.unit(unit_id).name
    for step in steps:
        names = [name for name in step.names if name in recipients]
        if not names:
            continue
        waited = int((due_at[step.hop - 1] - created).total_seconds() // 60)
        shown = show_span(timedelta(minutes=waited))
        subject = f"【升级提醒·{kind_label(ob.kind)}】{ob.title}（{unit_name}{shown}未确认）"
        body = "\n".join(
            [
                f"义务 #{ob.id}「{ob.title}」属地单位 {unit_name} 已 {shown} 未确认，"
                f"请上级单位 {tree.unit(step.unit_id).name} 督促办理。",
                f"属地单位：{unit_name}",
                f"截止时间：{show_due(ob.due_at, ob.provisional)}（{show_left(ob.due_at, now)}）",
                f"确认与办结：{obligation_link(link, ob)}",
            ]
        )
        key = f"obligation:{ob.id}:unit-escalate:{step.hop}"
        for name in names:
            if not queue_for(archive, recipients, [name], key, subject, body, now):
                continue  # queued by an earlier evaluation
            queued += 1
            archive.ledger.audit(
                AuditEntry(
                    now,
                    ACTOR,
                    "obligation.escalated",
                    "obligation",
                    str(ob.id),
                    {
                        "to": name,
                        "unit": step.unit_id,
                        "from_unit": unit_id,
                        "hop": step.hop,
                        "unacknowledged_minutes": waited,
                    },
                )
            )
    return queued
