"""The mute stage: silences mute an alert's messages, inhibitions keep an obligation from opening.

- **Silence** (``silence``): while a silence (``alerts.silences``) matches an alert, it is
  stored as ``silenced`` (audited with who set the silence, why and until when) and its
  messages wait; when none matches any more it fires again. Its obligations still open: a duty
  does not go away by muting its messages.
- **Inhibition** (``Inhibitor``): an obligation of a kind listed in ``INHIBITIONS`` is not
  opened for an event (or subject) that already has one of the inhibiting kinds in
  ``INHIBITING_STATES``. A press conference within 24 hours answers the public; a separate
  48-hour response would be noise. A waived press conference no longer inhibits (the response
  is then due after all). An obligation already opened is never inhibited afterwards.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from alerts.firing import Fired, system_entry
from alerts.rules import Match
from alerts.silences import active_silence
from archive.base import Archive
from archive.models import Obligation
from core.settings import SilenceSettings

INHIBITIONS: dict[str, tuple[str, ...]] = {"response": ("press_conference",)}
INHIBITING_STATES = ("open", "acknowledged", "done")


def silence(
    archive: Archive, silences: Sequence[SilenceSettings], item: Fired, now: datetime
) -> None:
    """Mark the alert silenced while a silence matches it, firing again when none does."""
    alert = item.alert
    running = active_silence(silences, alert, now)
    if running is not None and alert.status != "silenced":
        status, action = "silenced", "alert.silenced"
        details = {
            "silenced_by": running.created_by,
            "comment": running.comment,
            "ends_at": running.ends_at.isoformat(),
        }
    elif running is None and alert.status == "silenced":
        status, action, details = "firing", "alert.unsilenced", {}
    else:
        return
    entry = system_entry(now, action, "alert", rule=alert.rule, **details)
    item.alert, _ = archive.ledger.upsert_alert_audited(replace(alert, status=status), entry)


class Inhibitor:
    """Which (kind, event or subject) pairs are held by an obligation, and what that holds."""

    def __init__(self, obligations: Iterable[Obligation]) -> None:
        self.held: set[tuple[str, str]] = set()
        for ob in obligations:
            if ob.status in INHIBITING_STATES:
                self.hold(ob.kind, ob.event_id or ob.subject, ob.subject)

    def hold(self, kind: str, scope: str, subject: str) -> None:
        """Record an obligation of ``kind`` for ``scope`` (its event or subject)."""
        self.held.add((kind, scope))
        self.held.add((kind, subject))

    def blocks(self, kind: str, match: Match) -> bool:
        """True when an inhibiting obligation holds ``match``'s event and ``kind`` is not
        open for its subject already."""
        scope = match.event_id or match.subject
        blockers = [k for k in INHIBITIONS.get(kind, ()) if (k, scope) in self.held]
        return bool(blockers) and (kind, match.subject) not in self.held
