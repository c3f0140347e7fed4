"""High rumour risk, one definition for the overview's KPI, its 谣言关注 table and the alerts.

A mention is of high rumour risk when it spreads an *identified false claim*
(``nlp.rumor.claims``): a relevant post or repost at or above the rumour rules' threshold,
not from an authority and not refuting, in an event that is not a real emergency reported by
authorities, unless a debunk answers the claim. The rumour rule (``alerts.rules.RumorRule``)
fires on exactly those claims, the table lists them and the KPI counts their posts of the last
24 hours, so the card is the sum of the table's column: before, the card counted every
mention scored ≥ 0.7 in the last 24 hours while the table listed events by their highest
score ever, and the card said 0 under a table of 0.99 and 0.97.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from alerts.obligations import ACTIVE
from archive.base import Archive
from archive.models import Analysis, Event, Mention, Obligation
from archive.search import SearchFilters, SearchRequest
from dashboard.context import reader
from dashboard.data import _ttl_cached, rumor_threshold
from nlp.rumor.claims import claim_text, event_claim, is_claim_post, known_debunk

RUMOUR_WINDOW = timedelta(hours=24)  # the KPI's and the table's "recent"
SCAN_LIMIT = 1_000_000
EVENT_POSTS = 500  # as alerts.rules.EVENT_POSTS: the posts an event's claim is read from
PAGE = 500


@dataclass
class RumorWatch:
    """One identified false claim under watch."""

    claim: str
    title: str  # its event's title, or the post's claim outside any event
    score: float  # the highest rumour score of its posts
    recent: int  # its spreading posts published in the window (what the KPI adds up)
    last_seen: datetime
    event: Event | None
    clarification: Obligation | None
    post: Mention | None = None  # the post itself, for a claim outside any event (its place)


def _recent_scored(
    archive: Archive, since: datetime, until: datetime, threshold: float
) -> list[tuple[Mention, Analysis | None]]:
    """(mention, analysis) of the mentions published in the window scored ≥ threshold (a
    debunk match lifts a post above any threshold, so it is among them)."""
    rows: list[tuple[Mention, Analysis | None]] = []
    after: str | None = None
    while True:
        filters = SearchFilters(since=since, until=until, rumor_min=threshold)
        result = archive.search(SearchRequest(filters=filters, limit=PAGE, after=after))
        rows += [(hit.mention, hit.analysis) for hit in result.hits]
        if not result.next_cursor or not result.hits:
            return rows
        after = result.next_cursor


def _event_watch(
    archive: Archive,
    event: Event,
    threshold: float,
    since: datetime,
    until: datetime,
    clarification: Obligation | None,
) -> RumorWatch | None:
    mentions = archive.event_mentions(event.id, limit=EVENT_POSTS)
    analyses = archive.get_analyses([m.id for m in mentions])
    rows = [(m, analyses.get(m.id)) for m in mentions]
    claim = event_claim(rows, threshold, until)
    if claim is None:
        return None
    posts = {m.id: (m, a) for m, a in rows}
    spreading = [posts[i] for i in claim.posts if i in posts]
    recent = [(m, a) for m, a in spreading if since <= m.published_at <= until]
    if not recent and clarification is None:
        return None
    scores = [a.rumor_score or 0.0 for _, a in (recent or spreading) if a is not None]
    return RumorWatch(
        claim=claim.text,
        title=event.title,
        score=max(scores, default=claim.score),
        recent=len(recent),
        last_seen=max(m.published_at for m, _ in spreading),
        event=event,
        clarification=clarification,
    )


@_ttl_cached
def rumours_under_watch(config: str, at: datetime) -> list[RumorWatch]:
    """The identified false claims with posts in the 24 hours before ``at``, or with a
    clarification still to do, most likely first."""
    archive = reader(config)
    threshold = rumor_threshold(config)
    since = at - RUMOUR_WINDOW
    clarifications = [
        ob
        for ob in archive.ledger.list_obligations(list(ACTIVE), limit=SCAN_LIMIT)
        if ob.kind == "clarification"
    ]
    by_event = {ob.event_id: ob for ob in clarifications if ob.event_id}
    by_subject = {ob.subject: ob for ob in clarifications}
    scored = _recent_scored(archive, since, at, threshold)
    event_ids = {a.event_id for _, a in scored if a is not None and a.event_id} | set(by_event)
    watched: list[RumorWatch] = []
    for event_id in sorted(event_ids):
        event = archive.get_event(event_id)
        if event is None:
            continue
        clarification = by_event.get(event_id)
        found = _event_watch(archive, event, threshold, since, at, clarification)
        if found is not None:
            watched.append(found)
    for mention, analysis in scored:
        if analysis is None or analysis.event_id or not is_claim_post(mention, analysis, threshold):
            continue
        claim = claim_text(mention, known_debunk(analysis))
        watched.append(
            RumorWatch(
                claim=claim,
                title=claim,
                score=analysis.rumor_score or 0.0,
                recent=1,
                last_seen=mention.published_at,
                event=None,
                clarification=by_subject.get(f"mention:{mention.id}"),
                post=mention,
            )
        )
    watched.sort(key=lambda w: (-w.score, w.claim))
    return watched


def high_risk_mentions(config: str, at: datetime) -> int:
    """The KPI: posts spreading an identified false claim in the 24 hours before ``at``."""
    return sum(w.recent for w in rumours_under_watch(config, at))
