"""The false claims the alert stage identified, read from the archive: one reading for the
dashboard (event page, 谣言关注, its KPI: ``dashboard.data_claims``) and the briefings.

The rumour rule (``alerts.post_rules.RumorRule``) raises one alert per claim — its words
(``疑似不实说法：…``), the posts spreading it (``传播帖：…``), the debunk answering it
(``已辟谣：…``) — and opens the clarification that names it. Those stored alerts are the list
of claims here, so what the dashboard and a briefing call a false claim is what the alerts
and the 处置 page show.

The alert cites at most three spreading posts. The claim's posts in full are read again from
its event with the functions the rule identified it with (``nlp.rumor.claims.event_claim``:
the posts scored as spreading it; ``alerts.post_rules.debunked_claim``: the posts repeating
the claim a debunk quotes, whatever their score), so a claim whose posts score 0.55 and 0.28
is shown with them (walking the wangjiang_canteen drill, the event page listed posts scored ≥
the threshold only and said 没有谣言概率不低于0.70的帖子 under a clarification duty).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alerts.post_rules import debunked_claim
from archive.base import Archive
from archive.models import Alert, Analysis, Event, Mention, Obligation
from core.settings import Settings
from nlp.rumor.claims import event_claim

SCAN_LIMIT = 1_000_000
EVENT_POSTS = 500  # as alerts.post_rules.EVENT_POSTS: the posts an event's claim is read from
CLAIM_PREFIX = "疑似不实说法："


@dataclass
class ClaimPost:
    mention: Mention
    score: float | None  # its rumour score (None: not scored, a comment)


@dataclass
class IdentifiedClaim:
    """One false claim the alert stage identified, with all it is known by."""

    text: str
    alert: Alert
    event: Event | None
    posts: list[ClaimPost] = field(default_factory=list)  # spreading it, earliest first
    debunk: Mention | None = None  # the debunk (or the authorities' notice) answering it
    quoted: str = ""  # the claim in the debunk's words, when a debunk quotes it
    clarification: Obligation | None = None

    @property
    def score(self) -> float:
        """The highest rumour score of its posts (0 when none was scored)."""
        return max((p.score or 0.0 for p in self.posts), default=0.0)

    @property
    def post(self) -> Mention | None:
        """The post itself, for a claim outside any event (its place routes it to a unit)."""
        return self.posts[0].mention if self.event is None and self.posts else None


def claim_rules(settings: Settings) -> set[str]:
    """The names of the configured rumour rules (their alerts are the claims)."""
    return {rule.name for rule in settings.rules if rule.type == "rumor"}


def is_claim_alert(alert: Alert, rules: set[str]) -> bool:
    """An alert of a rumour rule, or one naming a false claim (a rule since renamed)."""
    return alert.rule in rules or any(r.text.startswith(CLAIM_PREFIX) for r in alert.evidence)


def claim_words(alert: Alert) -> str:
    """The newest words of the claim (evidence is kept newest first), else the alert's title:
    a post alert's title is its claim (``claim_text``)."""
    for reason in alert.evidence:
        if reason.text.startswith(CLAIM_PREFIX):
            return reason.text.removeprefix(CLAIM_PREFIX).strip()
    return alert.title


def _cited(alert: Alert) -> tuple[list[str], str | None]:
    """(the posts the alert cites as spreading the claim, the debunk it names)."""
    posts = [
        r.mention_id
        for r in alert.evidence
        if r.kind == "post" and r.mention_id and not r.text.startswith("首发")
    ]
    debunk = next(
        (r.mention_id for r in alert.evidence if r.kind == "match" and r.mention_id), None
    )
    return list(dict.fromkeys(posts)), debunk


def _event_rows(
    archive: Archive, event_id: str, at: datetime
) -> list[tuple[Mention, Analysis | None]]:
    mentions = [
        m for m in archive.event_mentions(event_id, limit=EVENT_POSTS) if m.published_at <= at
    ]
    analyses = archive.get_analyses([m.id for m in mentions])
    return [(m, analyses.get(m.id)) for m in mentions]


