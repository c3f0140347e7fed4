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
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from alerts.firing import Fired
from alerts.messages import alert_message, dashboard_url
from alerts.outbox import queue_for
from archive.base import Archive
from core.settings import Settings


def queue_notices(archive: Archive, settings: Settings, fired: list[Fired], now: datetime) -> int:
    """Queue the notices of ``fired``; returns how many messages were new to the outbox."""
    recipients = {r.name: r for r in settings.recipients}
    link = dashboard_url(settings)
    queued = 0
    for item in fired:
        names = [name for name in item.rule.settings.recipients if name in recipients]
        if not names or not _due(item):
            continue
        for key, (subject, body) in notices(item, now, link):
            queued += queue_for(archive, recipients, names, key, subject, body, now)
    return queued


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
