"""Is a mention about the agency's field, and which topics? Score 0..1 with the terms behind it.

The first scorer is lexicon-based: every topic term found among the mention's words adds its
weight (``nlp/resources/topics.txt``), title words count double, repeats count sub-linearly,
and the sum is squashed to 0..1. A word pair (``resources/relevance_pairs.txt``: 缆车 and 停了 in
one sentence) adds as much as one unambiguous term: the public's everyday telling of an incident
in the field, where neither word is relevant alone. ``RelevanceScorer`` is the seam where a
trained model (e.g. a scikit-learn pipeline loaded from ``settings.nlp.models_dir``) replaces
it: anything with a ``score(document) -> RelevanceResult`` method will do, and it must still
say why.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from archive.models import Reason
from nlp.lexicon import TOPIC_LABELS, TermMatcher, TermPair, default_lexicon, topic_matcher
from nlp.text import Document

# A title is a headline an editor chose: its words say more about the subject than any one
# body word. Doubling is the usual field weighting of search engines (a title^2 boost); a
# judgement: on the labelled sample (Weibo 【headlines】 as titles) any weight from 1 to 3
# gives the same precision and recall, so the sample neither supports nor refutes it.
TITLE_WEIGHT = 2.0
# score = 1 - exp(-evidence / SCALE). With SCALE = 1/ln 2 ≈ 1.4427, one unambiguous term
# (weight 1.0) in the body scores exactly 0.5, the default settings.nlp.relevance_threshold:
# "one strong domain term, or several weaker ones, make a mention relevant".
SCALE = 1.0 / math.log(2.0)
# A topic is assigned when its evidence reaches this much: one medium term (0.6) or two weak
# ones. Below it a stray word (质量 in 空气质量) does not tag the mention.
TOPIC_MIN_EVIDENCE = 0.6
# Topics that are the broad case of another: food is a product, so product_quality's generic
# words (不合格, 检出, 质量) fill every food report. The broad topic is kept only when its own
# evidence beats the narrower one's. Measured on benchmarks/topics_sentiment_labels.json
# (nlp_topics_sentiment_bench.py, 2026-12-03): product_quality precision 0.05 -> 0.50 on the
# tuning split, topics micro F1 0.749 -> 0.818 (held_out 0.756 -> 0.780; macro F1 falls as
# the freed third slot lets rarer topics in).
BROADER_TOPIC = {"product_quality": "food_safety"}
# Terms that count for relevance anywhere but for their topic only beside another of its
# terms: 超标 (over the limit) is said of food, appliances and machines alike, and alone it
# tagged "钢丝绳断股、制动器磨损超标" (the demo's fallen elevator) 食品安全. Kept with food
# (农残超标) because moving it to product_quality cost a labelled food report its topic
# (nlp_topics_sentiment_bench.py tuning micro F1 0.818 -> 0.807; with this rule 0.818).
SUPPORTING_TERMS = frozenset({"超标"})
# A post that @-names the regulator's own account (@武汉食品药品监管, @XX市场监管, @中国消费者
# 协会) is a complaint or a question put to the agency, whatever its words: the name counts as
# the lexicon term it holds (issue 22, third pass: @-names are lifted out of the words, so
# such posts read as chatter; two of the tuning part's missed posts asked the food and drug
# bureau). Only these names: 工商 alone is also a bank's (@中国工商银行).
REGULATOR_ACCOUNT_TERMS = (
    "市场监督管理局",
    "市场监管",
    "食品药品监管",
    "食药监",
    "药监局",
    "质监局",
    "工商局",
    "工商所",
    "消费者协会",
    "消协",
    "12315",
)
# A word pair of ``resources/relevance_pairs.txt`` (缆车 + 停了 in one sentence) counts as one
# unambiguous term: the public's own telling of an incident in the field, which the model has
# too few examples of to read (issue 22, sixth pass). Its reason (kind ``relevance``) starts
# with PAIR_PREFIX, and the trained scorer never vetoes it (``relevance_model``).
PAIR_WEIGHT = 1.0
PAIR_PREFIX = "词对："
# A pair's reason has kind PAIR_ALONE_KIND instead of "relevance" when the pair is all that
# makes the text relevant (the rest of its evidence scores under ALONE_LINE, the default
# settings.nlp.relevance_threshold): such a post was judged not relevant before the pairs, and
# the analyser lets it look for its story again while it is alone in the event it founded
# (nlp.analyzer, nlp.event_recheck). The trained scorer turns it back to "relevance" when the
# model fires too.
PAIR_ALONE_KIND = "pair"
ALONE_LINE = 0.5
# Where a sentence ends for a pair: the two words must describe one thing. A repost mark
# (//@) starts another author's text.
SENTENCE_END = re.compile(r"[。！？!?；;\n]|//@")
# Terms listed in a topic's reason, strongest first.
TOPIC_REASON_TERMS = 5
# At most this many topics, strongest first: beyond three a tag list stops being informative.
MAX_TOPICS = 3


@dataclass
class RelevanceResult:
    score: float
    topics: list[str] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    # Evidence per topic, kept for events (which topics dominate) and for trained models.
    topic_evidence: dict[str, float] = field(default_factory=dict)


class RelevanceScorer(Protocol):
    """Anything that scores a document's relevance and says why."""

    def score(self, document: Document) -> RelevanceResult: ...


def topic_label(topic: str) -> str:
    return TOPIC_LABELS.get(topic, topic)


def squash(evidence: float) -> float:
    return 1.0 - math.exp(-max(0.0, evidence) / SCALE)


def relevant_by_pair_alone(reasons: Iterable[Reason]) -> bool:
    """Whether a word pair alone made the text relevant (its reason's kind says so): no term,
    account or model that would have made it relevant without the pair."""
    return any(reason.kind == PAIR_ALONE_KIND for reason in reasons)


