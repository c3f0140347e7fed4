"""Durable delivery of the outbox: small stages in the manner of Alertmanager's pipeline.

``deliver_due`` takes the messages whose time has come, resolves the notifier named by each
message's ``channel`` and the recipient, sends, and records the outcome at once:

- sent → ``mark_sent`` immediately after the send, so a message is never sent twice (the
  ``dedup_key`` already kept it from being queued twice). The only window left is a crash
  between a successful send and ``mark_sent``: at-least-once, as with every outbox;
- failed → ``mark_failed`` with the next attempt after an exponential backoff: 1 min, 2, 4, 8,
  16, 32, then 60 min (capped), giving up (status ``failed``) after ``MAX_ATTEMPTS`` = 10
  attempts, about 4 hours of trying. A failure that retrying cannot fix (no such notifier, no
  address for the recipient) gives up at once. The last error is stored, with any secret of
  the notifier's settings blanked out; secrets are never logged.

Notifier types live in ``alerts.notifiers`` (one class each, one registry).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.notifiers import NOTIFIERS, Notifier, PermanentError, build_notifier
from archive.base import Archive
from archive.models import OutboxMessage
from yuqing.clock import Clock
from yuqing.settings import Settings

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


def next_attempt(message: OutboxMessage, now: datetime) -> datetime | None:
    """When to try again after this failure, or None to give up."""
    failures = message.attempts + 1
    if failures >= MAX_ATTEMPTS:
        return None
    return now + retry_delay(failures)


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
    for message in archive.due_messages(clock.now(), limit=limit):
        assert message.id is not None
        notifier = built.get(message.channel)
        try:
            if notifier is None:
                config = configs.get(message.channel)
                if config is None:
                    raise PermanentError(f"no notifier named {message.channel!r} is configured")
                notifier = built[message.channel] = build_notifier(config)
            notifier.send(message, recipients.get(message.recipient))
        except Exception as exc:
            _failed(archive, message, exc, notifier, clock.now(), report)
            continue
        archive.mark_sent(message.id, clock.now())
        report.sent += 1
        log.info("sent message %s (%s) via %s", message.id, message.dedup_key, message.channel)
    return report


def _failed(
    archive: Archive,
    message: OutboxMessage,
    exc: Exception,
    notifier: Notifier | None,
    now: datetime,
    report: DeliveryReport,
) -> None:
    assert message.id is not None
    error = f"{type(exc).__name__}: {exc}"
    if notifier is not None:
        error = notifier.redact(error)
    error = error[:500]
    retry_at = None if isinstance(exc, PermanentError) else next_attempt(message, now)
    archive.mark_failed(message.id, error, retry_at)
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


__all__ = [
    "NOTIFIERS",
    "DeliveryReport",
    "deliver_due",
    "next_attempt",
    "retry_delay",
]
