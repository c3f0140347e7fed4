"""The identified false claims for the event page, the 谣言关注 table and its KPI: the alert
stage's claims as ``reports.claims`` reads them (the briefings read them the same way),
cached by archive version."""

from __future__ import annotations

from datetime import datetime

from dashboard.context import reader, settings
from dashboard.data import _ttl_cached, rumor_threshold
from reports.claims import IdentifiedClaim, all_claims, claim_rules


@_ttl_cached
def identified_claims(config: str, at: datetime) -> list[IdentifiedClaim]:
    """Every false claim identified by ``at``, the most likely first."""
    rules = claim_rules(settings(config))
    return all_claims(reader(config), rules, rumor_threshold(config), at)


def event_claims(config: str, event_id: str, at: datetime) -> list[IdentifiedClaim]:
    """The identified false claims of one event (the event page's 已识别的不实说法)."""
    return [c for c in identified_claims(config, at) if c.event and c.event.id == event_id]
