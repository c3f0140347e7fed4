"""Grouping: messages for one recipient on one channel that fall due together go as one.

The Alertmanager idea, reduced to what a press office needs: a burst (fifty rumour posts of
one story in a minute, a dozen penalty notices in one crawl) must reach a phone as one
message, not fifty. Messages due in the same delivery pass for the same (channel, recipient)
are combined, at most ``group_max`` to a message; with ``group_wait`` > 0 a new group is held
until its oldest message has waited that long, so stragglers of the burst join it. Retries are
never held.

A combined message carries an idempotency key derived from its members' keys, so a receiver
that de-duplicates on ``Idempotency-Key`` sees a resent group as the same message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from archive.models import OutboxMessage

GROUP_BODY_LIMIT = 3500  # characters per member in a combined body; robots cap the total


def group_messages(
    messages: Sequence[OutboxMessage],
    now: datetime,
    group_wait: timedelta,
    group_max: int,
) -> Iterator[list[OutboxMessage]]:
    """Batches to send now, in the order their first message fell due; held groups skipped."""
    groups: dict[tuple[str, str], list[OutboxMessage]] = {}
    for message in messages:
        groups.setdefault((message.channel, message.recipient), []).append(message)
    for members in groups.values():
        fresh = all(m.attempts == 0 for m in members)
        oldest = min(m.created_at for m in members)
        if group_wait and fresh and now < oldest + group_wait:
            continue
        for start in range(0, len(members), group_max):
            yield members[start : start + group_max]


def group_key(members: Sequence[OutboxMessage]) -> str:
    digest = hashlib.sha256("\n".join(m.dedup_key for m in members).encode("utf-8"))
    return "group:" + digest.hexdigest()[:24]


def combine(members: Sequence[OutboxMessage]) -> OutboxMessage:
    """One message standing for ``members`` (a single member is returned as it is)."""
    if len(members) == 1:
        return members[0]
    head = members[0]
    subject = f"【{len(members)}条舆情通知】{head.subject} 等"
    parts = []
    for number, member in enumerate(members, 1):
        body = member.body
        if len(body) > GROUP_BODY_LIMIT:
            body = body[: GROUP_BODY_LIMIT - 1] + "…"
        parts.append(f"{number}. {member.subject}\n{body}")
    return OutboxMessage(
        dedup_key=group_key(members),
        channel=head.channel,
        recipient=head.recipient,
        subject=subject,
        body="\n\n".join(parts),
        created_at=min(m.created_at for m in members),
        next_attempt_at=head.next_attempt_at,
        attempts=max(m.attempts for m in members),
    )
