"""Group interval: news of a story a recipient has just been told of waits for the next round.

Alertmanager's ``group_interval``, per (channel, recipient, story): once a message about a
story has been sent to someone, a further *informational* message about that story to them
waits until ``outbox.group_interval`` has passed since that send, then goes with whatever
else is due — so the bureau's 通报 closing a duty thirty minutes after the alert about it
does not buzz the spokesperson's phone a second time within the hour (issue 16: at most one
notification per recipient per story per hour).

Only what can wait an interval waits: the system's 已自动办结 notice, a 建议办结 proposal
(``obligation:<id>:fulfilled:…``, ``obligation:<id>:proposed:…``) and, as in Alertmanager
(new alerts joining a group already notified wait for its group interval), an alert below
critical about a story the recipient was told of within the interval (``alert:<id>:warning…``,
``…:info…``: a second rule's alert on the same event, its 24- or 48-hour duty folded in; the
held boiler clarification of the linchuan_boiler scenario went 30 minutes after the accident
was raised to 严重). A story's first alert, a critical alert (a raise to 严重, the 5-hour
duties of a major emergency), a reminder and an escalation are never held; when one of them
goes, the held messages of its story go with it, in the same send. Retries are never held.

A progress reminder (``obligation:<id>:remind:50pct``) waits too while its duty has at least
two intervals left: held one interval at most, it still arrives with an interval to spare (in
the linchuan_boiler run the press conference's half-time reminder buzzed the duty officer 30
minutes after the held 按时办结 of the story's clarification). The reminders that count down the
last hours (``before-…``) and the deadline's (``due``) never wait.

A message's story is the event its alert or obligation belongs to (else the alert, else the
obligation itself), read from the archive. Nothing is written: a held message stays due and is
looked at again on the next pass, so a crash or restart changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from archive.base import Archive
from archive.models import Alert, OutboxMessage

HOLDABLE = re.compile(r"^(?:obligation:\d+:(?:fulfilled|proposed)|alert:\d+:(?:warning|info)):")
PROGRESS = re.compile(r"^obligation:(\d+):remind:\d+pct:")
SUBJECT = re.compile(r"^(alert|obligation):(\d+):")
# Sent messages read back per pass to find the last send of each story: far more than an
# hour of sends to a press office.
RECENT = 500


class Stories:
    """The story a message key is about, read lazily from the archive (one delivery pass)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._alerts: dict[int, Alert] | None = None
        self._known: dict[str, str | None] = {}

    def of(self, dedup_key: str) -> str | None:
        match = SUBJECT.match(dedup_key)
        if match is None:
            return None  # a report, a channel failure: no story
        subject = f"{match.group(1)}:{match.group(2)}"
        if subject not in self._known:
            self._known[subject] = self._story(match.group(1), int(match.group(2)))
        return self._known[subject]

    def time_left(self, dedup_key: str, now: datetime) -> timedelta | None:
        """For a progress reminder: its duty's time left at ``now`` (else None)."""
        match = PROGRESS.match(dedup_key)
        ob = self.archive.ledger.get_obligation(int(match.group(1))) if match else None
        return ob.due_at - now if ob is not None else None

    def _story(self, kind: str, number: int) -> str:
        if kind == "alert":
            return self._alert_story(number)
        ob = self.archive.ledger.get_obligation(number)
        if ob is None:
            return f"obligation:{number}"
        if ob.event_id:
            return f"event:{ob.event_id}"
        return self._alert_story(ob.alert_id) if ob.alert_id else f"obligation:{number}"

    def _alert_story(self, number: int) -> str:
        if self._alerts is None:
            alerts = self.archive.ledger.list_alerts(limit=1_000_000)
            self._alerts = {a.id: a for a in alerts if a.id is not None}
        alert = self._alerts.get(number)
        return f"event:{alert.event_id}" if alert and alert.event_id else f"alert:{number}"


def hold_recent(
    archive: Archive, messages: Sequence[OutboxMessage], now: datetime, interval: timedelta
) -> list[OutboxMessage]:
    """``messages`` less those that wait for their story's group interval (module doc)."""
    if not interval:
        return list(messages)
    stories = Stories(archive)

    def can_wait(m: OutboxMessage) -> bool:
        if m.attempts or not (HOLDABLE.match(m.dedup_key) or PROGRESS.match(m.dedup_key)):
            return False
        left = stories.time_left(m.dedup_key, now)
        return left is None or left >= 2 * interval

    waiting = [m for m in messages if can_wait(m)]
    if not waiting:
        return list(messages)

    def group(m: OutboxMessage) -> tuple[str, str, str | None]:
        return (m.channel, m.recipient, stories.of(m.dedup_key))

    recent = set()
    for sent in archive.ledger.list_messages("sent", limit=RECENT):
        if sent.sent_at is not None and sent.sent_at > now - interval:
            recent.add(group(sent))
    going = {group(m) for m in messages if not any(m is w for w in waiting)}
    held = [m for m in waiting if group(m) in recent and group(m) not in going]
    return [m for m in messages if not any(m is h for h in held)]
