"""The notices of one evaluation: one message per fired alert, its obligations folded in.

An alert's message lists what it calls for (须履行: each obligation with its deadline, its
level, 补登 and why when it opened late, and where to act), so a story reaches a recipient as
one message, not an alert plus one message per obligation opened with it (issue 16: at most
one notification per recipient per story per hour).

It goes to the recipients of the alert's rule through ``alerts.outbox.queue_for`` (every
channel of every recipient, deduplicated by key). The key says what is news, derived only from
what is stored, so a repeated or interrupted evaluation queues the same keys:

- ``alert:<id>:<level>`` — a raised level is news and is sent once more;
- ``…:ob<id>`` — the newest obligation the alert ever opened (``alerts.opening``): an
  obligation opened later (a grade reached after the first message) sends the alert's message
  again with it; closing one does not.

A silenced alert queues nothing (``alerts.mute``: its obligations stay open, their messages
wait for the silence to end), nor does an information alert all of whose obligations were
fulfilled as they opened (a penalty decision the agency published itself).

With ``units:``, the alert's unit (``alerts.units``; the nearest up the chain whose watch
scheme covers it, ``alerts.schemes``) is told too, and for 重大 and above its parent unit at
once; the message names the unit. An alert no unit's scheme watches goes to the rule's
recipients only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from alerts.calendar import WorkingCalendar
from alerts.firing import Fired
from alerts.messages import alert_message, dashboard_url
from alerts.outbox import queue_for
from alerts.units import UnitTree, handling_due, notified_units, tree_of, unit_recipients
from archive.base import Archive
from core.clock import local
from core.settings import Settings


def queue_notices(archive: Archive, settings: Settings, fired: list[Fired], now: datetime) -> int:
    """Queue the notices of ``fired``; returns how many messages were new to the outbox."""
    recipients = {r.name: r for r in settings.recipients}
    link = dashboard_url(settings)
    queued = 0
    tree = tree_of(settings.units, settings.nlp.authorities)
    calendar = WorkingCalendar(settings.obligations.holidays)
    for item in fired:
        names = list(item.rule.settings.recipients)
        told = unit_notice(tree, item, calendar)
        if told is not None:
            names = list(dict.fromkeys([*names, *told[0]]))
        names = [name for name in names if name in recipients]
        if not names or not _due(item):
            continue
        for key, (subject, body) in notices(item, now, link):
            if told is not None:
                body = f"{body}\n{told[1]}"
            queued += queue_for(archive, recipients, names, key, subject, body, now)
    return queued


def unit_notice(
    tree: UnitTree | None, item: Fired, calendar: WorkingCalendar
) -> tuple[list[str], str] | None:
    """The recipients of the alert's unit (and of its parent for 重大 and above) and the
    line saying so, with the unit's handling time for the grade; None without units."""
    if tree is None or item.unit is None:
        return None
    grade = item.match.grade
    units = notified_units(tree, item.unit, grade)
    line = f"属地单位：{units[0].name}"
    if len(units) > 1:
        line += f"（{grade}，同时报送上级单位：{units[1].name}）"
    due = handling_due(tree, item.unit, grade, item.match.detected_at, calendar)
    if due is not None:
        line += f"；{grade}事件处置时限：{local(due):%m-%d %H:%M}前"
    return unit_recipients(tree, item.unit, grade), line


def _due(item: Fired) -> bool:
    if item.alert.status == "silenced":
        return False
    return not (item.all_fulfilled and item.alert.level == "info")


def notices(item: Fired, now: datetime, link: str) -> Iterator[tuple[str, tuple[str, str]]]:
    """(key, (subject, body)) of the alert's message."""
    rule, alert = item.rule.settings, item.alert
    text = alert_message(
        rule, alert, item.match, item.obligations, item.raised_from, now=now, link=link
    )
    key = f"alert:{alert.id}:{alert.level}"
    if item.newest_obligation is not None:
        key += f":ob{item.newest_obligation}"
    yield key, text
