"""Rule types on clustered events: hot events (threshold) and graded events (severity)."""

from __future__ import annotations

from collections.abc import Sequence

from alerts.rule_base import (
    GRADE_LEVEL,
    EventRule,
    Match,
    RuleInput,
    grade_rank,
    max_level,
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
