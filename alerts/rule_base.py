"""The contract every rule type implements: settings in, ``Match`` objects out.

``RuleInput`` is what a rule reads on each evaluation, ``RuleType`` the base class with the
filters and match builders the types share, ``register_rule`` the registry they join. The
types themselves are in ``event_rules``, ``post_rules``, ``document_rules`` and
``volume_rules``; ``alerts.rules`` loads them all and builds rules from settings.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, TypeVar

from alerts.units import UnitTree
from archive.base import Archive
from archive.models import Alert, Analysis, Event, Mention, Reason
from core.settings import AgencySettings, HotspotSettings, RuleSettings, RuleSettingsBase
from core.settings_base import register_typed
from core.text.clip import clip
from core.vocabulary import ALERT_LEVELS, SEVERITY_GRADES

# The alert level a severity grade calls for at least.
GRADE_LEVEL = {"特别重大": "critical", "重大": "critical", "较大": "warning", "一般": "info"}


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
    # The units tree (``units:``), for rules whose matches are per unit (inspection notices).
    units: UnitTree | None = None
    _events: dict[str, Event | None] = field(default_factory=dict)

    def event(self, event_id: str) -> Event | None:
        if event_id not in self._events:
            known = next((e for e in self.events if e.id == event_id), None)
            self._events[event_id] = known or self.archive.get_event(event_id)
        return self._events[event_id]


class RuleType(abc.ABC):
    """The shared contract: settings in, matches out."""

    # The type's settings model (core.settings_rules): its ``type`` Literal is the name.
    settings_model: ClassVar[type[RuleSettingsBase]]
    settings: RuleSettings  # narrowed to the settings model by each type
    type_name: ClassVar[str]  # set by ``register_rule`` from the settings model
    needs_analysis: ClassVar[bool] = True  # mentions are only judged once the NLP saw them

    def __init__(self, settings: RuleSettings) -> None:
        if not isinstance(settings, self.settings_model):
            raise TypeError(f"{type(self).__name__} takes {self.settings_model.__name__}")
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
            detected_at=mention.first_seen,
            last_at=mention.fetched_at,
            evidence=evidence,
        )


# The class of each rule type, by name; ``alerts.rules`` holds it to ``RULE_TYPES``.
RULE_CLASSES: dict[str, type[RuleType]] = {}
_R = TypeVar("_R", bound=type[RuleType])


def register_rule(cls: _R) -> _R:
    """Register a rule class under the name its settings model's ``type`` gives."""
    register_typed(RULE_CLASSES, cls, "rule")
    return cls


def mention_title(mention: Mention) -> str:
    return clip(mention.title or mention.text, 60)


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
