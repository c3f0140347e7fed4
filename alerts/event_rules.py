"""Rule types on clustered events: hot events (threshold) and graded events (severity)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from alerts.rule_base import (
    GRADE_LEVEL,
    EventRule,
    Match,
    RuleInput,
    grade_rank,
    max_level,
    post_reason,
    register_rule,
)
from archive.models import Event, Mention, Reason, platform_breakdown, publisher
from core.settings import AgencySettings
from core.settings_rules import SeverityRuleSettings, ThresholdRuleSettings
from nlp.hotspots import hotspot_reason, is_hotspot


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


def public_concern(
    members: Sequence[Mention],
    about_agency: Callable[[Mention], bool],
    posts: int,
    agency: AgencySettings | None,
) -> tuple[list[Mention], Mention] | None:
    """The public's posts about the agency's work and the first media report on them, when
    there are ``posts`` of them and a report: complaints that the press picked up are
    public opinion about government work to answer (国办发〔2016〕61号's 其他政务舆情) before
    they reach a hot topic's volume. Replies are not counted (their topics are the thread's),
    nor the posts of government or media accounts; ``members`` in time order."""
    voices = [
        m
        for m in members
        if m.kind in PUBLIC_POST_KINDS
        and _verified_type(m) not in AUTHORITY_TYPES
        and not agency_published(m, agency)
        and about_agency(m)
    ]
    reports = [
        m
        for m in members
        if (m.platform in REPORT_PLATFORMS or _verified_type(m) == MEDIA_TYPE)
        and not agency_published(m, agency)
    ]
    if len(voices) < posts or not reports:
        return None
    return voices, reports[0]


# What a member of the public posts (a reply's topics are its thread's, so not counted).
PUBLIC_POST_KINDS = ("post", "repost")
# Weibo's verified_type: 1 government, 3 media; neither is "the public".
AUTHORITY_TYPES = (1, 3)
MEDIA_TYPE = 3
# News sites and feeds: their articles are media reports.
REPORT_PLATFORMS = ("news", "rss")


def _verified_type(m: Mention) -> int | None:
    value = m.metrics.get("verified_type")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


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

    settings_model = ThresholdRuleSettings
    settings: ThresholdRuleSettings
    MEMBERS_READ = 5000

    def find(self, data: RuleInput) -> list[Match]:
        found = []
        for event in data.events:
            match = self.check_event(event)
            concern = match is None and bool(set(self.settings.concern_topics) & set(event.topics))
            if (match is None and not concern) or not self.event_ok(event, data):
                continue
            if not is_hotspot(event, data.archive, data.hotspot):
                continue
            members = sorted(
                data.archive.event_mentions(event.id, limit=self.MEMBERS_READ),
                key=lambda m: m.published_at,
            )
            if match is None:
                if members and agency_published(members[0], data.agency):
                    # Replies to the agency's own announcement (a penalty decision, 罚得好)
                    # are no concern about its work to answer, nor worth an alert.
                    continue
                match = self._concern(event, members, data)
                if match is None:
                    continue
            else:
                self._date_crossing(match, members)
            match.evidence.append(
                Reason("figure", hotspot_reason(event, data.archive, data.hotspot))
            )
            if members and agency_published(members[0], data.agency):
                # The story is the agency's own announcement (a crackdown's results, a new
                # policy): what it published is its word on it; there is no public concern
                # to answer yet, and other rules (rumour, severity) still open what applies.
                match.skip_kinds = frozenset({"response"})
                match.evidence.append(Reason("figure", "首发为本机关发布，无需另行回应关切"))
            found.append(match)
        return found

    def _concern(self, event: Event, members: Sequence[Mention], data: RuleInput) -> Match | None:
        """The event as public concern about the agency's work, detected when it became one."""
        analyses = data.archive.get_analyses([m.id for m in members])
        topics = set(self.settings.concern_topics)
        concern = public_concern(
            members,
            lambda m: bool(topics & set(getattr(analyses.get(m.id), "topics", ()))),
            self.settings.concern_posts,
            data.agency,
        )
        if concern is None:
            return None
        voices, report = concern
        evidence = [
            Reason(
                "figure",
                f"公众反映本机关工作 {len(voices)} 条（≥ {self.settings.concern_posts}），"
                "并经媒体报道",
                float(len(voices)),
            ),
            post_reason(report, "媒体报道："),
            *(post_reason(m, "公众反映：") for m in voices[:2]),
        ]
        match = self.event_match(event, evidence)
        crossing = max(voices[self.settings.concern_posts - 1].published_at, report.published_at)
        match.detected_at = max(match.detected_at, crossing)
        return match

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

    settings_model = SeverityRuleSettings
    settings: SeverityRuleSettings

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
