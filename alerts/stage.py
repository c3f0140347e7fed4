"""The alert stage: rules over what the archive holds → alerts, obligations, queued messages.

One evaluation:

1. read the mentions new or changed since the stage cursor (with their analyses) and the
   events active within ``nlp.event_window``;
2. run every enabled rule (``alerts.rules``) and merge its matches per subject;
3. store one alert per (rule, subject) — later evidence updates it; its level only rises;
4. open the obligations the rule lists, one per (kind, subject), due per ``alerts.deadlines``,
   in the order of ``OBLIGATION_KINDS`` so that inhibitions see the stronger duty first;
5. close (from the agency's own channels) or propose as done the obligations that qualifying
   publications answer (``alerts.fulfilment``), before any message is queued;
6. queue the notifications for the rule's recipients, then the reminders and escalations
   that are due (``alerts.reminders``);
7. advance the cursor.

Everything written is keyed — alerts by (rule, subject), obligations by (kind, subject),
messages by ``dedup_key`` — and steps 4 to 6 run for every current match, not only new ones,
so a crash anywhere is repaired by the next evaluation without duplicates, and an evaluation
with no new data changes nothing. Audit entries (actor ``system``) are written when an alert
or obligation is created, or an alert's level rises.

Mentions are judged once the NLP stage has analysed them: the cursor does not pass a mention
without an analysis until ``ANALYSIS_GRACE`` after it was fetched (official documents, which
need no analysis, never hold it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from alerts.calendar import WorkingCalendar
from alerts.deadlines import Deadline, due, kind_rule
from alerts.fulfilment import fulfil
from alerts.messages import alert_message, dashboard_url, late_reason, obligation_message
from alerts.reminders import remind_and_escalate
from alerts.rulebook import describe_change, rules_in_force
from alerts.rules import ALERT_LEVELS, Match, RuleInput, RuleType, build_rule, grade_rank
from alerts.silences import active_silence, stored_silences
from archive.base import Archive
from archive.models import Alert, Analysis, AuditEntry, Mention, Obligation, OutboxMessage, Reason
from core.clock import Clock
from core.settings import OBLIGATION_KINDS, Settings, SilenceSettings

log = logging.getLogger(__name__)

STAGE = "alerts"
BATCH = 500
MAX_MENTIONS = 5000  # per evaluation; the rest waits for the next one
EVENT_LIMIT = 500
SCAN_LIMIT = 1_000_000  # "all" for list_alerts / list_obligations
EVIDENCE_LIMIT = 20
ANALYSIS_GRACE = timedelta(hours=1)
ACTOR = "system"
# Inhibition: an obligation of the key kind is not opened for an event (or subject) that
# already has one of the listed kinds in INHIBITING_STATES. A press conference within 24 hours
# answers the public; a separate 48-hour response would be noise. A waived press conference
# no longer inhibits (the response is then due after all).
INHIBITIONS: dict[str, tuple[str, ...]] = {"response": ("press_conference",)}
INHIBITING_STATES = ("open", "acknowledged", "done")
ACTIVE_STATES = ("open", "acknowledged")


@dataclass
class AlertReport:
    alerts_new: int = 0
    alerts_updated: int = 0
    obligations_opened: int = 0
    messages_queued: int = 0
    obligations_inhibited: int = 0
    mentions_read: int = 0
    fulfilments_proposed: int = 0
    fulfilments_closed: int = 0
    reminders_queued: int = 0
    escalations: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Fired:
    """One (rule, subject) of this evaluation and what it led to."""

    rule: RuleType
    match: Match
    alert: Alert
    raised_from: str | None = None
    obligations: list[tuple[Obligation, Deadline]] = field(default_factory=list)
    # Every obligation it led to was fulfilled as it opened (a penalty decision published on
    # the agency's own site): an information alert with nothing to do is not pushed.
    all_fulfilled: bool = False


def evaluate(archive: Archive, settings: Settings, clock: Clock) -> AlertReport:
    """Run every enabled rule once over the archive; safe to repeat and to interrupt."""
    now = clock.now()
    report = AlertReport()
    rules = _rules(archive, settings, now, report)
    hold = any(rule.needs_analysis for rule in rules)
    cursor = archive.ledger.get_cursor(STAGE)
    mentions, new_cursor = _read_mentions(archive, cursor, now, hold)
    report.mentions_read = len(mentions)
    events = archive.list_events(active_since=now - settings.nlp.event_window, limit=EVENT_LIMIT)
    existing = {(a.rule, a.subject): a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT)}

    silences = [*settings.silences, *stored_silences(archive, now).values()]
    fired: list[_Fired] = []
    for rule in rules:
        mine = {s: a for (r, s), a in existing.items() if r == rule.name}
        data = RuleInput(
            now,
            archive,
            events,
            mentions,
            alerts=mine,
            source_levels={s.name: s.level for s in settings.sources if s.level},
            region_levels=dict(settings.obligations.region_levels),
            hotspot=settings.nlp.hotspot,
            own_names=frozenset(settings.agency.own_names() if settings.agency else ()),
            agency=settings.agency,
        )
        try:
            matches = merge_matches(rule.find(data))
        except Exception as exc:  # one broken rule must not silence the others
            log.exception("rule %s failed", rule.name)
            report.errors.append(f"rule {rule.name}: {exc}")
            continue
        for match in matches:
            item = _store_alert(
                archive, rule, match, existing.get((rule.name, match.subject)), now, report
            )
            _apply_silence(archive, silences, item, now)
            fired.append(item)

    calendar = WorkingCalendar(settings.obligations.holidays)
    opened = _open_obligations(archive, settings, calendar, fired, now, report)
    by_name = {rule.name: rule.settings for rule in rules}
    alerts = {a.id: a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT) if a.id is not None}
    # Before any message: an obligation found late may be fulfilled already, and a penalty
    # published on the agency's own site is its own disclosure.
    found = fulfil(archive, settings, by_name, alerts, mentions, opened, now)
    report.fulfilments_closed, report.fulfilments_proposed = found.closed, found.proposed
    _drop_closed(archive, fired)
    _queue_messages(archive, settings, fired, now, report)
    follow = remind_and_escalate(archive, settings, by_name, now, alerts)
    report.reminders_queued = follow.reminders
    report.escalations = follow.escalations
    if new_cursor != cursor:
        archive.ledger.set_cursor(STAGE, new_cursor)
    return report


def _drop_closed(archive: Archive, fired: list[_Fired]) -> None:
    """Forget obligations closed since they were opened: nothing is due for them."""
    for item in fired:
        current = [(archive.ledger.get_obligation(ob.id or 0), d) for ob, d in item.obligations]
        active = [(ob, d) for ob, d in current if ob is not None and ob.status in ACTIVE_STATES]
        item.all_fulfilled = bool(current) and not active
        item.obligations = active


def _rules(
    archive: Archive, settings: Settings, now: datetime, report: AlertReport
) -> list[RuleType]:
    """The enabled rules in force; a reloaded or rejected rule file is audited once."""
    configured, book = rules_in_force(settings)
    if book is not None and book.changed:
        action = "rules.loaded" if book.changed == "loaded" else "rules.rejected"
        archive.ledger.audit(
            AuditEntry(now, ACTOR, action, "rules", str(book.path), describe_change(book, now))
        )
    if book is not None and book.last_error is not None:
        report.errors += [f"rule file rejected: {p}" for p in book.last_error.problems]
    rules = []
    for rule_settings in configured:
        if not rule_settings.enabled:
            continue
        try:
            rules.append(build_rule(rule_settings))
        except ValueError as exc:
            report.errors.append(str(exc))
    return rules


def _apply_silence(
    archive: Archive, silences: Sequence[SilenceSettings], item: _Fired, now: datetime
) -> None:
    """Mark the alert silenced while a silence matches it, firing again when none does."""
    alert = item.alert
    silence = active_silence(silences, alert, now)
    if silence is not None and alert.status != "silenced":
        status, action = "silenced", "alert.silenced"
        details = {
            "silenced_by": silence.created_by,
            "comment": silence.comment,
            "ends_at": silence.ends_at.isoformat(),
        }
    elif silence is None and alert.status == "silenced":
        status, action, details = "firing", "alert.unsilenced", {}
    else:
        return
    entry = _entry(now, action, "alert", rule=alert.rule, **details)
    item.alert, _ = archive.ledger.upsert_alert_audited(replace(alert, status=status), entry)


def _read_mentions(
    archive: Archive, cursor: int, now: datetime, hold: bool
) -> tuple[list[tuple[Mention, Analysis | None]], int]:
    out: list[tuple[Mention, Analysis | None]] = []
    position = cursor
    safe: int | None = None  # the cursor may not pass a mention still waiting for analysis
    while len(out) < MAX_MENTIONS:
        batch = archive.mentions_since(position, BATCH)
        if not batch:
            break
        analyses = archive.get_analyses([m.id for _, m in batch])
        for pos, mention in batch:
            analysis = analyses.get(mention.id)
            official = mention.platform == "official" or mention.kind == "official"
            waiting = analysis is None and hold and not official
            if waiting and safe is None and mention.fetched_at > now - ANALYSIS_GRACE:
                safe = position
            out.append((mention, analysis))
            position = pos
    return out, (safe if safe is not None else position)


def merge_matches(matches: Sequence[Match]) -> list[Match]:
    """One match per subject: earliest detection, latest activity, highest level, all evidence."""
    merged: dict[str, Match] = {}
    for match in matches:
        seen = merged.get(match.subject)
        if seen is None:
            merged[match.subject] = replace(match, evidence=list(match.evidence))
            continue
        seen.detected_at = min(seen.detected_at, match.detected_at)
        seen.last_at = max(seen.last_at, match.last_at)
        seen.level = _higher(seen.level, match.level)
        seen.evidence = _merge_evidence(seen.evidence, match.evidence)
        if grade_rank(match.grade) > grade_rank(seen.grade):
            seen.grade = match.grade
        seen.event_id = seen.event_id or match.event_id
        if seen.published_at is None:
            seen.published_at = match.published_at
        seen.obligation_level = seen.obligation_level or match.obligation_level
    return list(merged.values())


def _higher(a: str, b: str) -> str:
    rank = {level: i for i, level in enumerate(ALERT_LEVELS)}
    return a if rank.get(a, -1) >= rank.get(b, -1) else b


def _key(reason: Reason) -> tuple[str, str, str | None]:
    return (reason.kind, reason.text, reason.mention_id)


def _merge_evidence(first: Sequence[Reason], then: Sequence[Reason]) -> list[Reason]:
    """``first`` (the current evidence) then whatever of ``then`` is new, capped."""
    out = list(first)
    keys = {_key(r) for r in out}
    for reason in then:
        if _key(reason) not in keys:
            keys.add(_key(reason))
            out.append(reason)
    return out[:EVIDENCE_LIMIT]


def _store_alert(
    archive: Archive,
    rule: RuleType,
    match: Match,
    old: Alert | None,
    now: datetime,
    report: AlertReport,
) -> _Fired:
    if old is None:
        alert = Alert(
            rule=rule.name,
            subject=match.subject,
            level=match.level,
            title=match.title,
            first_at=match.detected_at,
            last_at=match.last_at,
            event_id=match.event_id,
            evidence=match.evidence[:EVIDENCE_LIMIT],
        )
        entry = _entry(
            now, "alert.fired", "alert", rule=rule.name, subject=match.subject, level=alert.level
        )
        stored, _ = archive.ledger.upsert_alert_audited(alert, entry)
        report.alerts_new += 1
        return _Fired(rule, match, stored)
    status = old.status
    if status == "resolved" and match.last_at > old.last_at:
        status = "firing"  # it came back
    candidate = replace(
        old,
        level=_higher(old.level, match.level),
        title=match.title or old.title,
        last_at=max(old.last_at, match.last_at),
        event_id=old.event_id or match.event_id,
        evidence=_merge_evidence(match.evidence, old.evidence),
        status=status,
    )
    if candidate == old:
        return _Fired(rule, match, old)
    raised = old.level if candidate.level != old.level else None
    raise_entry = None
    if raised:
        raise_entry = _entry(
            now,
            "alert.raised",
            "alert",
            rule=rule.name,
            subject=match.subject,
            level=candidate.level,
            previous=raised,
        )
    stored, _ = archive.ledger.upsert_alert_audited(candidate, raise_entry)
    report.alerts_updated += 1
    return _Fired(rule, match, stored, raised_from=raised)


def _entry(now: datetime, action: str, object_type: str, **details: object) -> AuditEntry:
    """An audit entry by the stage; the archive fills in the object's id as it writes."""
    return AuditEntry(now, ACTOR, action, object_type, "", dict(details))


