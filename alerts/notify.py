"""Durable delivery of the outbox: small stages in the manner of Alertmanager's pipeline.

``deliver_due`` takes the messages whose time has come and passes them through:

1. **group** (``alerts.grouping``): messages for one recipient on one channel due together are
   one send (a burst is one message), held up to ``outbox.group_wait`` for stragglers;
2. **send** through the notifier named by the message's ``channel``;
3. **record** at once: sent → ``mark_sent`` for every member immediately after the send, so a
   message confirmed as sent is never sent again (the ``dedup_key`` already kept it from being
   queued twice; receivers get it as ``Idempotency-Key``). The only window left is a crash
   between a successful send and ``mark_sent``: at-least-once, as with every outbox;
4. **retry**: a retryable failure (timeout, refused connection, 5xx, 408/429, a robot's rate
   limit) gets ``mark_failed`` with the next attempt after an exponential backoff — 1 min, 2,
   4, 8, 16, 32, then 60 min (capped), or the receiver's ``Retry-After`` if longer — giving
   up (status ``failed``) after ``MAX_ATTEMPTS`` = 10 attempts, about 4 hours of trying. A
   permanent failure (``PermanentError``: 4xx, bad signature, no address, no such notifier)
   gives up at once. The stored error has every secret of the notifier blanked out;
5. **report** (``alerts.channel_health``): a channel that keeps failing is reported to the
   administrators through their other channels.

Notifier types live in ``alerts.notifiers`` (one class each, one registry).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.channel_health import ChannelFailure, report_failing_channels
from alerts.grouping import combine, group_messages
from alerts.notifiers import NOTIFIERS, Notifier, PermanentError, RetryableError, build_notifier
from archive.base import Archive
from archive.models import OutboxMessage
from core.clock import Clock
from core.settings import Settings

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 10
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


def retry_delay(failures: int) -> timedelta:
    """Wait after the ``failures``-th failed attempt (1-based): 1 min doubling, capped at 1 h."""
    return min(FIRST_RETRY * (2 ** max(failures - 1, 0)), MAX_RETRY)


def next_attempt(
    message: OutboxMessage, now: datetime, retry_after: float | None = None
) -> datetime | None:
    """When to try again after this failure, or None to give up."""
    failures = message.attempts + 1
    if failures >= MAX_ATTEMPTS:
        return None
    delay = retry_delay(failures)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return now + delay


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
    configs = {n.name: n for n in settings.notifiers}
    recipients = {r.name: r for r in settings.recipients}
    outbox = settings.outbox
    failures: list[ChannelFailure] = []
    due = archive.ledger.due_messages(clock.now(), limit=limit)
    for batch in group_messages(due, clock.now(), outbox.group_wait, outbox.group_max):
        channel = batch[0].channel
        notifier = built.get(channel)
        try:
            if notifier is None:
                config = configs.get(channel)
                if config is None:
                    raise PermanentError(f"no notifier named {channel!r} is configured")
                notifier = built[channel] = build_notifier(config)
            recipient = recipients.get(batch[0].recipient)
            if notifier.groups:
                notifier.send(combine(batch), recipient)
            else:
                for message in batch:
                    notifier.send(message, recipient)
        except Exception as exc:
            for message in batch:
                failures.append(_failed(archive, message, exc, notifier, clock.now(), report))
            continue
        sent_at = clock.now()
        for message in batch:
            assert message.id is not None
            archive.ledger.mark_sent(message.id, sent_at)
        report.sent += len(batch)
        report.sends += 1
        log.info("sent %d message(s) to %s via %s", len(batch), batch[0].recipient, channel)
    report.admin_reports = report_failing_channels(archive, settings, failures, clock.now())
    return report


def _failed(
    archive: Archive,
    message: OutboxMessage,
    exc: Exception,
    notifier: Notifier | None,
    now: datetime,
    report: DeliveryReport,
) -> ChannelFailure:
    assert message.id is not None
    error = f"{type(exc).__name__}: {exc}"
    if notifier is not None:
        error = notifier.redact(error)
    error = error[:500]
    retry_after = exc.retry_after if isinstance(exc, RetryableError) else None
    retry_at = None if isinstance(exc, PermanentError) else next_attempt(message, now, retry_after)
    archive.ledger.mark_failed(message.id, error, retry_at)
    if retry_at is None:
        report.gave_up += 1
        log.error(
            "gave up on message %s via %s after %d attempt(s): %s",
            message.id,
            message.channel,
            message.attempts + 1,
            error,
        )
    else:
        report.retrying += 1
        log.warning(
            "message %s via %s failed (attempt %d), retrying at %s: %s",
            message.id,
            message.channel,
            message.attempts + 1,
            retry_at.isoformat(),
            error,
        )
    return ChannelFailure(message.channel, message.attempts + 1, retry_at is None, error)


__all__ = [
    "NOTIFIERS",
    "DeliveryReport",
    "deliver_due",
    "next_attempt",
    "retry_delay",
]
