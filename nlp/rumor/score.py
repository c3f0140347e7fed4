"""Rumour scoring for posts: a first heuristic, and matching against known debunks.

``heuristic_score`` is deliberately named a heuristic: a hand-set logistic combination of a few
signals that the rumour literature and the press offices agree on (doubt voiced in the post
and in its comments, an unverified author, alarmist "spread this now" phrasing, no named
source). Its weights were checked by fitting the same features on the CED development set
(see benchmarks/nlp_relevance_bench.py, section "rumour heuristic"); a trained model over
richer features replaces it in a later issue, behind ``RumorResult``.

Known-rumour matching does not guess: a post whose character bigrams cover a debunked claim
(an official 辟谣 already in the archive) gets at least ``MATCH_FLOOR`` and a ``match`` reason
naming the debunk.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from archive.models import Reason
from nlp.lexicon import default_lexicon, find_phrases
from nlp.text import Prepared, first_sentence

RUMOR_KINDS = ("post", "repost")

# Logistic weights of the heuristic: a logistic regression over exactly these features on CED
# dev (2,295 Weibo posts with their comments; 5-fold CV ROC AUC 0.918), its coefficients
# rounded, except where noted. With these weights: ROC AUC 0.920 and accuracy 0.860 on CED dev
# (in-sample: the held-out CED split is kept for the trained model). Reproduce with
# benchmarks/nlp_relevance_bench.py --rumour. Without comments (a post's first minutes) the
# AUC is only 0.69: the comments' doubt carries most of the signal, which is why the stage
# re-scores a post as its comments arrive.
BIAS = -2.7
# Questions about the claim in the post itself (求证, 真的吗). CED has too few (0.3 % of posts)
# to fit (0.09); 0.5 is judgement: such a post still spreads the claim it asks about.
W_DOUBT_TEXT = 0.5
# Refutation words in the post itself (谣言, 不实): the post is usually a debunk (CED: -1.36).
W_REFUTE_TEXT = -1.4
W_DOUBT_COMMENTS = 1.9  # per log(1 + comments that question or refute the post)
W_UNVERIFIED = 0.6  # author not verified (metrics["verified"] is False); CED: ±0.61
W_VERIFIED = -0.6  # author verified
W_ALARMIST = 1.6  # per unit of alarmist-phrase weight, capped at CAP_SIGNAL
W_NO_SOURCE = 0.8  # no URL and no named source
CAP_SIGNAL = 2.0
# A match with a stored debunk is near-certain: the claim has been refuted officially.
MATCH_FLOOR = 0.9
# Overlap coefficient of character bigrams, |claim ∩ post| / min(|claim|, |post|), at or above
# which a post repeats a debunked claim. Tuned on CED dev (benchmarks/nlp_relevance_bench.py
# --matching): a sentence cut from one post is compared with every other post; pairs whose
# posts share < 10 % of bigrams count as unrelated (5.0 M pairs), pairs sharing ≥ 40 % as the
# same rumour retold (2,047 pairs). At 0.6 the false-match rate is 1.2e-5 per pair (and most
# of those are the same rumour inside a longer post) while 87 % of retellings match; 0.5
# doubles the false matches for +2 points of recall, 0.7 loses 4 points.
MATCH_THRESHOLD = 0.6
# Claims shorter than this many bigrams ("目前案件正在调查中") are boilerplate that match
# unrelated posts; 8 halves the false matches of 6 at the same threshold (same tuning run).
MIN_CLAIM_BIGRAMS = 8
# How far before a debunk a post may be and still be marked by it (the stage passes
# settings.nlp.event_window: the reach of its backward re-check). Later posts always match:
# rumours recur (the same 塑料紫菜 video returns every spring).
BACKWARD_REACH = timedelta(hours=72)

_FUNCTION_CHARS = set("的了是在和有就都也不这那我你他她它们啊吗呢吧哦呀与及或而")
_RUN = re.compile(r"[0-9A-Za-z\u3400-\u9fff]+")
_QUOTED = re.compile(r"[“\"「『](.{4,80}?)[”\"」』]")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams inside runs of letters, digits and CJK, minus function-word pairs."""
    grams: set[str] = set()
    for run in _RUN.findall(text.lower()):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram[0] in _FUNCTION_CHARS and gram[1] in _FUNCTION_CHARS:
                continue
            grams.add(gram)
    return frozenset(grams)