def _open_obligations(
    archive: Archive,
    settings: Settings,
    calendar: WorkingCalendar,
    fired: list[_Fired],
    now: datetime,
    report: AlertReport,
) -> list[int]:
    """Open what the matches call for; returns the ids of the obligations opened now."""
    opened: list[int] = []
    planned = [
        (item, kind)
        for item in fired
        for kind in dict.fromkeys(item.rule.settings.opens)
        if _eligible(kind, item.match)
    ]
    if not planned:
        return opened
    planned.sort(key=lambda pair: OBLIGATION_KINDS.index(pair[1]))
    # Read once: most matches are of obligations already open, which need no write.
    known = {(ob.kind, ob.subject): ob for ob in archive.ledger.list_obligations(limit=SCAN_LIMIT)}
    held: set[tuple[str, str]] = set()
    for ob in known.values():
        if ob.status in INHIBITING_STATES:
            held.add((ob.kind, ob.event_id or ob.subject))
            held.add((ob.kind, ob.subject))
    for item, kind in planned:
        match = item.match
        scope = match.event_id or match.subject
        blockers = [k for k in INHIBITIONS.get(kind, ()) if (k, scope) in held]
        if blockers and (kind, match.subject) not in held:
            report.obligations_inhibited += 1
            continue
        rule_kind = kind_rule(kind)
        trigger = match.detected_at
        if rule_kind.clock != "hours" and match.published_at is not None:
            trigger = match.published_at
        level = match.obligation_level or settings.obligations.level
        try:
            deadline = due(kind, trigger, settings.obligations, level, calendar)
        except ValueError as exc:
            log.error("cannot compute the %s deadline for %s: %s", kind, match.subject, exc)
            report.errors.append(f"{kind} {match.subject}: {exc}")
            continue
        existing = known.get((kind, match.subject))
        if existing is not None:
            if existing.status in ACTIVE_STATES:
                item.obligations.append((existing, deadline))
            continue
        entry = _entry(
            now,
            "obligation.opened",
            "obligation",
            kind=kind,
            subject=match.subject,
            rule=item.rule.name,
            alert_id=item.alert.id,
            due_at=deadline.due_at.isoformat(),
            provisional=deadline.provisional,
            basis=deadline.rule_text,
        )
        late = late_reason(trigger, deadline.due_at, now, _event_start(archive, match))
        if late:
            entry.details["late_reason"] = late
        ob, created = archive.ledger.open_obligation_audited(
            Obligation(
                kind=kind,
                subject=match.subject,
                title=f"{rule_kind.label}：{match.title}",
                opened_at=trigger,
                due_at=deadline.due_at,
                provisional=deadline.provisional,
                event_id=match.event_id,
                alert_id=item.alert.id,
                level=level,
                evidence=_evidence_ids(match),
                late_reason=late,
            ),
            entry,
        )
        known[(kind, match.subject)] = ob
        if created:
            opened.append(ob.id or 0)
            report.obligations_opened += 1
            held.add((kind, scope))
            held.add((kind, match.subject))
        if ob.status in ACTIVE_STATES:
            item.obligations.append((ob, deadline))
    return opened


