"""Durable delivery of the outbox: small stages in the manner of Alertmanager's pipeline.

``deliver_due`` takes the messages whose time has come and passes them through:

1. **group** (``alerts.grouping``): messages for one recipient on one channel due together are
   one send (a burst is one message), held up to ``outbox.group_wait`` for stragglers; a
   story's informational news waits ``outbox.group_interval`` after a send about that story
   (``alerts.intervals``);
2. **send** (``send``) through the notifier named by the message's ``channel``;
3. **record** (``record_sent``) at once: ``mark_sent`` for every member immediately after the
   send, so a message confirmed as sent is never sent again (the ``dedup_key`` already kept it
   from being queued twice, ``alerts.outbox``; receivers get it as ``Idempotency-Key``). The
   only window left is a crash between a successful send and ``mark_sent``: at-least-once, as
   with every outbox;
4. **retry** (``alerts.retry``): a retryable failure is tried again after a backoff, a
   permanent one or the tenth attempt gives up;
5. **report** (``alerts.channel_health``): a channel that keeps failing is reported to the
   administrators through their other channels.

Notifier types live in ``alerts.notifiers`` (one class each, one registry).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from alerts.channel_health import ChannelFailure, report_failing_channels
from alerts.grouping import combine, group_messages
from alerts.intervals import hold_recent
from alerts.notifiers import NOTIFIERS, Notifier, PermanentError, build_notifier
from alerts.retry import MAX_ATTEMPTS, next_attempt, record_failure, retry_delay
from archive.base import Archive
from archive.models import OutboxMessage
from core.clock import Clock
from core.settings import RecipientSettings, Settings

log = logging.getLogger(__name__)

BATCH = 100


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    gave_up: int = 0
    sends: int = 0  # notifier calls that succeeded (a group counts once)
    admin_reports: int = 0

    @property
    def failed(self) -> int:
        """Attempts of this run that failed, whether they will be retried or not."""
        return self.retrying + self.gave_up

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.gave_up


def deliver_due(
    archive: Archive,
    settings: Settings,
    clock: Clock,
    notifiers: Mapping[str, Notifier] | None = None,
    limit: int = BATCH,
) -> DeliveryReport:
    """Send what is due now. ``notifiers`` overrides the ones built from settings (tests)."""
    report = DeliveryReport()
    built: dict[str, Notifier] = dict(notifiers or {})
    recipients = {r.name: r for r in settings.recipients}
    outbox = settings.outbox
    failures: list[ChannelFailure] = []
    due = archive.ledger.due_messages(clock.now(), limit=limit)
    due = hold_recent(archive, due, clock.now(), outbox.group_interval)
    for batch in group_messages(due, clock.now(), outbox.group_wait, outbox.group_max):
        channel = batch[0].channel
        notifier = built.get(channel)
        try:
            if notifier is None:
                notifier = built[channel] = _build(settings, channel)
            send(notifier, batch, recipients.get(batch[0].recipient))
        except Exception as exc:
            for message in batch:
                failure = record_failure(archive, message, exc, notifier, clock.now())
                report.gave_up += int(failure.gave_up)
                report.retrying += int(not failure.gave_up)
                failures.append(failure)
            continue
        record_sent(archive, batch, clock.now())
        report.sent += len(batch)
        report.sends += 1
        log.info("sent %d message(s) to %s via %s", len(batch), batch[0].recipient, channel)
    report.admin_reports = report_failing_channels(archive, settings, failures, clock.now())
    return report


def _build(settings: Settings, channel: str) -> Notifier:
    config = next((n for n in settings.notifiers if n.name == channel), None)
    if config is None:
        raise PermanentError(f"no notifier named {channel!r} is configured")
    return build_notifier(config)


def send(
    notifier: Notifier, batch: Sequence[OutboxMessage], recipient: RecipientSettings | None
) -> None:
    """One send for the batch where the notifier combines messages, else one per message."""
    if notifier.groups:
        notifier.send(combine(batch), recipient)
    else:
        for message in batch:
            notifier.send(message, recipient)


def record_sent(archive: Archive, batch: Sequence[OutboxMessage], sent_at: datetime) -> None:
    """Mark every member sent, right after the send: it is never sent again."""
    for message in batch:
        assert message.id is not None
        archive.ledger.mark_sent(message.id, sent_at)


__all__ = [
    "MAX_ATTEMPTS",
    "NOTIFIERS",
    "DeliveryReport",
    "deliver_due",
    "next_attempt",
    "record_sent",
    "retry_delay",
    "send",
]