def overlap(claim: frozenset[str], post: frozenset[str]) -> float:
    smaller = min(len(claim), len(post))
    if smaller < MIN_CLAIM_BIGRAMS:
        return 0.0
    return len(claim & post) / smaller


@dataclass(frozen=True)
class RumorFeatures:
    """The signals of one post (its own text and author); comment signals are added later."""

    doubt: tuple[str, ...] = ()
    doubt_weight: float = 0.0
    refute: tuple[str, ...] = ()
    refute_weight: float = 0.0
    alarmist: tuple[str, ...] = ()
    alarmist_weight: float = 0.0
    sources: tuple[str, ...] = ()
    has_url: bool = False
    verified: bool | None = None


def _weight(found: Iterable[str], table: Mapping[str, float]) -> float:
    return min(CAP_SIGNAL, sum(table[phrase] for phrase in found))


def doubt_phrases(text: str) -> list[str]:
    """Questioning or refuting phrases: what makes a comment a doubting comment."""
    lexicon = default_lexicon()
    return find_phrases(text, lexicon.doubt) + find_phrases(text, lexicon.refute)


def features_of(prepared: Prepared, metrics: Mapping[str, object]) -> RumorFeatures:
    lexicon = default_lexicon()
    text = prepared.full
    doubt = find_phrases(text, lexicon.doubt)
    refute = find_phrases(text, lexicon.refute)
    alarmist = find_phrases(text, lexicon.alarmist)
    sources = find_phrases(text, lexicon.source)
    if re.search(r"据[\u4e00-\u9fff]{1,12}(?:报道|消息|通报)", text):
        sources.append("据…报道")
    verified_raw = metrics.get("verified")
    verified = bool(verified_raw) if isinstance(verified_raw, bool | int) else None
    return RumorFeatures(
        doubt=tuple(doubt),
        doubt_weight=_weight(doubt, lexicon.doubt),
        refute=tuple(refute),
        refute_weight=_weight(refute, lexicon.refute),
        alarmist=tuple(alarmist),
        alarmist_weight=_weight(alarmist, lexicon.alarmist),
        sources=tuple(sources),
        has_url=bool(prepared.urls),
        verified=verified,
    )


@dataclass
class RumorResult:
    score: float
    reasons: list[Reason] = field(default_factory=list)
    matched_debunk: str | None = None


def heuristic_score(
    features: RumorFeatures, doubting_comments: int = 0, comment_ids: Iterable[str] = ()
) -> RumorResult:
    """The heuristic rumour score (not a trained model): logistic over a few signals."""
    reasons: list[Reason] = []
    z = BIAS
    if features.doubt:
        value = W_DOUBT_TEXT * features.doubt_weight
        z += value
        reasons.append(Reason("signal", "帖内质疑：" + "、".join(features.doubt), round(value, 4)))
    if features.refute:
        value = W_REFUTE_TEXT * features.refute_weight
        z += value
        reasons.append(
            Reason("signal", "帖内辟谣用语：" + "、".join(features.refute), round(value, 4))
        )
    if doubting_comments:
        value = W_DOUBT_COMMENTS * math.log1p(doubting_comments)
        z += value
        example = next(iter(comment_ids), None)
        reasons.append(
            Reason("signal", f"{doubting_comments} 条评论质疑", round(value, 4), example)
        )
    if features.verified is False:
        z += W_UNVERIFIED
        reasons.append(Reason("feature", "作者未认证", W_UNVERIFIED))
    elif features.verified:
        z += W_VERIFIED
        reasons.append(Reason("feature", "作者已认证", W_VERIFIED))
    if features.alarmist:
        value = W_ALARMIST * features.alarmist_weight
        z += value
        reasons.append(
            Reason("signal", "煽动性用语：" + "、".join(features.alarmist), round(value, 4))
        )
    if not features.sources and not features.has_url:
        z += W_NO_SOURCE
        reasons.append(Reason("feature", "未注明来源", W_NO_SOURCE))
    return RumorResult(score=round(1.0 / (1.0 + math.exp(-z)), 4), reasons=reasons)


# ---- known debunks ---------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    debunk_id: str
    debunk_title: str
    text: str
    grams: frozenset[str]
    published_at: datetime


