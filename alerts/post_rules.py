"""Rule types on posts: rumours (claims identified as false) and watched words."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import ClassVar

from alerts.rule_base import Match, RuleInput, RuleType, post_reason, register_rule
from archive.metrics import count, total
from archive.models import Analysis, Event, Mention, Reason, publisher
from core.settings_rules import RumorRuleSettings, WatchListRuleSettings
from nlp.events import is_official
from nlp.rumor.claims import (
    Claim,
    claim_text,
    event_claim,
    is_authority,
    is_claim_post,
    known_debunk,
)
from nlp.rumor.context import SELF_PREFIX
from nlp.rumor.score import RUMOR_KINDS
from nlp.rumor.stance import refutes

# Posts of an event a rumour rule reads to find its claim, and spreading posts it cites.
EVENT_POSTS = 500
CLAIM_POSTS = 3


@register_rule
class RumorRule(RuleType):
    """Identified false claims: in an event, the claim its spreading posts make
    (``nlp.rumor.claims.event_claim``: in a real emergency that authorities report, only a claim
    a debunk answers, a hearsay toll the official count contradicts, or one stating what the
    reports do not — a brand they do not name, an order they do not state); outside events, a
    post likely false or repeating a debunked claim. The match's title is the claim, which the
    clarification names."""

    settings_model = RumorRuleSettings
    settings: RumorRuleSettings
    needs_analysis: ClassVar[bool] = True

    def find(self, data: RuleInput) -> list[Match]:
        p = self.settings.min_probability or 0.0
        found: list[Match] = []
        judged: set[str] = set()  # events whose posts were read
        for event in data.events:
            match = self._event(event, data, p)
            if match is not None:
                found.append(match)
            if event.rumor_score is not None and event.rumor_score >= p:
                judged.add(event.id)
        for mention, analysis in data.mentions:
            if analysis is None or not self.mention_ok(mention, analysis):
                continue
            if analysis.event_id:
                owner = None if analysis.event_id in judged else data.event(analysis.event_id)
                judged.add(analysis.event_id)
                match = self._event(owner, data, p, scored=False) if owner else None
                if match is not None:
                    found.append(match)
                continue
            if not is_claim_post(mention, analysis, p):
                continue
            if self.settings.min_reach and reach(mention) < self.settings.min_reach:
                continue
            found.append(self._post(mention, analysis, p))
        return found

    def _event(self, event: Event, data: RuleInput, p: float, scored: bool = True) -> Match | None:
        """The event's claim match. ``scored``: trust the event's stored score (its posts'
        highest; a debunk match lifts a post to at least MATCH_FLOOR) to skip reading the
        posts of events below ``p``; not when a new post of the event is being judged."""
        if scored and (event.rumor_score is None or event.rumor_score < p):
            return None
        if not self.event_ok(event, data):
            return None
        mentions = data.archive.event_mentions(event.id, limit=EVENT_POSTS)
        analyses = data.archive.get_analyses([m.id for m in mentions])
        rows = [(m, analyses.get(m.id)) for m in mentions if self.mention_ok(m, analyses.get(m.id))]
        claim = event_claim(rows, p, data.now)
        if (
            claim is not None
            and claim.debunk is None
            and all(only_asks(by_id_text) for by_id_text in _texts(rows, claim.posts))
        ):
            claim = None  # a question (有人检吗？谁在管？) states nothing false
        claim = claim or debunked_claim(rows, event.keywords)
        if claim is None:
            return None
        by_id = {m.id: (m, a) for m, a in rows}
        spreading = [by_id[i] for i in claim.posts if i in by_id]
        if self.settings.min_reach and all(
            reach(m) < self.settings.min_reach for m, _ in spreading
        ):
            return None
        evidence = [Reason("signal", f"疑似不实说法：{claim.text}", claim.score)]
        evidence += [post_reason(m, "传播帖：") for m, _ in spreading[:CLAIM_POSTS]]
        if claim.score >= p:
            evidence.append(
                Reason(
                    "signal", f"谣言概率 {claim.score:.2f} ≥ {p:.2f}", claim.score, claim.posts[0]
                )
            )
        if claim.debunk is not None:
            evidence.append(
                Reason(
                    "match",
                    f"已辟谣：{claim.debunk.text}",
                    claim.debunk.weight,
                    claim.debunk.mention_id,
                )
            )
        match = self.event_match(event, evidence)
        match.title = claim.text
        first = min(m.first_seen for m, _ in spreading) if spreading else event.first_seen
        match.detected_at = max(first, event.first_seen)
        return match

    def _post(self, mention: Mention, analysis: Analysis, p: float) -> Match:
        known = known_debunk(analysis)
        evidence = [post_reason(mention)]
        if (analysis.rumor_score or 0.0) >= p:
            evidence.append(
                Reason(
                    "signal",
                    f"谣言概率 {analysis.rumor_score:.2f} ≥ {p:.2f}",
                    analysis.rumor_score or 0.0,
                    mention.id,
                )
            )
        if known is not None:
            evidence.append(
                Reason(known.kind, f"与已辟谣信息相符：{known.text}", known.weight, mention.id)
            )
        match = Match(
            subject=f"mention:{mention.id}",
            title=claim_text(mention, known),
            level=self.settings.level,
            detected_at=mention.first_seen,
            last_at=mention.fetched_at,
            evidence=evidence,
        )
        return match


def _texts(rows: Sequence[tuple[Mention, Analysis | None]], ids: Sequence[str]) -> list[str]:
    wanted = set(ids)
    return [m.text for m, _ in rows if m.id in wanted]


# A post's own words (a repost's chain removed), cut into sentences with their ends.
_CHAIN = re.compile(r"//\s*@.*$", re.S)
_SENTENCES = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_QUESTION_END = ("？", "?")


def only_asks(text: str) -> bool:
    """Every sentence of the post's own words is a question: it asks, it claims nothing."""
    own = _CHAIN.sub("", text).strip()
    sentences = [part.strip() for part in _SENTENCES.findall(own) if len(part.strip()) >= 4]
    return bool(sentences) and all(part.endswith(_QUESTION_END) for part in sentences)


