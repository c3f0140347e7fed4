"""Opening obligations from an evaluation's alerts: plan → inhibit → deadline → open.

1. **plan**: the kinds each fired rule lists (``opens``), those a graded match has reached, in
   the order of ``OBLIGATION_KINDS`` so that inhibitions see the stronger duty first;
2. **inhibit** (``alerts.mute.Inhibitor``): a kind an open duty already answers is skipped;
3. **deadline** (``alerts.deadlines``): the trigger (first detection; publication or decision
   for working-day kinds), the agency level and the due time;
4. **open**: one obligation per (kind, subject) with its ``obligation.opened`` audit entry —
   an obligation found after its deadline says why (``late_reason``). One already stored is
   reused, never opened twice.

Each active obligation is attached to its ``Fired`` with its deadline, for the notices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from alerts.calendar import WorkingCalendar
from alerts.deadlines import Deadline, due, kind_rule
from alerts.firing import Fired, system_entry
from alerts.messages import late_reason
from alerts.mute import Inhibitor
from alerts.rules import Match, grade_rank
from archive.base import Archive
from archive.models import Obligation
from core.settings import OBLIGATION_KINDS, Settings

log = logging.getLogger(__name__)

SCAN_LIMIT = 1_000_000  # "all" for list_obligations
ACTIVE_STATES = ("open", "acknowledged")


@dataclass
class Opening:
    """What ``open_obligations`` did."""

    opened: list[int] = field(default_factory=list)  # ids of the obligations opened now
    inhibited: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Timed:
    """An obligation's clock: what started it, at which agency level, and when it is due."""

    trigger: datetime
    level: str
    deadline: Deadline


def open_obligations(
    archive: Archive,
    settings: Settings,
    calendar: WorkingCalendar,
    fired: list[Fired],
    now: datetime,
) -> Opening:
    """Open what the matches call for (see the module doc)."""
    result = Opening()
    planned = plan(fired)
    if not planned:
        return result
    # Read once: most matches are of obligations already open, which need no write.
    known = {(ob.kind, ob.subject): ob for ob in archive.ledger.list_obligations(limit=SCAN_LIMIT)}
    inhibitor = Inhibitor(known.values())
    for item, kind in planned:
        match = item.match
        if inhibitor.blocks(kind, match):
            result.inhibited += 1
            continue
        try:
            timed = deadline(kind, match, settings, calendar)
        except ValueError as exc:
            log.error("cannot compute the %s deadline for %s: %s", kind, match.subject, exc)
            result.errors.append(f"{kind} {match.subject}: {exc}")
            continue
        existing = known.get((kind, match.subject))
        if existing is not None:
            if existing.status in ACTIVE_STATES:
                item.obligations.append((existing, timed.deadline))
            continue
        ob, created = open_one(archive, item, kind, timed, now)
        known[(kind, match.subject)] = ob
        if created:
            result.opened.append(ob.id or 0)
            inhibitor.hold(kind, match.event_id or match.subject, match.subject)
        if ob.status in ACTIVE_STATES:
            item.obligations.append((ob, timed.deadline))
    _mark_newest(fired, known.values())
    return result


def _mark_newest(fired: list[Fired], obligations: Iterable[Obligation]) -> None:
    """Give each alert the id of the newest obligation it opened, from what is stored (so a
    repeated or interrupted evaluation marks the same)."""
    newest: dict[int, int] = {}
    for ob in obligations:
        if ob.alert_id is not None and ob.id is not None:
            newest[ob.alert_id] = max(ob.id, newest.get(ob.alert_id, 0))
    for item in fired:
        item.newest_obligation = newest.get(item.alert.id or 0)


def plan(fired: list[Fired]) -> list[tuple[Fired, str]]:
    """(alert, kind) for every kind the rules call for, strongest duty first."""
    planned: list[tuple[Fired, str]] = [
        (item, kind)
        for item in fired
        for kind in dict.fromkeys(item.rule.settings.opens)
        if eligible(kind, item.match)
    ]
    planned.sort(key=lambda pair: OBLIGATION_KINDS.index(pair[1]))
    return planned


def eligible(kind: str, match: Match) -> bool:
    """Kinds tied to a grade wait until a graded match reaches it (a later upgrade opens them)."""
    if kind in match.skip_kinds:
        return False
    needed = kind_rule(kind).min_grade
    return needed is None or match.grade is None or grade_rank(match.grade) >= grade_rank(needed)


def deadline(kind: str, match: Match, settings: Settings, calendar: WorkingCalendar) -> Timed:
    """The clock of ``kind`` for ``match``; ValueError when the deadline cannot be computed."""
    trigger = match.detected_at
    if kind_rule(kind).clock != "hours" and match.published_at is not None:
        trigger = match.published_at
    level = match.obligation_level or settings.obligations.level
    return Timed(trigger, level, due(kind, trigger, settings.obligations, level, calendar))


def open_one(
    archive: Archive, item: Fired, kind: str, timed: Timed, now: datetime
) -> tuple[Obligation, bool]:
    """Store the obligation with its audit entry; (the stored one, whether it is new)."""
    match, deadline_ = item.match, timed.deadline
    entry = system_entry(
        now,
        "obligation.opened",
        "obligation",
        kind=kind,
        subject=match.subject,
        rule=item.rule.name,
        alert_id=item.alert.id,
        due_at=deadline_.due_at.isoformat(),
        provisional=deadline_.provisional,
        basis=deadline_.rule_text,
    )
    late = late_reason(timed.trigger, deadline_.due_at, now, _event_start(archive, match))
    if late:
        entry.details["late_reason"] = late
    return archive.ledger.open_obligation_audited(
        Obligation(
            kind=kind,
            subject=match.subject,
            title=f"{kind_rule(kind).label}：{match.title}",
            opened_at=timed.trigger,
            due_at=deadline_.due_at,
            provisional=deadline_.provisional,
            event_id=match.event_id,
            alert_id=item.alert.id,
            level=timed.level,
            evidence=_evidence_ids(match),
            late_reason=late,
        ),
        entry,
    )


def _evidence_ids(match: Match) -> list[str]:
    return list(dict.fromkeys(r.mention_id for r in match.evidence if r.mention_id))


def _event_start(archive: Archive, match: Match) -> datetime | None:
    if not match.event_id:
        return None
    event = archive.get_event(match.event_id)
    return event.first_seen if event is not None else None


def drop_closed(archive: Archive, fired: list[Fired]) -> None:
    """Forget obligations closed since they were opened: nothing is due for them."""
    for item in fired:
        current = [(archive.ledger.get_obligation(ob.id or 0), d) for ob, d in item.obligations]
        active = [(ob, d) for ob, d in current if ob is not None and ob.status in ACTIVE_STATES]
        item.all_fulfilled = bool(current) and not active
        item.obligations = active