# Dates and clock times say when, not what: a weekly 辟谣榜 titled 本周辟谣榜（11月16日—11月20日）
# left only date bigrams as its "claim" and matched every post that dated the week's accident
# (the demo's 11月16日12时20分 summary scored 0.97 as a known rumour).
_WHEN = re.compile(r"\d{1,4}\s*[年月日时点]\s*(?:\d{1,2}\s*[月日号分])?|\d{1,2}[:：]\d{2}")


def _strip_markers(text: str) -> str:
    for marker in default_lexicon().debunk_markers:
        text = text.replace(marker, " ")
    text = _WHEN.sub(" ", text)
    return re.sub(r"[【】\[\]《》<>（）()：:！!？?，,。.、\s]+", " ", text).strip()


def claims_of(prepared: Prepared) -> list[str]:
    """What a debunk refutes: its quoted claims, its title and the sentence that reports the
    rumour, with the debunk's own words (辟谣, 网传, 不实…) removed."""
    candidates: list[str] = []
    for source in (prepared.title, prepared.body):
        candidates += [m.group(1) for m in _QUOTED.finditer(source)]
    if prepared.title:
        candidates.append(prepared.title)
    for sentence in re.split(r"[。！？!?\n]+", prepared.body):
        if any(word in sentence for word in ("网传", "传言", "流传", "称", "谣言")):
            candidates.append(sentence)
            break
    if not prepared.title:
        candidates.append(first_sentence(prepared.body, 120))
    out: list[str] = []
    for candidate in candidates:
        cleaned = _strip_markers(candidate)
        if len(bigrams(cleaned)) >= MIN_CLAIM_BIGRAMS and cleaned not in out:
            out.append(cleaned)
    return out[:6]


class DebunkIndex:
    """Debunked claims with a bigram inverted index, so matching a post costs its bigrams."""

    def __init__(self, backward_reach: timedelta = BACKWARD_REACH) -> None:
        self.backward_reach = backward_reach
        self.claims: dict[str, list[Claim]] = {}
        self._postings: dict[str, set[tuple[str, int]]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self.claims)

    def add(self, debunk_id: str, prepared: Prepared, published_at: datetime) -> list[Claim]:
        self.remove(debunk_id)
        title = prepared.title or first_sentence(prepared.body)
        claims = [
            Claim(debunk_id, title, text, bigrams(text), published_at)
            for text in claims_of(prepared)
        ]
        self.claims[debunk_id] = claims
        for number, claim in enumerate(claims):
            for gram in claim.grams:
                self._postings[gram].add((debunk_id, number))
        return claims

    def remove(self, debunk_id: str) -> None:
        for number, claim in enumerate(self.claims.pop(debunk_id, [])):
            for gram in claim.grams:
                self._postings[gram].discard((debunk_id, number))

    def match(self, grams: frozenset[str], published_at: datetime) -> tuple[Claim, float] | None:
        """The best debunked claim this post repeats, if any (ties: earliest debunk, id)."""
        shared: dict[tuple[str, int], int] = defaultdict(int)
        for gram in grams:
            for posting in self._postings.get(gram, ()):
                shared[posting] += 1
        best: tuple[Claim, float] | None = None
        best_key: tuple[float, datetime, str, int] | None = None
        for (debunk_id, number), count in shared.items():
            claim = self.claims[debunk_id][number]
            if claim.published_at > published_at + self.backward_reach:
                continue
            smaller = min(len(claim.grams), len(grams))
            if smaller < MIN_CLAIM_BIGRAMS:
                continue
            similarity = count / smaller
            if similarity < MATCH_THRESHOLD:
                continue
            key = (-similarity, claim.published_at, claim.debunk_id, number)
            if best_key is None or key < best_key:
                best, best_key = (claim, similarity), key
        return best


def score_post(
    features: RumorFeatures,
    grams: frozenset[str],
    published_at: datetime,
    debunks: DebunkIndex,
    doubting_comments: int = 0,
    comment_ids: Iterable[str] = (),
    base: RumorResult | None = None,
) -> RumorResult:
    """The model's (``base``) or else the heuristic's score, overridden by a debunk match."""
    result = base if base is not None else heuristic_score(features, doubting_comments, comment_ids)
    found = debunks.match(grams, published_at)
    if found is not None:
        claim, similarity = found
        result.score = round(max(result.score, MATCH_FLOOR + (1 - MATCH_FLOOR) * similarity), 4)
        result.reasons.insert(
            0, Reason("match", claim.debunk_title, round(similarity, 4), claim.debunk_id)
        )
        result.matched_debunk = claim.debunk_id
    return result
