"""The retry stage: a failed send is tried again later, with backoff, or given up.

A retryable failure (timeout, refused connection, 5xx, 408/429, a robot's rate limit) gets
``mark_failed`` with the next attempt after an exponential backoff — 1 min, 2, 4, 8, 16, 32,
then 60 min (capped), or the receiver's ``Retry-After`` if longer — giving up (status
``failed``) after ``MAX_ATTEMPTS`` = 10 attempts, about 4 hours of trying. A permanent failure
(``PermanentError``: 4xx, bad signature, no address, no such notifier) gives up at once. The
stored error has every secret of the notifier blanked out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from alerts.channel_health import ChannelFailure
from alerts.notifiers import Notifier, PermanentError, RetryableError
from archive.base import Archive
from archive.models import OutboxMessage

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 10
ERROR_LIMIT = 500  # characters of the error kept with the message


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


def record_failure(
    archive: Archive,
    message: OutboxMessage,
    exc: Exception,
    notifier: Notifier | None,
    now: datetime,
) -> ChannelFailure:
    """Store the failed attempt (redacted) and when to retry; what the channel report needs."""
    assert message.id is not None
    error = f"{type(exc).__name__}: {exc}"
    if notifier is not None:
        error = notifier.redact(error)
    error = error[:ERROR_LIMIT]
    retry_after = exc.retry_after if isinstance(exc, RetryableError) else None
    retry_at = None if isinstance(exc, PermanentError) else next_attempt(message, now, retry_after)
    archive.ledger.mark_failed(message.id, error, retry_at)
    attempt = message.attempts + 1
    if retry_at is None:
        log.error(
            "gave up on message %s via %s after %d attempt(s): %s",
            message.id,
            message.channel,
            attempt,
            error,
        )
    else:
        log.warning(
            "message %s via %s failed (attempt %d), retrying at %s: %s",
            message.id,
            message.channel,
            attempt,
            retry_at.isoformat(),
            error,
        )
    return ChannelFailure(message.channel, attempt, retry_at is None, error)
