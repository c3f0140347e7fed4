"""High rumour risk, one definition for the overview's KPI, its 谣言关注 table and the alerts.

The claims are those the alert stage identified (``dashboard.data_claims``: the rumour rule's
alerts, each with the posts spreading its claim, the debunk answering it and its
clarification). The table lists the claims with spreading posts in the last 24 hours or a
clarification still to do; the KPI is the sum of its 近24小时传播帖 column, so card, table and
alerts read the same claims. Before, the table re-identified claims from posts scored ≥ the
threshold only, and missed a claim the alert stage had identified from a debunk quoting it
(its posts scored 0.55–0.75), and the card with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.obligations import ACTIVE
from archive.models import Event, Mention, Obligation
from dashboard.data import _ttl_cached
from dashboard.data_claims import IdentifiedClaim, identified_claims

RUMOUR_WINDOW = timedelta(hours=24)  # the KPI's and the table's "recent"


@dataclass
class RumorWatch:
    """One identified false claim under watch."""

    claim: str
    title: str  # its event's title, or the claim outside any event
    score: float  # the highest rumour score of its posts
    recent: int  # its spreading posts published in the window (what the KPI adds up)
    last_seen: datetime
    event: Event | None
    clarification: Obligation | None
    post: Mention | None = None  # the post itself, for a claim outside any event (its place)
    found: IdentifiedClaim | None = None  # everything known of the claim


def _watch(claim: IdentifiedClaim, since: datetime, at: datetime) -> RumorWatch | None:
    recent = [p for p in claim.posts if since <= p.mention.published_at <= at]
    duty = claim.clarification
    if not recent and (duty is None or duty.status not in ACTIVE):
        return None
    last = max((p.mention.published_at for p in claim.posts), default=claim.alert.last_at)
    return RumorWatch(
        claim=claim.text,
        title=claim.event.title if claim.event is not None else claim.text,
        score=claim.score,
        recent=len(recent),
        last_seen=last,
        event=claim.event,
        clarification=duty,
        post=claim.post,
        found=claim,
    )


@_ttl_cached
def rumours_under_watch(config: str, at: datetime) -> list[RumorWatch]:
    """The identified false claims with posts in the 24 hours before ``at``, or with a
    clarification still to do, most likely first."""
    since = at - RUMOUR_WINDOW
    watched = [w for c in identified_claims(config, at) if (w := _watch(c, since, at))]
    watched.sort(key=lambda w: (-w.score, w.claim))
    return watched


def high_risk_mentions(config: str, at: datetime) -> int:
    """The KPI: posts spreading an identified false claim in the 24 hours before ``at``."""
    return sum(w.recent for w in rumours_under_watch(config, at))
