"""The notices of one evaluation: each fired alert's message and one per obligation it opened.

They go to the recipients of the alert's rule through ``alerts.outbox.queue_for`` (every
channel of every recipient, deduplicated by key). Keys are derived from what is stored, so a
repeated evaluation queues nothing new:

- ``alert:<id>:<level>`` — keyed by level too: a raised level is news and is sent once more;
- ``obligation:<id>:opened``.

A silenced alert queues nothing (``alerts.mute``: its obligations stay open, their messages
wait for the silence to end), nor does an information alert all of whose obligations were
fulfilled as they opened (a penalty decision the agency published itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from alerts.firing import Fired
from alerts.messages import alert_message, dashboard_url, obligation_message
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
    """(key, (subject, body)) of the alert's message, then of each obligation's."""
    rule, alert = item.rule.settings, item.alert
    text = alert_message(
        rule, alert, item.match, item.obligations, item.raised_from, now=now, link=link
    )
    yield f"alert:{alert.id}:{alert.level}", text
    for ob, deadline in item.obligations:
        text = obligation_message(rule, ob, item.match, deadline, now=now, link=link)
        yield f"obligation:{ob.id}:opened", text
