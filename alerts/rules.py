"""Rule types: one class each over a shared contract, one registry (the ElastAlert2 model).

A rule type gets its ``RuleSettings`` once and then, on every evaluation, a ``RuleInput``: the
active events, the mentions new or changed since the last evaluation with their analyses, the
rule's existing alerts and the archive for look-ups. It reports ``Match`` objects and never
writes: the stage decides what a match means (an alert, obligations, notifications), so a rule
can be tested on stored data alone. A new rule type is a new class with ``@register_rule``.

Every match is keyed by a subject: ``event:<id>`` when it concerns a clustered event (so rumour
posts of one event make one alert), ``mention:<id>`` for a post outside any event, ``doc:<id>``
for an official document, ``term:<word>``, ``spike:<hour>`` and, per topic,
``spike:<topic>:<hour>`` for the volume rules. The
obligations a match opens are keyed by the same subject, so two rules on one event share them.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, TypeVar

from archive.base import Archive
from archive.metrics import count, total
from archive.models import (
    SEVERITY_GRADES,
    Alert,
    Analysis,
    Event,
    Mention,
    Reason,
    platform_breakdown,
    publisher,
)
from core.clock import SHANGHAI, parse_instant
from core.settings import LEVEL_BELOW, AgencySettings, HotspotSettings, RuleSettings
from nlp.hotspots import hotspot_reason, is_hotspot
from nlp.rumor.claims import claim_text, event_claim, is_claim_post, known_debunk

ALERT_LEVELS = ("info", "warning", "critical")
LEVEL_LABELS = {"info": "提示", "warning": "警告", "critical": "严重"}
GRADE_LEVEL = {"特别重大": "critical", "重大": "critical", "较大": "warning", "一般": "info"}
AGENCY_LEVELS = ("national", "province", "city", "county")
# Posts of an event a rumour rule reads to find its claim, and spreading posts it cites.
EVENT_POSTS = 500
CLAIM_POSTS = 3


def grade_rank(grade: str | None) -> int:
    """Higher is more severe; unknown or missing grades rank lowest."""
    if grade not in SEVERITY_GRADES:
        return -1
    return len(SEVERITY_GRADES) - SEVERITY_GRADES.index(grade)


def max_level(*levels: str) -> str:
    known = [level for level in levels if level in ALERT_LEVELS]
    return max(known, key=ALERT_LEVELS.index) if known else "warning"


@dataclass
class Match:
    """What a rule found: the stage turns it into an alert and, maybe, obligations."""

    subject: str
    title: str
    level: str
    detected_at: datetime  # when the clock of calendar-hour obligations starts
    last_at: datetime
    event_id: str | None = None
    evidence: list[Reason] = field(default_factory=list)
    published_at: datetime | None = None  # documents: when working-day clocks start
    grade: str | None = None  # severity grade, for kinds the law ties to a grade
    obligation_level: str | None = None  # agency level that must act, when the data says
    # Kinds the rule lists that this match does not call for (see ThresholdRule).
    skip_kinds: frozenset[str] = frozenset()


@dataclass
class RuleInput:
    now: datetime
    archive: Archive
    events: list[Event]
    mentions: list[tuple[Mention, Analysis | None]]
    alerts: dict[str, Alert] = field(default_factory=dict)  # this rule's alerts by subject
    # Agency level of a publishing source, and by region substring (settings), for documents.
    source_levels: dict[str, str] = field(default_factory=dict)
    region_levels: dict[str, str] = field(default_factory=dict)
    # The size and spread that make an event a hotspot (threshold rules fire on those only).
    hotspot: HotspotSettings = field(default_factory=HotspotSettings)
    # The names the agency publishes under (settings ``agency``): its own documents are at
    # its own level whatever district their title names.
    own_names: frozenset[str] = frozenset()
    # The agency (settings ``agency``), to recognise its district and county bureaus.
    agency: AgencySettings | None = None
    _events: dict[str, Event | None] = field(default_factory=dict)

    def event(self, event_id: str) -> Event | None:
        if event_id not in self._events:
            known = next((e for e in self.events if e.id == event_id), None)
            self._events[event_id] = known or self.archive.get_event(event_id)
        return self._events[event_id]


class RuleType(abc.ABC):
    """The shared contract: settings in, matches out."""

    type_name: ClassVar[str]
    needs_analysis: ClassVar[bool] = True  # mentions are only judged once the NLP saw them

    def __init__(self, settings: RuleSettings) -> None:
        self.settings = settings
        self.name = settings.name

    @abc.abstractmethod
    def find(self, data: RuleInput) -> list[Match]: ...

    def describe(self) -> str:
        return self.settings.description or f"{self.type_name} 规则"

    # ---- filters shared by the types -------------------------------------------------
    def _region_ok(self, region: str) -> bool:
        wanted = self.settings.filters.regions
        return not wanted or any(r and r in region for r in wanted)

    def event_ok(self, event: Event, data: RuleInput) -> bool:
        f = self.settings.filters
        if f.topics and not set(f.topics) & set(event.topics):
            return False
        if not self._region_ok(event.region):
            return False
        if f.platforms or f.kinds:
            mentions = data.archive.event_mentions(event.id, limit=500)
            return any(self._platform_kind_ok(m) for m in mentions)
        return True

    def _platform_kind_ok(self, mention: Mention) -> bool:
        f = self.settings.filters
        return (not f.platforms or mention.platform in f.platforms) and (
            not f.kinds or mention.kind in f.kinds
        )

    def mention_ok(self, mention: Mention, analysis: Analysis | None) -> bool:
        f = self.settings.filters
        if not self._platform_kind_ok(mention) or not self._region_ok(mention.region):
            return False
        return not f.topics or bool(analysis and set(f.topics) & set(analysis.topics))

    # ---- match builders --------------------------------------------------------------
    def event_match(self, event: Event, evidence: list[Reason], level: str | None = None) -> Match:
        return Match(
            subject=f"event:{event.id}",
            title=event.title,
            level=level or self.settings.level,
            detected_at=event.first_seen,
            last_at=event.last_seen,
            event_id=event.id,
            evidence=evidence,
        )

    def mention_match(
        self, mention: Mention, analysis: Analysis | None, evidence: list[Reason], data: RuleInput
    ) -> Match:
        """Group a post under its event when it has one, so one event makes one alert."""
        event = data.event(analysis.event_id) if analysis and analysis.event_id else None
        if event is not None:
            match = self.event_match(event, evidence)
            match.last_at = max(event.last_seen, mention.published_at)
            return match
        return Match(
            subject=f"mention:{mention.id}",
            title=mention_title(mention),
            level=self.settings.level,
            detected_at=mention.fetched_at,
            last_at=mention.fetched_at,
            evidence=evidence,
        )


RULE_TYPES: dict[str, type[RuleType]] = {}
_R = TypeVar("_R", bound=type[RuleType])


def register_rule(cls: _R) -> _R:
    RULE_TYPES[cls.type_name] = cls
    return cls


def build_rule(settings: RuleSettings) -> RuleType:
    try:
        cls = RULE_TYPES[settings.type]
    except KeyError:
        raise ValueError(
            f"rule {settings.name!r}: type {settings.type!r} has no implementation "
            f"(known: {', '.join(RULE_TYPES)})"
        ) from None
    return cls(settings)


def mention_title(mention: Mention) -> str:
    text = mention.title or mention.text
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:59] + "…"


def post_reason(mention: Mention, prefix: str = "") -> Reason:
    text = f"{prefix}{mention_title(mention)} {mention.url}".strip()
    return Reason("post", text, 0.0, mention.id)


class EventRule(RuleType):
    """Rule types that look at clustered events (heat, severity, rumour score)."""

    needs_analysis: ClassVar[bool] = False

    def find(self, data: RuleInput) -> list[Match]:
        found = []
        for event in data.events:
            match = self.check_event(event)
            if match is not None and self.event_ok(event, data):
                found.append(match)
        return found

    @abc.abstractmethod
    def check_event(self, event: Event) -> Match | None: ...


def agency_published(m: Mention, agency: AgencySettings | None) -> bool:
    """Whether the agency itself published ``m`` (its own accounts, or its own site)."""
    if agency is None:
        return False
    if publisher(m) in agency.own_names() or agency.owns_source(m.source):
        return True
    # A news report of its announcement (记者从市市场监管局获悉, 据市市场监管局通报): the
    # agency is the source, not the subject of a complaint (市民投诉市场监管局… does not match).
    text = f"{m.title}\n{m.text[:200]}"
    return any(
        f"{lead}{name}{verb}" in text
        for name in agency.spoken_names()
        for lead, verb in _ATTRIBUTIONS
    )


# How a report credits the agency as its source.
_ATTRIBUTIONS = (("从", "获悉"), ("据", "通报"), ("据", "消息"), ("从", "了解到"), ("", "发布"))


@register_rule
class ThresholdRule(EventRule):
    """Hot events: heat or volume over the rule's bar, and a hotspot's size and spread
    (``settings.nlp.hotspot``: one item and its comments is not public opinion).

    An event becomes public opinion to answer (其他政务舆情, 48 h) when it crosses
    ``min_mentions``, not at its first post: a complaint posted on Monday that the media pick
    up on Thursday is due on Saturday, so the match is detected at the crossing (the
    ``min_mentions``-th member's time) when the members say."""

    type_name = "threshold"
    MEMBERS_READ = 5000

    def find(self, data: RuleInput) -> list[Match]:
        found = []
        for match in super().find(data):
            event = data.event(match.event_id) if match.event_id else None
            if event is None or not is_hotspot(event, data.archive, data.hotspot):
                continue
            match.evidence.append(
                Reason("figure", hotspot_reason(event, data.archive, data.hotspot))
            )
            members = sorted(
                data.archive.event_mentions(event.id, limit=self.MEMBERS_READ),
                key=lambda m: m.published_at,
            )
            self._date_crossing(match, members)
            if members and agency_published(members[0], data.agency):
                # The story is the agency's own announcement (a crackdown's results, a new
                # policy): what it published is its word on it; there is no public concern
                # to answer yet, and other rules (rumour, severity) still open what applies.
                match.skip_kinds = frozenset({"response"})
                match.evidence.append(Reason("figure", "首发为本机关发布，无需另行回应关切"))
            found.append(match)
        return found

    def _date_crossing(self, match: Match, members: Sequence[Mention]) -> None:
        minimum = self.settings.min_mentions
        if minimum is not None and len(members) >= minimum:
            match.detected_at = max(match.detected_at, members[minimum - 1].published_at)

    def check_event(self, event: Event) -> Match | None:
        s = self.settings
        evidence = []
        if s.min_heat is not None and event.heat >= s.min_heat:
            evidence.append(Reason("figure", f"热度 {event.heat:.1f} ≥ {s.min_heat:g}", event.heat))
        if s.min_mentions is not None and event.mention_count >= s.min_mentions:
            evidence.append(
                Reason(
                    "figure",
                    f"相关信息 {event.mention_count} 条 ≥ {s.min_mentions}",
                    float(event.mention_count),
                )
            )
        if evidence and event.platforms:
            # Where the volume is, for the duty officer deciding whom to answer where;
            # absent for events written before platforms were kept.
            spread = platform_breakdown(event.platforms, "、")
            total_members = float(sum(event.platforms.values()))
            evidence.append(Reason("figure", f"平台分布：{spread}", total_members))
        return self.event_match(event, evidence) if evidence else None


@register_rule
class SeverityRule(EventRule):
    """Events graded at or above ``min_grade``; the grade also sets the alert level."""

    type_name = "severity"

    def check_event(self, event: Event) -> Match | None:
        minimum = self.settings.min_grade or "一般"
        if event.severity is None or grade_rank(event.severity) < grade_rank(minimum):
            return None
        evidence = [Reason("signal", f"事件等级：{event.severity}（规则要求{minimum}及以上）")]
        evidence += list(event.severity_basis)
        match = self.event_match(
            event, evidence, max_level(self.settings.level, GRADE_LEVEL[event.severity])
        )
        match.grade = event.severity
        return match


@register_rule
class RumorRule(RuleType):
    """Identified false claims: in an event, the claim its spreading posts make
    (``nlp.rumor.claims.event_claim``: none in a real emergency that authorities report, unless
    a debunk answers a claim about it); outside events, a post likely false or repeating a
    debunked claim. The match's title is the claim, which the clarification names."""

    type_name = "rumor"
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
        evidence.append(
            Reason("signal", f"谣言概率 {claim.score:.2f} ≥ {p:.2f}", claim.score, claim.posts[0])
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
        first = min(m.fetched_at for m, _ in spreading) if spreading else event.first_seen
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
            detected_at=mention.fetched_at,
            last_at=mention.fetched_at,
            evidence=evidence,
        )
        return match


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

    type_name = "watch_list"

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


MAX_DOCUMENT_AGE = timedelta(days=60)


def agency_level(mention: Mention, data: RuleInput) -> str | None:
    """Which level of agency published a notice: what the notice says (``extra["level"]``),
    else its source's configured ``level``, else the agency's own level when the agency
    itself published it, else ``obligations.region_levels`` (with the agency's districts)
    matched against the notice's region, publisher and title (临川区 → county), else the
    level below the agency's for a district or county bureau of its region that is not
    configured (江州市望江区市场监督管理局 → county)."""
    for level in (mention.extra.get("level"), data.source_levels.get(mention.source)):
        if level in AGENCY_LEVELS:
            return str(level)
    if mention.author and mention.author in data.own_names:
        return None
    where = f"{mention.region}\n{mention.author}\n{mention.title}"
    for fragment, level in data.region_levels.items():
        if fragment and fragment in where and level in AGENCY_LEVELS:
            return level
    agency = data.agency
    if agency is not None and mention.author and agency.district_unit(mention.author):
        return LEVEL_BELOW[agency.level]
    return None


class DocumentRule(RuleType):
    """Official notices of given document types; the clock starts at publication.

    Documents published more than ``MAX_DOCUMENT_AGE`` before the evaluation are history, not
    news: the first crawl of an official site's archive must not open hundreds of obligations
    that were overdue long before anyone could act on them.
    """

    needs_analysis: ClassVar[bool] = False
    default_doc_types: ClassVar[tuple[str, ...]]
    label: ClassVar[str]

    def find(self, data: RuleInput) -> list[Match]:
        wanted = self.settings.doc_types or list(self.default_doc_types)
        found = []
        for mention, analysis in data.mentions:
            if mention.platform != "official" and mention.kind != "official":
                continue
            doc_type = mention.extra.get("doc_type")
            if doc_type not in wanted or not self.mention_ok(mention, analysis):
                continue
            published = self.trigger_time(mention)
            if published < data.now - MAX_DOCUMENT_AGE:
                continue
            local = published.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
            evidence = [
                post_reason(mention, f"{self.label}："),
                Reason("signal", f"{mention.source} 于 {local} 发布", 0.0, mention.id),
            ]
            level = agency_level(mention, data)
            found.append(
                Match(
                    subject=f"doc:{mention.id}",
                    title=mention_title(mention),
                    level=self.settings.level,
                    detected_at=mention.fetched_at,
                    last_at=mention.fetched_at,
                    evidence=evidence,
                    published_at=published,
                    obligation_level=level,
                )
            )
        return found

    def trigger_time(self, mention: Mention) -> datetime:
        return mention.published_at


@register_rule
class OfficialDocumentRule(DocumentRule):
    type_name = "official_document"
    default_doc_types = ("policy",)
    label = "政策文件"


@register_rule
class PenaltyRule(DocumentRule):
    """Penalty decisions: the clock runs from the decision date — ``extra["decided_at"]``
    when the crawler found one, else the date that signs the decision at the end of its
    text (江州市市场监督管理局 / 2026年11月10日) — and only failing both from publication."""

    type_name = "penalty"
    default_doc_types = ("penalty",)
    label = "行政处罚决定"

    def trigger_time(self, mention: Mention) -> datetime:
        decided = mention.extra.get("decided_at")
        if isinstance(decided, str) and decided.strip():
            try:
                return parse_instant(decided)
            except ValueError:
                pass
        signed = decision_date(mention.text)
        if signed is not None and signed <= mention.published_at:
            return signed
        return mention.published_at


# A decision is signed with its date on one of its last lines; an earlier date in the text
# is the violation's, not the decision's.
_SIGNED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
SIGNATURE_LINES = 3


def decision_date(text: str) -> datetime | None:
    """The date signing a decision (its last lines), as 00:00 Beijing time; None if none."""
    tail = "\n".join(text.strip().splitlines()[-SIGNATURE_LINES:])
    found = _SIGNED.findall(tail)
    if not found:
        return None
    year, month, day = (int(part) for part in found[-1])
    try:
        return datetime(year, month, day, tzinfo=SHANGHAI)
    except ValueError:
        return None


# The volume rule types (spike, new_term) register themselves on import.
from alerts import volume_rules  # noqa: E402

__all__ = ["RULE_TYPES", "Match", "RuleInput", "RuleType", "build_rule", "volume_rules"]
