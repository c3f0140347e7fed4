"""The alert stage: rules over what the archive holds → alerts, obligations, queued messages.

One evaluation, stage by stage (Alertmanager's shape; each stage is one function in its own
module):

1. **read** (``alerts.intake``): the mentions new or changed since the stage cursor, with their
   analyses, and the events active within ``nlp.event_window``;
2. **rules** (``alerts.rules``): every enabled rule, its matches merged per subject;
3. **fire** (``alerts.firing``): one alert per (rule, subject) — later evidence updates it;
   its level only rises;
4. **mute** (``alerts.mute``): a running silence marks the alert silenced (its messages wait);
5. **open** (``alerts.opening``): plan → inhibit → deadline → open, one obligation per
   (kind, subject), due per ``alerts.deadlines``;
6. **fulfil** (``alerts.fulfilment``): close (from the agency's own channels) or propose as
   done the obligations that qualifying publications answer, before any message is queued;
7. **notify** (``alerts.notices`` through ``alerts.outbox``, the dedup stage): one message per
   alert, its obligations folded in, for the rule's recipients, then the reminders and
   escalations that are due (``alerts.reminders``);
8. advance the cursor.

Delivery (group → send → record → retry) is ``alerts.notify.deliver_due``, run after it.

Everything written is keyed — alerts by (rule, subject), obligations by (kind, subject),
messages by ``dedup_key`` — and steps 5 to 7 run for every current match, not only new ones,
so a crash anywhere is repaired by the next evaluation without duplicates, and an evaluation
with no new data changes nothing. Audit entries (actor ``system``) are written when an alert
or obligation is created, or an alert's level rises.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from alerts.calendar import WorkingCalendar
from alerts.firing import ACTOR, Fired, merge_matches, store_alert
from alerts.fulfilment import fulfil
from alerts.intake import read_mentions
from alerts.mute import silence
from alerts.notices import queue_notices
from alerts.opening import drop_closed, open_obligations
from alerts.reminders import remind_and_escalate
from alerts.rulebook import describe_change, rules_in_force
from alerts.rules import RuleInput, RuleType, build_rule
from alerts.silences import stored_silences
from alerts.spread import with_spread
from alerts.unit_routing import assign_units, fired_units
from alerts.units import tree_of
from archive.base import Archive
from archive.models import Alert, Analysis, AuditEntry, Event, Mention
from core.clock import Clock
from core.settings import Settings, SilenceSettings

log = logging.getLogger(__name__)

STAGE = "alerts"
EVENT_LIMIT = 500
SCAN_LIMIT = 1_000_000  # "all" for list_alerts


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


def evaluate(archive: Archive, settings: Settings, clock: Clock) -> AlertReport:
    """Run every enabled rule once over the archive; safe to repeat and to interrupt."""
    now = clock.now()
    report = AlertReport()
    rules = _rules(archive, settings, now, report)
    hold = any(rule.needs_analysis for rule in rules)
    cursor = archive.ledger.get_cursor(STAGE)
    mentions, new_cursor = read_mentions(archive, cursor, now, hold)
    report.mentions_read = len(mentions)
    events = archive.list_events(active_since=now - settings.nlp.event_window, limit=EVENT_LIMIT)
    existing = {(a.rule, a.subject): a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT)}
    silences = [*settings.silences, *stored_silences(archive, now).values()]
    fired: list[Fired] = []
    for rule in rules:
        data = _rule_input(settings, rule, archive, events, mentions, existing, now)
        fired += _fire(archive, rule, data, existing, silences, now, report)

    assign_units(archive, settings, fired)
    calendar = WorkingCalendar(settings.obligations.holidays)
    opening = open_obligations(archive, settings, calendar, fired, now)
    report.obligations_opened = len(opening.opened)
    report.obligations_inhibited = opening.inhibited
    report.errors += opening.errors
    by_name = {rule.name: rule.settings for rule in rules}
    alerts = {a.id: a for a in archive.ledger.list_alerts(limit=SCAN_LIMIT) if a.id is not None}
    # Before any message: an obligation found late may be fulfilled already, and a penalty
    # published on the agency's own site is its own disclosure.
    found = fulfil(archive, settings, by_name, alerts, mentions, opening.opened, now)
    report.fulfilments_closed, report.fulfilments_proposed = found.closed, found.proposed
    drop_closed(archive, fired)
    report.messages_queued = queue_notices(archive, settings, fired, now)
    follow = remind_and_escalate(archive, settings, by_name, now, alerts, fired_units(fired))
    report.reminders_queued = follow.reminders
    report.escalations = follow.escalations
    if new_cursor != cursor:
        archive.ledger.set_cursor(STAGE, new_cursor)
    return report


def _rule_input(
    settings: Settings,
    rule: RuleType,
    archive: Archive,
    events: list[Event],
    mentions: list[tuple[Mention, Analysis | None]],
    existing: dict[tuple[str, str], Alert],
    now: datetime,
) -> RuleInput:
    """What one rule sees: the evaluation's data and its own stored alerts."""
    return RuleInput(
        now,
        archive,
        events,
        mentions,
        alerts={s: a for (r, s), a in existing.items() if r == rule.name},
        source_levels={s.name: s.level for s in settings.sources if s.level},
        region_levels=dict(settings.obligations.region_levels),
        hotspot=settings.nlp.hotspot,
        own_names=frozenset(settings.agency.own_names() if settings.agency else ()),
        agency=settings.agency,
        units=tree_of(settings.units, settings.nlp.authorities),
    )


def _fire(
    archive: Archive,
    rule: RuleType,
    data: RuleInput,
    existing: dict[tuple[str, str], Alert],
    silences: Sequence[SilenceSettings],
    now: datetime,
    report: AlertReport,
) -> list[Fired]:
    """Run one rule, store an alert per subject it matched and mute what a silence covers."""
    try:
        matches = merge_matches(rule.find(data))
    except Exception as exc:  # one broken rule must not silence the others
        log.exception("rule %s failed", rule.name)
        report.errors.append(f"rule {rule.name}: {exc}")
        return []
    fired = []
    for found in matches:
        match = with_spread(archive, found)  # 首发 and the top spreader of its event
        item = store_alert(archive, rule, match, existing.get((rule.name, match.subject)), now)
        report.alerts_new += int(item.created)
        report.alerts_updated += int(item.changed)
        silence(archive, silences, item, now)
        fired.append(item)
    return fired


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