def read_claim(
    archive: Archive,
    alert: Alert,
    threshold: float,
    at: datetime,
    clarification: Obligation | None = None,
) -> IdentifiedClaim:
    """The claim ``alert`` identified, its posts read in full from its event as of ``at``."""
    cited, debunk_id = _cited(alert)
    event = archive.get_event(alert.event_id) if alert.event_id else None
    ids = list(cited)
    quoted = ""
    scores: dict[str, float | None] = {}
    if event is not None:
        rows = _event_rows(archive, event.id, at)
        scores = {m.id: a.rumor_score if a else None for m, a in rows}
        for found in (event_claim(rows, threshold, at), debunked_claim(rows, event.keywords)):
            if found is None:
                continue
            ids += found.posts
            if found.debunk is not None:
                debunk_id = debunk_id or found.debunk.mention_id
                if found.debunk.weight >= 1.0:  # an authority's debunk quoting the claim
                    quoted = found.text
    if clarification is not None and clarification.fulfilled_by and debunk_id is None:
        debunk_id = clarification.fulfilled_by
    wanted = list(dict.fromkeys(ids))
    extra = [debunk_id] if debunk_id else []
    mentions = {m.id: m for m in archive.get_mentions([*wanted, *extra])}
    if not scores:
        scores = {i: a.rumor_score for i, a in archive.get_analyses(wanted).items()}
    posts = sorted(
        (ClaimPost(mentions[i], scores.get(i)) for i in wanted if i in mentions and i != debunk_id),
        key=lambda p: (p.mention.published_at, p.mention.id),
    )
    return IdentifiedClaim(
        text=claim_words(alert),
        alert=alert,
        event=event,
        posts=[p for p in posts if p.mention.published_at <= at],
        debunk=mentions.get(debunk_id) if debunk_id else None,
        quoted=quoted if quoted != claim_words(alert) else "",
        clarification=clarification,
    )


def clarification_of(alert: Alert, duties: list[Obligation]) -> Obligation | None:
    """The clarification the claim's alert opened (a waived one too: the office decided)."""
    mine = (
        [ob for ob in duties if ob.alert_id == alert.id]
        or [ob for ob in duties if ob.subject == alert.subject]
        # one claim per event: a duty recorded without its alert (by hand) is the event's
        or [ob for ob in duties if alert.event_id and ob.event_id == alert.event_id]
    )
    return max(mine, key=lambda ob: ob.opened_at) if mine else None


def all_claims(
    archive: Archive, rules: set[str], threshold: float, at: datetime
) -> list[IdentifiedClaim]:
    """Every false claim identified by ``at``, the most likely first."""
    duties = [
        ob
        for ob in archive.ledger.list_obligations(limit=SCAN_LIMIT)
        if ob.kind == "clarification" and ob.opened_at <= at
    ]
    claims = [
        read_claim(archive, alert, threshold, at, clarification_of(alert, duties))
        for alert in archive.ledger.list_alerts(limit=SCAN_LIMIT)
        if is_claim_alert(alert, rules) and alert.first_at <= at
    ]
    claims.sort(key=lambda c: (-c.score, c.text))
    return claims


def claims_by_event(archive: Archive, rules: set[str], at: datetime) -> dict[str, str]:
    """The words of the false claim identified in each event by ``at`` (the newest claim
    alert of the event: a claim restated later is the one the office answers)."""
    found: dict[str, tuple[datetime, str]] = {}
    for alert in archive.ledger.list_alerts(limit=SCAN_LIMIT):
        if not alert.event_id or alert.first_at > at or not is_claim_alert(alert, rules):
            continue
        known = found.get(alert.event_id)
        if known is None or alert.first_at > known[0]:
            found[alert.event_id] = (alert.first_at, claim_words(alert))
    return {event_id: words for event_id, (_, words) in found.items()}
