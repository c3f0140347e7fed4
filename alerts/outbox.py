"""The dedup stage: a message enters the outbox once per recipient and channel.

Every message the alert path sends — an alert, an obligation's opening, reminder, escalation or
fulfilment, a report of a failing channel — goes through ``queue_for``: one row per channel of
each named recipient, keyed ``<key>:<recipient>:<channel>``. The archive refuses a key it
already holds, so the outbox is the log of what was queued (and, with ``sent_at``, of what was
sent) that Alertmanager's dedup stage checks against: an evaluation repeated or interrupted
queues nothing twice, as long as the keys are derived from what is stored (ids, levels, points
in time that do not move), never from the wall clock of the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from archive.base import Archive
from archive.models import OutboxMessage
from core.settings import RecipientSettings


def queue_for(
    archive: Archive,
    recipients: Mapping[str, RecipientSettings],
    names: Iterable[str],
    key: str,
    subject: str,
    body: str,
    now: datetime,
    *,
    skip_channel: str | None = None,
) -> int:
    """Queue ``subject``/``body`` on each channel of each of ``names`` (unknown names and
    ``skip_channel`` left out); returns how many messages were new to the outbox."""
    queued = 0
    for name in names:
        recipient = recipients.get(name)
        if recipient is None:
            continue
        for channel in recipient.notifiers:
            if channel == skip_channel:
                continue
            queued += int(
                archive.ledger.enqueue(
                    OutboxMessage(
                        dedup_key=f"{key}:{name}:{channel}",
                        channel=channel,
                        recipient=name,
                        subject=subject,
                        body=body,
                        created_at=now,
                        next_attempt_at=now,
                    )
                )
            )
    return queued
