"""What a rumour event is made of: the false claim, the posts that spread it, the debunk.

An event is a rumour event only when a false claim in it is identified; a clarification names
that claim, not the event's title. A real emergency reported by authorities (an accident with
a fire-brigade 警情通报 and a government 情况通报) is never a rumour as a whole: in such an event
only a claim answered by a debunk (a known false claim), or a hearsay casualty toll the
authorities' count answers (``nlp.rumor.hearsay``), is one. The rumour rule
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
    EXCEEDED,
    HEARSAY_PREFIX,
    REPORTING_PLATFORMS,
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
    """The reason saying the post's hearsay toll far exceeds the authorities' count
    (``nlp.rumor.context``): the count answers it as a debunk answers a claim."""
    return next(
        (r for r in analysis.reasons if r.text.startswith(HEARSAY_PREFIX) and EXCEEDED in r.text),
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


def event_claim(
    members: Iterable[tuple[Mention, Analysis | None]],
    threshold: float,
    now: datetime | None = None,
) -> Claim | None:
    """The event's identified false claim, or None when it has none.

    The claim posts are those ``is_claim_post`` accepts. When an authority reports the event
    as fact, only a claim answered by a debunk or by the authorities' casualty count (a hearsay
    toll far above it) counts (the event is real; what may be false is a claim about it); any
    other claim counts once it is ``CLAIM_GRACE`` old at ``now``.
    The claim's words are those the debunk quotes, else the most likely post's.
    """
    rows: Sequence[tuple[Mention, Analysis | None]] = list(members)
    claims = [(m, a) for m, a in rows if a is not None and is_claim_post(m, a, threshold)]
    if not claims:
        return None
    confirmed = any(reports_as_fact(m, a) for m, a in rows)
    known = [(m, a) for m, a in claims if known_debunk(a) is not None]
    # A hearsay toll far above the authorities' count is answered by that count: a claim
    # even in a reported emergency (当场没了五十多个 against 3 dead), with no debunk yet.
    tolls = [(m, a) for m, a in claims if contradicted(a) is not None]
    if not known and not tolls:
        if confirmed:
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
    return Claim(
        text=claim_text(stating[0] if stating else pool[0][0], debunk),
        posts=tuple(m.id for m, _ in spreading),
        score=max(a.rumor_score or 0.0 for _, a in claims),
        debunk=debunk,
    )