def _evidence_ids(match: Match) -> list[str]:
    return list(dict.fromkeys(r.mention_id for r in match.evidence if r.mention_id))


def _event_start(archive: Archive, match: Match) -> datetime | None:
    if not match.event_id:
        return None
    event = archive.get_event(match.event_id)
    return event.first_seen if event is not None else None


def _eligible(kind: str, match: Match) -> bool:
    """Kinds tied to a grade wait until a graded match reaches it (a later upgrade opens them)."""
    if kind in match.skip_kinds:
        return False
    needed = kind_rule(kind).min_grade
    return needed is None or match.grade is None or grade_rank(match.grade) >= grade_rank(needed)


def _queue_messages(
    archive: Archive, settings: Settings, fired: list[_Fired], now: datetime, report: AlertReport
) -> None:
    recipients = {r.name: r for r in settings.recipients}
    for item in fired:
        rule = item.rule.settings
        targets = [
            (name, notifier)
            for name in rule.recipients
            if name in recipients
            for notifier in recipients[name].notifiers
        ]
        if not targets:
            continue
        alert = item.alert
        if alert.status == "silenced":
            continue  # see alerts.silences: the obligations stay open, their messages wait
        if item.all_fulfilled and alert.level == "info":
            continue
        link = dashboard_url(settings)
        messages: list[tuple[str, tuple[str, str]]] = []
        # Keyed by level too: a raised level is news and is sent once more.
        text = alert_message(
            rule, alert, item.match, item.obligations, item.raised_from, now=now, link=link
        )
        messages.append((f"alert:{alert.id}:{alert.level}", text))
        for ob, deadline in item.obligations:
            text = obligation_message(rule, ob, item.match, deadline, now=now, link=link)
            messages.append((f"obligation:{ob.id}:opened", text))
        for prefix, (subject, body) in messages:
            for name, notifier in targets:
                queued = archive.ledger.enqueue(
                    OutboxMessage(
                        dedup_key=f"{prefix}:{name}:{notifier}",
                        channel=notifier,
                        recipient=name,
                        subject=subject,
                        body=body,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
                report.messages_queued += int(queued)