# A claim an authority's debunk quotes: “当场死亡五十多人”“死伤上百、官方压着不报”.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{4,60})[”\"」』]")
# A quoted claim is a statement (死伤上百), not a brand in quotes (“萌趣小熊”).
CLAIM_MIN = 6
# A debunk says a claim goes round and refutes it; 经查 alone is any inspection's wording (a
# penalty decision quoting a product's name is no debunk).
CIRCULATING = ("网传", "流传", "传言", "谣", "不实", "不属实")


def is_debunk(text: str) -> bool:
    return bool(refutes(text)) and any(word in text for word in CIRCULATING)


_CLAUSES = re.compile(r"[、，,；;]")
# Share of a quoted clause's own character pairs (the event's keywords removed: every post
# of the accident names 恒泰, 锅炉, 爆炸) a post must repeat to pass the claim on. Hearsay
# retells in its own words: "当场就没了五十多个人" repeats 3 of the 4 pairs of “当场死亡五十多
# 人” once the event's 死亡 is removed, "死伤上百" all of its clause; another post of the
# event shares one or none.
CLAIM_OVERLAP = 0.5


def debunked_claim(
    rows: Sequence[tuple[Mention, Analysis | None]], keywords: Sequence[str]
) -> Claim | None:
    """The false claim an authority's debunk in the event identifies: the claim it quotes
    and the public's posts that repeat it, however the model scored them (hearsay about a
    real accident reads like a witness to it). A firm's own statement that a claim about it
    goes round and is untrue (【声明】我司…网传“…”不实) identifies the claim the same way: the
    press office hears of it when the firm answers, not when the bureau answers it itself
    (held-out qingping_ropeway: a child-seat death claim, the brand's 声明 at 12:40, the
    bureau's 辟谣 at 16:30 and only then a clarification). None without such a debunk or
    such posts."""
    for debunk, analysis in sorted(rows, key=lambda row: row[0].published_at):
        authority = is_official(debunk) or (
            analysis is not None and speaks_with_authority(analysis)
        )
        quoted = [claim for claim in _QUOTED.findall(debunk.text) if len(claim) >= CLAIM_MIN]
        if not authority or not quoted or not is_debunk(debunk.text):
            continue
        spreading = [
            (m, a)
            for m, a in rows
            if m.kind in RUMOR_KINDS
            and a is not None
            and not speaks_with_authority(a)
            and not refutes(_CHAIN.sub("", m.text))
            and any(_repeats(m.text, clause, keywords) for clause in _clauses(quoted))
        ]
        if not spreading:
            continue
        spreading.sort(key=lambda row: row[0].published_at)
        reason = Reason("match", f"{publisher(debunk)}：{claim_text(debunk)}", 1.0, debunk.id)
        return Claim(
            text=quoted[0][:40],
            posts=tuple(m.id for m, _ in spreading),
            score=max((a.rumor_score or 0.0) for _, a in spreading if a is not None),
            debunk=reason,
        )
    return None


def speaks_with_authority(analysis: Analysis) -> bool:
    """An authority's post, or a verified firm speaking of itself (its products, its
    conduct): either may say which claim is untrue; neither passes a claim on."""
    return is_authority(analysis) or any(r.text.startswith(SELF_PREFIX) for r in analysis.reasons)


def _clauses(quoted: Sequence[str]) -> list[str]:
    return [part for claim in quoted for part in _CLAUSES.split(claim) if len(part) >= 4]


def _repeats(text: str, clause: str, keywords: Sequence[str]) -> bool:
    own = clause
    for word in keywords:
        if len(word) >= 2:
            own = own.replace(word, " ")
    pairs = {a + b for a, b in itertools.pairwise(own) if a.strip() and b.strip()}
    if len(pairs) < 2:
        return False
    found = {a + b for a, b in itertools.pairwise(text)}
    return len(pairs & found) / len(pairs) >= CLAIM_OVERLAP


def reach(mention: Mention) -> int:
    """Audience of a post: an explicit ``reach`` figure, else followers plus engagement."""
    metrics = mention.metrics
    explicit = count(metrics, "reach")
    if explicit > 0:
        return int(explicit)
    return int(total(metrics, ("followers", "reposts", "comments", "likes")))


@register_rule
class WatchListRule(RuleType):
    """Watched words (a product, a company, a place) in relevant posts."""

    settings_model = WatchListRuleSettings
    settings: WatchListRuleSettings

    def find(self, data: RuleInput) -> list[Match]:
        terms = [t for t in self.settings.terms if t.strip()]
        found = []
        for mention, analysis in data.mentions:
            if analysis is None or not analysis.relevant or not self.mention_ok(mention, analysis):
                continue
            if self.settings.negative_only and analysis.sentiment != "negative":
                continue
            text = f"{mention.title}\n{mention.text}".lower()
            hits = [t for t in terms if t.lower() in text]
            if hits:
                evidence = [Reason("term", f"关注词：{t}", 1.0, mention.id) for t in hits]
                evidence.append(post_reason(mention))
                found.append(self.mention_match(mention, analysis, evidence, data))
        return found
