"""What a rumour event is made of: the false claim, the posts that spread it, the debunk.

An event is a rumour event only when a false claim in it is identified; a clarification names
that claim, not the event's title. A real emergency reported by authorities (an accident with
a fire-brigade 警情通报 and a government 情况通报) is never a rumour as a whole: in such an event
only a claim answered by a debunk (a known false claim), a hearsay casualty toll the
authorities' count answers (``nlp.rumor.hearsay``), or a claim stating what the reports do
not (a brand they do not name blamed, a recall they do not state) is one. The rumour rule
(``alerts.rules.RumorRule``) and the dashboard's rumour figures read these functions, so they
judge the same posts.

Everything here reads stored analyses (their score and reasons, written by
``nlp.rumor.context.in_context``), so it needs no model and no configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from archive.models import Analysis, Mention, Reason
from nlp.events import is_official
from nlp.rumor.context import (
    ADDRESSING,
    AUTHORITY_PREFIX,
    CONTRADICTED,
    EXCEEDED,
    HEARSAY_PREFIX,
    REPORTING_PLATFORMS,
    SELF_PREFIX,
    claim_stance,
)
from nlp.rumor.score import RUMOR_KINDS
from nlp.rumor.stance import asks

_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{4,60})[”\"」』]")
_CHAIN = re.compile(r"//\s*@.*$")
_NOISE = re.compile(r"#[^#]{1,40}#|\[[^\]]{1,8}\]|【[^】]{0,20}】|https?://\S+|@\S+")
_LEAD = re.compile(r"^(?:转发|转需|转)\s*[:：]\s*")
_SENTENCE_END = re.compile(r"[。！？!?\n…]")
CLAIM_CHARS = 40
# A claim no debunk answers is identified only once it has stood this long without a report
# stating its event as fact: the first posts of an accident are witnesses, and the fire
# brigade's or the city's report follows within the hour (the demo: accident 12:20,
# witnesses from 12:24, the fire brigade's 警情通报 12:58, Weibo crawled every 30 minutes).
# The clarification's clock still starts at the first spreading post (alerts.rules).
CLAIM_GRACE = timedelta(hours=1)  # a claim is quoted at most this long (an obligation's title)


@dataclass(frozen=True)
class Claim:
    """A false claim of an event: its words, the posts spreading it, the debunk answering it."""

    text: str
    posts: tuple[str, ...]  # mention ids, highest rumour score first
    score: float
    debunk: Reason | None = None  # the match reason naming the debunk, when one answers it


def is_authority(analysis: Analysis) -> bool:
    return any(r.text.startswith(AUTHORITY_PREFIX) for r in analysis.reasons)


def known_debunk(analysis: Analysis) -> Reason | None:
    return next((r for r in analysis.reasons if r.kind == "match"), None)


def contradicted(analysis: Analysis) -> Reason | None:
    """The reason saying the post's hearsay toll far exceeds the authorities' count, or
    claims deaths where they state nobody died (``nlp.rumor.context``): the count answers it
    as a debunk answers a claim."""
    return next(
        (
            r
            for r in analysis.reasons
            if r.text.startswith(HEARSAY_PREFIX) and (EXCEEDED in r.text or CONTRADICTED in r.text)
        ),
        None,
    )


def is_claim_post(mention: Mention, analysis: Analysis | None, threshold: float) -> bool:
    """A relevant post or repost likely to spread a false claim (score at or above the
    threshold, or repeating a debunked claim). Authorities and refutations are capped below
    any threshold by ``in_context``, so they never are."""
    if analysis is None or not analysis.relevant or mention.kind not in RUMOR_KINDS:
        return False
    return (analysis.rumor_score or 0.0) >= threshold or known_debunk(analysis) is not None


def reports_as_fact(mention: Mention, analysis: Analysis | None) -> bool:
    """An authority or a news report stating the event itself (not answering a claim about
    it): an official site's notice, a news or feed article, an authority's post (known from
    its stored reason, so no configuration is needed here)."""
    authority = is_official(mention) or mention.platform in REPORTING_PLATFORMS
    if not authority and (analysis is None or not is_authority(analysis)):
        return False
    text = f"{mention.title} {mention.text}"
    return claim_stance(text) == "claims" and not any(word in text for word in ADDRESSING)


def claim_text(mention: Mention, debunk: Reason | None = None) -> str:
    """The claim in words: the claim a debunk quotes, else the spreading post's first
    sentence of its own (repost chain, #topics#, [emoticons], links and 【】 tags removed)."""
    if debunk is not None:
        quoted = _QUOTED.search(debunk.text)
        if quoted:
            return quoted.group(1)[:CLAIM_CHARS]
    own = _NOISE.sub("", _CHAIN.sub("", mention.text)).strip() or mention.title
    own = _LEAD.sub("", own)
    for part in _SENTENCE_END.split(own):
        part = part.strip(" ，,：:")
        if len(part) >= 6:
            own = part
            break
    own = " ".join(own.split())
    return own if len(own) <= CLAIM_CHARS else own[: CLAIM_CHARS - 1] + "…"


# An authority's order about a product or a business stated as done (已经下令全部召回了,
# 被勒令召回, 已被查封): the regulator's act is the regulator's to confirm or deny, and an
# accident's reports, which tell what happened, do not state it unless it was done. A demand
# (应该召回, 要求查封) is no such statement: only 已/已经/被 before the order, in one clause.
ORDERS = ("召回", "下令", "勒令", "责令", "查封", "封存", "下架", "停售", "停产", "吊销")
ORDER_DONE = re.compile(
    r"(?:已经?|被)[^，,。！？!?；;\n]{0,8}?(?:" + "|".join(ORDERS) + r")[^，,。！？!?；;\n]{0,8}"
)


def orders_stated(text: str) -> set[str]:
    """The orders a text states as done (``ORDER_DONE``), each of them in the clause
    (已经下令全部召回了: 下令 and 召回)."""
    return {word for match in ORDER_DONE.finditer(text) for word in ORDERS if word in match[0]}


def _speaks_as_authority(analysis: Analysis) -> bool:
    """An authority's post, or a firm's about itself (``nlp.rumor.context``'s caps)."""
    return any(r.text.startswith((AUTHORITY_PREFIX, SELF_PREFIX)) for r in analysis.reasons)


def states_unreported_order(mention: Mention, analysis: Analysis | None, told: str) -> bool:
    """A relevant post or repost by the public stating as done an order (a recall, a ban, a
    seizure) that no report of its event states (``told``: the reports' words), neither
    asking about it nor refuting it. Whatever its rumour score: the model reads such a post
    by its author's reach (a marketing account of a million followers scored 0.02), while the
    bureau knows whether it ordered a recall."""
    if analysis is None or not analysis.relevant or mention.kind not in RUMOR_KINDS:
        return False
    if _speaks_as_authority(analysis) or asks(mention.text):
        return False
    if claim_stance(f"{mention.title} {mention.text}") != "claims":
        return False
    return any(word not in told for word in orders_stated(mention.text))


def beyond_reports(
    claims: Sequence[tuple[Mention, Analysis]], rows: Sequence[tuple[Mention, Analysis | None]]
) -> list[tuple[Mention, Analysis]]:
    """The posts of a reported event (``rows``) that claim what its reports do not: claim
    posts naming a firm or brand (their stored entities) that no report names, and posts
    stating an order that no report states (``states_unreported_order``). Hearsay about the
    accident's own facts (where, when, how it burned) is neither and stays unidentified, the
    reports answer it; a brand blamed for the accident or a recall said to be hidden is a
    false claim riding on a true accident and waits for no debunk (scenarios/cuihu_ebike.jsonl's
    极风 claim, ``docs/scenarios.md``)."""
    told = "\n".join(f"{m.title}\n{m.text}" for m, a in rows if reports_as_fact(m, a))
    found = {
        m.id: (m, a)
        for m, a in claims
        if any(
            e.kind in ("company", "brand") and len(e.name) > 1 and e.name not in told
            for e in a.entities
        )
    }
    for mention, analysis in rows:
        if analysis is not None and states_unreported_order(mention, analysis, told):
            found.setdefault(mention.id, (mention, analysis))
    return list(found.values())


def event_claim(
    members: Iterable[tuple[Mention, Analysis | None]],
    threshold: float,
    now: datetime | None = None,
) -> Claim | None:
    """The event's identified false claim, or None when it has none.

    The claim posts are those ``is_claim_post`` accepts. When an authority reports the event
    as fact, only a claim answered by a debunk or by the authorities' casualty count (a hearsay
    toll far above it), or one stating what the reports do not (``beyond_reports``: a claim
    post naming a firm they do not name, any post stating an order they do not state) counts
    (the event is real; what may be false is a claim about it); any claim no debunk or count
    answers counts once it is ``CLAIM_GRACE`` old at ``now``.
    The claim's words are those the debunk quotes, else the most likely post's.
    """
    rows: Sequence[tuple[Mention, Analysis | None]] = list(members)
    claims = [(m, a) for m, a in rows if a is not None and is_claim_post(m, a, threshold)]
    confirmed = any(reports_as_fact(m, a) for m, a in rows)
    if not claims and not confirmed:
        return None  # (a reported event's unreported order is a claim at any score)
    known = [(m, a) for m, a in claims if known_debunk(a) is not None]
    # A hearsay toll far above the authorities' count is answered by that count: a claim
    # even in a reported emergency (当场没了五十多个 against 3 dead), with no debunk yet.
    tolls = [(m, a) for m, a in claims if contradicted(a) is not None]
    beyond = False
    if not known and not tolls:
        if confirmed:
            # The event is real; a claim counts only where it states what its reports do not.
            claims, beyond = beyond_reports(claims, rows), True
            if not claims:
                return None
        first_seen = min(m.first_seen for m, _ in claims)
        if now is not None and now - first_seen < CLAIM_GRACE:
            return None
    spreading = sorted(claims, key=lambda p: (-(p[1].rumor_score or 0.0), p[0].id))
    debunk = known_debunk(known[0][1]) if known else None
    # The claim's words: from a post that states it (an original post that does not ask),
    # else from the most likely post ("真的假的？我家冰箱里就有两包" is a reaction to it).
    # Without a debunk to quote, a toll the count answers is the claim.
    toll_ids = {m.id for m, _ in tolls}
    pool = spreading if known or not tolls else [p for p in spreading if p[0].id in toll_ids]
    stating = [m for m, _ in pool if m.kind == "post" and not asks(m.text)]
    if beyond:
        # Posts stating an order are claims at any score, so the score does not say which
        # states it best: the first to state it does (cuihu's marketing account at 0.02,
        # not a colleague's hearsay an hour later at 0.17).
        stating.sort(key=lambda m: m.published_at)
    return Claim(
        text=claim_text(stating[0] if stating else pool[0][0], debunk),
        posts=tuple(m.id for m, _ in spreading),
        score=max(a.rumor_score or 0.0 for _, a in claims),
        debunk=debunk,
    )