def regulator_accounts(names: tuple[str, ...]) -> list[str]:
    """For each @-named account of the agency, the regulator term its name holds."""
    found: list[str] = []
    for name in names:
        term = next((t for t in REGULATOR_ACCOUNT_TERMS if t in name), None)
        if term is not None:
            found.append(term)
    return found


def pair_hits(text: str, pairs: tuple[TermPair, ...]) -> list[tuple[TermPair, str, str]]:
    """(pair, subject word, event word) for each pair whose two words share a sentence."""
    lowered = text.lower()
    found: list[tuple[TermPair, str, str]] = []
    for pair in pairs:
        if not any(word in lowered for word in pair.subjects):  # the usual case: no subject
            continue
        for sentence in SENTENCE_END.split(lowered):
            subject = next((w for w in pair.subjects if w in sentence), None)
            event = next((w for w in pair.events if w in sentence), None) if subject else None
            if subject and event:
                found.append((pair, subject, event))
                break
    return found


class LexiconRelevanceScorer:
    """Weighted topic-term hits on jieba words; the heuristic baseline."""

    def __init__(self, matcher: TermMatcher | None = None) -> None:
        self.matcher = matcher or topic_matcher()
        terms = default_lexicon().topic_terms()
        self.topic_of = {term: topic for term, (topic, _) in terms.items()}
        self.pairs = default_lexicon().pairs

    def _topic_reason(
        self,
        topic: str,
        per_term: dict[str, float],
        evidence: float,
        pairs: list[tuple[TermPair, str, str]],
    ) -> Reason:
        """Why ``topic`` was assigned: its terms and word pairs found, strongest first ("主题：
        特种设备（电梯 1.0、钢丝绳 0.8）", "主题：特种设备（跳楼机+卡在 1.0）"), so a misfire
        shows the word that caused it."""
        terms = sorted(
            [(t, e) for t, e in per_term.items() if self.topic_of.get(t) == topic]
            + [(f"{sub}+{ev}", PAIR_WEIGHT) for pair, sub, ev in pairs if pair.topic == topic],
            key=lambda item: (-item[1], item[0]),
        )
        listed = "、".join(f"{t} {e:.1f}" for t, e in terms[:TOPIC_REASON_TERMS])
        return Reason("topic", f"主题：{topic_label(topic)}（{listed}）", round(evidence, 4))

    def score(self, document: Document) -> RelevanceResult:
        title_hits = self.matcher.find(document.title_words)
        body_hits = self.matcher.find(document.body_words)
        accounts = regulator_accounts(document.prepared.mentions)
        pairs = pair_hits(document.full_text, self.pairs)
        if not title_hits and not body_hits and not accounts and not pairs:
            return RelevanceResult(score=0.0)  # what the sums below give for no term: most text
        counts: dict[str, float] = defaultdict(float)
        for hits, field_weight in ((title_hits, TITLE_WEIGHT), (body_hits, 1.0)):
            for hit in hits:
                counts[hit.term] += field_weight
        for term in accounts:
            counts[term] += 1.0
        per_term: dict[str, float] = {}
        for term, count in counts.items():
            # Repeats add log-wise: an article that says 电梯 twenty times is not twenty times
            # as relevant as one that says it once (count 1 → 1, 2 → 1.69, 10 → 3.3).
            per_term[term] = self.matcher.weight(term) * (1.0 + math.log(count))
        topic_evidence: dict[str, float] = defaultdict(float)
        for term, evidence in per_term.items():
            topic_evidence[self.topic_of.get(term, "")] += evidence
        for pair, _, _ in pairs:
            topic_evidence[pair.topic] += PAIR_WEIGHT
        for term in SUPPORTING_TERMS.intersection(per_term):
            topic = self.topic_of.get(term, "")
            if topic_evidence.get(topic, 0.0) <= per_term[term]:  # the topic has nothing else
                topic_evidence[topic] -= per_term[term]
        total = sum(per_term.values()) + PAIR_WEIGHT * len(pairs)
        ranked_topics = sorted(
            (
                (t, e)
                for t, e in topic_evidence.items()
                if t
                and e >= TOPIC_MIN_EVIDENCE
                and e > topic_evidence.get(BROADER_TOPIC.get(t, ""), 0.0)
            ),
            key=lambda item: (-item[1], item[0]),
        )
        kind = PAIR_ALONE_KIND if squash(sum(per_term.values())) < ALONE_LINE else "relevance"
        reasons = [
            Reason(kind, f"{PAIR_PREFIX}{subject}+{event}", PAIR_WEIGHT)
            for _, subject, event in pairs
        ]
        reasons += [
            Reason(kind="term", text=term, weight=round(evidence, 4))
            for term, evidence in sorted(per_term.items(), key=lambda item: (-item[1], item[0]))
        ]
        topics = [topic for topic, _ in ranked_topics[:MAX_TOPICS]]
        reasons += [
            self._topic_reason(topic, per_term, topic_evidence[topic], pairs) for topic in topics
        ]
        return RelevanceResult(
            score=round(squash(total), 4),
            topics=topics,
            reasons=reasons,
            topic_evidence={
                t: round(e, 4) for t, e in sorted(topic_evidence.items()) if t and e > 0
            },
        )


def default_scorer() -> RelevanceScorer:
    """The scorer the stage uses: the lexicon with the shipped model (``nlp/models/
    relevance.npz``, ``nlp.relevance_model``), or the lexicon alone when no model loads."""
    from nlp.relevance_model import trained_scorer  # it builds on this module

    return trained_scorer() or LexiconRelevanceScorer()
