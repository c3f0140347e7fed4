"""Silences: mute the notifications of matching alerts until an end time, with who and why.

A silence (``silences:`` in yuqing.yaml) has matchers — rule, subject (``*`` at the end for a
prefix), a title substring, a level — all of which must match, an ``ends_at``, the person who
set it and the reason. While it runs, a matching alert is stored as ``silenced`` and neither
its own messages nor those of the obligations it opens are queued; the obligations still open
and show on the dashboard, because a duty does not go away by muting its messages. When the
silence ends and the alert still fires, it becomes ``firing`` again and its messages go out.

Silences come from the configuration, from ``yuqing silence add`` (``add_silence``, stored in
the audit log) and from the dashboard's silence button (its ``alert.silenced`` audit entries,
which carry the silence in the same shape).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from archive.base import Archive
from archive.models import Alert, AuditEntry
from core.settings import SilenceSettings


def matches(silence: SilenceSettings, alert: Alert) -> bool:
    if silence.rule is not None and silence.rule != alert.rule:
        return False
    if silence.subject is not None:
        wanted = silence.subject
        if wanted.endswith("*"):
            if not alert.subject.startswith(wanted[:-1]):
                return False
        elif wanted != alert.subject:
            return False
    if silence.title_contains is not None and silence.title_contains not in alert.title:
        return False
    return silence.level is None or silence.level == alert.level


def active_silence(
    silences: Sequence[SilenceSettings], alert: Alert, now: datetime
) -> SilenceSettings | None:
    """The silence (ending last) that mutes ``alert`` at ``now``, if any."""
    running = [s for s in silences if s.ends_at > now and matches(s, alert)]
    return max(running, key=lambda s: s.ends_at) if running else None


# ---- silences set from the shell or the dashboard ---------------------------------------------
# Kept in the audit log, which is append-only and already says who and when: a
# ``silence.created`` entry carries the silence, a ``silence.expired`` entry ends it early.
CREATED, EXPIRED = "silence.created", "silence.expired"


def add_silence(archive: Archive, silence: SilenceSettings, now: datetime) -> str:
    """Store a silence (``created_by`` is who set it); returns its id."""
    if silence.ends_at <= now:
        raise ValueError(f"the silence would end in the past ({silence.ends_at.isoformat()})")
    silence_id = now.strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
    archive.ledger.audit(
        AuditEntry(
            now,
            silence.created_by,
            CREATED,
            "silence",
            silence_id,
            silence.model_dump(mode="json"),
        )
    )
    return silence_id


def expire_silence(
    archive: Archive, silence_id: str, actor: str, reason: str, now: datetime
) -> None:
    if silence_id not in stored_silences(archive, now):
        raise LookupError(f"no running silence {silence_id!r}")
    archive.ledger.audit(AuditEntry(now, actor, EXPIRED, "silence", silence_id, {"reason": reason}))


def stored_silences(archive: Archive, now: datetime) -> dict[str, SilenceSettings]:
    """The silences set through ``add_silence`` that still run at ``now``, by id."""
    created: dict[str, SilenceSettings] = {}
    expired: set[str] = set()
    for entry in archive.ledger.list_audit(object_type="silence", limit=1_000_000):
        if entry.action == CREATED:
            try:
                created[entry.object_id] = SilenceSettings.model_validate(entry.details)
            except ValueError:  # an entry written by a newer version: not ours to judge
                continue
        elif entry.action == EXPIRED:
            expired.add(entry.object_id)
    created.update(_dashboard_silences(archive))
    return {
        key: silence
        for key, silence in created.items()
        if key not in expired and silence.ends_at > now
    }


DASHBOARD_KEYS = ("rule", "subject", "ends_at", "created_by", "comment")


def _dashboard_silences(archive: Archive) -> dict[str, SilenceSettings]:
    """Silences set on one alert from the dashboard: an ``alert.silenced`` entry by a person,
    carrying the silence in the shape of a ``silences:`` entry, until a later
    ``alert.unsilenced`` of that alert by a person (the stage's own entries are ``system``)."""
    latest: dict[str, SilenceSettings | None] = {}
    for entry in archive.ledger.list_audit(object_type="alert", limit=1_000_000):  # newest first
        if entry.actor == "system" or entry.object_id in latest:
            continue
        if entry.action == "alert.unsilenced":
            latest[entry.object_id] = None
        elif entry.action == "alert.silenced" and "created_by" in entry.details:
            try:
                spec = {k: entry.details[k] for k in DASHBOARD_KEYS if k in entry.details}
                latest[entry.object_id] = SilenceSettings.model_validate(spec)
            except ValueError:
                continue
    return {f"alert-{key}": spec for key, spec in latest.items() if spec is not None}
